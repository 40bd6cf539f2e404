"""Max pooling as two ``RawKernel``s: the largest value of each window, and its gradient.

The forward runs one thread per *output* value: it walks its window, keeps the largest
value and remembers where it was (a flat index into the input). A tie keeps the first
largest, as PyTorch does, because only a strictly larger value replaces it. The backward
needs nothing else: each output's gradient goes to the pixel its thread remembered.

On the CPU, learndl pools with im2col and whole-row reductions (``learndl/ops/pool.py``);
on the GPU that is about a dozen kernel launches each way, here it is one.
"""

from __future__ import annotations

import numpy as np

SOURCE = r"""
extern "C" __global__ void max_pool_forward(
    const T* x, T* out, long long* where, int N, int C, int H, int W, int OH, int OW,
    int KH, int KW, int SH, int SW)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * C * OH * OW) return;
    int ox = i % OW;  long long r = i / OW;     // unflatten i = (n, c, oy, ox)
    int oy = r % OH;  r /= OH;                  // r = n * C + c: which image plane
    const T* plane = x + r * H * W;
    int best = (oy * SH) * W + ox * SW;         // the window's top-left pixel, to start
    for (int ky = 0; ky < KH; ++ky) {
        for (int kx = 0; kx < KW; ++kx) {
            int p = (oy * SH + ky) * W + (ox * SW + kx);
            // strictly larger: on a tie the first stays; a NaN wins, as in NumPy's max
            if (plane[p] > plane[best] || (isnan(plane[p]) && !isnan(plane[best]))) best = p;
        }
    }
    out[i] = plane[best];
    where[i] = r * H * W + best;                // a flat index into x, for the backward
}

// Windows overlap when the stride is smaller than the kernel, so two outputs may send
// their gradient to the same pixel: atomicAdd makes those additions safe.
extern "C" __global__ void max_pool_backward(
    const T* grad, const long long* where, T* dx, long long count)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    atomicAdd(&dx[where[i]], grad[i]);
}
"""

KERNELS = ("max_pool_forward", "max_pool_backward")
THREADS = 256


def _launch(kernel, count, args):
    kernel(((count + THREADS - 1) // THREADS,), (THREADS,), tuple(args))


def forward(kernels, x, kernel, stride):
    """Max of every window of ``x`` (N, C, H, W), and the flat index in ``x`` of each max."""
    import cupy

    x = cupy.ascontiguousarray(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = cupy.empty((n, c, oh, ow), x.dtype)
    where = cupy.empty(out.shape, cupy.int64)
    dims = [np.int32(v) for v in (n, c, h, w, oh, ow, kh, kw, sh, sw)]
    _launch(kernels["max_pool_forward"], out.size, [x, out, where, *dims])
    return out, where


def backward(kernels, grad, where, shape):
    """The input's gradient: each output's ``grad`` added at the pixel ``where`` names."""
    import cupy

    grad = cupy.ascontiguousarray(grad)
    dx = cupy.zeros(shape, grad.dtype)
    _launch(kernels["max_pool_backward"], grad.size, [grad, where, dx, np.int64(grad.size)])
    return dx
