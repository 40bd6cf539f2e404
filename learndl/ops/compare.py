"""Ops that choose between values: maximum, minimum, where.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor([1.0, 5.0], requires_grad=True)
    >>> ld.maximum(a, ld.tensor([3.0, 3.0])).sum().backward(); a.grad.tolist()
    [0.0, 1.0]
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import Function
from learndl.errors import DeviceError
from learndl.ops._util import binary_operands, broadcast_error, constant, sum_to
from learndl.ops.arithmetic import _binary
from learndl.tensor import Tensor


def _share(a: Tensor, b: Tensor, a_wins) -> tuple[Tensor, Tensor]:
    """Where ``a`` wins it takes the gradient; on ties both take half (as PyTorch)."""
    ties = (a.data == b.data).astype(a.dtype)
    wa = Tensor._make(a_wins.astype(a.dtype) + 0.5 * ties, False, None)
    wb = Tensor._make(1.0 - wa.data, False, None)
    return wa, wb


class Maximum(Function):
    name = "maximum"

    def forward(self, a, b):
        self.save_for_backward(*self.inputs)
        return self.xp(a, b).maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        wa, wb = _share(a, b, a.data > b.data)
        return sum_to(grad * wa, a.shape), sum_to(grad * wb, b.shape)


class Minimum(Function):
    name = "minimum"

    def forward(self, a, b):
        self.save_for_backward(*self.inputs)
        return self.xp(a, b).minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        wa, wb = _share(a, b, a.data < b.data)
        return sum_to(grad * wa, a.shape), sum_to(grad * wb, b.shape)


class Where(Function):
    """``where(condition, a, b)``: the condition is a constant, the gradient follows the choice."""

    name = "where"

    def forward(self, condition, a, b):
        return self.xp(a, b).where(condition, a, b)

    def backward(self, grad):
        condition, a, b = self.inputs
        zero = constant(0.0, grad)
        return (
            None,
            sum_to(where(condition, grad, zero), a.shape),
            sum_to(where(condition, zero, grad), b.shape),
        )


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``."""
    return _binary(Maximum, a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``."""
    return _binary(Minimum, a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` is true and ``b`` elsewhere, with broadcasting.

    Example:
        >>> import learndl as ld
        >>> x = ld.tensor([-1.0, 2.0])
        >>> ld.where(x > 0, x, 0.0).tolist()
        [0.0, 2.0]
    """
    a, b = binary_operands("where", a, b)
    if not isinstance(condition, Tensor):
        condition = Tensor._make(a.xp.asarray(condition, dtype=bool), False, None)
    elif condition.dtype != bool:
        condition = Tensor._make(condition.data.astype(bool), False, None)
    if type(condition.data) is not type(a.data) and condition.device != a.device:
        raise DeviceError(
            f"where: the condition is on {condition.device} and the values on {a.device}. "
            f"Move the condition with .to({a.device!r}) first."
        )
    try:
        return Where.apply(condition, a, b)
    except ValueError as e:
        raise broadcast_error("where", a, b) from e
