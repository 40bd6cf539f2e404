"""Device rules on a machine without a GPU: fake GPU arrays, clear errors, CPU untouched."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import learndl as ld
from learndl import backend
from tests.backend import reference


class FakeGpuArray(np.lib.mixins.NDArrayOperatorsMixin):
    """An array whose class says it comes from CuPy: enough for ``device_of`` and the checks.

    It holds a NumPy array; ufuncs on it give fake GPU arrays again, ``get()`` copies "back".
    """

    __module__ = "cupy._fake"

    def __init__(self, array):
        self.a = np.asarray(array)
        self.dtype, self.shape, self.ndim, self.size = (
            self.a.dtype,
            self.a.shape,
            self.a.ndim,
            self.a.size,
        )

    def get(self):
        return self.a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raw = [i.a if isinstance(i, FakeGpuArray) else i for i in inputs]
        return FakeGpuArray(getattr(ufunc, method)(*raw, **kwargs))


def on_gpu(t: ld.Tensor, requires_grad: bool = False) -> ld.Tensor:
    return ld.Tensor._make(FakeGpuArray(t.data), requires_grad, None)


def fake_kernel(reference_fn):
    """A NumPy reference kernel that takes and gives fake GPU arrays, as a CUDA one would."""

    def run(*args):
        out = reference_fn(*[a.a if isinstance(a, FakeGpuArray) else a for a in args])
        return tuple(map(FakeGpuArray, out)) if isinstance(out, tuple) else FakeGpuArray(out)

    return run


@pytest.fixture
def fake_cuda(monkeypatch):
    """Pretend CuPy is loaded (so kernels are looked up), with NumPy stand-in kernels."""
    monkeypatch.setattr(backend, "_cupy", np)
    kernels = {name: fake_kernel(fn) for name, fn in reference.STAND_INS.items()}
    monkeypatch.setitem(backend.KERNELS, "cuda", kernels)


def test_device_of_and_xp():
    a = np.ones(2)
    assert backend.device_of(a) == "cpu" and backend.device_of(np.float32(1)) == "cpu"
    assert backend.device_of(FakeGpuArray(a)) == "cuda"
    with pytest.raises(ld.DeviceError, match="cpu and cuda"):
        backend.xp(a, FakeGpuArray(a))


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: ld.maximum(a, b),
        lambda a, b: a @ b,
    ],
    ids=["add", "mul", "maximum", "matmul"],
)
def test_mixing_devices_names_both(op):
    a, b = ld.ones(2, 2), on_gpu(ld.ones(2, 2))
    for x, y in ((a, b), (b, a)):
        with pytest.raises(ld.DeviceError) as e:
            op(x, y)
        assert "cpu" in str(e.value) and "cuda" in str(e.value)


def test_where_and_cat_check_devices():
    a, b = ld.ones(3), on_gpu(ld.ones(3))
    with pytest.raises(ld.DeviceError, match="where: the condition is on cuda"):
        ld.where(on_gpu(ld.ones(3) > 0), a, a)
    with pytest.raises(ld.DeviceError, match=r"cat: .*\['cpu', 'cuda'\]"):
        ld.cat([a, b])


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backend, "cuda_device_count", lambda: 0)
    for make in (lambda: ld.ones(2).to("cuda"), lambda: ld.zeros(2, device="cuda")):
        with pytest.raises(ld.DeviceError, match="sees no CUDA GPU"):
            make()
    assert not ld.cuda.is_available()


def test_cuda_without_cupy_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` now raises ImportError
    with pytest.raises(ld.DeviceError, match=r"pip install 'learndl\[gpu\]'"):
        ld.tensor([1.0], device="cuda")
    assert ld.cuda.device_count() == 0


def test_unknown_devices(monkeypatch):
    with pytest.raises(ld.DeviceError, match="unknown device 'tpu'"):
        backend.module_for("tpu")
    pytest.importorskip("cupy", reason="the device-index check runs after importing cupy")
    monkeypatch.setattr(backend, "cuda_device_count", lambda: 1)
    with pytest.raises(ld.DeviceError, match="only 1 CUDA device"):
        backend.module_for("cuda:3")


def test_cpu_never_looks_kernels_up(monkeypatch):
    monkeypatch.setitem(backend.KERNELS, "cuda", {"relu": lambda x: 1 / 0})
    assert backend.gpu_kernel("relu", np.ones(2)) is None
    monkeypatch.setattr(backend, "_cupy", np)
    assert backend.gpu_kernel("relu", np.ones(2)) is None  # numpy arrays: still the CPU
    assert ld.relu(ld.tensor([-1.0, 1.0])).tolist() == [0.0, 1.0]


def test_gpu_arrays_reach_their_kernels(fake_cuda):
    calls = []
    relu = backend.KERNELS["cuda"]["relu"]
    backend.KERNELS["cuda"]["relu"] = lambda x: calls.append("relu") or relu(x)
    x = on_gpu(ld.tensor([-1.0, 2.0]))
    y = ld.relu(x)
    assert y.device == "cuda" and y.tolist() == [0.0, 2.0] and calls == ["relu"]
    with backend.without_kernels():
        assert backend.gpu_kernel("relu", x.data) is None
    assert backend.gpu_kernel("relu", x.data) is not None


def test_relu_backward_kernel_in_a_plain_backward(fake_cuda):
    y = ld.relu(on_gpu(ld.tensor([-1.0, 2.0]), requires_grad=True))
    grad = on_gpu(ld.tensor([5.0, 7.0]))
    with ld.no_grad():  # how run_backward calls it without create_graph
        (dx,) = y.grad_fn.backward(grad)
    assert dx.device == "cuda" and dx.tolist() == [0.0, 7.0]


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_unfold_and_fold_dispatch(fake_cuda, stride, padding):
    x = ld.randn(2, 3, 5, 6, dtype="float64")
    want = ld.ops.unfold(x, (3, 2), stride, padding)
    got = ld.ops.unfold(on_gpu(x), (3, 2), stride, padding)
    assert got.device == "cuda"
    np.testing.assert_allclose(got.numpy(), want.numpy())
    cols = ld.randn(*want.shape, dtype="float64")
    want = ld.ops.fold(cols, x.shape, (3, 2), stride, padding)
    got = ld.ops.fold(on_gpu(cols), x.shape, (3, 2), stride, padding)
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_max_pool_dispatches_to_its_kernels_and_keeps_the_first_max(fake_cuda):
    x = ld.relu(ld.randn(2, 3, 6, 6, dtype="float64"))  # zeros tie in many windows
    want = ld.max_pool2d(x.requires_grad_(), 2)
    grad = ld.randn(*want.shape, dtype="float64")
    want.backward(grad)
    got = ld.max_pool2d(on_gpu(x.detach(), requires_grad=True), 2)
    assert got.device == "cuda" and got.grad_fn.saved_tensors[0].dtype == np.int64  # indices
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with ld.no_grad():  # how run_backward calls it without create_graph
        (dx,) = got.grad_fn.backward(on_gpu(grad))
    assert dx.device == "cuda"
    np.testing.assert_array_equal(dx.numpy(), x.grad.numpy())


def test_scatter_add_repeats_and_as_strided_is_read_only():
    out = np.zeros(3)
    backend.scatter_add(out, np.array([0, 0, 2]), np.array([1.0, 2.0, 3.0]))
    assert out.tolist() == [3.0, 0.0, 3.0]
    view = backend.as_strided(np.arange(4.0), (3, 2), (8, 8))
    assert view.tolist() == [[0, 1], [1, 2], [2, 3]] and not view.flags.writeable
