"""im2col and col2im as ``RawKernel``s: the two data movements under every convolution.

``im2col`` copies every (kh, kw) window of an image batch into a row of its own, so a
convolution becomes one matrix product. Its output has ``Unfold``'s 6-D layout
(N, C, out_h, out_w, kh, kw), so it passes the same tests. ``col2im`` is its adjoint: it
adds each window value back into the pixel it came from (the gradient of im2col).

Both use one thread per output value; a thread turns its flat index ``i`` back into
coordinates with ``%`` and ``/``, innermost axis first.
"""

from __future__ import annotations

import numpy as np

SOURCE = r"""
extern "C" __global__ void im2col(
    const T* x, T* cols, int N, int C, int H, int W, int OH, int OW,
    int KH, int KW, int SH, int SW, int PH, int PW)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * C * OH * OW * KH * KW) return;
    int kx = i % KW;  long long r = i / KW;     // unflatten i = (n, c, oy, ox, ky, kx)
    int ky = r % KH;  r /= KH;
    int ox = r % OW;  r /= OW;
    int oy = r % OH;  r /= OH;
    int c = r % C;    int n = r / C;
    int iy = oy * SH + ky - PH;                 // the input pixel this value copies;
    int ix = ox * SW + kx - PW;                 // outside the image it is zero padding
    bool inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
    cols[i] = inside ? x[(((long long)n * C + c) * H + iy) * W + ix] : (T)0;
}

// One thread per *input* pixel: it gathers every window value copied from it. Each thread
// writes only its own pixel, so no two threads collide and no atomicAdd is needed.
extern "C" __global__ void col2im(
    const T* cols, T* x, int N, int C, int H, int W, int OH, int OW,
    int KH, int KW, int SH, int SW, int PH, int PW)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * C * H * W) return;
    int w = i % W;  long long r = i / W;        // unflatten i = (n, c, h, w)
    int h = r % H;  r /= H;
    int c = r % C;  int n = r / C;
    T total = 0;
    for (int ky = 0; ky < KH; ++ky) {
        int ty = h + PH - ky;                   // window row oy covers h at ky iff
        if (ty < 0 || ty % SH != 0) continue;   // oy * SH + ky - PH == h
        int oy = ty / SH;
        if (oy >= OH) continue;
        for (int kx = 0; kx < KW; ++kx) {
            int tx = w + PW - kx;
            if (tx < 0 || tx % SW != 0) continue;
            int ox = tx / SW;
            if (ox >= OW) continue;
            total += cols[((((((long long)n * C + c) * OH + oy) * OW + ox) * KH + ky) * KW) + kx];
        }
    }
    x[i] = total;
}
"""

KERNELS = ("im2col", "col2im")
THREADS = 256


def _launch(kernel, count, args):
    kernel(((count + THREADS - 1) // THREADS,), (THREADS,), tuple(args))


def _dims(n, c, h, w, oh, ow, kernel, stride, padding):
    return [np.int32(v) for v in (n, c, h, w, oh, ow, *kernel, *stride, *padding)]


def im2col(kernels, x, kernel, stride, padding):
    """Windows of ``x`` (N, C, H, W): a new (N, C, out_h, out_w, kh, kw) array."""
    import cupy

    x = cupy.ascontiguousarray(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    cols = cupy.empty((n, c, oh, ow, kh, kw), x.dtype)
    dims = _dims(n, c, h, w, oh, ow, kernel, stride, padding)
    _launch(kernels["im2col"], cols.size, [x, cols, *dims])
    return cols


def col2im(kernels, cols, shape, kernel, stride, padding):
    """Adjoint of ``im2col``: window values summed back into an array of ``shape``."""
    import cupy

    cols = cupy.ascontiguousarray(cols)
    n, c, h, w = shape
    oh, ow = cols.shape[2], cols.shape[3]
    x = cupy.empty((n, c, h, w), cols.dtype)
    dims = _dims(n, c, h, w, oh, ow, kernel, stride, padding)
    _launch(kernels["col2im"], x.size, [cols, x, *dims])
    return x
