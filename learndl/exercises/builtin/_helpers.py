"""Small tools the built-in checkers share: hidden inputs, array comparison, gradcheck."""

from __future__ import annotations

from typing import Any

import numpy as np

import learndl as ld


def hidden_rng() -> np.random.Generator:
    """A fresh, unseeded generator: hidden cases differ every run, so they cannot be copied."""
    return np.random.default_rng()


def array(value: Any) -> np.ndarray:
    """A NumPy array from a Tensor, an array, a list or a number."""
    if isinstance(value, ld.Tensor):
        return np.asarray(value.numpy(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


def close(got: Any, want: Any, tol: float = 1e-4) -> bool:
    """Same shape and values within ``tol`` (relative and absolute)."""
    try:
        got, want = array(got), array(want)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=tol, atol=tol))


def t64(values: np.ndarray, grad: bool = True) -> ld.Tensor:
    """A float64 tensor (gradcheck's precision) that requires grad."""
    return ld.tensor(np.asarray(values, dtype=np.float64), dtype=ld.float64, requires_grad=grad)


def grad_matches(fn: Any, *inputs: ld.Tensor) -> tuple[bool, Any]:
    """``ld.gradcheck`` on hidden inputs; returns (ok, the output tensor to highlight)."""
    report = ld.gradcheck(fn, *inputs, report=True)
    if bool(report):
        return True, None
    with ld.enable_grad():
        out = fn(*inputs)
    return False, out


def away_from(values: np.ndarray, point: float = 0.0, gap: float = 0.2) -> np.ndarray:
    """Move entries at least ``gap`` away from a kink, so finite differences are exact."""
    shift = np.where(values >= point, gap, -gap)
    return values + shift
