"""Tracing rules for layers: random dropout masks and batch-norm running statistics.

- ``dropout`` draws its mask with NumPy; frozen into a graph every call would drop the
  same units. While tracing, the mask comes from the ``DropoutMask`` op, which draws from
  learndl's generator on every replay — in the same order as eager code, so a seeded
  traced run drops the same units as a seeded eager one.
- ``batch_norm`` in training moves its running statistics with NumPy in place; the traced
  version writes them with ``ld.static.assign`` so that each replay updates them.
- A layer's ``training`` flag picks the ops it runs (dropout or not, batch or running
  statistics), so the graph holds one mode. Each ``Module`` call guards it
  (``Tracer.guard``): after ``model.eval()`` the next call traces again instead of
  replaying the training graph. A dropout layer's rate ``p`` is guarded alike.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

from learndl import functional as core
from learndl.autograd import Function, no_grad
from learndl.random import get_rng
from learndl.static import tracer as tracing
from learndl.tensor import Tensor

_draws = itertools.count()  # makes each mask node unique, so CSE never merges two draws


class DropoutMask(Function):
    """A fresh keep-mask scaled by ``1 / (1 - p)``, of the input's shape, on every run."""

    name = "dropout_mask"

    def forward(self, x):
        keep = get_rng().random(x.shape) >= self.p
        return self.xp(x).asarray(keep).astype(x.dtype) / (1.0 - self.p)

    def backward(self, grad):
        return (None,)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}.")
    if not training or p == 0.0:
        return x
    return x * DropoutMask.apply(x, p=p, draw=next(_draws))


def _traced_batch_norm(original: Any) -> Any:
    def batch_norm(
        input, running_mean, running_var, weight=None, bias=None,
        training=False, momentum=0.1, eps=1e-5,
    ):  # fmt: skip
        if not training or running_mean is None or running_var is None:
            return original(input, running_mean, running_var, weight, bias, training, momentum, eps)
        from learndl.static import assign

        out = original(input, None, None, weight, bias, True, momentum, eps)
        c = input.shape[1]
        axes = (0, *range(2, input.ndim))
        n = input.numel() // c
        with no_grad():  # the same ops as the forward's statistics: CSE computes them once
            mean = input.mean(axis=axes, keepdims=True)
            centered = input - mean
            var = (centered * centered).mean(axis=axes, keepdims=True)
            batch_var = var.reshape(c) * (n / (n - 1))
            assign(running_mean, (1 - momentum) * running_mean + momentum * mean.reshape(c))
            assign(running_var, (1 - momentum) * running_var + momentum * batch_var)
        return out

    return batch_norm


def _guarded_call(original: Any) -> Any:
    def __call__(self, *args, **kwargs):
        name = type(self).__name__
        if isinstance(self.__dict__.get("p"), float | int):  # a dropout rate: frozen too
            names, read = (f"{name}.training", f"{name}.p"), lambda: (self.training, self.p)
        else:
            names, read = (f"{name}.training",), lambda: (self.training,)
        tracing.current().guard(names, read)
        return original(self, *args, **kwargs)

    return __call__


def swaps() -> list[tuple[Any, str, Any]]:
    """Dropout always (keras layers use it too); batch_norm and the guard of ``training``
    once ``learndl.nn`` is loaded."""
    found: list[tuple[Any, str, Any]] = [(core, "dropout", dropout)]
    if "learndl.nn" in sys.modules:
        from learndl.nn import Module
        from learndl.nn import functional as F

        found.append((F, "batch_norm", _traced_batch_norm(F.__dict__["batch_norm"])))
        found.append((Module, "__call__", _guarded_call(Module.__dict__["__call__"])))
        zero_grad = tracing.resetting(Module.__dict__["zero_grad"], Module.parameters)
        found.append((Module, "zero_grad", zero_grad))
    return found
