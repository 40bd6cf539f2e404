"""Indexing: ``x[index]`` with NumPy's basic and integer-array indexing, and its adjoint.

The backward of a pick scatter-adds the gradient into the picked places (a place picked
twice gets both gradients). ``SetItem`` is ``x[index] = value`` as a value, for traced code.

Example:
    >>> import learndl as ld
    >>> x = ld.arange(6.0, requires_grad=True)
    >>> x[ld.tensor([0, 0, 5])].sum().backward(); x.grad.tolist()
    [2.0, 0.0, 0.0, 0.0, 0.0, 1.0]
"""

from __future__ import annotations

from learndl import backend
from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.tensor import Tensor


class GetItem(Function):
    name = "getitem"

    def forward(self, x):
        return x[self.index]

    def backward(self, grad):
        return (ScatterAdd.apply(grad, index=self.index, shape=self.inputs[0].shape),)


class ScatterAdd(Function):
    """The adjoint of indexing: zeros of ``shape`` with ``grad`` added at ``index``.

    Repeated indices add up (``x[[0, 0]]`` sends two gradients to ``x[0]``).
    """

    name = "scatter_add"

    def forward(self, grad):
        xp = self.xp(grad)
        out = xp.zeros(self.shape, dtype=grad.dtype)
        if _is_basic(self.index):
            out[self.index] = grad  # slices never repeat a place: plain assignment is enough
        else:
            backend.scatter_add(out, self.index, grad)  # numpy.add.at / cupyx.scatter_add
        return out

    def backward(self, grad):
        return (grad[self.index],)


class SetItem(Function):
    """``x`` with ``value`` written at ``index``, as a new array: ``x[index] = value`` traced.

    ``@ld.function`` records an in-place write as this op, so that every replay makes it.
    No gradient: eager autograd does not see an in-place write either.
    """

    name = "setitem"

    def forward(self, x, value):
        out = x.copy()
        out[self.index] = value
        return out

    def backward(self, grad):
        return (None, None)


def _is_basic(index) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (no arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice) or p is None or p is Ellipsis for p in parts)


def _raw_index(index):
    """Tensors inside an index become their arrays (labels, masks)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(_raw_index(i) for i in index)
    if isinstance(index, list):
        return index if not index or not isinstance(index[0], Tensor) else [i.data for i in index]
    return index


def _has_mask(index) -> bool:
    """True when a boolean tensor is part of ``index`` (``x[x > 0]``)."""
    # NOTE: a plain loop, not any(...) over a generator: this runs on every eager getitem
    for part in index if type(index) is tuple else (index,):
        if isinstance(part, Tensor) and part.data.dtype.kind == "b":
            return True
    return False


def _refuse_mask_while_tracing(x: Tensor, index) -> None:
    """A mask picks as many values as it holds True: a shape a static graph cannot fix."""
    from learndl.static.tracer import TracingError, current  # lazily: static imports ops

    if current() is not None:
        raise TracingError(
            f"getitem: indexing a tensor of shape {x.shape} with a boolean mask inside "
            "@ld.function. The result has as many values as the mask holds True, which "
            "changes from call to call, but a traced graph has fixed shapes. Keep the "
            "shape: ld.where(mask, x, 0.0) (then .sum() over it), or (x * mask).sum() / "
            "mask.sum() for a masked mean; or index outside the decorated function."
        )


def getitem(x: Tensor, index) -> Tensor:
    """``x[index]`` with NumPy's basic and integer-array indexing; gradients scatter-add back."""
    if _has_mask(index):
        _refuse_mask_while_tracing(x, index)
    index = _raw_index(index)
    try:
        return GetItem.apply(x, index=index)
    except IndexError as e:
        raise ShapeError(f"getitem: index does not fit shape {x.shape}: {e}") from None
