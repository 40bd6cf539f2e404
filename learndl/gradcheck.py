"""``gradcheck``: compare autograd's gradients with central differences, in float64.

For each input x and each of its entries, the numerical derivative is
``(f(x + h) - f(x - h)) / 2h`` of ``sum(f(...) * v)`` for a fixed random ``v``; autograd
computes the same thing with one backward pass. The report names, per input, the largest
relative error and where it is, so a learner can find the wrong entry of their backward.

Example:
    >>> import learndl as ld
    >>> x = ld.randn(3, 4, dtype="float64", requires_grad=True)
    >>> ld.gradcheck(lambda x: (x * x).sum(), x)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from learndl.autograd import no_grad
from learndl.errors import GradError
from learndl.tensor import Tensor


@dataclass
class InputReport:
    """How well one input's gradient matched: the largest error and where it is."""

    index: int
    shape: tuple[int, ...]
    max_rel_error: float
    worst_entry: tuple[int, ...]
    analytic: float
    numeric: float
    ok: bool

    def __str__(self) -> str:
        mark = "ok" if self.ok else "MISMATCH"
        return (
            f"input {self.index} {self.shape}: {mark}, largest relative error "
            f"{self.max_rel_error:.2e} at {self.worst_entry} "
            f"(autograd {self.analytic:.6g}, numeric {self.numeric:.6g})"
        )


@dataclass
class GradcheckReport:
    """The result of ``gradcheck(..., report=True)``; true when every input matched."""

    inputs: list[InputReport]

    def __bool__(self) -> bool:
        return all(r.ok for r in self.inputs)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.inputs)


def _as64(t: Tensor) -> Tensor:
    return Tensor._make(t.data.astype(np.float64), t.requires_grad, None)


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_fail: bool = False,
    report: bool = False,
    seed: int = 0,
) -> bool | GradcheckReport:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    Args:
        fn: a function of tensors returning a tensor (any shape).
        *inputs: its inputs; those with ``requires_grad=True`` are checked. They are
            copied to float64 first, so float32 inputs are fine.
        eps: the finite-difference step.
        atol, rtol: an entry passes when ``|a - n| <= atol + rtol * |n|``.
        raise_on_fail: raise ``GradError`` with the report instead of returning False.
        report: return a ``GradcheckReport`` (true or false, and printable) instead of a bool.
        seed: seed of the random output weighting ``v``.

    Returns:
        True if every checked gradient matches (or the report).
    """
    xs = [_as64(t) if isinstance(t, Tensor) and t.dtype.kind == "f" else t for t in inputs]
    out = fn(*xs)
    v = Tensor._make(np.random.default_rng(seed).standard_normal(out.shape), False, None)

    def objective() -> float:
        with no_grad():
            return float((fn(*xs).data * v.data).sum())

    (out * v).sum().backward()
    reports = []
    for i, x in enumerate(xs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        analytic = np.zeros(x.shape) if x.grad is None else x.grad.data
        numeric = np.zeros(x.shape)
        flat = x.data.reshape(-1)  # a view: editing it edits x
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            up = objective()
            flat[j] = old - eps
            down = objective()
            flat[j] = old
            numeric.reshape(-1)[j] = (up - down) / (2 * eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        rel = np.abs(analytic - numeric) / np.maximum(np.abs(numeric), atol)
        worst = np.unravel_index(int(np.argmax(excess)), x.shape) if x.data.size else ()
        reports.append(
            InputReport(
                index=i,
                shape=x.shape,
                max_rel_error=float(rel.max()) if rel.size else 0.0,
                worst_entry=tuple(int(k) for k in worst),
                analytic=float(analytic[worst]) if x.data.size else 0.0,
                numeric=float(numeric[worst]) if x.data.size else 0.0,
                ok=bool((excess <= 0).all()),
            )
        )
    result = GradcheckReport(reports)
    if not result and raise_on_fail:
        raise GradError(f"gradcheck failed:\n{result}")
    return result if report else bool(result)
