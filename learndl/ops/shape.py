"""Ops that move values without changing them: reshape, permute, expand, cat, cast.

Their backward moves the gradient back: reshape it, permute it back, sum it over the
broadcast axes, or split it again. (Indexing, ``x[i]``, is in ``ops/indexing.py``.)

Example:
    >>> import learndl as ld
    >>> x = ld.arange(6.0, requires_grad=True)
    >>> x.reshape(2, 3).T.sum().backward(); x.grad.tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from learndl import backend
from learndl.autograd import Function
from learndl.errors import DeviceError, ShapeError
from learndl.tensor import Tensor


class Reshape(Function):
    name = "reshape"

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, grad):
        return (grad.reshape(self.inputs[0].shape),)


class Permute(Function):
    name = "permute"

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return (grad.permute(*inverse),)


def expand_array(x, shape: tuple[int, ...]):
    """``x`` broadcast to ``shape``: a read-only view, or for small results a filled copy."""
    xp = backend.xp(x)
    if x.size == 1 and math.prod(shape) <= 4096:
        # NOTE: broadcast_to makes a view but spends ~4 us setting it up in Python;
        # filling a small array with one value is ~10x cheaper (sum's backward does this).
        out = xp.empty(shape, x.dtype)
        out.fill(x if x.ndim == 0 else x.reshape(()))
        return out
    return xp.broadcast_to(x, shape)


class Expand(Function):
    name = "expand"

    def forward(self, x):
        return expand_array(x, self.shape)

    def backward(self, grad):
        from learndl.ops._util import sum_to

        return (sum_to(grad, self.inputs[0].shape),)


class Cat(Function):
    name = "cat"

    def forward(self, *arrays):
        return self.xp(*arrays).concatenate(arrays, axis=self.axis)

    def backward(self, grad):
        grads, start = [], 0
        for t in self.inputs:
            index = (slice(None),) * self.axis + (slice(start, start + t.shape[self.axis]),)
            grads.append(grad[index])
            start += t.shape[self.axis]
        return tuple(grads)


def reshape(x: Tensor, *shape) -> Tensor:
    """View ``x`` with a new shape of the same size; one size may be -1 (inferred)."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    if shape == x.shape:
        return x
    known = math.prod(n for n in shape if n != -1)
    if (
        shape.count(-1) > 1
        or (-1 in shape and (known == 0 or x.numel() % known))
        or (-1 not in shape and known != x.numel())
    ):
        raise ShapeError(
            f"reshape: cannot view a tensor of shape {x.shape} ({x.numel()} elements) as "
            f"{shape}. The sizes must multiply to {x.numel()}; at most one may be -1."
        )
    return Reshape.apply(x, shape=shape)


def permute(x: Tensor, *dims) -> Tensor:
    """Reorder the axes: ``permute(x, 0, 2, 1)`` swaps the last two of a 3-D tensor."""
    if len(dims) == 1 and isinstance(dims[0], Sequence):
        dims = tuple(dims[0])
    if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
        raise ShapeError(
            f"permute: {dims} is not an ordering of the {x.ndim} axes of shape {x.shape}."
        )
    return Permute.apply(x, dims=tuple(d % x.ndim for d in dims))


def transpose(x: Tensor, dim0: int = -2, dim1: int = -1) -> Tensor:
    """Swap two axes (by default the last two, as for matrices)."""
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return Permute.apply(x, dims=tuple(dims))


def expand(x: Tensor, *shape) -> Tensor:
    """Broadcast ``x`` to ``shape`` without copying (``broadcast_to``)."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    if shape == x.shape:
        return x
    try:
        x.xp.broadcast_shapes(x.shape, shape)
    except ValueError:
        raise ShapeError(
            f"expand: shape {x.shape} cannot be broadcast to {shape}; only sizes of 1 "
            "stretch, and new axes go on the left."
        ) from None
    return Expand.apply(x, shape=tuple(shape))


broadcast_to = expand


def squeeze(x: Tensor, dim: int | None = None) -> Tensor:
    """Drop axes of size 1 (all of them, or just ``dim``)."""
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dim %= x.ndim
    if x.shape[dim] != 1:
        return x  # as PyTorch: squeezing a larger axis does nothing
    return reshape(x, x.shape[:dim] + x.shape[dim + 1 :])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert an axis of size 1 at ``dim``."""
    dim = dim % (x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def cat(tensors: Sequence[Tensor], dim: int = 0, axis: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``dim``; ``axis`` is accepted too)."""
    dim = dim if axis is None else axis
    tensors = list(tensors)
    if not tensors:
        raise ShapeError("cat: needs at least one tensor.")
    dim %= tensors[0].ndim
    if len({t.device for t in tensors}) > 1:
        raise DeviceError(
            f"cat: the tensors live on {sorted({t.device for t in tensors})}; move them to "
            "one device (.to('cuda') or .cpu()) first."
        )
    first = tensors[0].shape
    for t in tensors[1:]:
        if (
            t.ndim != len(first)
            or t.shape[:dim] + t.shape[dim + 1 :] != first[:dim] + first[dim + 1 :]
        ):
            raise ShapeError(
                f"cat: shapes {first} and {t.shape} differ outside axis {dim}; every size "
                "except the joined one must match."
            )
    return Cat.apply(*tensors, axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0, axis: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    dim = dim if axis is None else axis
    tensors = list(tensors)
    if not tensors:
        raise ShapeError("stack: needs at least one tensor.")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: shapes {tensors[0].shape} and {t.shape} must be equal.")
    return cat([unsqueeze(t, dim) for t in tensors], dim)


class Copy(Function):
    """A differentiable copy (``Tensor.clone``): new memory, gradient passes straight through."""

    name = "clone"

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return (grad,)


class Cast(Function):
    """Change the dtype; the gradient is cast back to the input's dtype."""

    name = "cast"

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, grad):
        (x,) = self.inputs
        return (Cast.apply(grad, dtype=x.dtype) if x.dtype.kind == "f" else None,)
