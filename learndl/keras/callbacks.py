"""Callbacks: code that ``fit`` runs at fixed moments, as ``keras.callbacks``.

``fit`` calls, in order: ``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per
batch ``on_train_batch_begin/end(batch, logs)``, then ``on_epoch_end(epoch, logs)``
with the epoch's metrics (``val_`` ones too); finally ``on_train_end``. ``evaluate`` and
``predict`` have ``on_test_*`` and ``on_predict_*``. A callback reaches the model as
``self.model`` and may set ``self.model.stop_training = True``.

The progress display is chosen by :func:`default_progress_callback`, which ``fit``
looks up by name at every call: the Jupyter layer replaces it with a live dashboard
(``learndl.keras.callbacks.default_progress_callback = factory``).

Example:
    >>> from learndl import keras
    >>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
    >>> stop.monitor, stop.patience, stop.mode
    ('loss', 2, 'min')
"""

from __future__ import annotations

import csv
from typing import Any

import numpy as np

from learndl.keras.progbar import Progbar

_HOOKS = [
    f"on_{stage}_{when}"
    for stage in ("train", "test", "predict")
    for when in ("begin", "end", "batch_begin", "batch_end")
] + ["on_epoch_begin", "on_epoch_end"]


class Callback:
    """Base class: override the ``on_*`` methods you need; each gets ``logs``, a dict."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    # The batch hooks of training also go by Keras' older names on_batch_begin/end.
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


for _hook in _HOOKS:
    if not hasattr(Callback, _hook):
        setattr(Callback, _hook, lambda self, *args, **kwargs: None)


class CallbackList:
    """Several callbacks called as one, in the order given."""

    def __init__(self, callbacks: list[Callback], model: Any, **params: Any) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str):
        if hook not in _HOOKS:
            raise AttributeError(hook)
        return lambda *args: [getattr(cb, hook)(*args) for cb in self.callbacks]


class History(Callback):
    """Records each epoch's logs in ``history`` (a dict of lists); ``fit`` returns it."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch 1/5`` then a progress bar per epoch (see :class:`Progbar`)."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose, self.progbar, self._in_fit = verbose, None, False

    def on_train_begin(self, logs=None):
        self._in_fit = True  # validation inside fit stays silent

    def on_epoch_begin(self, epoch, logs=None):
        self.progbar = Progbar(self.params.get("steps"), verbose=self.verbose)
        if self.params.get("epochs", 1) > 1:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}")

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.progbar.seen, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self.progbar = Progbar(self.params.get("steps"), verbose=self.verbose)

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.progbar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self.progbar.update(self.progbar.seen, logs, finalize=True)

    on_predict_begin = on_test_begin

    def on_predict_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.progbar.update(batch + 1, None)

    def on_predict_end(self, logs=None):
        if not self._in_fit:
            self.progbar.update(self.progbar.seen, None, finalize=True)


def default_progress_callback(verbose: int) -> Callback | None:
    """The callback that shows progress for ``verbose`` (None when 0).

    NOTE: ``fit``, ``evaluate`` and ``predict`` look this function up on the module at
    every call, so assigning another factory here (the Jupyter layer does, for a live
    ``TrainingDashboard``) changes the display without touching the training loop.
    """
    return ProgbarLogger(verbose) if verbose else None


def _monitor_op(monitor: str, mode: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}.")
    if mode == "auto":
        name = monitor.removeprefix("val_")
        mode = "max" if name in ("acc", "accuracy", "auc") or name.endswith("accuracy") else "min"
    return mode, (np.greater if mode == "max" else np.less)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode, self.monitor_op = _monitor_op(monitor, mode)
        self.min_delta = abs(min_delta) * (1 if self.mode == "max" else -1)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after each epoch, or only when ``monitor`` improves.

    ``filepath`` may name the epoch and logs: ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
    """

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode, self.monitor_op = _monitor_op(monitor, mode)
        self.best: float | None = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                return
            if self.best is not None and not self.monitor_op(current, self.best):
                return
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved to {current:.5f}, "
                      f"saving model to {path}")  # fmt: skip
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:  # a one-argument schedule(epoch), as Keras allows
            lr = self.schedule(epoch)
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class CSVLogger(Callback):
    """Write one row per epoch — ``epoch`` then the sorted log keys — to ``filename``."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer, self.keys = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._writer is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(
                self._file, fieldnames=["epoch", *self.keys], delimiter=self.sep
            )
            if not self.append or self._file.tell() == 0:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()
