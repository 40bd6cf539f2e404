"""Small helpers the ops share: turning Python numbers into tensors, and undoing broadcasting."""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl import autograd
from learndl.errors import DTypeError, ShapeError
from learndl.ops.shape import Cast
from learndl.tensor import Tensor


def constant(value: Any, like: Tensor) -> Tensor:
    """A tensor that needs no gradient, with ``like``'s dtype (if float) and device."""
    if isinstance(value, Tensor):
        return value
    xp = like.xp
    dtype = like.dtype if like.dtype.kind == "f" else None
    array = xp.asarray(value, dtype=dtype)
    if dtype is None and array.dtype == np.float64:
        array = array.astype(np.float32)  # learndl's default float
    return Tensor._make(array, False, None)


def binary_operands(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Make both operands tensors of one float dtype, or say clearly why not.

    Python numbers take the tensor's dtype; integer and bool tensors are promoted to the
    other operand's float dtype; two *different* float dtypes are an error, because a
    silent float64 upcast doubles memory and hides a bug more often than not.
    """
    if (
        isinstance(a, Tensor)
        and isinstance(b, Tensor)
        and a.data.dtype == b.data.dtype
        and type(a.data) is type(b.data)
    ):  # the usual case, checked first: two tensors of one dtype on one device
        return a, b
    if not isinstance(a, Tensor):
        a = constant(a, b)
    if not isinstance(b, Tensor):
        b = constant(b, a)
    da, db = a.data.dtype, b.data.dtype
    if da != db:
        if da.kind == "f" and db.kind == "f":
            raise DTypeError(
                f"{op}: operands have dtypes {da} and {db}. learndl does not mix float "
                f"dtypes silently; convert one with .to({str(da)!r}) or .to({str(db)!r})."
            )
        # NOTE: a Cast op, not a cast array wrapped in a new tensor: @ld.function would
        # freeze that tensor as a constant of the first call (an int or bool mask, say).
        if da.kind == "f":
            b = Cast.apply(b, dtype=da)
        elif db.kind == "f":
            a = Cast.apply(a, dtype=db)
    if type(a.data) is not type(b.data) and a.device != b.device:
        from learndl.errors import DeviceError

        raise DeviceError(
            f"{op}: one operand is on {a.device} and the other on {b.device}. "
            f"Move one with .to({a.device!r}) first."
        )
    return a, b


def broadcast_error(op: str, a: Tensor, b: Tensor) -> ShapeError:
    """The error for shapes that do not broadcast, naming both and the rule."""
    return ShapeError(
        f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together. Sizes are "
        "compared from the right and must be equal or 1; reshape or unsqueeze one operand."
    )


def sum_to(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Undo broadcasting: sum ``grad`` down to ``shape`` (the gradient of a broadcast).

    Works on tensors and, in a plain backward (see ``unwrap``), on arrays alike."""
    if grad.shape == shape:  # the usual case: nothing was broadcast
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    return out.reshape(shape)


def unwrap(*tensors: Tensor) -> Any:
    """The arrays inside ``tensors`` during a plain ``backward()``, else the tensors.

    Plain means no graph of the gradient is recorded (no ``create_graph=True``) and no
    ``@ld.function`` tracer listens. A backward formula written on what ``unwrap`` gives
    then runs on raw arrays -- one NumPy call per product instead of a graph node, the
    same formula text -- and ``wrap`` makes tensors of its results again.

    Example:
        >>> import learndl as ld
        >>> from learndl.ops._util import unwrap
        >>> with ld.no_grad():
        ...     type(unwrap(ld.ones(2))[0]).__name__
        'ndarray'
    """
    if autograd.is_recording():
        return tensors
    return [t.data for t in tensors]


_make = Tensor._make


def wrap(*grads: Any) -> tuple[Tensor | None, ...]:
    """Gradients as tensors again (arrays are wrapped; tensors and None pass through)."""
    # NOTE: a list comprehension, not a generator: this runs for every node of every backward
    return tuple(
        [g if g is None or isinstance(g, Tensor) else _make(g, False, None) for g in grads]
    )
