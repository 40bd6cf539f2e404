"""ONNX export of learndl.keras models: channels-last round trips through onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import keras
from tests.keras_helpers import fresh_keras_session  # noqa: F401 - autouse: imported, it applies
from tests.keras_helpers import sequential as _seq

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
L = keras.layers


VECTORS = {  # input (N, 8)
    "dense": lambda: _seq((8,), L.Dense(5)),
    "dense_no_bias": lambda: _seq((8,), L.Dense(5, use_bias=False)),
    "dense_relu": lambda: _seq((8,), L.Dense(5, activation="relu")),
    "dense_sigmoid": lambda: _seq((8,), L.Dense(5, activation="sigmoid")),
    "dense_tanh": lambda: _seq((8,), L.Dense(5, activation="tanh")),
    "dense_softmax": lambda: _seq((8,), L.Dense(5, activation="softmax")),
    "dense_gelu": lambda: _seq((8,), L.Dense(5, activation="gelu")),
    "activation": lambda: _seq((8,), L.Dense(5), L.Activation("tanh")),
    "relu": lambda: _seq((8,), L.Dense(5), L.ReLU()),
    "relu_leaky_capped": lambda: _seq((8,), L.Dense(5), L.ReLU(6.0, negative_slope=0.1)),
    "relu_threshold": lambda: _seq((8,), L.Dense(5), L.ReLU(negative_slope=0.2, threshold=0.3)),
    "softmax": lambda: _seq((8,), L.Dense(5), L.Softmax()),
    "dropout": lambda: _seq((8,), L.Dense(5), L.Dropout(0.5)),
    "batchnorm": lambda: _seq((8,), L.Dense(5), L.BatchNormalization()),
    "batchnorm_plain": lambda: _seq((8,), L.BatchNormalization(center=False, scale=False)),
    "mlp": lambda: _seq((8,), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")),
}
SEQUENCES = {  # input (N, 4, 8): Dense and BatchNormalization on the last axis of 3-d inputs
    "dense_3d": lambda: _seq((4, 8), L.Dense(5, activation="relu")),
    "batchnorm_3d": lambda: _seq((4, 8), L.BatchNormalization()),
    "batchnorm_axis1": lambda: _seq((4, 8), L.BatchNormalization(axis=1)),
}
IMAGES = {  # input (N, 7, 7, 2): odd sizes, so "same" padding is uneven
    "conv2d": lambda: _seq((7, 7, 2), L.Conv2D(3, 3)),
    "conv2d_same": lambda: _seq((7, 7, 2), L.Conv2D(3, 3, padding="same")),
    "conv2d_same_stride2": lambda: _seq((7, 7, 2), L.Conv2D(3, (3, 2), 2, padding="same")),
    "conv2d_relu": lambda: _seq((7, 7, 2), L.Conv2D(3, 3, activation="relu", use_bias=False)),
    "conv2d_softmax": lambda: _seq((7, 7, 2), L.Conv2D(3, 1, activation="softmax")),
    "maxpool": lambda: _seq((7, 7, 2), L.MaxPooling2D()),
    "maxpool_same": lambda: _seq((7, 7, 2), L.MaxPooling2D(3, strides=2, padding="same")),
    "avgpool": lambda: _seq((7, 7, 2), L.AveragePooling2D()),
    "avgpool_same": lambda: _seq((7, 7, 2), L.AveragePooling2D(2, padding="same")),
    "batchnorm_images": lambda: _seq((7, 7, 2), L.BatchNormalization()),
    "flatten": lambda: _seq((7, 7, 2), L.Flatten()),
    "cnn": lambda: _seq(
        (7, 7, 2),
        L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(padding="same"),
        L.Conv2D(6, 3, activation="relu"),
        L.AveragePooling2D(),
        L.Flatten(),
        L.Dropout(0.25),
        L.Dense(10, activation="softmax"),
    ),
}
SHAPES = {**{k: (8,) for k in VECTORS}, **{k: (4, 8) for k in SEQUENCES}}
SHAPES.update({k: (7, 7, 2) for k in IMAGES})
MODELS = {**VECTORS, **SEQUENCES, **IMAGES}


def _moved_statistics(model, x):
    """A few training-mode calls, so BatchNormalization's moving statistics are not 0 and 1."""
    for _ in range(5):
        model(x * 2.0 + 1.0, training=True)
    return model


