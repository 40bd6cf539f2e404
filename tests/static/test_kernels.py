"""Replay kernels: the shortcuts the executor takes give eager's numbers on every replay."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl import nn
from learndl.static.kernels import ELEMENTWISE


def _grads_step(model):
    def step(x, y):
        model.zero_grad()
        loss = ld.cross_entropy(model(x), y)
        loss.backward()
        return loss, [p.grad for p in model.parameters()]

    return step


def test_cross_entropy_grad_reuses_the_forward_softmax_of_the_same_replay():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 4))
    traced = ld.function(_grads_step(model))
    rng = np.random.default_rng(0)
    for _ in range(3):  # new inputs and labels each call: a stale softmax would show
        x = ld.tensor(rng.normal(size=(6, 5)).astype("float32"))
        y = ld.tensor(rng.integers(0, 4, 6))
        loss, grads = traced(x, y)
        eager_loss, eager_grads = _grads_step(model)(x, y)
        assert loss.item() == np.float32(eager_loss.item())
        for g, e in zip(grads, eager_grads):
            np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6, atol=1e-7)
    kernels = [fn.__name__ for fn, *_ in traced.executor.steps if hasattr(fn, "__name__")]
    assert "cross_entropy_grad" in kernels  # the shared kernel, not a second softmax


def test_relu_backward_mask_and_multiply_fuse_into_one_step():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 4))
    traced = ld.function(_grads_step(model))
    traced(ld.randn(6, 5), ld.tensor([0, 1, 2, 3, 0, 1]))
    listing = traced.graph.listing()
    assert "[greater -> mul]" in listing, listing  # relu's 0/1 mask, then the product


def test_relu_kernel_matches_maximum_for_each_shape_and_nan():
    relu = ELEMENTWISE["relu"]({})
    for shape in [(3,), (2, 4)]:
        x = np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)
        np.testing.assert_array_equal(relu(x), np.maximum(x, 0))
        out = np.empty_like(x)
        assert relu(x, out=out) is out
    assert np.isnan(relu(np.array([np.nan, -1.0]))[0])  # NaN propagates, as eager relu


def test_mask_kernel_writes_a_float_mask_in_place():
    mask = ELEMENTWISE["mask"]({"ufunc": "greater", "dtype": np.dtype("float32")})
    y, out = np.array([0.0, 2.0, -1.0], np.float32), np.full(3, 7.0, np.float32)
    assert mask(y, np.float32(0)).dtype == np.float32
    np.testing.assert_array_equal(mask(y, np.float32(0), out=out), [0.0, 1.0, 0.0])
