from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import assert_same_forward, gradcheck_module


def test_repr_and_shapes():
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AvgPool2d(3, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=0)"
    assert nn.MaxPool2d(2)(ld.randn(2, 3, 8, 8)).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(3, stride=1, padding=1)(ld.randn(1, 1, 5, 5)).shape == (1, 1, 5, 5)


def test_same_as_torch():
    x = np.random.default_rng(0).standard_normal((2, 2, 7, 7))
    assert_same_forward(nn.MaxPool2d(2), lambda n: n.MaxPool2d(2), x)
    assert_same_forward(nn.MaxPool2d(3, 2, padding=1), lambda n: n.MaxPool2d(3, 2, padding=1), x)
    assert_same_forward(nn.AvgPool2d(2), lambda n: n.AvgPool2d(2), x)
    assert_same_forward(nn.AvgPool2d(3, 2, padding=1), lambda n: n.AvgPool2d(3, 2, padding=1), x)


def test_gradients():
    # distinct values: max has no ties, so central differences are exact
    x = ld.tensor(np.random.default_rng(1).permutation(np.arange(32.0)).reshape(1, 2, 4, 4) / 7)
    gradcheck_module(nn.MaxPool2d(2), x.requires_grad_())
    gradcheck_module(nn.MaxPool2d(3, 1, padding=1), x)
    gradcheck_module(nn.AvgPool2d(2, 1, padding=1), x)


def test_relu_then_pool_gradients_match_torch():
    """After a ReLU a window often holds several zeros: one of them gets the gradient."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 6))
    got = ld.tensor(x, dtype="float64", requires_grad=True)
    want = torch.tensor(x, requires_grad=True)
    (nn.MaxPool2d(2)(ld.relu(got)) * 1.5).sum().backward()
    (torch.nn.MaxPool2d(2)(torch.relu(want)) * 1.5).sum().backward()
    np.testing.assert_array_equal(got.grad.numpy(), want.grad.numpy())
