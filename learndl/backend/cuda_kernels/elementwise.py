"""ReLU and GELU, forward and backward, as CuPy ``ElementwiseKernel``s.

An ElementwiseKernel is the gentlest way into CUDA: you write the C++ body for *one*
element, and CuPy writes the rest -- the loop, one GPU thread per element, broadcasting,
and the type ``T``, bound to the input's dtype (``float`` or ``double``) when called.

Each kernel is four strings: input parameters, output parameters, the body, a name.

Example (on a machine with a GPU):
    >>> relu = make(RELU_FORWARD)            # doctest: +SKIP
    >>> relu(cupy.asarray([-1.0, 2.0]))      # doctest: +SKIP
    array([0., 2.])
"""

from __future__ import annotations

from typing import Any

# y = max(x, 0). NOTE: `(T)0`, not `0`: a bare 0 is an int, and `x > 0 ? x : 0` would mix
# types in the ?: operator.
RELU_FORWARD = ("T x", "T y", "y = x > (T)0 ? x : (T)0", "learndl_relu_forward")

# The gradient flows where the output was positive and stops elsewhere. Reading the output
# y (saved by the forward) instead of x lets the forward's input be freed.
RELU_BACKWARD = ("T grad, T y", "T dx", "dx = y > (T)0 ? grad : (T)0", "learndl_relu_backward")

# GELU(x) = x * Phi(x), with Phi the standard normal CDF: Phi(x) = (1 + erf(x / sqrt 2)) / 2.
# CUDA's math library has erf for float and double; 0.7071... is 1 / sqrt(2).
GELU_FORWARD = (
    "T x",
    "T y",
    "y = (T)0.5 * x * ((T)1 + erf(x * (T)0.70710678118654752))",
    "learndl_gelu_forward",
)

# d/dx [x Phi(x)] = Phi(x) + x phi(x), with the normal density phi(x) = e^(-x^2/2) / sqrt(2 pi).
# Recomputing Phi here is cheaper than storing it: memory, not arithmetic, limits a GPU.
GELU_BACKWARD = (
    "T grad, T x",
    "T dx",
    """
    T cdf = (T)0.5 * ((T)1 + erf(x * (T)0.70710678118654752));
    T pdf = exp((T)-0.5 * x * x) * (T)0.39894228040143268;
    dx = grad * (cdf + x * pdf)
    """,
    "learndl_gelu_backward",
)

ALL = {
    "relu_forward": RELU_FORWARD,
    "relu_backward": RELU_BACKWARD,
    "gelu_forward": GELU_FORWARD,
    "gelu_backward": GELU_BACKWARD,
}


def make(spec: tuple[str, str, str, str]) -> Any:
    """A ``cupy.ElementwiseKernel`` from one of the specs above (compiled on first call)."""
    import cupy

    return cupy.ElementwiseKernel(*spec)
