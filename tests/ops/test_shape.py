"""Shape ops: reshape, permute, transpose, expand, squeeze, unsqueeze, cat, stack, clone and
cast -- each moves values, and its backward moves the gradient back (getitem: test_indexing)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learndl as ld
from tests.helpers import SETTINGS, check_op, seeds, shapes, values


@SETTINGS
@given(shapes(), seeds, st.randoms(use_true_random=False))
def test_reshape(shape, seed, rnd):
    a = values(shape, seed)
    new = list(shape)
    rnd.shuffle(new)
    new.insert(rnd.randint(0, len(new)), 1)
    check_op(lambda x: x.reshape(*new), lambda x: x.reshape(new), a)
    check_op(lambda x: ld.reshape(x, (-1,)), lambda x: x.reshape(-1), a)


@SETTINGS
@given(shapes(min_dims=1), seeds, st.randoms(use_true_random=False))
def test_permute(shape, seed, rnd):
    dims = list(range(len(shape)))
    rnd.shuffle(dims)
    check_op(lambda x: x.permute(*dims), lambda x: x.transpose(dims), values(shape, seed))
    check_op(lambda x: ld.permute(x, dims), lambda x: x.transpose(dims), values(shape, seed))


@SETTINGS
@given(shapes(min_dims=2), seeds)
def test_transpose_and_T(shape, seed):
    a = values(shape, seed)
    check_op(lambda x: x.transpose(), lambda x: np.swapaxes(x, -1, -2), a)
    check_op(lambda x: ld.transpose(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), a)
    check_op(lambda x: x.T, lambda x: x.T, a)


@SETTINGS
@given(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=4), seeds)
def test_expand(shapes_, seed):
    (shape,), target = shapes_.input_shapes, shapes_.result_shape
    a = values(shape, seed)
    check_op(lambda x: x.expand(*target), lambda x: np.broadcast_to(x, target), a)
    check_op(lambda x: ld.expand(x, target), lambda x: np.broadcast_to(x, target), a)


@SETTINGS
@given(shapes(), seeds)
def test_squeeze_and_unsqueeze(shape, seed):
    a = values(shape, seed)
    check_op(lambda x: x.squeeze(), np.squeeze, a)
    check_op(lambda x: x.unsqueeze(0), lambda x: x[None], a)
    check_op(lambda x: ld.unsqueeze(x, -1), lambda x: x[..., None], a)
    if a.ndim:
        check_op(lambda x: ld.squeeze(x, 0), lambda x: x[0] if x.shape[0] == 1 else x, a)


@SETTINGS
@given(shapes(min_dims=1), seeds, st.integers(1, 3), st.data())
def test_cat(shape, seed, n, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for i in range(n):
        s = list(shape)
        s[axis] = data.draw(st.integers(1, 3))
        arrays.append(values(s, seed + i))
    check_op(
        lambda *xs: ld.cat(xs, dim=axis),
        lambda *xs: np.concatenate(xs, axis=axis),
        *arrays,
        broadcast=False,
    )


@SETTINGS
@given(shapes(), seeds, st.integers(1, 3), st.data())
def test_stack(shape, seed, n, data):
    axis = data.draw(st.integers(0, len(shape)))
    arrays = [values(shape, seed + i) for i in range(n)]
    check_op(lambda *xs: ld.stack(xs, axis=axis), lambda *xs: np.stack(xs, axis=axis), *arrays)


@SETTINGS
@given(shapes(), seeds)
def test_clone_and_flatten(shape, seed):
    a = values(shape, seed)
    check_op(lambda x: x.clone(), lambda x: x.copy(), a)
    check_op(lambda x: x.flatten(0), lambda x: x.reshape(-1) if x.ndim else x, a)


def test_clone_has_its_own_memory():
    x = ld.tensor([1.0, 2.0])
    y = x.clone()
    y += 1
    assert x.tolist() == [1.0, 2.0]


def test_cast_keeps_the_gradient_path_and_casts_the_gradient_back():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    assert x.grad.tolist() == [2.0, 4.0]
    z = ld.tensor([3.0], dtype="float64", requires_grad=True)
    z.float().sum().backward()
    assert z.grad.dtype == np.float64 and z.grad.tolist() == [1.0]


def test_reshape_of_the_wrong_size():
    x = ld.ones(2, 3)
    with pytest.raises(ld.ShapeError, match=r"reshape: cannot view .* \(2, 3\) \(6 elements\)"):
        x.reshape(4, 2)
    with pytest.raises(ld.ShapeError, match="reshape"):
        x.reshape(-1, 4)
    with pytest.raises(ld.ShapeError, match="at most one may be -1"):
        x.reshape(-1, -1)
    assert x.shape == (2, 3)


def test_shape_errors():
    x = ld.ones(2, 3)
    with pytest.raises(ld.ShapeError, match=r"permute: \(0, 0\) is not an ordering"):
        x.permute(0, 0)
    with pytest.raises(ld.ShapeError, match=r"expand: shape \(2, 3\) cannot be broadcast"):
        x.expand(3, 3)
    with pytest.raises(ld.ShapeError, match=r"cat: shapes \(2, 3\) and \(2, 4\) differ outside"):
        ld.cat([x, ld.ones(2, 4)], dim=0)
    with pytest.raises(ld.ShapeError, match="cat: needs at least one tensor"):
        ld.cat([])
    with pytest.raises(ld.ShapeError, match=r"stack: shapes \(2, 3\) and \(3, 2\)"):
        ld.stack([x, ld.ones(3, 2)])
    with pytest.raises(ld.ShapeError, match=r"getitem: index does not fit shape \(2, 3\)"):
        x[5]


def test_squeeze_of_a_larger_axis_does_nothing():
    x = ld.ones(2, 3)
    assert x.squeeze(0).shape == (2, 3)
    assert ld.ones(1, 3, 1).squeeze().shape == (3,)
