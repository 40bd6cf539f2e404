"""Reductions: sum, mean, max (and min), over all axes, one, several, with keepdims."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import learndl as ld
from tests.helpers import SETTINGS, check_op, seeds, shapes, values


@st.composite
def shape_and_axis(draw):
    """A shape and an axis argument for it: None, an int (maybe negative) or a tuple."""
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple),
        )
    )
    return shape, axis


@pytest.mark.parametrize(
    "name, ref", [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min)]
)
@pytest.mark.parametrize("keepdims", [False, True])
@SETTINGS
@given(shape_and_axis(), seeds)
def test_reduction(name, ref, keepdims, shape_axis, seed):
    shape, axis = shape_axis
    a = values(shape, seed)

    def fn(x):
        return getattr(x, name)(axis=axis, keepdims=keepdims)

    check_op(fn, lambda x: ref(x, axis=axis, keepdims=keepdims), a, atol=1e-12, rtol=1e-12)


def test_functions_match_methods():
    x = ld.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert ld.sum(x, axis=0).tolist() == x.sum(axis=0).tolist() == [4.0, 7.0]
    assert ld.mean(x).item() == 2.75
    assert ld.max(x, axis=1).tolist() == [5.0, 3.0]
    assert x.min().item() == 1.0


def test_max_ties_share_the_gradient():
    x = ld.tensor([[3.0, 1.0, 3.0], [0.0, 2.0, 1.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    assert x.grad.tolist() == [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]
    x.grad = None
    x.max().backward()
    assert x.grad.tolist() == [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]]


def test_sum_of_a_0d_tensor():
    x = ld.tensor(3.0, requires_grad=True)
    y = x.sum()
    y.backward()
    assert y.item() == 3.0 and x.grad.item() == 1.0


def test_mean_backward_is_differentiable_again():
    x = ld.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    assert ld.gradcheck(lambda t: (t.mean(axis=0, keepdims=True) * t).sum() ** 2, x)


def test_axis_out_of_range():
    with pytest.raises(ld.ShapeError, match=r"sum: axis 2 is out of range for a tensor with 2"):
        ld.ones(2, 3).sum(axis=2)
    with pytest.raises(ld.ShapeError, match="mean: axis -3"):
        ld.ones(2, 3).mean(axis=-3)


def test_max_of_an_empty_tensor():
    with pytest.raises(ld.ShapeError, match=r"max: the tensor of shape \(0,\) is empty"):
        ld.zeros(0).max()


def test_dim_is_accepted_like_axis():
    # PyTorch code says x.sum(dim=0); DESIGN promises dim and axis both work.
    x = ld.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert x.sum(dim=0).tolist() == [4.0, 7.0]
    assert x.mean(dim=1).tolist() == [3.0, 2.5]
    assert x.max(dim=1).tolist() == [5.0, 3.0]
    assert x.min(dim=0, keepdims=True).tolist() == [[1.0, 2.0]]
