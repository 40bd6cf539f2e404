"""Model: compile/fit/evaluate/predict, DataLoaders, metrics, summary, weights, save/load."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import keras
from learndl.data import DataLoader, TensorDataset, datasets
from learndl.keras import layers


def _mlp(out=10, activation="softmax"):
    return keras.Sequential(
        [keras.Input((64,)), layers.Dense(32, activation="relu"), layers.Dense(out, activation)]
    )


def test_fit_learns_digits_and_history_has_keras_keys():
    X, y = datasets.digits()
    model = _mlp()
    opt = keras.optimizers.Adam(0.01)
    model.compile(opt, "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=4, validation_split=0.2, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2, 3] and model.history is history
    assert history.history["accuracy"][-1] > 0.85
    loss, acc = model.evaluate(X, y, verbose=0)
    assert acc > 0.85 and loss < 1.0
    assert model.evaluate(X, y, verbose=0, return_dict=True)["accuracy"] == acc
    probs = model.predict(X[:5], verbose=0)
    assert probs.shape == (5, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_accuracy_resolves_like_keras():
    X, y = datasets.digits()
    onehot = np.eye(10, dtype="float32")[y]
    model = _mlp()
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy", "mae"])
    model.fit(X, onehot, epochs=1, verbose=0)
    fns = [m.fn.__name__ for m in model.metrics[1:]]
    assert fns == ["categorical_accuracy", "mean_absolute_error"]
    assert model.metrics_names == ["loss", "accuracy", "mae"]
    binary = _mlp(1, "sigmoid")
    binary.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    binary.fit(X, (y % 2).astype("float32"), epochs=1, verbose=0)
    assert binary.metrics[1].fn.__name__ == "binary_accuracy"
    sparse = _mlp()
    sparse.compile("sgd", "sparse_categorical_crossentropy", metrics=["acc"])
    sparse.fit(X, y.reshape(-1, 1), epochs=1, verbose=0)
    assert sparse.metrics[1].fn.__name__ == "sparse_categorical_accuracy"


def test_fit_takes_a_dataloader_and_validation_data():
    X, y = datasets.digits()
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    model = _mlp()
    opt = keras.optimizers.Adam(0.01)
    model.compile(opt, "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(loader, epochs=2, validation_data=(X[:100], y[:100]), verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert model.evaluate(DataLoader(TensorDataset(X, y), batch_size=500), verbose=0)[1] > 0.7
    with pytest.raises(ValueError, match="y must be None"):
        model.fit(loader, y, verbose=0)


def test_fit_is_reproducible_under_manual_seed_and_lazy_build():
    X, y = datasets.digits()
    results = []
    for _ in range(2):
        ld.manual_seed(3)
        model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dropout(0.2),
                                  layers.Dense(10)])  # fmt: skip
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        results.append(model.fit(X, y, epochs=2, verbose=0).history["loss"])
        assert model.built and model.layers[0].kernel.shape == (64, 16)
    assert results[0] == results[1]


def test_train_step_can_be_overridden_and_stop_training():
    seen = []

    class Counting(keras.Sequential):
        def train_step(self, data):
            seen.append(len(data[0]))
            if len(seen) == 3:
                self.stop_training = True
            return super().train_step(data)

    model = Counting([keras.Input((4,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.01), "mse")
    history = model.fit(np.ones((100, 4)), np.ones(100), batch_size=10, epochs=5, verbose=0)
    assert seen == [10, 10, 10] and len(history.epoch) == 1


def test_initial_epoch_and_no_shuffle():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mae", metrics=["mse"])
    history = model.fit(np.ones((8, 2)), np.zeros(8), epochs=4, initial_epoch=2, shuffle=False,
                        verbose=0)  # fmt: skip
    assert history.epoch == [2, 3] and set(history.history) == {"loss", "mse"}


def test_subclassed_model_with_training_flag_propagation():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.drop = layers.Dropout(0.99)
            self.out = layers.Dense(3)

        def call(self, x):
            return self.out(self.drop(self.hidden(x)))  # dropout learns `training` from fit

    net = Net()
    x = np.ones((4, 5), "float32")
    assert np.allclose(net(x).numpy(), net(x).numpy())  # inference: dropout off
    assert len(net.weights) == 4 and net.name == "net"
    net.compile("adam", keras.losses.MeanSquaredError())
    net.fit(x, np.zeros((4, 3)), epochs=1, verbose=0)


SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 8, 8, 4)        │            40 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 8, 8, 4)        │            16 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ max_pooling2d (MaxPooling2D)    │ (None, 4, 4, 4)        │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten (Flatten)               │ (None, 64)             │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 64)             │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 706 (2.76 KB)
 Trainable params: 698 (2.73 KB)
 Non-trainable params: 8 (32.00 B)"""


def test_summary_prints_the_keras_3_table(capsys, monkeypatch):
    # Text taken from Keras 3.15's own summary() of the same model, run without a terminal.
    monkeypatch.setenv("COLUMNS", "80")
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(4, 3, padding="same"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.summary()
    assert capsys.readouterr().out == SUMMARY + "\n"
    lines = []
    keras.Sequential([layers.Dense(3)]).summary(line_length=88, print_fn=lines.append)
    text = lines[0].splitlines()
    assert text[1] == "┏" + "━" * 38 + "┳" + "━" * 29 + "┳" + "━" * 17 + "┓"
    assert text[4].endswith("│ ?                           │     0 (unbuilt) │")


def _small_cnn():
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(2, 3),
        layers.BatchNormalization(),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])  # fmt: skip


def test_get_set_weights_and_save_load_round_trip(tmp_path):
    model = _small_cnn()
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 3, 1, 2), (2,), (2,), (2,), (2,), (2,), (72, 3), (3,)]
    model.set_weights([np.full(s, 0.5, "float32") for s in shapes])
    assert all((w == 0.5).all() for w in model.get_weights())
    with pytest.raises(ValueError, match="set_weights got 1 arrays"):
        model.set_weights([np.zeros(1)])
    ld.manual_seed(1)
    model.set_weights(
        [np.abs(np.random.default_rng(i).normal(size=s)) for i, s in enumerate(shapes)]
    )
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    path = tmp_path / "model.keras"
    model.save(path)
    clone = keras.models.load_model(path)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 1))
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    assert clone.optimizer.learning_rate == 0.01 and clone.metrics_names[0] == "loss"
    model.save_weights(tmp_path / "w.npz")
    fresh = _small_cnn()
    fresh.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


def test_verbose_output_is_one_line_per_epoch_without_a_terminal(capsys):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((64, 2)), np.ones(64), epochs=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("2/2 ━━━━━━━━━━━━━━━━━━━━ ") and " - loss: " in lines[1]
    model.fit(np.ones((64, 2)), np.ones(64), epochs=1, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("2/2 - ")
    model.evaluate(np.ones((64, 2)), np.ones(64))
    assert capsys.readouterr().out.startswith("2/2 ━")
