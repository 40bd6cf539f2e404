"""Arithmetic ops: add, sub, mul, div, neg, pow, against NumPy, with broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import learndl as ld
from tests.helpers import SETTINGS, broadcast_shapes, check_op, seeds, shapes, values


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_add(shape_pair, seed):
    a, b = (values(s, seed + i) for i, s in enumerate(shape_pair))
    check_op(lambda x, y: x + y, np.add, a, b)
    check_op(ld.add, np.add, a, b)


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_sub(shape_pair, seed):
    a, b = (values(s, seed + i) for i, s in enumerate(shape_pair))
    check_op(lambda x, y: x - y, np.subtract, a, b)


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_mul(shape_pair, seed):
    a, b = (values(s, seed + i) for i, s in enumerate(shape_pair))
    check_op(lambda x, y: x * y, np.multiply, a, b)


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_div(shape_pair, seed):
    a = values(shape_pair[0], seed)
    b = values(shape_pair[1], seed + 1, 0.5, 2.0) * np.random.default_rng(seed).choice(
        [-1, 1], size=shape_pair[1]
    )
    check_op(lambda x, y: x / y, np.divide, a, b)


@SETTINGS
@given(shapes(), seeds)
def test_neg(shape, seed):
    check_op(lambda x: -x, np.negative, values(shape, seed))


@SETTINGS
@given(shapes(), seeds)
@pytest.mark.parametrize("exponent", [0, 1, 2, 3, -1, 0.5, -1.5])
def test_pow_number(exponent, shape, seed):
    a = values(shape, seed, 0.5, 2.0)  # positive: fractional and negative powers are defined
    check_op(lambda x: x**exponent, lambda x: x**exponent, a)


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_pow_tensor_exponent(shape_pair, seed):
    a = values(shape_pair[0], seed, 0.5, 2.0)
    b = values(shape_pair[1], seed + 1)
    check_op(lambda x, y: x**y, np.power, a, b, atol=1e-12, rtol=1e-12)


@SETTINGS
@given(shapes(), seeds)
def test_python_numbers_on_either_side(shape, seed):
    a = values(shape, seed, 0.5, 2.0)
    check_op(lambda x: 2.5 + x, lambda x: 2.5 + x, a)
    check_op(lambda x: 2.5 - x, lambda x: 2.5 - x, a)
    check_op(lambda x: 2.5 * x, lambda x: 2.5 * x, a)
    check_op(lambda x: 2.5 / x, lambda x: 2.5 / x, a)
    check_op(lambda x: 2.5**x, lambda x: 2.5**x, a, rtol=1e-12)
    check_op(lambda x: x - 1, lambda x: x - 1, a)


def test_numpy_array_on_the_left_calls_the_tensor_operator():
    out = np.ones(3) + ld.tensor([1.0, 2.0, 3.0], dtype="float64")
    assert isinstance(out, ld.Tensor)
    assert out.tolist() == [2.0, 3.0, 4.0]


def test_python_number_keeps_the_tensor_dtype():
    assert (ld.ones(2) * 0.1).dtype == np.float32
    assert (ld.ones(2, dtype="float64") * 0.1).dtype == np.float64


def test_integer_tensor_is_promoted_to_the_float_operand():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    y = x * ld.tensor([2, 3])
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 3.0]


def test_integer_arithmetic_stays_integer():
    assert (ld.tensor([1, 2]) + ld.tensor([3, 4])).dtype == np.int64


def test_mixed_float_dtypes_are_refused():
    a, b = ld.ones(2), ld.ones(2, dtype="float64")
    with pytest.raises(ld.DTypeError, match=r"add: operands have dtypes float32 and float64"):
        a + b


def test_shapes_that_do_not_broadcast_name_the_op_and_both_shapes():
    with pytest.raises(ld.ShapeError, match=r"mul: shapes \(2, 3\) and \(4,\) cannot be broad"):
        ld.ones(2, 3) * ld.ones(4)


def test_second_derivative_of_division():
    x = ld.tensor(2.0, dtype="float64", requires_grad=True)
    (g,) = _grad(1.0 / x, x)  # d/dx 1/x = -1/x^2
    (gg,) = _grad(g, x)  # 2/x^3
    assert g.item() == pytest.approx(-0.25)
    assert gg.item() == pytest.approx(0.25)


def _grad(y, x):
    x.grad = None
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    return (g,)


def test_integer_division_gives_learndls_default_float():
    # NumPy's int / int is float64; learndl (like PyTorch) gives its default float32.
    assert (ld.tensor([1, 2]) / 2).dtype == ld.float32
    assert (3 / ld.tensor([2])).dtype == ld.float32
    assert (ld.tensor([1, 2]) / ld.tensor([2, 4])).tolist() == [0.5, 0.5]
