"""max_pool2d and avg_pool2d, against NumPy loops and (where installed) PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import learndl as ld
from tests.helpers import SETTINGS, check_op, grad, seeds, values
from tests.ops.test_conv import f64, torch_pair


def pool_ref(x, k, stride, reduce, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = reduce(window, axis=(2, 3))
    return out


def distinct(shape, seed):
    """A permutation of distinct values: no ties inside a window, where max has a kink."""
    size = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(size).reshape(shape) / 10.0


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 7), st.integers(2, 7), seeds)
def test_max_pool2d(k, stride, h, w, seed):
    if h < k or w < k:
        return
    x = distinct((2, 2, h, w), seed)  # odd sizes too: the last rows and columns are dropped
    check_op(lambda t: ld.max_pool2d(t, k, stride), lambda a: pool_ref(a, k, stride, np.max), x)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(2, 6), seeds)
def test_avg_pool2d(k, stride, padding, size, seed):
    if size + 2 * padding < k or padding * 2 > k:
        return
    x = values((2, 1, size, size), seed)
    check_op(
        lambda t: ld.avg_pool2d(t, k, stride, padding),
        lambda a: pool_ref(a, k, stride, np.mean, padding),
        x,
    )


def test_pool_stride_defaults_to_the_kernel():
    x = ld.arange(16.0).reshape(1, 1, 4, 4)
    assert ld.max_pool2d(x, 2).tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert ld.avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]


def test_pools_are_one_node_each():
    x = ld.randn(2, 3, 6, 6, requires_grad=True)
    assert ld.max_pool2d(x, 2).grad_fn.name == "max_pool2d"
    assert ld.avg_pool2d(x, 3, 1, padding=1).grad_fn.name == "avg_pool2d"
    y = ld.max_pool2d(x, 2)
    assert y.dtype == np.float32 and y.data.flags.c_contiguous


def test_max_pool2d_gives_a_tie_to_its_first_element():
    """The rule on ties, as PyTorch's: the window's first largest element (row by row) takes
    the whole gradient. After a ReLU, windows of zeros are common."""
    x = f64([[[[0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 2.0, 0.0]]]])
    ld.max_pool2d(x, 2).backward(ld.tensor([[[[3.0, 5.0]]]], dtype="float64"))
    assert x.grad.tolist() == [[[[3.0, 0.0, 0.0, 5.0], [0.0, 0.0, 0.0, 0.0]]]]


@pytest.mark.parametrize("k, stride", [(2, None), (2, 1), (3, 2)])
def test_max_pool2d_ties_with_and_without_a_graph_agree(k, stride):
    """The raw-array backward and the one written in ops pick the same winners."""
    x = f64(np.maximum(values((2, 2, 5, 5), 0), 0.0).round(0))  # many ties
    ld.max_pool2d(x, k, stride).backward(ld.ones(*ld.max_pool2d(x, k, stride).shape))
    (as_graph,) = grad(ld.max_pool2d(x, k, stride).sum(), x)
    np.testing.assert_array_equal(x.grad.numpy(), as_graph.numpy())


def test_pool_second_derivatives():
    """Both pools are linear in their input's gradient: the gradients of that are exact."""
    x = f64(distinct((1, 2, 5, 5), 0))
    for pool in (lambda t: ld.max_pool2d(t, 3, 2), lambda t: ld.avg_pool2d(t, 3, 2, padding=1)):

        def grads(x_, pool=pool):
            with ld.enable_grad():
                y = (pool(x_) ** 2).sum()
            return (grad(y, x_)[0] ** 2).sum()

        assert ld.gradcheck(grads, x, raise_on_fail=True)


def test_pool_errors():
    with pytest.raises(ld.ShapeError, match="max_pool2d: padding is not supported"):
        ld.max_pool2d(ld.ones(1, 1, 4, 4), 2, padding=1)
    with pytest.raises(ld.ShapeError, match="max_pool2d: a 5-wide kernel does not fit"):
        ld.max_pool2d(ld.ones(1, 1, 4, 4), 5)
    with pytest.raises(ld.ShapeError, match=r"avg_pool2d: expects an \(N, C, H, W\) batch"):
        ld.avg_pool2d(ld.ones(4, 4), 2)


@pytest.mark.parametrize("k, stride", [(2, None), (3, 1), (3, 2)])
def test_pools_match_pytorch(k, stride):
    torch = pytest.importorskip("torch")
    x = distinct((2, 3, 7, 7), 0)
    F = torch.nn.functional
    torch_pair(lambda t: ld.max_pool2d(t, k, stride), lambda t: F.max_pool2d(t, k, stride), x)
    torch_pair(lambda t: ld.avg_pool2d(t, k, stride), lambda t: F.avg_pool2d(t, k, stride), x)
    torch_pair(
        lambda t: ld.avg_pool2d(t, 3, 2, padding=1),
        lambda t: F.avg_pool2d(t, 3, 2, padding=1),
        x,
    )


def test_max_pool2d_ties_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.maximum(values((2, 3, 6, 7), 0), 0.0).round(0)  # after a ReLU: ties of zeros
    torch_pair(lambda t: ld.max_pool2d(t, 2), lambda t: torch.nn.functional.max_pool2d(t, 2), x)


def test_docstring_examples():
    import doctest

    from learndl.ops import pool

    result = doctest.testmod(pool, raise_on_error=False)
    assert result.failed == 0 and result.attempted > 0
