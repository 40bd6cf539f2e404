"""Arithmetic: add, sub, mul, div, neg, pow. Each op's forward and backward sit side by side.

Binary ops broadcast like NumPy; their backward sums each gradient back to its input's
shape with ``sum_to``.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor([1.0, 2.0], requires_grad=True)
    >>> (a * a).sum().backward(); a.grad.tolist()
    [2.0, 4.0]
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import Function
from learndl.ops._util import binary_operands, broadcast_error, sum_to, unwrap, wrap
from learndl.tensor import Tensor


class Add(Function):
    name = "add"

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        a, b = self.inputs
        if grad.shape == a.shape == b.shape:  # nothing was broadcast: grad passes through
            return grad, grad
        (g,) = unwrap(grad)
        return wrap(sum_to(g, a.shape), sum_to(g, b.shape))


class Sub(Function):
    name = "sub"

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        a, b = self.inputs
        (g,) = unwrap(grad)
        return wrap(sum_to(g, a.shape), sum_to(-g, b.shape))


class Mul(Function):
    name = "mul"

    def forward(self, a, b):
        self.save_for_backward(*self.inputs)
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad, a, b = unwrap(grad, a, b)  # arrays in a plain backward(): see _util.unwrap
        return wrap(
            sum_to(grad * b, a.shape) if need_a else None,
            sum_to(grad * a, b.shape) if need_b else None,
        )


class Div(Function):
    name = "div"

    def forward(self, a, b):
        self.save_for_backward(*self.inputs)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        grad, a, b = unwrap(grad, a, b)  # arrays in a plain backward(): see _util.unwrap
        grad_a = grad / b
        return wrap(sum_to(grad_a, a.shape), sum_to(-grad_a * a / b, b.shape))


class Neg(Function):
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, grad):
        return (-grad,)


class Pow(Function):
    """``x ** exponent`` for a number ``exponent`` (a tensor exponent is composed: exp(b log a))."""

    name = "pow"

    def forward(self, a):
        self.save_for_backward(self.inputs[0])
        return a**self.exponent

    def backward(self, grad):
        (a,) = self.saved_tensors
        if self.exponent == 0:
            return (grad * 0.0,)
        return (grad * self.exponent * a ** (self.exponent - 1),)


def _binary(op: type[Function], a: Any, b: Any) -> Tensor:
    a, b = binary_operands(op.name, a, b)
    try:
        return op.apply(a, b)
    except ValueError as e:
        if a.shape != b.shape:
            raise broadcast_error(op.name, a, b) from e
        raise


def add(a: Any, b: Any) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    return _binary(Add, a, b)


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    return _binary(Sub, a, b)


def mul(a: Any, b: Any) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    return _binary(Mul, a, b)


def div(a: Any, b: Any) -> Tensor:
    """Elementwise ``a / b`` with broadcasting; integers divide to float32, as in PyTorch."""
    a, b = binary_operands("div", a, b)
    if a.dtype.kind != "f":  # both are integer: NumPy would give float64, learndl gives float32
        a, b = a.to(dtype="float32"), b.to(dtype="float32")
    return _binary(Div, a, b)


def neg(a: Tensor) -> Tensor:
    """Elementwise ``-a``."""
    return Neg.apply(a)


def pow(a: Any, exponent: Any) -> Tensor:  # noqa: A001 - the name learners know
    """Elementwise ``a ** exponent``; a tensor exponent is composed: ``exp(exponent * log(a))``."""
    if isinstance(exponent, Tensor):
        from learndl.ops.unary import exp, log

        return exp(mul(exponent, log(a)))
    return Pow.apply(a, exponent=exponent)
