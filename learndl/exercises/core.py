"""The checker registry, the ``Check`` result and the runner that never shows learndl's insides.

A checker is a generator registered under an exercise ID. It receives the namespace the
exercise cell defined (a dict) and yields one ``Check`` per thing it verified::

    @checker("square", total=2)
    def square(ns):
        \"\"\"Contract: the cell defines ``square(x)`` returning ``x * x``.\"\"\"
        square = need(ns, "square")
        yield Check("square(3) == 9", square(3) == 9, "multiply x by itself")
        yield Check("works on tensors", ...)

If the learner's code raises while the checker runs, the runner turns the exception into
one failed check whose hint is the exception and the learner's line — never a traceback
of learndl — and counts the checks not reached as failed too (``total`` keeps the count
stable).
"""

from __future__ import annotations

import contextlib
import linecache
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CELL_PREFIX = "<exercise "  # the filename an exercise cell is compiled under


@dataclass
class Check:
    """One verified property: a short name, whether it held, and a hint if it did not.

    ``failing_node`` may carry the tensor (or graph node) whose value or gradient was wrong,
    so a picture can highlight it; the one-line report never shows it.
    """

    name: str
    passed: bool
    hint: str = ""
    failing_node: Any = None

    def __post_init__(self) -> None:
        self.passed = bool(self.passed)


@dataclass
class Result:
    """All checks of one exercise, and the one stable line that reports them."""

    exercise: str
    checks: list[Check] = field(default_factory=list)
    total: int = 0

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.passed), None)

    @property
    def failing_node(self) -> Any:
        """The tensor or node to highlight in a graph, from the first failed check."""
        first = self.first_failure
        return None if first is None else first.failing_node

    def line(self) -> str:
        """``✓ id: 5/5 checks passed`` or ``✗ id: 3/5 — hint: ...`` (the first failure's hint)."""
        if self.ok:
            return f"✓ {self.exercise}: {self.total}/{self.total} checks passed"
        first = self.first_failure
        hint = first.hint if first is not None and first.hint else "see the exercise text"
        return f"✗ {self.exercise}: {self.passed}/{self.total} — hint: {hint}"

    def __str__(self) -> str:
        return self.line()


class Missing(Exception):  # noqa: N818 - a failed check, not a program error
    """Raised by ``need`` when the cell did not define what the checker needs."""


@dataclass
class Checker:
    """A registered checker: its ID, the generator function and the number of checks."""

    exercise: str
    fn: Callable[[dict], Iterable[Check]]
    total: int | None = None
    source: str = "built-in"

    @property
    def contract(self) -> str:
        return (self.fn.__doc__ or "").strip()


registry: dict[str, Checker] = {}


def checker(exercise: str, total: int | None = None) -> Callable:
    """Register a checker for ``exercise``; a later registration replaces an earlier one.

    Example:
        >>> from learndl.exercises import Check, checker, run_checker
        >>> @checker("doc_example", total=1)
        ... def _(ns):
        ...     yield Check("defines answer = 42", ns.get("answer") == 42, "answer = 6 * 7")
        >>> print(run_checker("doc_example", {"answer": 41}))
        ✗ doc_example: 0/1 — hint: answer = 6 * 7
    """

    def register(fn: Callable[[dict], Iterable[Check]]) -> Callable:
        source = getattr(fn, "__module__", "") or ""
        kind = "built-in" if source.startswith("learndl.exercises") else source
        registry[exercise] = Checker(exercise, fn, total, kind)
        return fn

    return register


def need(ns: dict, name: str, kind: type | tuple[type, ...] | None = None, what: str = "") -> Any:
    """``ns[name]``, or a failed check telling the learner what the cell must define."""
    if name not in ns:
        raise Missing(f"the cell must define `{name}`{' (' + what + ')' if what else ''}")
    value = ns[name]
    if kind is not None:
        ok = issubclass(value, kind) if isinstance(value, type) else isinstance(value, kind)
        if not ok:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = " or ".join(k.__name__ for k in kinds)
            raise Missing(f"`{name}` should be a {names}, not {type(value).__name__}")
    return value


_LIBRARY_PATHS = ("/learndl/", "/site-packages/", "/lib/python", "<frozen")


def _learner_line(error: BaseException) -> str:
    """``line N: code`` of the deepest frame in the learner's cell (or any non-library code)."""
    cell, other = None, None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        name = frame.f_code.co_filename.replace("\\", "/")
        if name.startswith(CELL_PREFIX):
            cell = (name, lineno)
        elif not any(part in name for part in _LIBRARY_PATHS):
            other = (name, lineno)
    best = cell or other
    if best is None:
        return ""
    code = linecache.getline(best[0], best[1]).strip()
    return f" (line {best[1]}: {code})" if code else f" (line {best[1]})"


def crash_hint(error: BaseException, limit: int = 160) -> str:
    """A short message for a crash: exception type, message, and the learner's line."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    text = type(error).__name__ + (f": {message}" if message else "")
    return f"your code raised {text}{_learner_line(error)}"


@contextlib.contextmanager
def _untouched_state() -> Iterator[None]:
    """Keep the notebook's random streams and grad mode as they were (hidden draws stay hidden)."""
    import learndl.random as ldrandom
    from learndl import autograd

    rng, state = ldrandom._rng, ldrandom._rng.bit_generator.state
    np_state = np.random.get_state()
    grad = autograd.is_grad_enabled()
    try:
        yield
    finally:
        ldrandom._rng = rng
        rng.bit_generator.state = state
        np.random.set_state(np_state)
        autograd._grad_enabled = grad


def run_checker(exercise: str, ns: dict, cell_error: BaseException | None = None) -> Result:
    """Run the checker of ``exercise`` on a namespace; every failure becomes a failed check.

    ``cell_error`` is the exception the exercise cell itself raised, if any: it is reported
    as the first failed check (the checker still runs, for what the cell did define).
    """
    from learndl.exercises import ensure_loaded

    ensure_loaded()
    if exercise not in registry:
        known = ", ".join(sorted(registry)) or "none"
        result = Result(exercise, [Check("checker exists", False, "no checker named this")], 1)
        result.checks[0].hint = f"no checker is registered for `{exercise}` (known: {known})"
        return result
    entry = registry[exercise]
    checks: list[Check] = []
    if cell_error is not None:
        checks.append(Check("the cell runs", False, crash_hint(cell_error)))
    with _untouched_state():
        try:
            produced = entry.fn(ns)
            for check in produced if produced is not None else ():
                checks.append(check)
        except Missing as error:
            checks.append(Check("the cell defines what is needed", False, str(error)))
        except Exception as error:  # the learner's code crashed inside a check
            checks.append(Check("the code runs", False, crash_hint(error)))
    total = max(entry.total or 0, len(checks))
    return Result(exercise, checks, total)
