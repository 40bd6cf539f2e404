"""matmul: 2-D, batched with broadcasting, and 1-D operands, as numpy.matmul."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learndl as ld
from tests.helpers import SETTINGS, check_op, grad, seeds, values


@st.composite
def matmul_shapes(draw):
    """Shapes (…, n, k) and (…, k, m) with broadcastable batch axes, or 1-D operands."""
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3)
    ).input_shapes
    left = draw(st.sampled_from([(k,), batch[0] + (n, k)]))
    right = draw(st.sampled_from([(k,), batch[1] + (k, m)]))
    return left, right


@SETTINGS
@given(matmul_shapes(), seeds)
def test_matmul(shape_pair, seed):
    a, b = values(shape_pair[0], seed), values(shape_pair[1], seed + 1)
    check_op(lambda x, y: x @ y, np.matmul, a, b, atol=1e-12, rtol=1e-12, broadcast=False)
    check_op(ld.matmul, np.matmul, a, b, atol=1e-12, rtol=1e-12, broadcast=False)


def test_matmul_with_a_numpy_array_on_the_left():
    w = ld.ones(3, 2, requires_grad=True)
    out = np.ones((1, 3), dtype=np.float32) @ w
    assert isinstance(out, ld.Tensor) and out.tolist() == [[3.0, 3.0]]


def test_inner_sizes_differ():
    a, b = ld.ones(32, 784), ld.ones(100, 10)
    with pytest.raises(ld.ShapeError) as e:
        a @ b
    assert str(e.value).startswith("matmul: (32, 784) @ (100, 10): inner sizes 784 and 100 differ")
    assert "in_features=784" in str(e.value)
    assert a.shape == (32, 784) and b.shape == (100, 10)


def test_batched_and_scalar_errors():
    with pytest.raises(ld.ShapeError, match=r"matmul: \(2, 2, 3\) @ \(4, 5\): inner sizes 3"):
        ld.ones(2, 2, 3) @ ld.ones(4, 5)
    with pytest.raises(ld.ShapeError, match=r"batch shapes \(2,\) and \(3,\)"):
        ld.ones(2, 2, 3) @ ld.ones(3, 3, 4)
    with pytest.raises(ld.ShapeError, match=r"use \* to multiply by a scalar"):
        ld.matmul(ld.ones(2), ld.tensor(2.0))


def test_matmul_second_derivative():
    a = ld.tensor(values((2, 3), 0), dtype="float64", requires_grad=True)
    b = ld.tensor(values((3, 2), 1), dtype="float64", requires_grad=True)

    def grads(a_, b_):
        with ld.enable_grad():
            y = ((a_ @ b_) ** 2).sum()
        ga, gb = grad(y, a_, b_)
        return ga * 2 + gb.T

    # the gradients of the gradients, checked against central differences
    assert ld.gradcheck(grads, a, b, raise_on_fail=True)
