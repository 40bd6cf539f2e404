"""``ld.viz.TrainingDashboard``: the training "film" — curves, progress, grad norms, histograms.

Training code calls ``step()`` after each optimizer step and ``end_epoch(logs)`` after
each epoch; the dashboard keeps Keras-style ``history`` and sends the widget a new state
at most every ``every`` seconds (gradient norms and histograms are read only then), so
it costs little. ``close()`` leaves the final state in the notebook's output. Where no
kernel runs, it prints one line per epoch instead.

Example:
    >>> dash = TrainingDashboard(epochs=2, live=False)
    >>> dash.end_epoch({"loss": 0.9, "accuracy": 0.5})
    epoch 1/2 - loss 0.9 - accuracy 0.5
    >>> dash.history
    {'loss': [0.9], 'accuracy': [0.5]}
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from learndl.viz.values import as_numpy, fmt, number


class TrainingDashboard:
    """Live curves, a progress bar with throughput and ETA, grad norms and histograms."""

    def __init__(
        self,
        model: Any = None,
        epochs: int | None = None,
        steps: int | None = None,
        every: float = 0.25,
        snapshot_every: float = 2.0,
        max_snapshots: int = 40,
        live: bool | None = None,
    ):
        self.model, self.epochs, self.steps = model, epochs, steps
        self.every, self.snapshot_every, self.max_snapshots = every, snapshot_every, max_snapshots
        self.history: dict[str, list[float | None]] = {}
        self.progress: dict[str, Any] = {}
        self.grad_norms: dict[str, float] = {}
        self.snapshots: list[dict[str, Any]] = []
        self.total_steps = 0
        self._live = live
        self._widget: Any = None
        self._handle: Any = None
        self._started = self._last_push = self._last_snapshot = time.perf_counter()
        self._epoch_start = self._started

    # ------------------------------------------------------------------ feeding it
    def show(self) -> TrainingDashboard:
        """Put the live dashboard in the notebook (no-op where no kernel runs)."""
        if self._live is None:
            from learndl.jupyter.display import in_kernel

            self._live = in_kernel()
        if self._live and self._handle is None:
            from IPython.display import display

            self._handle = display(self, display_id=True)
        return self

    def step(self, epoch: int, step: int, steps: int | None = None, loss: Any = None) -> None:
        """Record one optimizer step (epoch from 1, step from 1 within the epoch)."""
        self.total_steps += 1
        if step == 1:
            self._epoch_start = time.perf_counter()
        now = time.perf_counter()
        steps = steps or self.steps
        # NOTE: the counts move on every step, even when this one is not sent: end_epoch and
        # close() show them, and a short epoch may be over before `every` seconds pass.
        self.progress.update(epoch=epoch, step=step)
        if self.epochs:
            self.progress["epochs"] = self.epochs
        if steps:
            self.progress["steps"] = steps
        if now - self._last_push < self.every:
            return
        rate = step / max(now - self._epoch_start, 1e-9)
        self.progress["rate"] = rate
        if steps:
            self.progress["eta"] = (steps - step) / rate
        if loss is not None:
            self.progress["loss"] = number(as_numpy(loss))
        self._read_model(now)
        self._push(now)

    def end_epoch(self, logs: dict[str, Any]) -> None:
        """Append one epoch's metrics (``{"loss": ..., "val_loss": ...}``) to the history."""
        n = len(next(iter(self.history.values()), []))
        for key, value in logs.items():
            column = self.history.setdefault(key, [None] * n)
            column.append(None if value is None else number(value))
        for column in self.history.values():
            column.extend([None] * (n + 1 - len(column)))
        epoch = n + 1
        self.progress.update({"epoch": epoch, "step": self.progress.get("steps", 0)})
        self.progress.pop("eta", None)
        now = time.perf_counter()
        self._read_model(now, force=True)
        if self._live:
            self._push(now)
        else:
            print(self.epoch_line(epoch))

    def close(self) -> None:
        """Send the final state, and leave it in the output (HTML and text) for good."""
        self.progress.pop("eta", None)
        if self._widget is not None:
            self._widget.data = self.data()
        if self._handle is not None:
            self._handle.update(self)

    # ------------------------------------------------------------------ reading the model
    def _read_model(self, now: float, force: bool = False) -> None:
        if self.model is None or not hasattr(self.model, "named_parameters"):
            return
        params = list(self.model.named_parameters())
        norms = {}
        for name, p in params:
            if p.grad is not None:
                norms[name] = float(np.sqrt(np.square(as_numpy(p.grad), dtype=np.float64).sum()))
        self.grad_norms = {k: v for k, v in norms.items() if math.isfinite(v)}
        if force or now - self._last_snapshot >= self.snapshot_every:
            self._last_snapshot = now
            hist = {}
            for name, p in params:
                counts, edges = np.histogram(as_numpy(p).astype(np.float64), bins=24)
                hist[name] = {"edges": edges.tolist(), "counts": counts.tolist()}
            self.snapshots.append({"step": self.total_steps, "hist": hist})
            if len(self.snapshots) > self.max_snapshots:  # keep the film short: every other one
                self.snapshots = self.snapshots[::2] + ([] if len(self.snapshots) % 2 else [])

    def _push(self, now: float) -> None:
        self._last_push = now
        if self._widget is not None:
            self._widget.data = self.data()

    # ------------------------------------------------------------------ its forms
    def data(self) -> dict[str, Any]:
        """The "dashboard" JSON of widgets/README.md."""
        out: dict[str, Any] = {"history": {k: list(v) for k, v in self.history.items()}}
        if self.progress:
            out["progress"] = dict(self.progress)
        if self.grad_norms:
            out["grad_norms"] = dict(self.grad_norms)
        if self.snapshots:
            out["snapshots"] = list(self.snapshots)
        return out

    def epoch_line(self, epoch: int) -> str:
        head = f"epoch {epoch}/{self.epochs}" if self.epochs else f"epoch {epoch}"
        row = [(k, v[epoch - 1]) for k, v in self.history.items()]  # this epoch's, not the last
        parts = [f"{k} {fmt(x) if x is not None else '—'}" for k, x in row]
        return " - ".join([head, *parts])

    def text(self) -> str:
        epochs = len(next(iter(self.history.values()), []))
        lines = [self.epoch_line(e + 1) for e in range(epochs)] if epochs else []
        p = self.progress
        if "rate" in p:
            lines.append(f"{fmt(p['rate'], 3)} steps/s, {self.total_steps} steps")
        return "\n".join(lines) or "no training yet"

    def __repr__(self) -> str:
        return self.text()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        try:
            from learndl.jupyter.display import bundle, make_widget
        except ImportError:
            return {"text/plain": self.text()}
        if self._widget is None:
            self._widget = make_widget("dashboard", self.data())
        else:
            self._widget.data = self.data()
        return bundle("dashboard", self.data(), self.text(), widget=self._widget)
