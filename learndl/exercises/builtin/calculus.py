"""Lessons 01 (derivatives, the chain rule) and 02 (autograd on tensors, your own op)."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl.exercises.builtin._helpers import (
    array,
    away_from,
    close,
    grad_matches,
    hidden_rng,
    t64,
)
from learndl.exercises.core import Check, checker, need


@checker("chain_rule_by_hand", total=3)
def chain_rule_by_hand(ns):
    """Lesson 01. The cell defines ``df_dx(x)``: the derivative of ``f(x) = (2x + 1)**3 * 5``
    worked out by hand with the chain rule, returned as a Python float for a float ``x``
    (no autograd)."""
    df_dx = need(ns, "df_dx")
    xs = hidden_rng().uniform(-2, 2, size=4)
    want = [30 * (2 * x + 1) ** 2 for x in xs]
    got = [df_dx(float(x)) for x in xs]
    yield Check(
        "returns a number", all(np.ndim(g) == 0 for g in got), "return one float, e.g. 30.0"
    )
    yield Check(
        "right at x = 0", close(df_dx(0.0), 30.0), "outer derivative 3u**2 times inner 2, times 5"
    )
    yield Check(
        "right at hidden points",
        all(close(g, w) for g, w in zip(got, want)),
        "multiply the outer derivative (at u = 2x + 1) by the inner one",
    )


@checker("grad_of_expression", total=4)
def grad_of_expression(ns):
    """Lesson 01. The cell defines ``grad_of(f, x)``: the derivative of a learndl function
    ``f`` at the float ``x``, computed with autograd (make a tensor with
    ``requires_grad=True``, call ``backward()``), returned as a Python float."""
    grad_of = need(ns, "grad_of")
    x = float(hidden_rng().uniform(0.3, 1.5))
    square = grad_of(lambda t: t * t, x)
    yield Check("returns a number", np.ndim(square) == 0, "return x.grad.item()")
    yield Check("d(x*x)/dx", close(square, 2 * x), "call backward() on f(t), then read t.grad")
    got = grad_of(lambda t: t.tanh() * 3, x)
    yield Check(
        "d(3 tanh x)/dx", close(got, 3 * (1 - np.tanh(x) ** 2)), "let autograd do the chain rule"
    )
    again = grad_of(lambda t: (t * 2).exp(), x)
    yield Check(
        "fresh gradient on each call",
        close(again, 2 * np.exp(2 * x)),
        "make a new leaf tensor inside grad_of so gradients do not accumulate",
    )


@checker("broadcast_grad_shape", total=4)
def broadcast_grad_shape(ns):
    """Lesson 02. The cell defines ``unbroadcast(grad, shape)``: sum a NumPy gradient of
    a broadcast result back down to the input's ``shape`` (a tuple), returning an array of
    exactly that shape."""
    unbroadcast = need(ns, "unbroadcast")
    rng = hidden_rng()
    n, m = (int(v) for v in rng.integers(2, 6, size=2))
    cases = [((n, m), (m,)), ((n, m), (1, m)), ((2, n, m), (n, 1)), ((n, m), (n, m))]
    results = []
    for big, small in cases:
        grad = rng.standard_normal(big)
        want = grad.sum(axis=tuple(range(len(big) - len(small))))
        for axis, size in enumerate(small):
            if size == 1:
                want = want.sum(axis=axis, keepdims=True)
        results.append(close(unbroadcast(grad, small), want))
    yield Check("leading axes summed", results[0], "sum over the axes the input did not have")
    yield Check("size-1 axes kept", results[1], "sum with keepdims=True where the input had 1")
    yield Check("both at once", results[2], "first drop leading axes, then sum size-1 axes")
    yield Check("same shape unchanged", results[3], "when shapes agree, return grad as it is")


@checker("relu_backward", total=5)
def relu_backward(ns):
    """Lesson 02. The cell defines ``class ReLU(ld.Function)`` with ``forward(self, x)`` on
    a raw array (saving what backward needs) and ``backward(self, grad)`` written in learndl
    ops, returning a tuple with one gradient. Checked with ``ReLU.apply(x)`` and
    ``ld.gradcheck`` on hidden random inputs."""
    relu = need(ns, "ReLU", ld.Function, "a subclass of ld.Function")
    x = away_from(hidden_rng().standard_normal((3, 4)))
    out = relu.apply(t64(x, grad=False))
    yield Check("is a Function", issubclass(relu, ld.Function), "class ReLU(ld.Function): ...")
    yield Check("forward values", close(out, np.maximum(x, 0)), "forward returns max(x, 0)")
    yield Check("forward keeps the shape", out.shape == x.shape, "work elementwise on x")
    xt = t64(x)
    y = relu.apply(xt)
    y.sum().backward()
    grad = array(xt.grad) if xt.grad is not None else np.zeros_like(x)
    yield Check(
        "no gradient where x < 0",
        bool(np.all(grad[x < 0] == 0)),
        "backward should pass the gradient only where x > 0",
        failing_node=y,
    )
    ok, node = grad_matches(lambda t: relu.apply(t), t64(x))
    yield Check("gradcheck", ok, "backward should return (grad * (x > 0),)", failing_node=node)


@checker("sigmoid_op", total=4)
def sigmoid_op(ns):
    """Lesson 02. The cell defines ``class Sigmoid(ld.Function)``: ``forward(self, x)``
    computes 1 / (1 + exp(-x)) on a raw array without overflow for large |x|, and
    ``backward(self, grad)`` returns ``(grad * s * (1 - s),)`` in learndl ops (tip:
    ``self.saved_output``)."""
    sigmoid = need(ns, "Sigmoid", ld.Function, "a subclass of ld.Function")
    x = hidden_rng().standard_normal((2, 5)) * 3
    yield Check(
        "forward values",
        close(sigmoid.apply(t64(x, grad=False)), 1 / (1 + np.exp(-x))),
        "forward returns 1 / (1 + exp(-x))",
    )
    with np.errstate(over="raise", invalid="raise"):
        try:
            big = array(sigmoid.apply(t64(np.array([-1000.0, 0.0, 1000.0]), grad=False)))
            stable = close(big, [0.0, 0.5, 1.0])
        except FloatingPointError:
            stable = False
    yield Check("no overflow at ±1000", stable, "use exp(-|x|) and pick the formula by sign")
    xt = t64(x)
    y = sigmoid.apply(xt)
    y.sum().backward()
    s = 1 / (1 + np.exp(-x))
    yield Check("gradient values", close(xt.grad, s * (1 - s)), "d sigmoid = s * (1 - s)", y)
    ok, node = grad_matches(lambda t: sigmoid.apply(t), t64(x))
    yield Check("gradcheck", ok, "return a tuple with one gradient", failing_node=node)
