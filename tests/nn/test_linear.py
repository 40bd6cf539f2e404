from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import assert_same_forward, gradcheck_module


def test_shapes_and_repr():
    fc = nn.Linear(4, 3)
    assert fc.weight.shape == (3, 4) and fc.bias.shape == (3,)
    assert fc(ld.randn(5, 4)).shape == (5, 3)
    assert fc(ld.randn(2, 5, 4)).shape == (2, 5, 3)  # leading axes pass through
    assert repr(fc) == "Linear(in_features=4, out_features=3, bias=True)"
    nobias = nn.Linear(4, 3, bias=False)
    assert nobias.bias is None and [n for n, _ in nobias.named_parameters()] == ["weight"]


def test_init_bounds_and_seed():
    ld.manual_seed(0)
    fc = nn.Linear(64, 32)
    bound = 1 / math.sqrt(64)
    assert np.abs(fc.weight.numpy()).max() <= bound
    assert np.abs(fc.bias.numpy()).max() <= bound
    # uniform in ±bound has std bound / sqrt(3)
    assert abs(fc.weight.numpy().std() - bound / math.sqrt(3)) < 0.1 * bound
    ld.manual_seed(0)
    again = nn.Linear(64, 32)
    np.testing.assert_array_equal(fc.weight.numpy(), again.weight.numpy())


def test_gradients():
    gradcheck_module(nn.Linear(3, 2), ld.randn(4, 3, requires_grad=True))
    gradcheck_module(nn.Linear(3, 2, bias=False), ld.randn(2, 3, requires_grad=True))


def test_same_as_torch():
    x = np.random.default_rng(0).standard_normal((5, 4))
    assert_same_forward(nn.Linear(4, 3), lambda n: n.Linear(4, 3), x)
    assert_same_forward(nn.Linear(4, 3, bias=False), lambda n: n.Linear(4, 3, bias=False), x)


def test_wrong_feature_count_names_the_layer():
    model = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))
    with pytest.raises(ld.ShapeError) as info:
        model(ld.randn(32, 1, 28, 28))
    msg = str(info.value)
    assert "Linear(in_features=100, out_features=10, bias=True) (layer '1')" in msg
    assert "(32, 784)" in msg and "Try Linear(784, 10)" in msg


def test_a_layer_is_one_node_and_a_plain_backward_adds_none():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = ld.cross_entropy(model(ld.randn(5, 4)), ld.tensor([0, 1, 2, 0, 1]))
    order = ld.autograd.topological_order(loss.grad_fn)
    assert [node.name for node in order] == ["linear", "relu", "linear", "cross_entropy"]
    loss.backward()
    assert all(p.grad is not None and p.grad.grad_fn is None for p in model.parameters())


def test_dtype_argument():
    fc = nn.Linear(2, 2, dtype=ld.float64)
    assert fc.weight.dtype == np.float64


def test_identity():
    x = ld.randn(2, 3)
    assert nn.Identity(54, unused="ok")(x) is x
    assert repr(nn.Identity()) == "Identity()"
