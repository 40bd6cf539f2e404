from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import assert_same_forward, gradcheck_module

LAYERS = [
    ("ReLU", (), "ReLU()"),
    ("LeakyReLU", (0.2,), "LeakyReLU(negative_slope=0.2)"),
    ("Tanh", (), "Tanh()"),
    ("Sigmoid", (), "Sigmoid()"),
    ("GELU", (), "GELU(approximate='none')"),
    ("Softmax", (1,), "Softmax(dim=1)"),
    ("LogSoftmax", (-1,), "LogSoftmax(dim=-1)"),
]


@pytest.mark.parametrize(("name", "args", "text"), LAYERS)
def test_same_as_torch_and_repr(name, args, text):
    layer = getattr(nn, name)(*args)
    assert repr(layer) == text
    x = np.random.default_rng(0).standard_normal((4, 5)) * 3
    # NOTE: learndl's erf (exact GELU) is Abramowitz & Stegun's, good to 1.5e-7
    atol = 1e-6 if name == "GELU" else 1e-10
    assert_same_forward(layer, lambda n: getattr(n, name)(*args), x, atol=atol)


@pytest.mark.parametrize(("name", "args", "text"), LAYERS)
def test_gradients(name, args, text):
    x = ld.tensor([[-1.5, -0.3, 0.4, 2.0], [0.7, -2.2, 1.1, 0.2]], requires_grad=True)
    gradcheck_module(getattr(nn, name)(*args), x)


def test_gelu_tanh_and_softmax_default_dim():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert_same_forward(nn.GELU("tanh"), lambda n: n.GELU(approximate="tanh"), x)
    with pytest.warns(UserWarning, match="dim"):
        y = nn.Softmax()(ld.tensor(x))
    np.testing.assert_allclose(y.numpy().sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
