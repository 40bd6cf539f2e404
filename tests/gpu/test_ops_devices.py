"""Every op, forward and backward, gives the same numbers on each device as on the CPU.

Parametrized over devices: the "cpu" cases run everywhere (they check the harness and the
CPU path); the "cuda" cases carry the ``gpu`` marker and skip where CuPy sees no GPU. On
CUDA each op runs twice: with learndl's kernels and with the plain ``xp`` (CuPy) code.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import learndl as ld
from learndl import backend

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)]
# (device, use learndl's kernels): CUDA runs with its kernels and with plain CuPy code
MODES = [
    pytest.param("cpu", True, id="cpu"),
    pytest.param("cuda", True, id="cuda-kernels", marks=pytest.mark.gpu),
    pytest.param("cuda", False, id="cuda-xp", marks=pytest.mark.gpu),
]
rng = np.random.default_rng(0)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


LABELS = np.array([0, 3, 1, 3, 2])
IDX = np.array([0, 2, 2, 1])
# name: (function of tensors, float inputs, extra non-differentiable inputs)
CASES = {
    "add": (lambda a, b: a + b, [r(3, 4), r(4)]),
    "sub": (lambda a, b: a - b, [r(3, 1), r(4)]),
    "mul": (lambda a, b: a * b, [r(3, 4), r(3, 4)]),
    "div": (lambda a, b: a / b, [r(3, 4), r(3, 4, low=0.5)]),
    "neg": (lambda a: -a, [r(5)]),
    "pow": (lambda a: a**3, [r(5)]),
    "exp": (ld.exp, [r(2, 3)]),
    "log": (ld.log, [r(2, 3, low=0.1)]),
    "sqrt": (ld.sqrt, [r(2, 3, low=0.1)]),
    "abs": (ld.abs, [r(7)]),
    "tanh": (ld.tanh, [r(7)]),
    "sigmoid": (ld.sigmoid, [r(7)]),
    "relu": (ld.relu, [r(4, 5)]),
    "clip": (lambda a: ld.clip(a, -0.5, 0.7), [r(9)]),
    "erf": (ld.erf, [r(9)]),
    "gelu": (ld.gelu, [r(9)]),
    "maximum": (ld.maximum, [r(3, 4), r(4)]),
    "minimum": (ld.minimum, [r(3, 4), r(3, 1)]),
    "where": (lambda a, b: ld.where(a > 0, a, b), [r(3, 4), r(3, 4)]),
    "sum": (lambda a: a.sum(axis=1), [r(3, 4)]),
    "mean": (lambda a: a.mean(axis=(0, 2), keepdims=True), [r(2, 3, 4)]),
    "max": (lambda a: a.max(axis=0), [r(4, 3)]),
    "var": (lambda a: ld.var(a, axis=1), [r(3, 5)]),
    "matmul": (ld.matmul, [r(2, 3, 4), r(4, 5)]),
    "linear": (ld.linear, [r(6, 4), r(3, 4), r(3)]),
    "reshape": (lambda a: a.reshape(4, 3), [r(3, 4)]),
    "permute": (lambda a: a.permute(2, 0, 1), [r(2, 3, 4)]),
    "expand": (lambda a: a.expand(3, 4), [r(1, 4)]),
    "getitem": (lambda a, i: a[i], [r(3, 4)], [IDX[:3]]),
    "slice": (lambda a: a[1:, ::2], [r(3, 4)]),
    "cat": (lambda a, b: ld.cat([a, b], dim=1), [r(2, 3), r(2, 1)]),
    "stack": (lambda a, b: ld.stack([a, b]), [r(2, 3), r(2, 3)]),
    "clone": (lambda a: a.clone(), [r(3)]),
    "cast": (lambda a: a.to("float32").to("float64"), [r(3)]),
    "unfold": (lambda a: ld.ops.unfold(a, 3, 2, 1), [r(2, 3, 6, 5)]),
    "fold": (lambda c: ld.ops.fold(c, (2, 3, 6, 5), 3, 2, 1), [r(2, 3, 3, 3, 3, 3)]),
    "conv2d": (lambda x, w, b: ld.conv2d(x, w, b, 1, 1), [r(2, 3, 5, 5), r(4, 3, 3, 3), r(4)]),
    "max_pool2d": (lambda a: ld.max_pool2d(a, 2), [r(2, 3, 4, 6)]),
    "avg_pool2d": (lambda a: ld.avg_pool2d(a, 2, padding=1), [r(2, 3, 4, 5)]),
    "softmax": (lambda a: ld.softmax(a, dim=1), [r(5, 4) * 5]),
    "log_softmax": (lambda a: ld.log_softmax(a, dim=1), [r(5, 4) * 5]),
    "cross_entropy": (ld.cross_entropy, [r(5, 4) * 3], [LABELS]),
    "nll_loss": (ld.nll_loss, [r(5, 4)], [LABELS]),
    "mse_loss": (ld.mse_loss, [r(4, 2), r(4, 2)]),
    "bce_logits": (ld.binary_cross_entropy_with_logits, [r(6), r(6, low=0, high=1)]),
}


def run(name: str, device: str) -> tuple[np.ndarray, list[np.ndarray]]:
    fn, floats, *extra = CASES[name]
    xs = [ld.tensor(a, dtype="float64").to(device).requires_grad_() for a in floats]
    others = [ld.tensor(a).to(device) for a in (extra[0] if extra else [])]
    out = fn(*xs, *others)
    assert out.device == device
    upstream = np.random.default_rng(1).uniform(-1, 1, out.shape)
    (out * ld.tensor(upstream, dtype="float64").to(device)).sum().backward()
    return out.numpy(), [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("device, kernels", MODES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_the_cpu(name, device, kernels):
    want_out, want_grads = run(name, "cpu")
    with contextlib.nullcontext() if kernels else backend.without_kernels():
        out, grads = run(name, device)
    np.testing.assert_allclose(out, want_out, rtol=1e-10, atol=1e-12)
    for g, w in zip(grads, want_grads, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_a_training_step_matches_the_cpu(device):
    def step(dev):
        ld.manual_seed(0)
        model = ld.nn.Sequential(
            ld.nn.Conv2d(1, 4, 3, padding=1),
            ld.nn.ReLU(),
            ld.nn.MaxPool2d(2),
            ld.nn.Flatten(),
            ld.nn.Linear(4 * 4 * 4, 10),
        ).to(dev)
        opt = ld.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = ld.tensor(np.random.default_rng(2).normal(size=(8, 1, 8, 8))).to(dev)
        y = ld.tensor(np.arange(8) % 10).to(dev)
        for _ in range(2):
            opt.zero_grad()
            loss = ld.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return loss.item(), [p.numpy() for p in model.parameters()]

    want_loss, want = step("cpu")
    loss, got = step(device)
    assert loss == pytest.approx(want_loss, rel=1e-5)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-6)
