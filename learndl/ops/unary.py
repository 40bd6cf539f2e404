"""One-input elementwise ops: exp, log, sqrt, abs, tanh, sigmoid, relu, clip, erf.

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
from learndl.autograd import Function, is_recording
from learndl.ops._util import unwrap, wrap
from learndl.tensor import Tensor


def _mask(condition, like: Tensor) -> Tensor:
    """A constant 0/1 tensor of ``like``'s dtype: the derivative of a piecewise op.
    (An array, when ``like`` is one: in a plain backward, see ``_util.unwrap``.)"""
    mask = condition.astype(like.dtype)
    return Tensor._make(mask, False, None) if isinstance(like, Tensor) else mask


class Exp(Function):
    name = "exp"

    def forward(self, x):
        return self.xp(x).exp(x)

    def backward(self, grad):
        grad, y = unwrap(grad, self.saved_output)  # arrays in a plain backward()
        return wrap(grad * y)  # d(e^x)/dx = e^x


class Log(Function):
    name = "log"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return self.xp(x).log(x)

    def backward(self, grad):
        grad, x = unwrap(grad, *self.saved_tensors)  # arrays in a plain backward()
        return wrap(grad / x)


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
        grad, y = unwrap(grad, self.saved_output)  # arrays in a plain backward()
        return wrap(grad * (1.0 - y * y))


class Sigmoid(Function):
    name = "sigmoid"

    def forward(self, x):
        # 1 / (1 + e^-x) overflows for large negative x; this form never does.
        xp = self.xp(x)
        return 0.5 * (1.0 + xp.tanh(0.5 * x))

    def backward(self, grad):
        grad, y = unwrap(grad, self.saved_output)  # arrays in a plain backward()
        return wrap(grad * y * (1.0 - y))


class Relu(Function):
    name = "relu"

    def forward(self, x):
        gpu = backend.gpu_kernel("relu", x)  # a CUDA kernel on the GPU, None on the CPU
        return gpu(x) if gpu else self.xp(x).maximum(x, 0)

    def backward(self, grad):
        gpu = backend.gpu_kernel("relu_backward", grad.data)
        if gpu and not is_recording():  # a plain backward (see autograd.is_recording): one kernel
            return (Tensor._make(gpu(grad.data, self.saved_output.data), False, None),)
        # NOTE: the 0/1 mask (out > 0) is a constant to autograd, so the second derivative
        # is 0 as it should be; grad * relu(x) / x would divide by zero. (A mask multiply,
        # not where(out > 0, grad, 0): NumPy's where is ~8x slower on a random mask.)
        y = self.saved_output
        (grad,) = unwrap(grad)  # an array in a plain backward()
        return wrap(grad * _mask(y.data > 0, grad))


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


# Coefficients of Cephes' erf/erfc (Stephen L. Moshier, cephes/ndtr.c), highest power
# first. NOTE: Cephes' p1evl leaves out the leading 1.0 of U and Q; here it is written in.
_ERF_T = (
    9.60497373987051638749e0,
    9.00260197203842689217e1,
    2.23200534594684319226e3,
    7.00332514112805075473e3,
    5.55923013010394962768e4,
)
_ERF_U = (
    1.0,
    3.35617141647503099647e1,
    5.21357949780152679795e2,
    4.59432382970980127987e3,
    2.26290000613890934246e4,
    4.92673942608635921086e4,
)
_ERFC_P = (
    2.46196981473530512524e-10,
    5.64189564831068821977e-1,
    7.46321056442269912687e0,
    4.86371970985681366614e1,
    1.96520832956077098242e2,
    5.26445194995477358631e2,
    9.34528527171957607540e2,
    1.02755188689515710272e3,
    5.57535335369399327526e2,
)
_ERFC_Q = (
    1.0,
    1.32281951154744992508e1,
    8.67072140885989742329e1,
    3.54937778887819891062e2,
    9.75708501743205489753e2,
    1.82390916687909736289e3,
    2.24633760818710981792e3,
    1.65666309194161350182e3,
    5.57535340817727675546e2,
)


def _horner(coefficients, t):
    """``c[0] t^n + c[1] t^(n-1) + ... + c[n]``, one multiply-add per coefficient."""
    result = coefficients[0]
    for c in coefficients[1:]:
        result = result * t + c
    return result


class Erf(Function):
    """The error function, for the exact GELU. NumPy has no erf, so the forward uses
    Cephes' rational approximations, good to the last bit or two of a float64 (at most
    2 ulp, relative error below 5e-16, against ``math.erf``):

    - ``|x| < 1``: ``erf(x) = x T(x²) / U(x²)``;
    - ``|x| >= 1``: ``erf(|x|) = 1 - e^(-x²) P(|x|) / Q(|x|)``, and ``erf(-x) = -erf(x)``.

    P/Q covers ``1 <= |x| <= 8``; past 8, ``|x|`` is held at 8, where ``erf`` is ±1 to the
    last bit (it is from ``|x| ≈ 5.9`` on). inf gives ±1, nan stays nan.
    """

    name = "erf"

    def forward(self, x):
        xp = self.xp(x)
        self.save_for_backward(self.inputs[0])
        a = xp.abs(x)
        # NOTE: both branches run on every element, so each gets inputs clipped to its own
        # range: x² of a huge x would overflow and warn even where the result is unused.
        near = xp.clip(x, -1.0, 1.0)  # x T/U is odd: the sign (even of -0.0) carries through
        near = near * _horner(_ERF_T, near * near) / _horner(_ERF_U, near * near)
        far = xp.clip(a, 1.0, 8.0)
        far = 1.0 - xp.exp(-far * far) * _horner(_ERFC_P, far) / _horner(_ERFC_Q, far)
        return xp.where(a < 1.0, near, xp.sign(x) * far).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (2.0 / 3.141592653589793**0.5) * exp(-(x * x)),)  # d erf/dx = 2/√π e^(-x²)


def erf(x: Tensor) -> Tensor:
    """Elementwise error function ``2/√π ∫₀ˣ e^(-t²) dt``, to float64 precision.

    Example:
        >>> import learndl as ld
        >>> ld.erf(ld.tensor([0.0, 0.5, -30.0], dtype="float64")).tolist()
        [0.0, 0.5204998778130465, -1.0]
    """
    return Erf.apply(x)
