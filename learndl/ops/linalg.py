"""Matrix multiplication, batched over leading axes like ``numpy.matmul``; and ``linear``.

For ``C = A @ B`` the chain rule gives ``dA = dC @ B^T`` and ``dB = A^T @ dC``; batch axes
that were broadcast are summed back. ``linear`` is the fully connected layer's
``x @ W.T + b`` as one node: its backward is three products of the same kind.

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
from learndl.ops._util import binary_operands, sum_to, unwrap, wrap
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


class Linear(Function):
    """``x @ weight.T + bias`` in one node; ``weight`` is (out, in), ``x`` is (..., in).

    Three ops (transpose, matmul, add) would record three nodes, and their backward seven;
    a network is mostly these layers, so one node makes a training step cheaper.
    """

    name = "linear"

    def forward(self, x, weight, bias=None):
        self.save_for_backward(*self.inputs[:2])
        rows = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])  # leading axes as one batch
        out = rows @ weight.T  # NOTE: weight.T is a view; BLAS reads it transposed, no copy
        if bias is not None:
            out += bias  # out is a fresh array: adding in place saves one allocation
        return out if x.ndim == 2 else out.reshape(*x.shape[:-1], weight.shape[0])

    def backward(self, grad):
        x, weight = self.saved_tensors
        need_x, need_w, *need_b = self.needs_input_grad
        # Arrays in a plain backward() (see _util.unwrap): the formulas below read the same
        # on arrays and on tensors (@, .T, .sum, .reshape work on both).
        g, x, w = unwrap(grad, x, weight)
        rows = x
        if g.ndim != 2:  # fold the leading axes, as forward did
            rows, g = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
        grad_x = grad_w = grad_b = None
        if need_x:  # a network's input needs none: skipping it saves a matrix product
            grad_x = g @ w  # (N, out) @ (out, in)
            grad_x = grad_x if rows is x else grad_x.reshape(x.shape)
        if need_w:  # (out, N) @ (N, in) lands in weight's own (out, in) layout
            grad_w = g.T @ rows
        if need_b and need_b[0]:
            grad_b = g.sum(axis=0)
        return wrap(*(grad_x, grad_w, grad_b)[: len(self.inputs)])


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``, with ``weight`` of shape (out_features, in_features) as PyTorch.

    Example:
        >>> import learndl as ld
        >>> x, w = ld.ones(2, 3), ld.ones(4, 3, requires_grad=True)
        >>> y = ld.linear(x, w, ld.zeros(4))
        >>> y.shape, y.grad_fn.name
        ((2, 4), 'linear')
    """
    x, weight = binary_operands("linear", x, weight)
    xs, ws = x.data.shape, weight.data.shape  # (the arrays' own shapes: no property calls)
    if len(ws) != 2:
        raise ShapeError(
            f"linear: the weight must be 2-D (out_features, in_features), got {weight.shape}."
        )
    if not xs or xs[-1] != ws[-1]:
        got = x.shape[-1] if x.ndim else 1
        raise ShapeError(
            f"linear: input {x.shape} has {got} features but the weight {weight.shape} "
            f"expects {weight.shape[-1]}. Did Linear({weight.shape[-1]}, {weight.shape[0]}) "
            f"expect in_features={got}?"
        )
    if bias is None:
        return Linear.apply(x, weight)
    if bias.data.dtype != weight.data.dtype:
        weight, bias = binary_operands("linear", weight, bias)
    return Linear.apply(x, weight, bias)