def round_trip(model, x, path) -> float:
    """Export, run in onnxruntime on ``x`` and on a batch of another size; the max error."""
    ld.export.onnx(model, x, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (x.numpy(), x.numpy()[:1] * 3.0):
        (got,) = session.run(None, {"input": batch})
        want = model.predict(batch, verbose=0)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)
        worst = max(worst, float(np.abs(got - want).max()))
    return worst


@pytest.mark.parametrize("name", sorted(MODELS))
def test_round_trip_through_onnxruntime(name, tmp_path):
    x = ld.randn(4, *SHAPES[name])
    model = _moved_statistics(MODELS[name](), x)
    assert round_trip(model, x, tmp_path / "model.onnx") < 1e-5


def test_input_and_output_stay_channels_last(tmp_path):
    import onnx

    model = IMAGES["conv2d_same"]()
    path = ld.export.onnx(model, np.zeros((2, 7, 7, 2)), str(tmp_path / "m.onnx"))
    graph = onnx.load(path).graph
    dims = [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in (graph.input[0], graph.output[0])]  # fmt: skip
    assert dims == [["N", 7, 7, 2], ["N", 7, 7, 3]]
    assert [n.op_type for n in graph.node] == ["Transpose", "Conv", "Transpose"]


def test_weights_of_a_trained_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 6, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("int64")
    model = _seq(
        (6, 6, 1), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.Flatten(),
        L.Dense(2, activation="softmax"),
    )  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert round_trip(model, ld.tensor(x[:8]), tmp_path / "trained.onnx") < 1e-5


def test_a_layer_without_onnx_equivalent_is_named(tmp_path):
    model = _seq((3,), L.Embedding(10, 4))
    with pytest.raises(ld.export.ExportError, match="Embedding") as info:
        ld.export.onnx(model, np.zeros((2, 3)), str(tmp_path / "m.onnx"))
    assert "keras.Dense" in str(info.value) and "Linear" not in str(info.value)


def test_a_custom_activation_is_named(tmp_path):
    model = _seq((3,), L.Dense(2, activation=lambda t: t * 2.0, name="doubler"))
    with pytest.raises(ld.export.ExportError, match="doubler.*activation"):
        ld.export.onnx(model, ld.randn(2, 3), str(tmp_path / "m.onnx"))


# -- the lessons' models, built as lessons 09 and 10 build them


def _digits(n=32):
    x, y = ld.data.datasets.digits()
    return x[:n].astype("float32"), y[:n]


def test_lesson_09_models_round_trip(tmp_path):
    from learndl import nn

    x, _ = _digits()
    ld.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).eval()
    ld.export.onnx(mlp, ld.tensor(x), str(tmp_path / "mlp.onnx"))
    session = ort.InferenceSession(str(tmp_path / "mlp.onnx"), providers=["CPUExecutionProvider"])
    with ld.no_grad():
        want = mlp(ld.tensor(x)).numpy()
    np.testing.assert_allclose(session.run(None, {"input": x})[0], want, atol=1e-5, rtol=1e-5)
    ld.manual_seed(0)
    model = _seq((64,), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax"))
    assert round_trip(model, ld.tensor(x), tmp_path / "keras_mlp.onnx") < 1e-5


def test_lesson_10_cnn_round_trips(tmp_path):
    x, y = _digits(128)
    images = x.reshape(-1, 8, 8, 1)
    ld.manual_seed(0)
    model = _seq(
        (8, 8, 1),
        L.Conv2D(8, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dropout(0.2),
        L.Dense(10, activation="softmax"),
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(images, y, epochs=1, batch_size=32, verbose=0)
    assert round_trip(model, ld.tensor(images[:16]), tmp_path / "cnn.onnx") < 1e-5
