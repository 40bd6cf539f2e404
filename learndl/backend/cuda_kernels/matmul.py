"""A tiled shared-memory matrix product: the classic first CUDA optimization, for reading.

learndl's ``matmul`` uses cuBLAS (through CuPy's ``@``), which is many times faster: it
adds register blocking, vector loads, tensor cores and a tuned kernel per GPU. This kernel
is kept beside it to show the one idea everything else builds on, and is registered as
``KERNELS["cuda"]["matmul_tiled"]``, which no op consults.

The naive kernel (one thread per output, a loop over K) reads each input value from slow
global memory K times. Here a block of TILE x TILE threads loads a TILE x TILE piece of A
and of B into fast on-chip shared memory once, and every thread of the block reuses it:
global reads drop by a factor of TILE.
"""

from __future__ import annotations

import numpy as np

TILE = 16

SOURCE = r"""
#define TILE 16

// C (M x N) = A (M x K) @ B (K x N), all row-major and contiguous.
// Launch: blocks of (TILE, TILE) threads, a grid of (ceil(N / TILE), ceil(M / TILE)) blocks.
extern "C" __global__ void matmul_tiled(const T* A, const T* B, T* C, int M, int N, int K)
{
    __shared__ T As[TILE][TILE];                // this block's piece of A ...
    __shared__ T Bs[TILE][TILE];                // ... and of B, shared by its threads
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * TILE + ty;           // the one output value this thread owns
    int col = blockIdx.x * TILE + tx;
    T acc = 0;

    for (int t = 0; t < K; t += TILE) {         // walk along K, one tile at a time
        // Each thread loads one value of each tile (zero past the matrix edges) ...
        As[ty][tx] = (row < M && t + tx < K) ? A[(long long)row * K + t + tx] : (T)0;
        Bs[ty][tx] = (t + ty < K && col < N) ? B[(long long)(t + ty) * N + col] : (T)0;
        __syncthreads();                        // ... and waits until the tiles are full.
        for (int k = 0; k < TILE; ++k)
            acc += As[ty][k] * Bs[k][tx];
        __syncthreads();                        // NOTE: without this, a fast thread would
    }                                           // overwrite a tile others still read.
    if (row < M && col < N)
        C[(long long)row * N + col] = acc;
}
"""

KERNELS = ("matmul_tiled",)


def matmul_tiled(kernels, a, b):
    """``a @ b`` for 2-D CuPy arrays of one float dtype, by the tiled kernel."""
    import cupy

    a, b = cupy.ascontiguousarray(a), cupy.ascontiguousarray(b)
    (m, k), (k2, n) = a.shape, b.shape
    if k != k2:
        raise ValueError(f"matmul_tiled: inner sizes {k} and {k2} differ.")
    c = cupy.empty((m, n), a.dtype)
    grid = ((n + TILE - 1) // TILE, (m + TILE - 1) // TILE)
    kernels["matmul_tiled"](grid, (TILE, TILE), (a, b, c, np.int32(m), np.int32(n), np.int32(k)))
    return c
