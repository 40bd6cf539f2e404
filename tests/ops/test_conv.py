"""conv2d, max_pool2d, avg_pool2d and their primitives unfold/fold, against NumPy loops
and (where installed) PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import learndl as ld
from tests.helpers import SETTINGS, check_op, seeds, values


def conv2d_ref(x, w, b=None, stride=1, padding=0):
    """Cross-correlation by explicit loops over the output pixels."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return out if b is None else out + b.reshape(1, -1, 1, 1)


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


@st.composite
def conv_setup(draw):
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
    h = draw(st.integers(max(1, kh - 2 * padding), 5))
    w = draw(st.integers(max(1, kw - 2 * padding), 5))
    return (n, c, h, w), (o, c, kh, kw), stride, padding


@SETTINGS
@given(conv_setup(), seeds, st.booleans())
def test_conv2d(setup, seed, with_bias):
    xs, ws, stride, padding = setup
    x, w, b = values(xs, seed), values(ws, seed + 1), values(ws[:1], seed + 2)
    if with_bias:
        check_op(
            lambda x_, w_, b_: ld.conv2d(x_, w_, b_, stride=stride, padding=padding),
            lambda x_, w_, b_: conv2d_ref(x_, w_, b_, stride, padding),
            *(x, w, b),
            atol=1e-12,
            broadcast=False,
        )
    else:
        check_op(
            lambda x_, w_: ld.conv2d(x_, w_, stride=stride, padding=padding),
            lambda x_, w_: conv2d_ref(x_, w_, None, stride, padding),
            *(x, w),
            atol=1e-12,
            broadcast=False,
        )


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 2), st.integers(2, 6), seeds)
def test_max_pool2d(k, stride, size, seed):
    if size < k:
        return
    # a permutation of distinct values: no ties inside a window, where max has a kink
    x = np.random.default_rng(seed).permutation(2 * size * size).reshape(1, 2, size, size) / 10.0
    check_op(lambda t: ld.max_pool2d(t, k, stride), lambda a: pool_ref(a, k, stride, np.max), x)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.integers(2, 5), seeds)
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


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (0, 1))])
def test_fold_is_the_adjoint_of_unfold(stride, padding):
    """<unfold(x), y> == <x, fold(y)>: the property that makes each the other's backward."""
    x = values((2, 3, 5, 4), 0)
    cols = ld.ops.unfold(ld.tensor(x, dtype="float64"), (2, 3), stride, padding)
    y = values(cols.shape, 1)
    back = ld.ops.fold(ld.tensor(y, dtype="float64"), x.shape, (2, 3), stride, padding)
    assert back.shape == x.shape
    np.testing.assert_allclose((cols.numpy() * y).sum(), (x * back.numpy()).sum(), rtol=1e-12)


def test_unfold_and_fold_gradients():
    x = values((1, 2, 4, 4), 2)
    check_op(lambda t: ld.ops.unfold(t, 2, 1, 1), lambda a: _unfold_ref(a, 2, 1, 1), x)
    y = values((1, 2, 3, 3, 2, 2), 3)
    assert ld.gradcheck(
        lambda t: ld.ops.fold(t, (1, 2, 4, 4), 2, 1, 0), ld.tensor(y, requires_grad=True)
    )


def _unfold_ref(x, k, stride, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.zeros((n, c, oh, ow, k, k))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
    return out


def test_conv2d_channel_mismatch():
    x, w = ld.ones(1, 3, 5, 5), ld.ones(4, 2, 3, 3)
    with pytest.raises(ld.ShapeError) as e:
        ld.conv2d(x, w)
    message = str(e.value)
    assert message.startswith("conv2d: input has 3 channels (shape (1, 3, 5, 5))")
    assert "(4, 2, 3, 3) expects 2" in message and "in_channels=3" in message
    assert x.shape == (1, 3, 5, 5) and w.shape == (4, 2, 3, 3)


def test_conv2d_shape_errors():
    with pytest.raises(ld.ShapeError, match="single image needs a batch axis"):
        ld.conv2d(ld.ones(3, 5, 5), ld.ones(4, 3, 3, 3))
    with pytest.raises(ld.ShapeError, match="unfold: a 7-wide kernel does not fit an input of H=5"):
        ld.conv2d(ld.ones(1, 3, 5, 5), ld.ones(4, 3, 7, 7))
    with pytest.raises(ld.ShapeError, match="max_pool2d: padding is not supported"):
        ld.max_pool2d(ld.ones(1, 1, 4, 4), 2, padding=1)


# --------------------------------------------------------------------- PyTorch references
def _torch_pair(fn_ld, fn_torch, *arrays):
    """Run the same function in learndl and PyTorch; compare outputs and input gradients."""
    torch = pytest.importorskip("torch")
    xs = [ld.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, tout = fn_ld(*xs), fn_torch(*ts)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = values(out.shape, 9)
    out.backward(ld.tensor(upstream, dtype="float64"))
    tout.backward(torch.tensor(upstream))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, 2), ((2, 1), (1, 0))])
def test_conv2d_matches_pytorch(stride, padding):
    torch = pytest.importorskip("torch")
    x, w, b = values((2, 3, 7, 6), 0), values((4, 3, 3, 2), 1), values((4,), 2)
    _torch_pair(
        lambda *t: ld.conv2d(*t, stride=stride, padding=padding),
        lambda *t: torch.nn.functional.conv2d(*t, stride=stride, padding=padding),
        x,
        w,
        b,
    )


@pytest.mark.parametrize("k, stride", [(2, None), (3, 1), (3, 2)])
def test_pools_match_pytorch(k, stride):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7) / 7.0
    F = torch.nn.functional
    _torch_pair(lambda t: ld.max_pool2d(t, k, stride), lambda t: F.max_pool2d(t, k, stride), x)
    _torch_pair(lambda t: ld.avg_pool2d(t, k, stride), lambda t: F.avg_pool2d(t, k, stride), x)
    _torch_pair(
        lambda t: ld.avg_pool2d(t, 3, 2, padding=1),
        lambda t: F.avg_pool2d(t, 3, 2, padding=1),
        x,
    )
