"""Lessons 03 (linear regression, gradient descent) and 04 (classification)."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl.exercises.builtin._helpers import array, close, grad_matches, hidden_rng, t64
from learndl.exercises.core import Check, checker, need


@checker("mse_by_hand", total=4)
def mse_by_hand(ns):
    """Lesson 03. The cell defines ``mse(pred, target)``: the mean squared error of two
    tensors of the same shape, as a scalar tensor built from learndl ops (so it has a
    gradient)."""
    mse = need(ns, "mse")
    rng = hidden_rng()
    p, t = rng.standard_normal((6,)), rng.standard_normal((6,))
    pt = t64(p)
    loss = mse(pt, t64(t, grad=False))
    yield Check("value", close(loss, np.mean((p - t) ** 2)), "mean of (pred - target) ** 2")
    yield Check("a scalar", tuple(getattr(loss, "shape", (0,))) == (), "average over everything")
    loss.backward()
    yield Check(
        "gradient",
        pt.grad is not None and close(pt.grad, 2 * (p - t) / p.size),
        "use learndl ops only (no .numpy()), so backward reaches pred",
        failing_node=loss,
    )
    p2, t2 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    yield Check(
        "works on 2-D", close(mse(t64(p2), t64(t2)), np.mean((p2 - t2) ** 2)), "mean over all"
    )


@checker("gradient_descent_step", total=4)
def gradient_descent_step(ns):
    """Lesson 03. The cell defines ``sgd_step(params, lr)``: for each tensor in the list
    ``params`` (leaves with ``.grad`` filled), update it in place by ``p -= lr * p.grad``
    without recording the graph (``with ld.no_grad():``), then reset ``p.grad = None``."""
    sgd_step = need(ns, "sgd_step")
    rng = hidden_rng()
    w0, b0 = rng.standard_normal((3,)), rng.standard_normal(())
    w, b = t64(w0), t64(b0)
    x = rng.standard_normal((5, 3))
    loss = ((ld.tensor(x, dtype=ld.float64) @ w + b) ** 2).mean()
    loss.backward()
    gw, gb = array(w.grad), array(b.grad)
    ids = (id(w), id(b))
    sgd_step([w, b], 0.1)
    yield Check("values", close(w, w0 - 0.1 * gw) and close(b, b0 - 0.1 * gb), "p -= lr * p.grad")
    yield Check("in place", ids == (id(w), id(b)), "change each tensor in place, not a copy")
    yield Check("grads reset", w.grad is None and b.grad is None, "set p.grad = None after")
    yield Check("still leaves", w.is_leaf and w.requires_grad, "update under `with ld.no_grad():`")


@checker("linear_regression_fit", total=3)
def linear_regression_fit(ns):
    """Lesson 03. The cell defines ``fit(x, y, steps, lr)``: a training loop for
    ``y ≈ w * x + b`` on 1-D float32 tensors ``x``, ``y``, by gradient descent on the mean
    squared error from ``w = b = 0``; it returns ``(w, b)`` as tensors or floats."""
    fit = need(ns, "fit")
    rng = hidden_rng()
    x = rng.uniform(-1, 1, size=64)
    slope, bias = rng.choice([-1, 1], size=2) * rng.uniform(0.5, 2, size=2)
    y = slope * x + bias + 0.05 * rng.standard_normal(64)
    result = fit(ld.tensor(x), ld.tensor(y), 300, 0.3)
    ok = isinstance(result, tuple | list) and len(result) == 2
    yield Check("returns (w, b)", ok, "return w, b")
    w, b = (float(array(v).reshape(-1)[0]) for v in result) if ok else (np.nan, np.nan)
    best_w, best_b = np.polyfit(x, y, 1)
    yield Check("slope", abs(w - best_w) < 0.05, "zero_grad, loss, backward, update — each step")
    yield Check("intercept", abs(b - best_b) < 0.05, "update b as well as w")


@checker("softmax_stable", total=5)
def softmax_stable(ns):
    """Lesson 04. The cell defines ``softmax(z, dim=-1)``: the softmax of a tensor along
    ``dim``, in learndl ops, stable for large logits (subtract the max first)."""
    softmax = need(ns, "softmax")
    z = hidden_rng().standard_normal((4, 5)) * 2

    def ref(a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    out = softmax(t64(z, grad=False))
    yield Check("values", close(out, ref(z, -1)), "exp(z) / sum of exp(z) along dim")
    yield Check("rows sum to 1", close(array(out).sum(-1), np.ones(4)), "normalize along dim")
    with np.errstate(all="ignore"):
        big = array(softmax(t64(np.array([[1000.0, 0.0, -1000.0]]), grad=False)))
    yield Check("large logits", close(big, [[1.0, 0.0, 0.0]]), "subtract the max before exp")
    yield Check("dim=0", close(softmax(t64(z, grad=False), dim=0), ref(z, 0)), "honour dim")
    ok, node = grad_matches(lambda t: softmax(t), t64(z))
    yield Check("gradcheck", ok, "use learndl ops so autograd can differentiate", node)


@checker("cross_entropy_from_scratch", total=4)
def cross_entropy_from_scratch(ns):
    """Lesson 04. The cell defines ``cross_entropy(logits, labels)``: mean cross-entropy of
    ``(N, C)`` logits and ``(N,)`` int64 labels, from learndl ops (log-softmax, pick the
    label's entry), stable for large logits, returning a scalar tensor."""
    cross_entropy = need(ns, "cross_entropy")
    rng = hidden_rng()
    n, c = 6, 4
    z, labels = rng.standard_normal((n, c)) * 2, rng.integers(0, c, size=n)
    zs = z - z.max(1, keepdims=True)
    logp = zs - np.log(np.exp(zs).sum(1, keepdims=True))
    zt = t64(z)
    loss = cross_entropy(zt, ld.tensor(labels))
    yield Check("value", close(loss, -logp[np.arange(n), labels].mean()), "mean of -log p[label]")
    yield Check("a scalar", tuple(getattr(loss, "shape", (0,))) == (), "average over the batch")
    loss.backward()
    onehot = np.eye(c)[labels]
    yield Check(
        "gradient",
        zt.grad is not None and close(zt.grad, (np.exp(logp) - onehot) / n),
        "build it from learndl ops so backward reaches the logits",
        failing_node=loss,
    )
    with np.errstate(all="ignore"):
        big = cross_entropy(t64(np.array([[1000.0, 0.0]]), grad=False), ld.tensor([1]))
    yield Check("large logits", close(big, 1000.0), "use log-softmax: z - max - log(sum exp)")
