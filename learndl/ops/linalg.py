"""Matrix multiplication, batched over leading axes like ``numpy.matmul``.

For ``C = A @ B`` the chain rule gives ``dA = dC @ B^T`` and ``dB = A^T @ dC``; batch axes
that were broadcast are summed back.

Example:
    >>> import learndl as ld
    >>> a = ld.ones(2, 3, requires_grad=True)
    >>> (a @ ld.ones(3, 4)).sum().backward(); a.grad.tolist()
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.ops._util import binary_operands, sum_to
from learndl.tensor import Tensor


class MatMul(Function):
    """``a @ b`` for tensors of 2 or more dims (1-D operands are reshaped by ``matmul``)."""

    name = "matmul"

    def forward(self, a, b):
        self.save_for_backward(*self.inputs)
        return a @ b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        # A network's input needs no gradient: skipping it saves a whole matrix product.
        grad_a = sum_to(grad @ b.transpose(-1, -2), a.shape) if need_a else None
        if not need_b:
            grad_b = None
        elif b.ndim == 2 and not b.data.flags.c_contiguous and b.data.flags.f_contiguous:
            # NOTE: in linear(), b is the transposed view W.T. Computing (dC^T A)^T instead
            # of A^T dC is the same number, but lands in W's own memory layout: the
            # optimizer's update W -= lr * W.grad then streams memory instead of striding.
            grad_b = (grad.transpose(-1, -2) @ a).transpose(-1, -2)
        else:
            grad_b = a.transpose(-1, -2) @ grad
        return grad_a, grad_b if grad_b is None else sum_to(grad_b, b.shape)


def _shape_error(a: Tensor, b: Tensor) -> ShapeError:
    message = (
        f"matmul: {a.shape} @ {b.shape}: inner sizes {a.shape[-1]} and "
        f"{b.shape[-2] if b.ndim > 1 else b.shape[0]} differ."
    )
    if a.ndim == 2 and b.ndim == 2:
        message += (
            f" A (batch, {a.shape[-1]}) input needs a ({a.shape[-1]}, n) weight; "
            f"did a Linear({b.shape[0]}, {b.shape[1]}) expect in_features={a.shape[-1]}?"
        )
    else:
        message += " The last axis of the left operand must equal the second-to-last of the right."
    return ShapeError(message)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b``; 1-D operands act as row or column vectors, as in NumPy."""
    a, b = binary_operands("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: {a.shape} @ {b.shape}: use * to multiply by a scalar.")
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise _shape_error(a, b)
    if a.ndim == 1:  # a row vector: (n,) -> (1, n), then drop that axis again
        return matmul(a.reshape(1, -1), b).squeeze(-2)
    if b.ndim == 1:  # a column vector: (n,) -> (n, 1)
        return matmul(a, b.reshape(-1, 1)).squeeze(-1)
    try:
        return MatMul.apply(a, b)
    except ValueError as e:
        raise ShapeError(
            f"matmul: batch shapes {a.shape[:-2]} and {b.shape[:-2]} cannot be broadcast."
        ) from e
