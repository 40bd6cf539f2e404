"""``ld.viz.BackwardStepper(loss)``: watch ``loss.backward()`` one node at a time.

The frames are made once, when the stepper is built (``learndl.viz.frames``), so the
stepper never changes any ``.grad``, and works whether ``backward()`` already ran or not.
In JupyterLab it shows a live widget; in the book its HTML still steps without a kernel;
in a terminal it prints the current step.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor(2.0, requires_grad=True)
    >>> b = ld.tensor(3.0, requires_grad=True)
    >>> L = a * b + a
    >>> s = ld.viz.BackwardStepper(L)
    >>> len(s), s.frame
    (2, 0)
    >>> s.frame = 1
    >>> print(s.text())
    step 2/2: mul_1 = a * b
      upstream dL/dmul_1 = 1.0
      local: d(a * b)/da = b = 3.0
      local: d(a * b)/db = a = 2.0
      -> a: 3.0 (used again: a.grad adds up to 4.0)
      -> b: 2.0
"""

from __future__ import annotations

from typing import Any

from learndl.viz.frames import frame_text, frames
from learndl.viz.graph import caller_scope


class BackwardStepper:
    """Step through a backward pass: graph, upstream gradient, local derivatives, passes."""

    def __init__(self, loss: Any, names: dict[str, Any] | None = None, max_nodes: int = 200):
        scope = caller_scope() if names is None else names
        self.data = frames(loss, names=scope, max_nodes=max_nodes)
        self.labels = {n["id"]: n["label"] for n in self.data["nodes"]}
        self._frame = 0
        self._widget: Any = None

    def __len__(self) -> int:
        return len(self.data["frames"])

    @property
    def frame(self) -> int:
        """The step shown (from 0); setting it moves the live widget too."""
        return self._frame

    @frame.setter
    def frame(self, index: int) -> None:
        self._frame = max(0, min(int(index), len(self) - 1))
        if self._widget is not None and self._widget.frame != self._frame:
            self._widget.frame = self._frame

    def next(self) -> BackwardStepper:
        self.frame += 1
        return self

    def prev(self) -> BackwardStepper:
        self.frame -= 1
        return self

    def text(self) -> str:
        """The current step as text."""
        if not len(self):
            return "no backward steps (the tensor is a leaf or needs no gradient)"
        return frame_text(self.data["frames"][self._frame], self._frame, len(self), self.labels)

    def __repr__(self) -> str:
        return self.text()

    def widget(self) -> Any:
        """The live widget (made once; its ``frame`` follows the learner's clicks)."""
        if self._widget is None:
            from learndl.jupyter.display import make_widget

            self._widget = make_widget("stepper", self.data, self._frame)
            if self._widget is not None:
                self._widget.observe(lambda change: setattr(self, "_frame", change.new), "frame")
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        try:
            from learndl.jupyter.display import bundle
        except ImportError:
            return {"text/plain": self.text()}
        return bundle("stepper", self.data, self.text(), widget=self.widget())
