"""Lesson 12: attention scores and the causal mask."""

from __future__ import annotations

import numpy as np

from learndl.exercises.builtin._helpers import array, close, grad_matches, hidden_rng, t64
from learndl.exercises.core import Check, checker, need


def _attention_ref(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    s = np.exp(s - s.max(-1, keepdims=True))
    return (s / s.sum(-1, keepdims=True)) @ v


@checker("attention_scores", total=5)
def attention_scores(ns):
    """Lesson 12. The cell defines ``attention(q, k, v)``: scaled dot-product attention of
    tensors ``(..., T, d)`` (any leading batch axes), ``softmax(q @ kᵀ / sqrt(d)) @ v``
    along the last axis, in learndl ops; returns a tensor shaped like ``v``'s rows."""
    attention = need(ns, "attention")
    rng = hidden_rng()
    t, d = int(rng.integers(3, 6)), 4
    q, k, v = (rng.standard_normal((t, d)) for _ in range(3))
    out = attention(t64(q, False), t64(k, False), t64(v, False))
    yield Check("output shape", tuple(out.shape) == (t, d), "weights (T, T) @ v (T, d)")
    s = q @ k.T
    e = np.exp(s - s.max(-1, keepdims=True))
    unscaled = close(out, (e / e.sum(-1, keepdims=True)) @ v)
    good = close(out, _attention_ref(q, k, v))
    hint = "divide the scores by sqrt(d)" if unscaled else "softmax over the last axis (keys)"
    yield Check("values", good, hint)
    qb, kb, vb = (rng.standard_normal((2, t, d)) for _ in range(3))
    batched = attention(t64(qb, False), t64(kb, False), t64(vb, False))
    yield Check("batched", close(batched, _attention_ref(qb, kb, vb)), "transpose the last 2 axes")
    rows = array(out)
    yield Check("finite", bool(np.isfinite(rows).all()), "subtract the row max before exp")
    ok, node = grad_matches(attention, t64(q), t64(k), t64(v))
    yield Check("gradcheck", ok, "use learndl ops so gradients reach q, k and v", node)


@checker("causal_mask", total=3)
def causal_mask(ns):
    """Lesson 12. The cell defines ``causal_mask(T)``: a ``(T, T)`` float array or tensor
    to add to attention scores: 0 where key j <= query i, ``-inf`` where j > i (the future)."""
    causal_mask = need(ns, "causal_mask")
    t = int(hidden_rng().integers(4, 9))
    m = array(causal_mask(t))
    yield Check("shape", m.shape == (t, t), "one row per query, one column per key")
    future = np.triu(np.ones((t, t), dtype=bool), k=1)
    yield Check(
        "past and present are 0",
        m.shape == (t, t) and bool((m[~future] == 0).all()),
        "0 on and below the diagonal",
    )
    yield Check(
        "future is -inf",
        m.shape == (t, t) and bool(np.isneginf(m[future]).all()),
        "-inf strictly above the diagonal (np.triu with k=1)",
    )
