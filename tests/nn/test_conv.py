from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import assert_same_forward, gradcheck_module, torch_twin


def test_shapes_and_repr():
    conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    assert conv.weight.shape == (8, 3, 3, 3) and conv.bias.shape == (8,)
    assert conv(ld.randn(2, 3, 9, 9)).shape == (2, 8, 5, 5)
    assert repr(conv) == "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"
    assert repr(nn.Conv2d(1, 2, (3, 5), bias=False)) == (
        "Conv2d(1, 2, kernel_size=(3, 5), stride=(1, 1), bias=False)"
    )


def test_same_and_valid_padding():
    assert nn.Conv2d(1, 2, 5, padding="same")(ld.randn(1, 1, 7, 7)).shape == (1, 2, 7, 7)
    assert nn.Conv2d(1, 2, 3, padding="valid").padding == (0, 0)
    with pytest.raises(ValueError, match="same"):
        nn.Conv2d(1, 2, 4, padding="same")
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(2, 2, 3, groups=2)


def test_init_bounds():
    conv = nn.Conv2d(4, 16, 3)
    bound = 1 / math.sqrt(4 * 3 * 3)
    assert np.abs(conv.weight.numpy()).max() <= bound
    assert np.abs(conv.bias.numpy()).max() <= bound


def test_gradients():
    conv = nn.Conv2d(2, 3, 2, stride=1, padding=1)
    gradcheck_module(conv, ld.randn(1, 2, 3, 3, requires_grad=True))


def test_same_as_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    assert_same_forward(
        nn.Conv2d(3, 4, 3, stride=2, padding=1), lambda n: n.Conv2d(3, 4, 3, stride=2, padding=1), x
    )
    assert_same_forward(
        nn.Conv2d(3, 2, (2, 3), bias=False), lambda n: n.Conv2d(3, 2, (2, 3), bias=False), x
    )


def test_wrong_channels_names_the_layer():
    model = nn.Sequential(nn.Conv2d(3, 8, 3))
    with pytest.raises(ld.ShapeError, match=r"layer '0'.*\(N, 3, H, W\).*\(2, 28, 28, 3\)"):
        model(ld.randn(2, 28, 28, 3))


def test_parameter_gradients_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((3, 2, 6, 5))
    conv = nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=1).double()
    twin = torch_twin(conv, lambda n: n.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=1))
    (conv(ld.tensor(x, dtype="float64")) ** 2).sum().backward()
    (twin(torch.from_numpy(x)) ** 2).sum().backward()
    for name, p in conv.named_parameters():
        want = getattr(twin, name).grad.numpy()
        np.testing.assert_allclose(p.grad.numpy(), want, rtol=1e-10, err_msg=name)
