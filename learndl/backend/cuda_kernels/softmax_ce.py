"""Softmax cross-entropy fused into two ``RawKernel``s: one pass forward, one pass backward.

Composed from ops, ``cross_entropy`` launches about ten kernels (max, subtract, exp, sum,
log, gather, ...), each reading and writing the whole (N, C) logits. Fused, the forward
reads each logit twice and writes one loss per row; the backward writes each gradient once.

A RawKernel is plain CUDA C++: we choose the threads (here one per row, then one per logit)
and index memory ourselves. ``T`` is a typedef put in front of the source (float/double).
"""

from __future__ import annotations

import numpy as np

SOURCE = r"""
// Forward: one thread per row. A row holds C logits (10 for MNIST), few enough that a plain
// loop is clearest. NOTE: for C in the thousands, one *block* per row with a shared-memory
// reduction is faster; the math stays the same.
extern "C" __global__ void softmax_ce_forward(
    const T* logits, const long long* labels, T* loss, T* lse, int n, int c)
{
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;                       // the last block may stick out past row n-1
    const T* z = logits + (long long)row * c;   // this row's logits

    T top = z[0];                               // subtract the largest logit so that
    for (int j = 1; j < c; ++j)                 // exp() never overflows
        top = fmax(top, z[j]);
    T total = 0;
    for (int j = 0; j < c; ++j)
        total += exp(z[j] - top);

    lse[row] = top + log(total);                // log-sum-exp, kept for the backward
    loss[row] = lse[row] - z[labels[row]];      // -log softmax(z)[label]
}

// Backward: one thread per logit. d loss / d z_j = softmax(z)_j - [j == label], times the
// upstream gradient of that row's loss.
extern "C" __global__ void softmax_ce_backward(
    const T* logits, const long long* labels, const T* lse, const T* grad,
    T* dlogits, int n, int c)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)n * c) return;
    int row = i / c, j = i % c;
    T p = exp(logits[i] - lse[row]);            // softmax probability, recomputed
    dlogits[i] = grad[row] * (p - (j == labels[row] ? (T)1 : (T)0));
}
"""

KERNELS = ("softmax_ce_forward", "softmax_ce_backward")
THREADS = 256


def _blocks(count: int) -> tuple[int]:
    return ((count + THREADS - 1) // THREADS,)


def forward(kernels, logits, labels):
    """Per-row losses and log-sum-exps of ``logits`` (N, C) for int labels (N,)."""
    cp = _cupy()
    z = cp.ascontiguousarray(logits)
    n, c = z.shape
    loss, lse = cp.empty(n, z.dtype), cp.empty(n, z.dtype)
    y = cp.ascontiguousarray(labels, dtype=cp.int64)
    args = (z, y, loss, lse, np.int32(n), np.int32(c))
    kernels["softmax_ce_forward"](_blocks(n), (THREADS,), args)
    return loss, lse


def backward(kernels, logits, labels, lse, grad):
    """The gradient of the per-row losses with respect to ``logits``."""
    cp = _cupy()
    z = cp.ascontiguousarray(logits)
    n, c = z.shape
    out = cp.empty_like(z)
    y = cp.ascontiguousarray(labels, dtype=cp.int64)
    g = cp.ascontiguousarray(cp.broadcast_to(grad, (n,)), dtype=z.dtype)
    args = (z, y, lse, g, out, np.int32(n), np.int32(c))
    kernels["softmax_ce_backward"](_blocks(n * c), (THREADS,), args)
    return out


def _cupy():
    import cupy

    return cupy
