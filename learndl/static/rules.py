"""Tracing rules: eager code that works on raw arrays, swapped for ops while tracing.

A graph can only replay what the tracer saw, and the tracer sees ``Function.apply``. A
few eager paths compute on raw arrays instead, which is faster eagerly but invisible to a
trace: comparisons (``x > 0``), and the backward of relu, abs, clip, max, maximum and
minimum, which build their 0/1 masks with NumPy. Frozen into the graph, such a mask would
be the *first* call's mask forever. While tracing, these are swapped for versions written
with the ``Mask`` op below, which the graph records and recomputes on every call — the
role TensorFlow's registered gradient functions play. Likewise ``ld.randn``, ``ld.rand``
and ``ld.randint`` become ``RandomDraw`` nodes: each replay draws anew from learndl's
generator, in the order eager code draws, so a seeded traced run equals a seeded eager one.

Each swap is one entry of ``_swaps()``; ``tracing_rules()`` applies them and puts the
originals back when tracing ends.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterator
from typing import Any

import learndl
from learndl import backend, creation, ops
from learndl.autograd import Function
from learndl.ops import reduce as reduce_ops
from learndl.ops._util import constant
from learndl.random import get_rng
from learndl.tensor import Tensor


class Mask(Function):
    """``getattr(xp, ufunc)(*inputs)``, cast to ``dtype``: a mask or a comparison, no gradient."""

    name = "mask"

    def forward(self, *arrays):
        out = getattr(self.xp(*arrays), self.ufunc)(*arrays)
        return out if self.dtype is None else out.astype(self.dtype)

    def backward(self, grad):
        return (None,) * len(self.inputs)


def mask(a: Tensor, b: Any = None, ufunc: str = "greater", dtype: Any = "like") -> Tensor:
    """A traceable ``(a <ufunc> b).astype(a.dtype)``; ``dtype=None`` keeps the bool result."""
    dtype = a.dtype if dtype == "like" else dtype
    inputs = (a,) if b is None else (a, constant(b, a))
    return Mask.apply(*inputs, ufunc=ufunc, dtype=dtype, name=ufunc)


def _compare(ufunc: str) -> Any:
    return lambda self, other: mask(self, other, ufunc, dtype=None)


# -- backward rules written in ops (the eager ones build their masks with NumPy)
def _relu_backward(self, grad):
    y = self.saved_output
    return (grad * mask(y, 0.0, "greater"),)


def _abs_backward(self, grad):
    (x,) = self.saved_tensors
    return (grad * mask(x, None, "sign"),)


def _clip_backward(self, grad):
    (x,) = self.saved_tensors
    inside = constant(1.0, x)
    if self.low is not None:
        inside = inside * mask(x, self.low, "greater_equal")
    if self.high is not None:
        inside = inside * mask(x, self.high, "less_equal")
    return (grad * inside,)


def _max_backward(self, grad):
    (x,) = self.saved_tensors
    top = self.output.reshape(reduce_ops._kept_shape(x.shape, self.axis))
    winners = mask(x, top, "equal")
    winners = winners / winners.sum(axis=self.axis, keepdims=True)  # ties share
    return (reduce_ops._spread(grad, x.shape, self.axis, self.keepdims) * winners,)


def _pick_backward(wins: str):
    def backward(self, grad):
        a, b = self.saved_tensors
        wa = mask(a, b, wins) + 0.5 * mask(a, b, "equal")  # ties: half each, as PyTorch
        wb = 1.0 - wa
        return ops.sum_to(grad * wa, a.shape), ops.sum_to(grad * wb, b.shape)

    return backward


# -- random draws: eager ld.randn wraps a NumPy draw in Tensor._make, a constant to a trace
class RandomDraw(Function):
    """``get_rng().<method>(*args)`` drawn anew on every run, on ``device``: ``ld.randn``
    in a graph. Each node has its own ``draw`` number, so CSE never merges two draws."""

    name = "random"

    def forward(self):
        return backend.module_for(self.device).asarray(getattr(get_rng(), self.method)(*self.args))

    def backward(self, grad):
        return ()


_draws = itertools.count()


def _draw(method: str, args: tuple, requires_grad: bool, device: str | None) -> Tensor:
    out = RandomDraw.apply(method=method, args=args, device=device or "cpu", draw=next(_draws))
    return out.requires_grad_() if requires_grad else out


def _randn(*shape: int, dtype: Any = None, requires_grad: bool = False, device: Any = None):
    d = creation._dtype(dtype) or creation.default_dtype
    return _draw("standard_normal", (creation._shape(shape), d), requires_grad, device)


def _rand(*shape: int, dtype: Any = None, requires_grad: bool = False, device: Any = None):
    d = creation._dtype(dtype) or creation.default_dtype
    return _draw("random", (creation._shape(shape), d), requires_grad, device)


def _randint(low: int, high: int, shape: Any, device: Any = None) -> Tensor:
    return _draw("integers", (low, high, tuple(shape)), False, device)


# In-place tensor methods become assign nodes: t.add_(o) is assign(t, t + o), as TF's
# Variable.assign_add. (They cannot be used on tensors made inside the call.)
INPLACE = {
    "add_": lambda t, o, alpha=1: t + o * alpha if alpha != 1 else t + o,
    "sub_": lambda t, o, alpha=1: t - o * alpha if alpha != 1 else t - o,
    "mul_": lambda t, o: t * o,
    "div_": lambda t, o: t / o,
    "copy_": lambda t, o: o,
    "fill_": lambda t, o: constant(0.0, t) + o if not isinstance(o, Tensor) else o,
    "zero_": lambda t: constant(0.0, t),
    "__iadd__": lambda t, o: t + o,
    "__isub__": lambda t, o: t - o,
    "__imul__": lambda t, o: t * o,
    "__itruediv__": lambda t, o: t / o,
}


def _inplace(update: Any) -> Any:
    def method(self, *args, **kwargs):
        from learndl.static import assign

        value = update(self, *args, **kwargs)
        if not isinstance(value, Tensor):
            value = constant(value, self)
        if value.shape != self.shape:
            value = ops.expand(value, self.shape)
        if value.dtype != self.dtype:
            value = ops.Cast.apply(value, dtype=self.dtype)
        return assign(self, value)

    return method


def _swaps(tracer: Any) -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for every rule; the optimizers' only if loaded."""
    make, init = Tensor.__dict__["_make"].__func__, Tensor._init

    def watched_make(cls, data, requires_grad, grad_fn):
        t = make(cls, data, requires_grad, grad_fn)
        tracer.made_here.add(id(t))
        tracer.keep.append(t)
        return t

    def watched_init(self, data, requires_grad, grad_fn):
        init(self, data, requires_grad, grad_fn)
        tracer.made_here.add(id(self))
        tracer.keep.append(self)

    grad_slot = Tensor.__dict__["grad"]  # the descriptor of Tensor's "grad" slot

    def watched_grad_set(self, value):  # x.grad = ... : zero_grad resets, backward writes
        if value is None:
            tracer.grad_resets.add(id(self))
        else:
            tracer.grad_before.setdefault(id(self), grad_slot.__get__(self))
        grad_slot.__set__(self, value)

    swaps = [
        (Tensor, "grad", property(grad_slot.__get__, watched_grad_set)),
        (Tensor, "_make", classmethod(watched_make)),
        (Tensor, "_init", watched_init),
        (ops.Relu, "backward", _relu_backward),
        (ops.Abs, "backward", _abs_backward),
        (ops.Clip, "backward", _clip_backward),
        (ops.Max, "backward", _max_backward),
        (ops.Maximum, "backward", _pick_backward("greater")),
        (ops.Minimum, "backward", _pick_backward("less")),
    ]
    for dunder, ufunc in (
        ("__lt__", "less"),
        ("__le__", "less_equal"),
        ("__gt__", "greater"),
        ("__ge__", "greater_equal"),
        ("__eq__", "equal"),
        ("__ne__", "not_equal"),
    ):
        swaps.append((Tensor, dunder, _compare(ufunc)))
    for name, update in INPLACE.items():
        swaps.append((Tensor, name, _inplace(update)))
    for module in (learndl, creation):  # ld.randn and learndl.creation.randn
        swaps += [(module, "randn", _randn), (module, "rand", _rand), (module, "randint", _randint)]
    if "learndl.optim" in sys.modules:  # an optimizer can only be in use if it was imported
        from learndl.static import optim_rules

        swaps += optim_rules.swaps()
    from learndl.static import nn_rules

    swaps += nn_rules.swaps()
    return swaps


@contextlib.contextmanager
def tracing_rules(tracer: Any) -> Iterator[None]:
    """Apply every swap for the duration of a trace, then restore the originals."""
    saved = []
    try:
        for owner, attr, new in _swaps(tracer):
            saved.append((owner, attr, owner.__dict__[attr]))
            setattr(owner, attr, new)
        yield
    finally:
        for owner, attr, old in reversed(saved):
            setattr(owner, attr, old)
