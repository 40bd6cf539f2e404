"""One-input elementwise ops against NumPy (and math.erf), forward and backward.

erf's accuracy over the whole real line is checked in test_erf.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given

import learndl as ld
from tests.helpers import SETTINGS, check_op, seeds, shapes, values

CASES = {
    # name: (learndl op, NumPy reference, low, high, kinks to keep away from)
    "exp": (ld.exp, np.exp, -2, 2, ()),
    "log": (ld.log, np.log, 0.2, 3, ()),
    "sqrt": (ld.sqrt, np.sqrt, 0.2, 3, ()),
    "abs": (ld.abs, np.abs, -2, 2, (0.0,)),
    "tanh": (ld.tanh, np.tanh, -3, 3, ()),
    "sigmoid": (ld.sigmoid, lambda x: 1 / (1 + np.exp(-x)), -5, 5, ()),
    "relu": (ld.relu, lambda x: np.maximum(x, 0), -2, 2, (0.0,)),
    "clip": (lambda x: ld.clip(x, -0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0), -2, 2, (-0.5, 1)),
    "clip_min": (lambda x: x.clamp(min=0.3), lambda x: np.maximum(x, 0.3), -2, 2, (0.3,)),
    "clip_max": (lambda x: x.clip(max=0.3), lambda x: np.minimum(x, 0.3), -2, 2, (0.3,)),
    "erf": (ld.erf, np.vectorize(math.erf), -3, 3, ()),
}


@pytest.mark.parametrize("name", CASES)
@SETTINGS
@given(shape=shapes(), seed=seeds)
def test_unary_op(name, shape, seed):
    op, ref, low, high, kinks = CASES[name]
    check_op(op, ref, values(shape, seed, low, high, kinks), atol=1e-12, rtol=1e-12)


def test_methods_match_functions():
    x = ld.tensor([0.5, 1.5])
    for name in ("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu"):
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(ld, name)(x).numpy())
    assert abs(ld.tensor([-2.0])).tolist() == [2.0]


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        y = ld.sigmoid(ld.tensor([-1000.0, 0.0, 1000.0], dtype="float64"))
    assert y.tolist() == [0.0, 0.5, 1.0]


def test_abs_and_relu_gradient_at_zero_is_zero_as_pytorch():
    x = ld.tensor([0.0], requires_grad=True)
    ld.abs(x).sum().backward()
    assert x.grad.tolist() == [0.0]
    x.grad = None
    ld.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0]


def test_clip_gradient_is_zero_outside_the_range():
    x = ld.tensor([-2.0, 0.0, 2.0], requires_grad=True)
    x.clip(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
