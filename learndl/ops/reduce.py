"""Reductions: sum, mean, max over an axis (or all), with ``keepdims``; argmax and argmin.

The backward of a reduction spreads the gradient back over the reduced axes: ``sum``
copies it, ``mean`` divides it by the count, ``max`` sends it to the largest entries.

Example:
    >>> import learndl as ld
    >>> x = ld.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.mean().backward(); x.grad.tolist()
    [[0.25, 0.25], [0.25, 0.25]]
"""

from __future__ import annotations

import math

from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.ops._util import unwrap
from learndl.ops.shape import Expand, Reshape, expand_array
from learndl.tensor import Tensor


def normalize_axis(op: str, axis, ndim: int) -> tuple[int, ...] | None:
    """Axes as a tuple of non-negative ints (None: all), with a clear error when out of range."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < (ndim or 1):
            raise ShapeError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims.")
    return tuple(sorted(a % (ndim or 1) for a in axes))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction leaves with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(grad: Tensor, shape: tuple[int, ...], axes, keepdims: bool, count: int = 1) -> Tensor:
    """Broadcast a reduction's gradient (divided by ``count``, for a mean) back over the axes
    it reduced."""
    (g,) = unwrap(grad)
    if count != 1:  # divide before spreading: fewer numbers
        g = g / count
    if not isinstance(g, Tensor):  # a plain backward(): the same two steps on the array
        if axes is not None and not keepdims:
            g = g.reshape(_kept_shape(shape, axes))
        return Tensor._make(expand_array(g, shape), False, None)
    if axes is not None and not keepdims:  # put the reduced axes back as size 1
        g = Reshape.apply(g, shape=_kept_shape(shape, axes))
    return Expand.apply(g, shape=shape)


class Sum(Function):
    name = "sum"

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad):
        (x,) = self.inputs
        return (_spread(grad, x.shape, self.axis, self.keepdims),)


class Mean(Function):
    name = "mean"

    def forward(self, x):
        self.count = x.size if self.axis is None else math.prod(x.shape[a] for a in self.axis)
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad):
        (x,) = self.inputs
        return (_spread(grad, x.shape, self.axis, self.keepdims, self.count),)


class Max(Function):
    name = "max"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return x.max(axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad):
        (x,) = self.saved_tensors
        kept = _kept_shape(x.shape, self.axis)
        top = self.output.data.reshape(kept) if self.output is not None else None
        if top is None:
            top = x.data.max(axis=self.axis, keepdims=True)
        # Ties share the gradient equally, so the gradient still sums to grad.
        winners = (x.data == top).astype(x.dtype)
        winners /= winners.sum(axis=self.axis, keepdims=True)
        share = Tensor._make(winners, False, None)
        return (_spread(grad, x.shape, self.axis, self.keepdims) * share,)


class ArgMax(Function):
    """The index of the largest value along ``axis``: an int64 tensor, no gradient."""

    name = "argmax"

    def forward(self, x):
        return self.xp(x).argmax(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad):
        return (None,)  # an index is piecewise constant in x: nothing flows back


class ArgMin(ArgMax):
    """The index of the smallest value along ``axis``: an int64 tensor, no gradient."""

    name = "argmin"

    def forward(self, x):
        return self.xp(x).argmin(x, axis=self.axis, keepdims=self.keepdims)


def sum(x: Tensor, axis=None, keepdims: bool = False, dim=None) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (an int, a tuple, or None for all); ``dim`` is PyTorch's name."""
    axis = dim if axis is None else axis
    return Sum.apply(x, axis=normalize_axis("sum", axis, x.ndim), keepdims=keepdims)


def mean(x: Tensor, axis=None, keepdims: bool = False, dim=None) -> Tensor:
    """Average over ``axis`` (an int, a tuple, or None for all); ``dim`` is PyTorch's name."""
    axis = dim if axis is None else axis
    return Mean.apply(x, axis=normalize_axis("mean", axis, x.ndim), keepdims=keepdims)


def max(x: Tensor, axis=None, keepdims: bool = False, dim=None) -> Tensor:  # noqa: A001
    """Largest value over ``axis`` (or ``dim``); ties share the gradient equally."""
    axis = dim if axis is None else axis
    if x.numel() == 0:
        raise ShapeError(f"max: the tensor of shape {x.shape} is empty; it has no largest value.")
    return Max.apply(x, axis=normalize_axis("max", axis, x.ndim), keepdims=keepdims)
