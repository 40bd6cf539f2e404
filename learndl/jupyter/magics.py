"""``%%train`` and ``%%trace``: the training loop and the backward pass, one cell each.

``%%train`` runs the loop around a cell that does one step on one batch::

    %%train --epochs 3 --data train_loader --val val_loader --metrics accuracy
    logits = model(xb)
    loss = F.cross_entropy(logits, yb)

It feeds the batch variables (``xb, yb``), calls ``zero_grad``/``backward``/``step``
(unless ``--no-step``), validates, shows the dashboard and leaves ``history``. Interrupt
the kernel and it stops after the current step, keeping model, optimizer and history.

``%%trace`` runs a cell, then draws the graph of the last scalar it computed and a
stepper for its backward pass.
"""

from __future__ import annotations

import signal
import threading
import traceback
from typing import Any

import numpy as np
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from learndl.errors import LearnDLError

CELL = "<%%train cell>"


class TrainStepError(LearnDLError):
    """The ``%%train`` cell failed; IPython shows this short message, not library frames."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def _tensor(a: Any) -> Any:
    import learndl as ld

    if isinstance(a, ld.Tensor):
        return a
    a = np.asarray(a)
    return ld.tensor(a, dtype=a.dtype if a.dtype.kind in "iub" else "float32")


def batches(data: Any, batch_size: int, shuffle: bool) -> tuple[Any, int]:
    """(a function making one epoch's batches, steps per epoch) from a loader or arrays."""
    if isinstance(data, tuple | list):
        from learndl.random import get_rng

        arrays = [_tensor(a) for a in data]
        n = len(arrays[0])
        steps = -(-n // batch_size)

        def epoch() -> Any:
            order = get_rng().permutation(n) if shuffle else np.arange(n)
            for k in range(steps):
                index = order[k * batch_size : (k + 1) * batch_size]
                yield tuple(a[index] for a in arrays)

        return epoch, steps
    try:
        steps = len(data)
    except TypeError:
        steps = None
    return (lambda: iter(data)), steps


def where_it_failed(cell: str, error: BaseException) -> str:
    """The learner's line in the cell, and the op with its operand shapes if one failed."""
    line, op = None, None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == CELL:
            line = lineno
        node, inputs = frame.f_locals.get("node"), frame.f_locals.get("inputs")
        if op is None and frame.f_code.co_name == "apply" and node is not None and inputs:
            shapes = ", ".join(str(tuple(getattr(t, "shape", ()))) for t in inputs)
            op = f"in op `{getattr(node, 'name', '?')}` with operands of shape {shapes}"
    out = []
    if line is not None:
        out.append(f"cell line {line}: {cell.splitlines()[line - 1].strip()}")
    if op is not None:
        out.append(op)
    return "\n".join(out)


@magics_class
class LearndlMagics(Magics):
    """learndl's cell magics: ``%%train`` and ``%%trace``."""

    last_trace: Any = None

    @magic_arguments()
    @argument("--epochs", type=int, default=1, help="passes over the data (default 1)")
    @argument("--data", default="train_loader", help="a DataLoader, or a tuple (X, y)")
    @argument("--val", default=None, help="validation data, like --data")
    @argument("--model", default="model", help="the model variable (default: model)")
    @argument("--optimizer", default="optimizer", help="the optimizer variable")
    @argument("--lr", type=float, default=None, help="make SGD(model.parameters(), lr)")
    @argument("--loss", default="loss", help="the variable the cell leaves its loss in")
    @argument("--output", default="logits", help="the variable holding model outputs")
    @argument("--metrics", default="", help="comma-separated metrics: accuracy")
    @argument("--batch-size", type=int, default=32, help="batch size for (X, y) arrays")
    @argument("--batch", default="xb,yb", help="names the cell reads a batch from")
    @argument("--no-step", action="store_true", help="the cell does zero_grad/backward/step")
    @argument("--no-shuffle", action="store_true", help="keep the order of (X, y) arrays")
    @argument("--no-dashboard", action="store_true", help="print one line per epoch instead")
    @argument("--history", default="history", help="where to leave the history")
    @argument("--boundary", default=None, help="(X, y) of 2-D points: redraw decision regions")
    @argument("--boundary-every", type=int, default=10, help="steps between boundary redraws")
    @cell_magic
    def train(self, line: str, cell: str) -> None:
        """Run the training loop around a cell that does one step on one batch."""
        from learndl.jupyter.training import TrainLoop

        args = parse_argstring(self.train, line)
        TrainLoop(self.shell.user_ns, args, cell).run()

    @cell_magic
    def trace(self, line: str, cell: str) -> None:
        """Run the cell, then show the graph and backward stepper of its last scalar."""
        from IPython.display import display

        import learndl as ld
        from learndl import autograd

        last: list[Any] = [None]

        def hook(node: Any, out: Any) -> None:
            if out.requires_grad and out.ndim == 0:
                last[0] = out

        autograd._apply_hooks.append(hook)
        try:
            result = self.shell.run_cell(cell)
        finally:
            autograd._apply_hooks.remove(hook)
        if not result.success or last[0] is None:
            if result.success:
                print("%%trace: the cell computed no scalar that needs a gradient.")
            return
        ns = self.shell.user_ns
        graph = ld.viz.graph(last[0], names=ns)
        stepper = ld.viz.BackwardStepper(last[0], names=ns)
        self.last_trace = (graph, stepper)
        display(graph)
        display(stepper)


class Interrupt:
    """While training, Ctrl-C / kernel interrupt sets a flag instead of raising mid-step."""

    def __init__(self) -> None:
        self.requested = False
        self.previous: Any = None

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self.handle)
        return self

    def handle(self, *_: Any) -> None:
        self.requested = True

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
