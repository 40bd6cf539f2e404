from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl.nn import init


def test_calculate_gain_and_fans():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init._calculate_fan_in_and_fan_out(ld.zeros(8, 3, 5, 5)) == (75, 200)
    assert init._calculate_fan_in_and_fan_out(ld.zeros(10, 4)) == (4, 10)
    with pytest.raises(ValueError, match="2 or more"):
        init._calculate_fan_in_and_fan_out(ld.zeros(3))
    torch = pytest.importorskip("torch")
    for name in ("linear", "relu", "tanh", "sigmoid", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))


def test_statistics():
    ld.manual_seed(0)
    w = ld.zeros(400, 300)
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    init.xavier_uniform_(w)
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 700)
    init.xavier_normal_(w, gain=2.0)
    assert w.numpy().std() == pytest.approx(2 * math.sqrt(2 / 700), rel=0.02)
    init.normal_(w, 3.0, 0.5)
    assert w.numpy().mean() == pytest.approx(3.0, abs=0.01)
    init.uniform_(w, -2, -1)
    assert w.numpy().min() >= -2 and w.numpy().max() < -1
    init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
    assert np.abs(w.numpy()).max() <= 0.5


def test_in_place_on_parameters_and_dtypes():
    p = ld.nn.Parameter(ld.zeros(3, 2, dtype="float64"))
    assert init.ones_(p) is p and p.tolist() == [[1.0, 1.0]] * 3 and p.dtype == np.float64
    init.constant_(p, 0.5)
    assert p.numpy().mean() == 0.5 and p.requires_grad and p.grad_fn is None
    init.zeros_(p)
    assert p.numpy().sum() == 0.0


def test_seeded():
    ld.manual_seed(5)
    a = init.normal_(ld.zeros(4)).numpy().copy()
    ld.manual_seed(5)
    np.testing.assert_array_equal(init.normal_(ld.zeros(4)).numpy(), a)
