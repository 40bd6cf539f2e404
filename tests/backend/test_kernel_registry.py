"""The kernel registry and the fused Functions, checked on the CPU with NumPy stand-ins."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import backend
from learndl.backend import cuda_kernels
from learndl.backend.cuda_kernels import fused
from tests.backend import reference

ARRAY_LEVEL = {
    "relu",
    "relu_backward",
    "gelu_forward",
    "gelu_backward",
    "softmax_ce_forward",
    "softmax_ce_backward",
    "unfold",
    "fold",
    "max_pool2d",
    "max_pool2d_backward",
    "matmul_tiled",
}


def test_register_fills_every_name_without_a_device():
    pytest.importorskip("cupy", reason="registering makes cupy kernel objects (no GPU needed)")
    table: dict = {}
    cuda_kernels.register(table)  # ElementwiseKernel/RawKernel compile on first launch only
    assert set(table) == ARRAY_LEVEL | {"gelu", "cross_entropy"}
    assert all(callable(k) for k in table.values())
    assert table["gelu"] is fused.gelu and table["cross_entropy"] is fused.cross_entropy


def test_sources_are_readable_lessons():
    src = cuda_kernels.sources()
    assert set(src) == ARRAY_LEVEL - {
        "relu",
        "fold",
        "unfold",
        "max_pool2d",
        "max_pool2d_backward",
    } | {
        "relu_forward",
        "im2col",
        "col2im",
        "max_pool_forward",
        "max_pool_backward",
    }
    assert "atomicAdd" in src["max_pool_backward"]
    assert "__syncthreads" in src["matmul_tiled"] and "erf" in src["gelu_forward"]
    assert cuda_kernels.typed("T x;", "double").startswith("typedef double T;")


@pytest.fixture
def cpu_kernels(monkeypatch):
    """The NumPy references registered as the CPU's kernels: the fused ops take that path."""
    monkeypatch.setitem(backend.KERNELS, "cpu", dict(reference.STAND_INS))


def _grad(f, x):
    x = ld.tensor(x, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()


def test_fused_gelu_matches_the_composite(cpu_kernels):
    x = np.linspace(-4, 4, 33)
    want = ld.gelu(ld.tensor(x, dtype="float64"))
    got = fused.gelu(ld.tensor(x, dtype="float64"))
    assert got.grad_fn is None and isinstance(fused.Gelu.apply(ld.tensor(x)), ld.Tensor)
    # NOTE: ld.erf is Abramowitz & Stegun's formula (error 1.5e-7); the kernel's erf is exact
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)
    np.testing.assert_allclose(_grad(fused.gelu, x), _grad(ld.gelu, x), atol=1e-6)
    # create_graph: the backward is composed of ld ops, so second derivatives work
    t = ld.tensor(x, requires_grad=True)
    fused.gelu(t).sum().backward(create_graph=True)
    assert t.grad.requires_grad
    np.testing.assert_allclose(t.grad.numpy(), _grad(ld.gelu, x), atol=1e-6)
    assert ld.gradcheck(fused.gelu, ld.tensor(x[:5], dtype="float64", requires_grad=True))


def test_fused_gelu_falls_back_without_a_kernel():
    x = ld.tensor([0.5, -1.0])
    assert fused.gelu(x).grad_fn is None or fused.gelu(x).grad_fn.name != "gelu"
    np.testing.assert_allclose(fused.gelu(x, "tanh").numpy(), ld.gelu(x, "tanh").numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_cross_entropy_matches_the_composite(cpu_kernels, reduction):
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(6, 5)) * 3, ld.tensor(rng.integers(0, 5, 6))
    want = ld.cross_entropy(ld.tensor(z, dtype="float64"), y, reduction)
    got = fused.cross_entropy(ld.tensor(z, dtype="float64"), y, reduction)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)

    def grads(loss_fn, create_graph):
        t = ld.tensor(z, dtype="float64", requires_grad=True)
        loss = loss_fn(t, y, reduction)
        (loss if reduction != "none" else loss.sum()).backward(create_graph=create_graph)
        return t.grad

    want_grad = grads(ld.cross_entropy, False).numpy()
    for create_graph in (False, True):  # the kernel path, then the ld-ops path
        g = grads(fused.cross_entropy, create_graph)
        assert g.requires_grad == create_graph
        np.testing.assert_allclose(g.numpy(), want_grad, rtol=1e-10, atol=1e-12)


def test_fused_cross_entropy_keeps_its_checks(cpu_kernels):
    with pytest.raises(ld.ShapeError, match="labels must lie in"):
        fused.cross_entropy(ld.zeros(2, 3), ld.tensor([0, 3]))
    smoothed = fused.cross_entropy(ld.zeros(2, 3), ld.tensor([0, 2]), label_smoothing=0.1)
    np.testing.assert_allclose(smoothed.item(), np.log(3), rtol=1e-6)
