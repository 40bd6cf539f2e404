"""maximum, minimum, where and the comparison operators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import learndl as ld
from tests.helpers import SETTINGS, broadcast_shapes, check_op, seeds, values


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_maximum(shape_pair, seed):
    a, b = (values(s, seed + i) for i, s in enumerate(shape_pair))
    if np.any(np.abs(np.subtract(a, b)) < 1e-3):  # a tie is a kink: no central difference
        return
    check_op(ld.maximum, np.maximum, a, b)


@SETTINGS
@given(broadcast_shapes(), seeds)
def test_minimum(shape_pair, seed):
    a, b = (values(s, seed + i) for i, s in enumerate(shape_pair))
    if np.any(np.abs(np.subtract(a, b)) < 1e-3):
        return
    check_op(ld.minimum, np.minimum, a, b)


@SETTINGS
@given(broadcast_shapes(3), seeds)
def test_where(shapes3, seed):
    cond = np.random.default_rng(seed).random(shapes3[0]) > 0.5
    a, b = values(shapes3[1], seed + 1), values(shapes3[2], seed + 2)
    check_op(lambda x, y: ld.where(ld.tensor(cond), x, y), lambda x, y: np.where(cond, x, y), a, b)


def test_ties_share_the_gradient_half_and_half():
    a = ld.tensor([1.0, 2.0], requires_grad=True)
    b = ld.tensor([1.0, 1.0], requires_grad=True)
    ld.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0]
    assert b.grad.tolist() == [0.5, 0.0]


def test_maximum_with_a_number():
    a = ld.tensor([-1.0, 3.0], requires_grad=True)
    y = ld.maximum(a, 0.0)
    y.sum().backward()
    assert y.tolist() == [0.0, 3.0]
    assert a.grad.tolist() == [0.0, 1.0]


def test_where_accepts_arrays_numbers_and_non_bool_conditions():
    x = ld.tensor([-1.0, 2.0], requires_grad=True)
    assert ld.where(np.array([True, False]), x, 0.0).tolist() == [-1.0, 0.0]
    assert ld.where(ld.tensor([1, 0]), x, 5.0).tolist() == [-1.0, 5.0]
    y = ld.where(x > 0, x, x * 0.1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.1, 1.0])


def test_where_with_shapes_that_do_not_broadcast():
    with pytest.raises(ld.ShapeError, match="where"):
        ld.where(ld.tensor([True, False, True]), ld.ones(3), ld.ones(2))


@pytest.mark.parametrize(
    "op, ref",
    [
        (lambda a, b: a < b, np.less),
        (lambda a, b: a <= b, np.less_equal),
        (lambda a, b: a > b, np.greater),
        (lambda a, b: a >= b, np.greater_equal),
        (lambda a, b: a == b, np.equal),
        (lambda a, b: a != b, np.not_equal),
    ],
)
def test_comparisons_give_bool_tensors_without_grad(op, ref):
    a = ld.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    b = ld.tensor([[2.0], [1.0]])
    out = op(a, b)
    assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out.numpy(), ref(a.numpy(), b.numpy()))
    np.testing.assert_array_equal(op(a, 2.0).numpy(), ref(a.numpy(), 2.0))
