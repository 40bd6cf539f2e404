"""``ld.cuda`` and moving things between devices, on whatever machine the tests run.

Without a GPU the helpers still answer (False, 0, no-op, CPU timings) and every move to
"cuda" is a clear DeviceError; with one, tensors, models and batches really move.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import learndl as ld
from learndl import backend


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(backend, "cuda_device_count", lambda: 0)


def test_import_learndl_does_not_import_cupy():
    code = "import sys, learndl as ld; ld.cuda; ld.ones(2).relu(); print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_availability_answers_without_a_gpu(no_gpu):
    assert ld.cuda.is_available() is False and ld.cuda.device_count() == 0
    ld.cuda.synchronize()  # nothing to wait for
    with pytest.raises(ld.DeviceError, match="no CUDA GPU"):
        ld.cuda.get_device_name()


def test_benchmark_times_and_warms_up():
    calls = []
    seconds = ld.cuda.benchmark(lambda: calls.append(1), repeat=4, warmup=3)
    assert len(calls) == 7 and 0 <= seconds < 0.1


def test_kernel_source_for_reading():
    assert "im2col" in ld.cuda.kernel_source("col2im")
    assert "erf" in ld.cuda.kernel_source("gelu_forward")
    with pytest.raises(KeyError, match="matmul_tiled"):
        ld.cuda.kernel_source("nope")
    src = ld.cuda.elementwise_source("T x", "T y", "y = x * x", "square")
    assert "T &y = _raw_y[i];" in src and "y = x * x;" in src


def test_compile_a_learners_kernel():
    pytest.importorskip("cupy_backends.cuda.libs.nvrtc", reason="needs the gpu extra")
    try:
        ptx = ld.cuda.compile(ld.cuda.elementwise_source("T x", "T y", "y = 2 * x", "twice"))
    except RuntimeError as e:
        pytest.skip(f"NVRTC library missing: {e}")
    assert ".entry twice" in ptx


def test_tensor_module_and_loader_refuse_cuda_without_a_gpu(no_gpu):
    with pytest.raises(ld.DeviceError):
        ld.ones(2).cuda()
    model = ld.nn.Linear(3, 2)
    with pytest.raises(ld.DeviceError):
        model.to("cuda")
    assert model.weight.device == "cpu"  # nothing moved half-way
    ds = ld.data.TensorDataset(np.ones((4, 3)), np.arange(4))
    loader = ld.data.DataLoader(ds, 2, device="cuda")
    with pytest.raises(ld.DeviceError):
        next(iter(loader))


def test_cpu_moves_are_no_ops():
    x = ld.ones(2, requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu"
    model = ld.nn.Linear(3, 2)
    assert model.to("cpu") is model and model.weight.device == "cpu"


def test_loader_moves_nested_batches_to_the_device():
    ds = ld.data.TensorDataset(np.arange(8.0).reshape(4, 2), np.arange(4))
    xs, ys = next(iter(ld.data.DataLoader(ds, batch_size=3, device="cpu")))
    assert xs.device == ys.device == "cpu" and xs.shape == (3, 2)
    loader = ld.data.DataLoader(
        ds, 2, collate_fn=lambda b: {"x": [ld.tensor(s[0]) for s in b], "n": len(b)}, device="cpu"
    )
    batch = next(iter(loader))
    assert batch["n"] == 2 and batch["x"][0].device == "cpu"


@pytest.mark.gpu
def test_moves_to_the_gpu_and_back():
    x = ld.randn(3, 4, requires_grad=True)
    g = x.to("cuda")
    assert g.device == "cuda" and g.is_leaf and g.requires_grad
    assert type(g.data).__module__.startswith("cupy")
    np.testing.assert_array_equal(g.cpu().numpy(), x.numpy())
    model = ld.nn.Linear(4, 2).to("cuda")
    params = list(model.parameters())
    assert all(p.device == "cuda" for p in params)
    assert model(g).device == "cuda"
    ds = ld.data.TensorDataset(np.ones((4, 4), np.float32), np.arange(4))
    xs, ys = next(iter(ld.data.DataLoader(ds, 2, device="cuda")))
    assert xs.device == ys.device == "cuda"
    assert isinstance(ld.cuda.get_device_name(), str) and ld.cuda.is_available()
    assert ld.cuda.benchmark(lambda: g @ g.T, repeat=3) > 0
