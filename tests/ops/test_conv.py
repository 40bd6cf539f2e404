"""conv2d and its primitives unfold/fold, against NumPy loops and (where installed) PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import learndl as ld
from learndl import autograd, backend
from tests.helpers import SETTINGS, check_op, grad, seeds, values


def conv2d_ref(x, w, b=None, stride=1, padding=0):
    """Cross-correlation by explicit loops over the output pixels."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def _pair(v):
    return (v, v) if isinstance(v, int) else v


def f64(a, requires_grad=True):
    return ld.tensor(a, dtype="float64", requires_grad=requires_grad)


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


# (x shape, weight shape, bias, stride, padding): each a case the fast backward treats apart
GRADCHECK_CASES = {
    "1x1 image channel, no bias": ((2, 1, 5, 5), (1, 1, 3, 3), False, 1, 0),
    "channels in and out, bias": ((2, 3, 5, 4), (4, 3, 3, 3), True, 1, 0),
    "padding": ((1, 2, 4, 4), (3, 2, 3, 3), True, 1, 1),
    "stride 2": ((2, 2, 7, 6), (3, 2, 3, 3), True, 2, 1),
    "non-square kernel and stride": ((1, 3, 6, 7), (2, 3, 2, 3), True, (2, 1), (1, 0)),
    "kernel 1x1": ((2, 3, 3, 3), (2, 3, 1, 1), False, 1, 0),
    "stride past the kernel": ((1, 2, 7, 7), (2, 2, 2, 2), True, 3, 0),
}


@pytest.mark.parametrize("case", GRADCHECK_CASES)
def test_conv2d_gradcheck(case):
    xs, ws, with_bias, stride, padding = GRADCHECK_CASES[case]
    x, w = f64(values(xs, 0)), f64(values(ws, 1))
    inputs = (x, w, f64(values(ws[:1], 2))) if with_bias else (x, w)

    def fn(*t):
        return ld.conv2d(*t, stride=stride, padding=padding)

    assert ld.gradcheck(fn, *inputs, raise_on_fail=True)
    b = inputs[2].numpy() if with_bias else None
    want = conv2d_ref(x.numpy(), w.numpy(), b, stride, padding)
    np.testing.assert_allclose(fn(*inputs).numpy(), want, rtol=1e-12)


def test_conv2d_is_one_node_with_a_contiguous_output():
    x, w, b = ld.randn(2, 3, 6, 6), ld.randn(4, 3, 3, 3, requires_grad=True), ld.randn(4)
    y = ld.conv2d(x, w, b, padding=1)
    assert y.grad_fn.name == "conv2d" and y.grad_fn.inputs == (x, w, b)
    assert y.dtype == np.float32 and y.shape == (2, 4, 6, 6) and y.data.flags.c_contiguous


def test_conv2d_input_without_grad_gets_none():
    """The first layer's input is data: backward skips its gradient (a product and a fold)."""
    x = f64(values((2, 2, 5, 5), 0), requires_grad=False)
    w, b = f64(values((3, 2, 3, 3), 1)), f64(values((3,), 2))
    node = ld.conv2d(x, w, b, padding=1).grad_fn
    for mode in (ld.no_grad(), ld.enable_grad()):  # a plain backward, then create_graph's
        with mode:
            grads = node.backward(ld.ones(2, 3, 5, 5, dtype="float64"))
        assert grads[0] is None and grads[1].shape == (3, 2, 3, 3) and grads[2].shape == (3,)


@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0), ((1, 2), (2, 1))])
def test_conv2d_gradients_with_and_without_a_graph_agree(stride, padding):
    """The raw-array backward and the one written in ops (create_graph=True) agree."""
    x, w, b = f64(values((2, 3, 6, 5), 0)), f64(values((4, 3, 3, 2), 1)), f64(values((4,), 2))
    y = ld.conv2d(x, w, b, stride, padding)
    upstream = ld.tensor(values(y.shape, 3), dtype="float64")
    y.backward(upstream)
    plain = [t.grad.numpy() for t in (x, w, b)]
    as_graphs = grad((ld.conv2d(x, w, b, stride, padding) * upstream).sum(), x, w, b)
    assert as_graphs[0].requires_grad and as_graphs[1].requires_grad  # x's depends on w
    for p, g in zip(plain, as_graphs, strict=True):
        np.testing.assert_allclose(p, g.numpy(), rtol=1e-12, atol=1e-13)


def test_conv2d_backward_makes_nodes_only_when_watched():
    x, w = f64(values((1, 2, 4, 4), 0)), f64(values((2, 2, 3, 3), 1))
    y = ld.conv2d(x, w, padding=1)
    names = []
    autograd._apply_hooks.append(lambda node, out: names.append(node.name))
    try:
        y.backward(ld.ones(*y.shape, dtype="float64"), retain_graph=True)
    finally:
        autograd._apply_hooks.pop()
    assert "matmul" in names and "fold" in names  # a tracer watching sees the products
    x.grad = w.grad = None
    y.backward(ld.ones(*y.shape, dtype="float64"))
    assert x.grad.grad_fn is None and w.grad.grad_fn is None


