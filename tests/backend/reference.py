"""NumPy versions of learndl's CUDA kernels: what each kernel must compute, element for element.

The GPU tests compare each kernel with these; the CPU tests register them as stand-ins in
``backend.KERNELS["cpu"]`` to exercise the fused Functions' plumbing without a GPU.
"""

from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype)


def relu_backward(grad, y):
    return np.where(y > 0, grad, 0).astype(grad.dtype)


def gelu_forward(x):
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(x.dtype)


def gelu_backward(grad, x):
    cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return (grad * (cdf + x * pdf)).astype(grad.dtype)


def softmax_ce_forward(z, labels):
    top = z.max(axis=1, keepdims=True)
    lse = (top + np.log(np.exp(z - top).sum(axis=1, keepdims=True)))[:, 0]
    loss = lse - z[np.arange(len(z)), labels]
    return loss.astype(z.dtype), lse.astype(z.dtype)


def softmax_ce_backward(z, labels, lse, grad):
    p = np.exp(z - lse[:, None])
    p[np.arange(len(z)), labels] -= 1.0
    return (p * np.broadcast_to(grad, (len(z),))[:, None]).astype(z.dtype)


def im2col(x, kernel, stride, padding):
    """Windows (N, C, oh, ow, kh, kw) by plain loops: the slow, obvious definition."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c, h, w = xp.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.empty((n, c, oh, ow, kh, kw), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = xp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
    return out


def col2im(cols, shape, kernel, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), cols.dtype)
    for i in range(cols.shape[2]):
        for j in range(cols.shape[3]):
            out[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += cols[:, :, i, j]
    return out[:, :, ph : ph + h, pw : pw + w]


def max_pool_forward(x, kernel, stride):
    """Max of each window and the flat index of its first largest element, by plain loops."""
    (kh, kw), (sh, sw) = kernel, stride
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out, where = np.empty((n, c, oh, ow), x.dtype), np.empty((n, c, oh, ow), np.int64)
    for i in np.ndindex(n, c, oh, ow):
        window = x[i[0], i[1], i[2] * sh : i[2] * sh + kh, i[3] * sw : i[3] * sw + kw]
        ky, kx = np.unravel_index(np.argmax(window), window.shape)  # argmax: the first max
        out[i] = window[ky, kx]
        where[i] = np.ravel_multi_index((i[0], i[1], i[2] * sh + ky, i[3] * sw + kx), x.shape)
    return out, where


def max_pool_backward(grad, where, shape):
    dx = np.zeros(int(np.prod(shape)), grad.dtype)
    np.add.at(dx, where.ravel(), grad.ravel())
    return dx.reshape(shape)


STAND_INS = {
    "max_pool2d": max_pool_forward,
    "max_pool2d_backward": max_pool_backward,
    "relu": relu_forward,
    "relu_backward": relu_backward,
    "gelu_forward": gelu_forward,
    "gelu_backward": gelu_backward,
    "softmax_ce_forward": softmax_ce_forward,
    "softmax_ce_backward": softmax_ce_backward,
    "unfold": im2col,
    "fold": col2im,
}
