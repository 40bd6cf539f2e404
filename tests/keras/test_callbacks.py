"""Callbacks: hook order, History, EarlyStopping, ModelCheckpoint, LR schedules, CSV, progress."""

from __future__ import annotations

import csv

import numpy as np

from learndl import keras
from learndl.keras import callbacks, layers

X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], "float32")


def _model(lr=0.05):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(lr), "mse", metrics=["mae"])
    return model


def test_hooks_run_in_keras_order():
    events = []

    class Recorder(callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):  # the older name still fires
            events.append(f"batch_end {batch} {sorted(logs)}")

        def on_test_begin(self, logs=None):
            events.append("test_begin")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append(f"train_end {self.params['epochs']} {self.params['steps']}")

    _model().fit(X, Y, batch_size=20, epochs=1, validation_data=(X, Y), callbacks=[Recorder()],
                 verbose=0)  # fmt: skip
    assert events == [
        "train_begin",
        "epoch_begin 0",
        "batch_end 0 ['loss', 'mae']",
        "batch_end 1 ['loss', 'mae']",
        "test_begin",
        "epoch_end 0 ['loss', 'mae', 'val_loss', 'val_mae']",
        "train_end 1 2",
    ]


def test_early_stopping_restores_best_weights(capsys):
    model = _model(lr=5.0)  # diverges: the loss grows after the first epochs
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True,
                                   verbose=1)  # fmt: skip
    snapshots = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    history = model.fit(X, Y, epochs=50, callbacks=[Snapshot(), stop], verbose=0)
    losses = history.history["loss"]
    assert len(losses) == stop.best_epoch + 3 < 50
    assert stop.best == min(losses)
    for restored, best in zip(model.get_weights(), snapshots[stop.best_epoch]):
        np.testing.assert_array_equal(restored, best)
    out = capsys.readouterr().out
    assert f"Epoch {stop.stopped_epoch + 1}: early stopping" in out
    assert callbacks.EarlyStopping(monitor="val_accuracy").mode == "max"


def test_model_checkpoint_saves_best_only(tmp_path):
    path = str(tmp_path / "best-{epoch:02d}.keras")
    ckpt = callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    _model().fit(X, Y, epochs=3, callbacks=[ckpt], verbose=0)
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved == ["best-01.keras", "best-02.keras", "best-03.keras"]
    restored = keras.models.load_model(tmp_path / "best-03.keras")
    assert restored.layers[0].kernel.shape == (3, 1)
    every = callbacks.ModelCheckpoint(str(tmp_path / "w.npz"), save_weights_only=True)
    _model().fit(X, Y, epochs=1, callbacks=[every], verbose=0)
    assert (tmp_path / "w.npz").exists()


def test_learning_rate_scheduler_sets_and_logs_the_rate():
    model = _model()
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr)
    history = model.fit(X, Y, epochs=3, callbacks=[sched], verbose=0)
    assert history.history["learning_rate"] == [0.05, 0.025, 0.0125]
    one_arg = callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    model.fit(X, Y, epochs=2, callbacks=[one_arg], verbose=0)
    assert model.optimizer.learning_rate == 0.02


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    _model().fit(X, Y, epochs=3, callbacks=[callbacks.CSVLogger(path)], verbose=0)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["epoch", "loss", "mae"]
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]


def test_progress_factory_can_be_replaced(monkeypatch, capsys):
    seen = []

    class Dashboard(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(round(logs["loss"], 6))

    monkeypatch.setattr(callbacks, "default_progress_callback", lambda verbose: Dashboard())
    history = _model().fit(X, Y, epochs=2)
    assert seen == [round(v, 6) for v in history.history["loss"]]
    assert capsys.readouterr().out == ""  # the text bar was replaced, not added to


def test_progbar_line_format():
    bar = keras.callbacks.Progbar(32)
    line = bar.format_line(32, {"accuracy": 0.91, "loss": 0.3123}, elapsed=0.2, per_step=0.002)
    assert line == "32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9100 - loss: 0.3123"
    assert bar.format_line(5, {"loss": 1e-5}, 0.0, 2.0).endswith("54s 2s/step - loss: 1.0000e-05")
