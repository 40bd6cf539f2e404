"""Layers: shapes, Keras' weight layouts and names, forward against NumPy/torch, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl import keras
from learndl.keras import layers


def _gradcheck_layer(layer, x: np.ndarray, *names: str) -> bool:
    """gradcheck w.r.t. the input and the named weights (swapped in for the call)."""
    layer(x)  # build
    weights = [getattr(layer, n) for n in names]

    def fn(x, *ws):
        for n, w in zip(names, ws):
            object.__setattr__(layer, n, w)
        return layer(x, training=True)

    inputs = [ld.tensor(x, dtype="float64", requires_grad=True)]
    inputs += [ld.tensor(w.numpy(), dtype="float64", requires_grad=True) for w in weights]
    ok = ld.gradcheck(fn, *inputs)
    for n, w in zip(names, weights):
        object.__setattr__(layer, n, w)
    return ok


def test_dense_builds_on_first_call_with_keras_layout_and_names():
    dense = layers.Dense(4, activation="relu")
    assert not dense.built and dense.weights == []
    y = dense(np.ones((2, 3)))
    assert y.shape == (2, 4) and y.dtype == np.float32
    assert [w.path for w in dense.weights] == ["dense/kernel", "dense/bias"]
    assert dense.kernel.shape == (3, 4) and (dense.bias.numpy() == 0).all()
    limit = np.sqrt(6 / 7)
    assert np.abs(dense.kernel.numpy()).max() <= limit
    assert layers.Dense(2).name == "dense_1"
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = np.maximum(x @ dense.kernel.numpy() + dense.bias.numpy(), 0)
    np.testing.assert_allclose(dense(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_dense_gradients_float64():
    dense = layers.Dense(3, activation="tanh", dtype="float64")
    x = np.random.default_rng(1).normal(size=(4, 5))
    assert _gradcheck_layer(dense, x, "kernel", "bias")


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "gelu", "linear"])
def test_activation_names(name):
    v = np.array([[-1.0, 0.5, 2.0]])
    ref = {
        "relu": np.maximum(v, 0),
        "sigmoid": 1 / (1 + np.exp(-v)),
        "tanh": np.tanh(v),
        "softmax": np.exp(v) / np.exp(v).sum(),
        "gelu": v * 0.5 * (1 + np.vectorize(math.erf)(v / math.sqrt(2))),
        "linear": v,
    }[name]
    np.testing.assert_allclose(layers.Activation(name)(v).numpy(), ref, rtol=1e-5)


def test_relu_softmax_flatten_layers():
    x = ld.tensor([[-2.0, 1.0, 9.0]])
    assert layers.ReLU()(x).tolist() == [[0.0, 1.0, 9.0]]
    assert layers.ReLU(max_value=6.0, negative_slope=0.5)(x).tolist() == [[-1.0, 1.0, 6.0]]
    np.testing.assert_allclose(layers.Softmax()(x).numpy().sum(), 1.0, rtol=1e-6)
    assert layers.Flatten()(ld.ones(2, 3, 4, 5)).shape == (2, 60)
    assert layers.ReLU().name == "re_lu_2"  # Keras snake case, counted per name


def _conv_reference(x, kernel, bias, strides, padding):
    # TensorFlow's "same": pad total = (ceil(n/s)-1)*s + k - n, the odd pixel at the end.
    if padding == "same":
        pads = []
        for n, k, s in zip(x.shape[1:3], kernel.shape[:2], strides):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    kh, kw, _, filters = kernel.shape
    oh, ow = (x.shape[1] - kh) // strides[0] + 1, (x.shape[2] - kw) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, filters))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0] : i * strides[0] + kh, j * strides[1] : j * strides[1] + kw]
            out[:, i, j] = np.einsum("nhwc,hwcf->nf", patch, kernel) + bias
    return out


@pytest.mark.parametrize(
    ("kernel", "strides", "padding"),
    [(3, 1, "valid"), (3, 1, "same"), (2, 2, "same"), ((3, 2), (2, 1), "same"), (4, 3, "valid")],
)
def test_conv2d_matches_torch_channels_last(kernel, strides, padding):
    x = np.random.default_rng(2).normal(size=(2, 7, 6, 3)).astype("float32")
    conv = layers.Conv2D(5, kernel, strides=strides, padding=padding)
    conv(x)  # build
    conv.bias.assign(np.arange(5.0, dtype="float32"))
    ref = _conv_reference(x, conv.kernel.numpy(), conv.bias.numpy(), conv.strides, padding)
    out = conv(x)
    assert conv.kernel.shape == (*conv.kernel_size, 3, 5)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-5)


def test_conv2d_gradients_float64_uneven_same_padding():
    conv = layers.Conv2D(2, 2, strides=2, padding="same", activation="tanh", dtype="float64")
    x = np.random.default_rng(3).normal(size=(1, 5, 5, 2))
    assert _gradcheck_layer(conv, x, "kernel", "bias")


def test_conv2d_asks_for_channels():
    with pytest.raises(ValueError, match="channel axis"):
        layers.Conv2D(2, 3)(np.ones((1, 8, 8)))


def test_pooling_valid_and_same():
    x = np.random.default_rng(4).normal(size=(2, 5, 5, 3)).astype("float32")
    out = layers.MaxPooling2D()(x).numpy()
    ref = x[:, :4, :4].reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(out, ref)
    out = layers.AveragePooling2D(pool_size=3, strides=1)(x).numpy()
    ref = np.array([[x[:, i : i + 3, j : j + 3].mean(axis=(1, 2)) for j in range(3)]
                    for i in range(3)]).transpose(2, 0, 1, 3)  # fmt: skip
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    # "same" pads at the end; max ignores the padding and avg leaves it out of the mean.
    same_max = layers.MaxPooling2D(padding="same")(x).numpy()
    same_avg = layers.AveragePooling2D(padding="same")(x).numpy()
    assert same_max.shape == same_avg.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(same_max[:, 2, 2], x[:, 4, 4])
    np.testing.assert_allclose(same_avg[:, 2, 2], x[:, 4, 4])
    np.testing.assert_allclose(same_avg[:, 0, 2], x[:, 0:2, 4].mean(axis=1), rtol=1e-6)


def test_pooling_gradients_float64():
    x = np.random.default_rng(5).normal(size=(1, 5, 5, 2))
    pool = layers.AveragePooling2D(padding="same", dtype="float64")
    assert ld.gradcheck(lambda t: pool(t), ld.tensor(x, requires_grad=True))
    pool = layers.MaxPooling2D(padding="same", dtype="float64")
    assert ld.gradcheck(lambda t: pool(t), ld.tensor(x, requires_grad=True))


def test_dropout_only_while_training():
    drop = layers.Dropout(0.5)
    x = ld.ones(1000)
    assert drop(x).tolist() == x.tolist()  # inference by default
    y = drop(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6


def test_batchnorm_training_and_inference():
    bn = layers.BatchNormalization()
    x = np.random.default_rng(6).normal(3.0, 2.0, size=(64, 4, 4, 3)).astype("float32")
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    var = x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), np.sqrt(var / (var + 1e-3)), rtol=1e-3)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * x.mean(axis=(0, 1, 2)), rtol=1e-4)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    y_inf = bn(x).numpy()  # inference: moving statistics
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(y_inf, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-5)
    assert [w.trainable for w in bn.weights] == [True, True, False, False]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_batchnorm_gradients_float64():
    bn = layers.BatchNormalization(dtype="float64")
    x = np.random.default_rng(7).normal(size=(6, 3))
    assert _gradcheck_layer(bn, x, "gamma", "beta")


def test_frozen_layer_has_no_trainable_weights_and_bn_runs_inference():
    bn = layers.BatchNormalization()
    bn(np.ones((2, 3)))
    bn.trainable = False
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    bn(np.random.default_rng(0).normal(size=(8, 3)), training=True)
    assert (bn.moving_mean.numpy() == 0).all()


def test_embedding_lookup_and_gradient():
    emb = layers.Embedding(10, 4)
    y = emb(np.array([[1, 2], [2, 9]]))
    assert y.shape == (2, 2, 4) and emb.embeddings.shape == (10, 4)
    assert np.abs(emb.embeddings.numpy()).max() <= 0.05
    y.sum().backward()
    assert emb.embeddings.grad.numpy()[2].tolist() == [2.0] * 4
    with pytest.raises(IndexError, match="input_dim"):
        emb(np.array([10]))


def test_input_and_input_layer():
    t = keras.Input((28, 28, 1))
    assert t.shape == (None, 28, 28, 1) and t.dtype == np.float32
    assert layers.InputLayer(shape=(3,))(ld.ones(2, 3)).shape == (2, 3)


def test_custom_layer_add_weight_and_nested_tracking():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = [layers.Dense(3), layers.Dense(2)]

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            return self.inner[1](self.inner[0](x)) * self.scale

    block = Block()
    assert block(np.ones((4, 5))).shape == (4, 2)
    names = [w.path for w in block.weights]
    assert names[:2] == ["block/scale", "block/variable_1"] and len(names) == 6
    assert len(block.trainable_weights) == 5 and len(block.non_trainable_weights) == 1
    block.set_weights([w * 0 for w in block.get_weights()])
    assert block(np.ones((1, 5))).tolist() == [[0.0, 0.0]]


def test_get_config_round_trip():
    for layer in [
        layers.Dense(3, activation="relu", use_bias=False),
        layers.Conv2D(4, (3, 2), strides=2, padding="same", activation="sigmoid"),
        layers.MaxPooling2D(3, padding="same"),
        layers.BatchNormalization(momentum=0.9),
        layers.Dropout(0.25),
        layers.Embedding(7, 2),
        layers.ReLU(max_value=6.0),
    ]:
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
