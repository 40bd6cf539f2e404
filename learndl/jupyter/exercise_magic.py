"""``%%exercise ID``: run the cell, then its checker, and print one line nbval can compare.

    %%exercise relu_backward
    class ReLU(ld.Function):
        ...

prints ``✓ relu_backward: 5/5 checks passed`` or ``✗ relu_backward: 3/5 — hint: ...``.
The cell runs in the notebook's namespace, so what it defines stays defined; an error in
it becomes a failed check with the learner's line, never a traceback of learndl. The
result is kept as ``ExerciseMagics.last_result`` (its ``failing_node`` is the tensor a
graph picture can highlight).
"""

from __future__ import annotations

import linecache
from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class

from learndl.exercises.core import CELL_PREFIX


def run_exercise(exercise: str, cell: str, namespace: dict) -> Any:
    """Execute ``cell`` in ``namespace``, check it, print the line and return the Result."""
    from learndl.exercises import run_checker

    filename = f"{CELL_PREFIX}{exercise}>"
    # Register the source so crash hints can quote the learner's line.
    linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
    error = None
    try:
        exec(compile(cell, filename, "exec"), namespace)  # noqa: S102 - the learner's own cell
    except Exception as exc:  # KeyboardInterrupt passes through: Interrupt must still stop
        error = exc
    result = run_checker(exercise, namespace, cell_error=error)
    print(result.line())
    return result


@magics_class
class ExerciseMagics(Magics):
    """The ``%%exercise`` cell magic."""

    last_result: Any = None

    @cell_magic
    def exercise(self, line: str, cell: str) -> None:
        """Run the cell, then the checker registered for the exercise ID on the first line."""
        exercise = line.strip()
        if not exercise:
            print("✗ %%exercise needs an exercise ID, e.g. %%exercise relu_backward")
            return
        ExerciseMagics.last_result = run_exercise(exercise, cell, self.shell.user_ns)


def register(ipython: Any) -> None:
    """Add ``%%exercise`` to an IPython shell (called by ``%load_ext learndl``)."""
    ipython.register_magics(ExerciseMagics)
