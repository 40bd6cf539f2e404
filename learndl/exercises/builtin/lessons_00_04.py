"""Lesson 00 (tensors): checkers the calculus and regression modules do not cover."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl.exercises.builtin._helpers import array, close, hidden_rng, t64
from learndl.exercises.core import Check, checker, need


@checker("standardize", total=4)
def standardize(ns):
    """Lesson 00. The cell defines ``standardize(X)``: for a 2-D float tensor
    ``(samples, features)``, return a tensor of the same shape whose every column has mean 0
    and standard deviation 1 (``(X - mean) / std`` per column, by broadcasting, in learndl
    ops). Either standard deviation convention (divide by n or by n - 1) is accepted."""
    standardize = need(ns, "standardize")
    rng = hidden_rng()
    n, d = (int(v) for v in rng.integers(5, 40, size=2))
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 20, size=d) + rng.uniform(-9, 9, size=d)
    Xt = t64(X)
    out = standardize(Xt)
    centered = X - X.mean(axis=0)
    refs = [centered / X.std(axis=0, ddof=ddof) for ddof in (0, 1)]
    yield Check(
        "keeps the shape",
        tuple(getattr(out, "shape", ())) == (n, d),
        "reduce with dim=0 and let broadcasting stretch the result back over the rows",
    )
    got = array(out) if tuple(getattr(out, "shape", ())) == (n, d) else np.zeros((n, d))
    yield Check(
        "column means are 0",
        bool(np.allclose(got.mean(axis=0), 0, atol=1e-6)),
        "subtract each column's mean: X.mean(dim=0), not X.mean()",
    )
    yield Check(
        "column spreads are 1",
        any(close(got, ref) for ref in refs),
        "divide by each column's standard deviation: X.std(dim=0)",
    )
    ok = isinstance(out, ld.Tensor) and out.requires_grad
    yield Check("stays a learndl tensor", ok, "use tensor ops (no .numpy()), so gradients flow")


@checker("pairwise_sq_dists", total=4)
def pairwise_sq_dists(ns):
    """Lesson 00. The cell defines ``pairwise_sq_dists(A, B)``: for float tensors ``A`` of
    shape ``(n, d)`` and ``B`` of shape ``(m, d)``, the ``(n, m)`` tensor of squared distances
    ``D[i, j] = sum_k (A[i, k] - B[j, k]) ** 2``, by broadcasting (no Python loops needed)."""
    pairwise = need(ns, "pairwise_sq_dists")
    rng = hidden_rng()
    n, m, d = (int(v) for v in rng.integers(2, 7, size=3))
    while n == m:  # a square answer could hide swapped axes
        m = int(rng.integers(2, 7))
    A, B = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    want = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
    out = pairwise(t64(A, grad=False), t64(B, grad=False))
    shape = tuple(getattr(out, "shape", np.shape(out)))
    yield Check("shape (n, m)", shape == (n, m), "rows follow A, columns follow B")
    yield Check("values", close(out, want), "square the differences, then sum over the last axis")
    self_d = array(pairwise(t64(A, grad=False), t64(A, grad=False)))
    yield Check("zero diagonal for A vs A", close(np.diag(self_d), np.zeros(n)), "D[i, i] is 0")
    yield Check(
        "one-dimensional points",
        close(pairwise(t64(A[:, :1], grad=False), t64(B[:, :1], grad=False)), want_1d(A, B)),
        "it must work for any d, including d = 1",
    )


def want_1d(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return (A[:, :1] - B[:, :1].T) ** 2
