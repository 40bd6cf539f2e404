"""Keras' ``fit(verbose=1)`` in a notebook: the live ``TrainingDashboard``, not a text bar.

``%load_ext learndl`` calls :func:`install`, which sets
``learndl.keras.callbacks.default_progress_callback`` (the hook that ``fit``, ``evaluate``
and ``predict`` look up at every call) to :func:`progress_callback`. That factory decides
per call: inside a Jupyter kernel (a notebook frontend is attached) ``fit`` gets a
:class:`DashboardLogger`; in a terminal IPython, a script or a test it gets Keras' text
progress bar, as before. ``evaluate`` and ``predict`` keep the text bar everywhere.
"""

from __future__ import annotations

from typing import Any

from learndl.jupyter import display as _display
from learndl.keras import callbacks
from learndl.viz.dashboard import TrainingDashboard

# The factory that was installed before ours (Keras' text bar): used outside notebooks.
_text_progress = callbacks.default_progress_callback


class _KerasWeights:
    """What the dashboard reads from a model: ``named_parameters()``, by each weight's path."""

    def __init__(self, model: Any):
        self.model = model

    def named_parameters(self) -> list[tuple[str, Any]]:
        return [(w.path, w) for w in self.model.trainable_weights]


class DashboardLogger(callbacks.ProgbarLogger):
    """``fit``'s progress as a live dashboard; ``evaluate``/``predict`` alone print the bar."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__(verbose)
        self.dashboard: TrainingDashboard | None = None
        self.epoch = 1

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)  # marks "in fit": validation batches stay silent
        self.dashboard = TrainingDashboard(
            _KerasWeights(self.model),
            epochs=self.params.get("epochs"),
            steps=self.params.get("steps"),
            live=True,
        ).show()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1  # Keras counts epochs from 0, the dashboard from 1

    def on_train_batch_end(self, batch, logs=None):
        # step() is cheap: it only reads the model and redraws when its throttle allows.
        self.dashboard.step(self.epoch, batch + 1, loss=(logs or {}).get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        self.dashboard.end_epoch(dict(logs or {}))

    def on_train_end(self, logs=None):
        self.dashboard.close()  # the output keeps the finished run


def progress_callback(verbose: int) -> callbacks.Callback | None:
    """The live dashboard inside a notebook kernel; elsewhere Keras' text progress bar."""
    if verbose and _display.in_kernel():
        return DashboardLogger(verbose)
    return _text_progress(verbose)


def install() -> None:
    """Make ``fit(verbose=1)`` show the dashboard in notebooks (``%load_ext learndl``)."""
    callbacks.default_progress_callback = progress_callback


def uninstall() -> None:
    """Back to the text progress bar everywhere."""
    callbacks.default_progress_callback = _text_progress
