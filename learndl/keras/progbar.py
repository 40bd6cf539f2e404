"""``Progbar``: Keras' one-line progress bar.

It reads ``32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.3100``.

In a terminal the line is redrawn in place with ``\\r`` as batches finish. Elsewhere
(notebooks run by nbval, logs, CI) only the final line of each epoch is printed, so
saved outputs stay short and stable. ``verbose=2`` prints ``32/32 - 0s - 2ms/step -
loss: ...`` once per epoch. Metrics show 4 decimals, tiny ones in scientific notation.

Example:
    >>> bar = Progbar(4)
    >>> bar.format_line(4, {"loss": 0.25}, elapsed=0.0, per_step=0.002)
    '4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.2500'
"""

from __future__ import annotations

import math
import sys
import time


def _format_value(v: float) -> str:
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def _format_time(per_step: float) -> str:
    if per_step >= 1 or per_step == 0:
        return f"{per_step:.0f}s/step"
    if per_step >= 1e-3:
        return f"{per_step * 1e3:.0f}ms/step"
    return f"{per_step * 1e6:.0f}us/step"


class Progbar:
    """A progress bar over ``target`` steps (None if unknown), ``width`` characters wide."""

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1) -> None:
        self.target, self.width, self.verbose = target, width, verbose
        self.dynamic = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
        self.seen = 0
        self._start = time.time()
        self._after_first: float | None = None
        self._prev_width = 0

    def _per_step(self, current: int, now: float) -> float:
        # As Keras: the first step (often slow: building, allocating) is left out.
        if not current:
            return 0.0
        if self._after_first is not None and current > 1:
            return (now - self._after_first) / (current - 1)
        if current == 1:
            self._after_first = now
        return (now - self._start) / current

    def format_line(self, current: int, logs: dict | None, elapsed: float, per_step: float) -> str:
        """The text of the bar after ``current`` steps."""
        metrics = "".join(f" - {k}: {_format_value(v)}" for k, v in (logs or {}).items())
        if self.verbose == 2:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            return f"{count} - {elapsed:.0f}s - {_format_time(per_step)}{metrics}"
        if self.target:
            digits = int(math.log10(self.target)) + 1
            # Keras colours the done part green; in plain text the bar is all one colour.
            bar = f"{current:{digits}d}/{self.target} " + "━" * self.width
            if current < self.target:
                eta = f"{per_step * (self.target - current):.0f}s"
            else:
                eta = f"{elapsed:.0f}s"
        else:
            bar, eta = f"{current:7d}/Unknown", f"{elapsed:.0f}s"
        return f"{bar} {eta} {_format_time(per_step)}{metrics}"

    def update(self, current: int, logs: dict | None = None, finalize: bool = False) -> None:
        """Record ``current`` steps done; redraw in a terminal, print once when finalized."""
        self.seen = current
        now = time.time()
        per_step = self._per_step(current, now)
        if finalize and self.target is None:
            self.target = current
        if not self.verbose or (not finalize and (self.verbose == 2 or not self.dynamic)):
            return
        line = self.format_line(current, logs, now - self._start, per_step)
        if self.dynamic:
            pad = " " * max(self._prev_width - len(line), 0)
            sys.stdout.write("\r" + line + pad + ("\n" if finalize else ""))
            sys.stdout.flush()
            self._prev_width = len(line)
        else:
            print(line)