def test_conv2d_second_derivative():
    x, w = f64(values((1, 2, 4, 4), 0)), f64(values((2, 2, 2, 3), 1))

    def grads(x_, w_):
        with ld.enable_grad():
            y = (ld.conv2d(x_, w_, stride=(1, 2), padding=1) ** 2).sum()
        gx, gw = grad(y, x_, w_)
        return (gx**2).sum() + (gw * w_).sum()

    # the gradients of the gradients, checked against central differences
    assert ld.gradcheck(grads, x, w, raise_on_fail=True)


@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0)])
def test_conv2d_kernel_branch_matches(monkeypatch, stride, padding):
    """A GPU takes the im2col/col2im kernels; their NumPy stand-ins give the same numbers."""
    from tests.backend import reference

    x, w, b = f64(values((2, 3, 6, 5), 0)), f64(values((4, 3, 3, 3), 1)), f64(values((4,), 2))
    upstream = ld.tensor(values(ld.conv2d(x, w, b, stride, padding).shape, 3), dtype="float64")

    def run():
        for t in (x, w, b):
            t.grad = None
        y = ld.conv2d(x, w, b, stride, padding)
        y.backward(upstream)
        return [y.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()]

    want = run()
    stand_ins = {"unfold": reference.im2col, "fold": reference.col2im}
    monkeypatch.setattr(backend, "gpu_kernel", lambda name, array: stand_ins.get(name))
    for got, expected in zip(run(), want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)


def test_conv2d_channel_mismatch():
    x, w = ld.ones(1, 3, 5, 5), ld.ones(4, 2, 3, 3)
    with pytest.raises(ld.ShapeError) as e:
        ld.conv2d(x, w)
    message = str(e.value)
    assert message.startswith("conv2d: input has 3 channels (shape (1, 3, 5, 5))")
    assert "(4, 2, 3, 3) expects 2" in message and "in_channels=3" in message
    assert x.shape == (1, 3, 5, 5) and w.shape == (4, 2, 3, 3)


def test_conv2d_shape_and_dtype_errors():
    with pytest.raises(ld.ShapeError, match="single image needs a batch axis"):
        ld.conv2d(ld.ones(3, 5, 5), ld.ones(4, 3, 3, 3))
    with pytest.raises(ld.ShapeError, match="conv2d: a 7-wide kernel does not fit an input of H=5"):
        ld.conv2d(ld.ones(1, 3, 5, 5), ld.ones(4, 3, 7, 7))
    with pytest.raises(ld.ShapeError, match=r"the bias must have shape \(4,\), got \(3,\)"):
        ld.conv2d(ld.ones(1, 3, 5, 5), ld.ones(4, 3, 3, 3), ld.ones(3))
    with pytest.raises(ld.DTypeError, match="conv2d: operands have dtypes float64 and float32"):
        ld.conv2d(ld.ones(1, 3, 5, 5, dtype="float64"), ld.ones(4, 3, 3, 3))


# --------------------------------------------------------------------- unfold and fold
@pytest.mark.parametrize(
    "stride, padding",
    [(1, 0), (2, 1), ((1, 2), (0, 1)), ((2, 3), 0), (3, 1)],  # the last two: no overlap
)
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


# --------------------------------------------------------------------- PyTorch references
def torch_pair(fn_ld, fn_torch, *arrays, requires_grad=None):
    """Run the same function in learndl and PyTorch; compare outputs and input gradients."""
    torch = pytest.importorskip("torch")
    requires_grad = requires_grad or [True] * len(arrays)
    xs = [f64(a, r) for a, r in zip(arrays, requires_grad, strict=True)]
    ts = [torch.tensor(a, requires_grad=r) for a, r in zip(arrays, requires_grad, strict=True)]
    out, tout = fn_ld(*xs), fn_torch(*ts)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = values(out.shape, 9)
    out.backward(ld.tensor(upstream, dtype="float64"))
    tout.backward(torch.tensor(upstream))
    for x, t in zip(xs, ts, strict=True):
        if t.grad is None:
            assert x.grad is None
        else:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, 2), ((2, 1), (1, 0))])
def test_conv2d_matches_pytorch(stride, padding):
    torch = pytest.importorskip("torch")
    x, w, b = values((2, 3, 7, 6), 0), values((4, 3, 3, 2), 1), values((4,), 2)
    torch_pair(
        lambda *t: ld.conv2d(*t, stride=stride, padding=padding),
        lambda *t: torch.nn.functional.conv2d(*t, stride=stride, padding=padding),
        x,
        w,
        b,
    )


def test_conv2d_without_bias_on_data_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, w = values((3, 1, 8, 8), 0), values((5, 1, 3, 3), 1)
    torch_pair(
        lambda *t: ld.conv2d(*t, padding=1),
        lambda *t: torch.nn.functional.conv2d(*t, padding=1),
        x,
        w,
        requires_grad=[False, True],
    )
