"""``ld.viz.LiveDecisionBoundary``: decision regions redrawn while a model trains.

Like TensorFlow Playground: call ``step()`` after each optimizer step (``%%train
--boundary (X,y)`` and the Keras callback do it for you); every ``every_steps`` steps, and
no more often than every ``every`` seconds, it recomputes
:func:`~learndl.viz.decision_boundary` and redraws the notebook output in place.
``close()`` draws the final regions, which the output keeps. Outside a notebook it only
keeps the latest picture (``.current``).

Example:
    >>> import learndl as ld
    >>> from learndl import nn
    >>> _ = ld.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> X, y = ld.data.datasets.moons(64, seed=0)
    >>> live = LiveDecisionBoundary(model, X, y, every_steps=2, every=0.0, resolution=8)
    >>> for _ in range(4):
    ...     live.step()
    >>> live.redraws, live.current.grid.shape
    (2, (8, 8))
"""

from __future__ import annotations

import time
from typing import Any

from learndl.viz.inspect import DecisionBoundary, decision_boundary


class LiveDecisionBoundary:
    """A decision-boundary picture that follows training, throttled by steps and seconds."""

    def __init__(
        self,
        model: Any,
        X: Any,
        y: Any,
        every_steps: int = 10,
        every: float = 0.5,
        resolution: int = 40,
        live: bool | None = None,
    ):
        if every_steps < 1:
            raise ValueError(f"LiveDecisionBoundary: every_steps must be >= 1, got {every_steps}.")
        self.model, self.X, self.y = model, X, y
        self.every_steps, self.every, self.resolution = every_steps, every, resolution
        self.steps = self.redraws = 0
        self._live, self._handle = live, None
        self._last = -float("inf")
        self.current: DecisionBoundary = self._compute()

    def _compute(self) -> DecisionBoundary:
        # decision_boundary runs the model under no_grad; eval mode so that dropout and
        # batch norm draw what the model would predict, then back to what it was.
        training = getattr(self.model, "training", None)
        if training:
            self.model.eval()
        try:
            return decision_boundary(self.model, self.X, self.y, self.resolution)
        finally:
            if training:
                self.model.train()

    def show(self) -> LiveDecisionBoundary:
        """Put the picture in the notebook (no-op where no kernel runs)."""
        if self._live is None:
            from learndl.jupyter.display import in_kernel

            self._live = in_kernel()
        if self._live and self._handle is None:
            from IPython.display import display

            self._handle = display(self.current, display_id=True)
        return self

    def redraw(self) -> None:
        """Recompute the regions now and update the output."""
        self.current = self._compute()
        self.redraws += 1
        self._last = time.perf_counter()
        if self._handle is not None:
            self._handle.update(self.current)

    def step(self) -> None:
        """Count one training step; redraw when both throttles allow."""
        self.steps += 1
        if self.steps % self.every_steps == 0 and time.perf_counter() - self._last >= self.every:
            self.redraw()

    def close(self) -> None:
        """Draw the final regions; the notebook output keeps them."""
        self.redraw()

    def keras_callback(self) -> Any:
        """A ``keras.callbacks.Callback`` that steps this picture during ``fit``."""
        from learndl.keras.callbacks import Callback

        live = self

        class _Boundary(Callback):
            def on_train_begin(self, logs=None):
                live.show()

            def on_train_batch_end(self, batch, logs=None):
                live.step()

            def on_train_end(self, logs=None):
                live.close()

        return _Boundary()

    def text(self) -> str:
        return f"{self.current.text()} after {self.steps} steps"

    __repr__ = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.current.svg()}
