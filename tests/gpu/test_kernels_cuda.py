"""Each CUDA kernel equals its NumPy version (tests/backend/reference.py), in both float types.

All of these need a GPU (``gpu`` marker); their sources are compile-checked without one in
tests/backend/test_nvrtc.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import backend
from learndl.backend.cuda_kernels import fused
from tests.backend import reference

pytestmark = pytest.mark.gpu
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


@pytest.fixture
def cuda():
    """The CUDA kernel table (filled when CuPy is first used) and cupy itself."""
    cp = backend.module_for("cuda")
    return backend.KERNELS["cuda"], cp


def close(got, want, dtype):
    got = got.get() if hasattr(got, "get") else got
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_and_gelu_kernels(cuda, dtype):
    k, cp = cuda
    x = np.random.default_rng(0).normal(size=(33, 17)).astype(dtype) * 3
    g = np.random.default_rng(1).normal(size=x.shape).astype(dtype)
    y = reference.relu_forward(x)
    close(k["relu"](cp.asarray(x)), y, dtype)
    close(k["relu_backward"](cp.asarray(g), cp.asarray(y)), reference.relu_backward(g, y), dtype)
    close(k["gelu_forward"](cp.asarray(x)), reference.gelu_forward(x), dtype)
    want = reference.gelu_backward(g, x)
    close(k["gelu_backward"](cp.asarray(g), cp.asarray(x)), want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, c", [(1, 1), (5, 10), (1024, 10), (300, 1000)])
def test_softmax_cross_entropy_kernels(cuda, dtype, n, c):
    k, cp = cuda
    rng = np.random.default_rng(n + c)
    z, labels = (rng.normal(size=(n, c)) * 5).astype(dtype), rng.integers(0, c, n)
    grad = rng.normal(size=n).astype(dtype)
    loss, lse = k["softmax_ce_forward"](cp.asarray(z), cp.asarray(labels))
    want_loss, want_lse = reference.softmax_ce_forward(z, labels)
    close(loss, want_loss, dtype)
    close(lse, want_lse, dtype)
    dz = k["softmax_ce_backward"](cp.asarray(z), cp.asarray(labels), lse, cp.asarray(grad))
    close(dz, reference.softmax_ce_backward(z, labels, want_lse, grad), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape, kernel, stride, padding",
    [
        ((2, 3, 7, 7), (3, 3), (1, 1), (0, 0)),
        ((2, 3, 7, 8), (3, 2), (2, 1), (1, 2)),
        ((1, 1, 5, 5), (5, 5), (1, 1), (2, 2)),
        ((64, 8, 14, 14), (3, 3), (2, 2), (1, 1)),
    ],
)
def test_im2col_and_col2im_kernels(cuda, dtype, shape, kernel, stride, padding):
    k, cp = cuda
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    cols = reference.im2col(x, kernel, stride, padding)
    close(k["unfold"](cp.asarray(x), kernel, stride, padding), cols, dtype)
    c = np.random.default_rng(1).normal(size=cols.shape).astype(dtype)
    want = reference.col2im(c, shape, kernel, stride, padding)
    close(k["fold"](cp.asarray(c), shape, kernel, stride, padding), want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape, kernel, stride",
    [
        ((2, 3, 8, 8), (2, 2), (2, 2)),
        ((2, 3, 7, 9), (3, 2), (2, 1)),
        ((1, 2, 5, 5), (3, 3), (1, 1)),
    ],
)
def test_max_pool_kernels(cuda, dtype, shape, kernel, stride):
    k, cp = cuda
    rng = np.random.default_rng(4)
    x = np.maximum(rng.normal(size=shape), 0).astype(dtype)  # after a ReLU: ties of zeros
    out, where = k["max_pool2d"](cp.asarray(x), kernel, stride)
    want_out, want_where = reference.max_pool_forward(x, kernel, stride)
    close(out, want_out, dtype)
    np.testing.assert_array_equal(where.get(), want_where)  # the first max of each window
    g = rng.normal(size=want_out.shape).astype(dtype)
    close(
        k["max_pool2d_backward"](cp.asarray(g), where, shape),
        reference.max_pool_backward(g, want_where, shape),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, k_, n", [(1, 1, 1), (17, 33, 5), (64, 64, 64), (100, 3, 250)])
def test_tiled_matmul_equals_cublas(cuda, dtype, m, k_, n):
    k, cp = cuda
    rng = np.random.default_rng(m)
    a, b = rng.normal(size=(m, k_)).astype(dtype), rng.normal(size=(k_, n)).astype(dtype)
    tiled = k["matmul_tiled"](cp.asarray(a), cp.asarray(b))
    close(tiled, a @ b, dtype)
    close(tiled, (cp.asarray(a) @ cp.asarray(b)).get(), dtype)  # the cuBLAS path


@pytest.mark.parametrize("create_graph", [False, True])
def test_fused_functions_on_the_gpu_match_the_composites(cuda, create_graph):
    rng = np.random.default_rng(3)
    z, y = rng.normal(size=(64, 10)) * 3, rng.integers(0, 10, 64)

    def grads(loss_fn, device):
        t = ld.tensor(z, dtype="float64").to(device).requires_grad_()
        loss = loss_fn(t, ld.tensor(y).to(device)) + fused.gelu(t).sum() * 0.01
        loss.backward(create_graph=create_graph)
        return loss.item(), t.grad.numpy()

    want_loss, want = grads(ld.cross_entropy, "cpu")
    loss, got = grads(fused.cross_entropy, "cuda")
    assert loss == pytest.approx(want_loss, rel=1e-6)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)
