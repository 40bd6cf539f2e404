"""One-input elementwise ops: exp, log, sqrt, abs, tanh, sigmoid, relu, clip.

Where the derivative is cheapest from the output (exp, sqrt, tanh, sigmoid, relu),
backward reuses ``self.saved_output`` instead of recomputing.

Example:
    >>> import learndl as ld
    >>> x = ld.tensor([0.0], requires_grad=True)
    >>> ld.sigmoid(x).backward(ld.ones(1)); x.grad.tolist()
    [0.25]
"""

from __future__ import annotations

from learndl import backend
from learndl.autograd import Function, is_grad_enabled
from learndl.tensor import Tensor


def _mask(condition, like: Tensor) -> Tensor:
    """A constant 0/1 tensor of ``like``'s dtype: the derivative of a piecewise op."""
    return Tensor._make(condition.astype(like.dtype), False, None)


class Exp(Function):
    name = "exp"

    def forward(self, x):
        return self.xp(x).exp(x)

    def backward(self, grad):
        return (grad * self.saved_output,)  # d(e^x)/dx = e^x


class Log(Function):
    name = "log"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return self.xp(x).log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / x,)


class Sqrt(Function):
    name = "sqrt"

    def forward(self, x):
        return self.xp(x).sqrt(x)

    def backward(self, grad):
        return (grad / (self.saved_output * 2.0),)


class Abs(Function):
    name = "abs"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return self.xp(x).abs(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        xp = self.xp(x.data)
        return (grad * _mask(xp.sign(x.data), x),)  # NOTE: 0 at x == 0, as PyTorch


class Tanh(Function):
    name = "tanh"

    def forward(self, x):
        return self.xp(x).tanh(x)

    def backward(self, grad):
        y = self.saved_output
        return (grad * (1.0 - y * y),)


class Sigmoid(Function):
    name = "sigmoid"

    def forward(self, x):
        # 1 / (1 + e^-x) overflows for large negative x; this form never does.
        xp = self.xp(x)
        return 0.5 * (1.0 + xp.tanh(0.5 * x))

    def backward(self, grad):
        y = self.saved_output
        return (grad * y * (1.0 - y),)


class Relu(Function):
    name = "relu"

    def forward(self, x):
        gpu = backend.gpu_kernel("relu", x)  # a CUDA kernel on the GPU, None on the CPU
        return gpu(x) if gpu else self.xp(x).maximum(x, 0)

    def backward(self, grad):
        gpu = backend.gpu_kernel("relu_backward", grad.data)
        if gpu and not is_grad_enabled():  # a plain backward (no create_graph): one kernel
            return (Tensor._make(gpu(grad.data, self.saved_output.data), False, None),)
        # NOTE: the 0/1 mask (out > 0) is a constant to autograd, so the second derivative
        # is 0 as it should be; grad * relu(x) / x would divide by zero. (A mask multiply,
        # not where(out > 0, grad, 0): NumPy's where is ~8x slower on a random mask.)
        y = self.saved_output
        return (grad * _mask(y.data > 0, grad),)


class Clip(Function):
    name = "clip"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return self.xp(x).clip(x, self.low, self.high)

    def backward(self, grad):
        (x,) = self.saved_tensors
        inside = self.xp(x.data).ones(x.shape, dtype=bool)
        if self.low is not None:
            inside = inside & (x.data >= self.low)
        if self.high is not None:
            inside = inside & (x.data <= self.high)
        return (grad * _mask(inside, x),)


def exp(x: Tensor) -> Tensor:
    """Elementwise ``e ** x``."""
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm."""
    return Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root."""
    return Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001
    """Elementwise absolute value."""
    return Abs.apply(x)


def tanh(x: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    """Elementwise logistic function ``1 / (1 + e ** -x)``."""
    return Sigmoid.apply(x)


def relu(x: Tensor) -> Tensor:
    """Elementwise ``max(x, 0)``."""
    return Relu.apply(x)


def clip(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to ``[min, max]``; the gradient is 0 where a value was clipped."""
    return Clip.apply(x, low=min, high=max)


class Erf(Function):
    """The error function, for the exact GELU. NumPy has no erf, so the forward uses
    Abramowitz & Stegun's formula 7.1.26 (largest error 1.5e-7, float32's own precision)."""

    name = "erf"

    def forward(self, x):
        xp = self.xp(x)
        self.save_for_backward(self.inputs[0])
        t = 1.0 / (1.0 + 0.3275911 * xp.abs(x))
        poly = t * (
            0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
        )
        return (xp.sign(x) * (1.0 - poly * xp.exp(-x * x))).astype(x.dtype)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (2.0 / 3.141592653589793**0.5) * exp(-(x * x)),)  # d erf/dx = 2/√π e^(-x²)


def erf(x: Tensor) -> Tensor:
    """Elementwise error function."""
    return Erf.apply(x)
