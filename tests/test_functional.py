"""learndl.functional: forward against NumPy, backward by gradcheck, stability at large
logits, and PyTorch references. (linear, softmax and cross_entropy are single nodes, whose
own tests are in tests/ops/test_linalg.py and tests/ops/test_softmax.py.)"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import learndl as ld
from tests.helpers import SETTINGS, check_op, seeds, shapes, values


def softmax_ref(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def logsumexp_ref(x, axis=None, keepdims=False):
    top = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


@st.composite
def shape_and_dim(draw):
    shape = draw(shapes(min_dims=1))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@SETTINGS
@given(shape_and_dim(), seeds)
def test_softmax_and_log_softmax(shape_dim, seed):
    shape, dim = shape_dim
    a = values(shape, seed, -5, 5)
    check_op(lambda x: ld.softmax(x, dim=dim), lambda x: softmax_ref(x, dim), a, atol=1e-12)
    check_op(lambda x: x.softmax(axis=dim), lambda x: softmax_ref(x, dim), a, atol=1e-12)
    check_op(
        lambda x: ld.log_softmax(x, dim),
        lambda x: np.log(softmax_ref(x, dim)),
        a,
        atol=1e-12,
    )


@SETTINGS
@given(shape_and_dim(), st.booleans(), st.booleans(), seeds)
def test_logsumexp(shape_dim, all_axes, keepdims, seed):
    shape, dim = shape_dim
    dim = None if all_axes else dim
    a = values(shape, seed, -5, 5)
    check_op(
        lambda x: ld.logsumexp(x, dim=dim, keepdims=keepdims),
        lambda x: logsumexp_ref(x, dim, keepdims),
        a,
        atol=1e-12,
    )


def test_softmax_family_is_stable_for_logits_of_1000():
    logits = [[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in ("float32", "float64"):
            x = ld.tensor(logits, dtype=dtype, requires_grad=True)
            p = ld.softmax(x, dim=1)
            lp = ld.log_softmax(x, dim=1)
            lse = ld.logsumexp(x, dim=1)
            (p.sum() + lp.sum() + lse.sum()).backward()
            assert np.isfinite(x.grad.numpy()).all()
            np.testing.assert_allclose(p.numpy(), [[1, 0, 0], [1 / 3] * 3], atol=1e-6)
            np.testing.assert_allclose(lp.numpy()[0], [0, -1000, -2000], rtol=1e-6)
            np.testing.assert_allclose(lse.numpy(), [1000, 1000 + math.log(3)], rtol=1e-6)


@st.composite
def shape_and_axes(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.one_of(st.none(), st.integers(0, len(shape) - 1)))
    return shape, axis


@SETTINGS
@given(shape_and_axes(), st.booleans(), st.booleans(), seeds)
def test_var_and_std(shape_axis, unbiased, keepdims, seed):
    shape, axis = shape_axis
    a = values(shape, seed)
    n = a.size if axis is None else a.shape[axis]
    if unbiased and n == 1:
        return  # n - 1 = 0: no unbiased estimate
    ddof = 1 if unbiased else 0
    kw = dict(axis=axis, keepdims=keepdims, unbiased=unbiased)
    check_op(lambda x: ld.var(x, **kw), lambda x: np.var(x, axis, ddof=ddof, keepdims=keepdims), a)
    if n > 1:  # std has a kink where every value is equal
        check_op(lambda x: x.std(**kw), lambda x: np.std(x, axis, ddof=ddof, keepdims=keepdims), a)


def test_var_and_std_accept_dim_as_pytorch():
    x = ld.tensor([[1.0, 2.0, 3.0, 4.0]])
    assert x.var(dim=1, unbiased=True).item() == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert ld.std(x).item() == pytest.approx(np.std([1, 2, 3, 4]), rel=1e-6)


def gelu_ref(x):
    return np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel()]).reshape(
        x.shape
    )


def gelu_tanh_ref(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


@SETTINGS
@given(shapes(), seeds)
def test_gelu(shape, seed):
    a = values(shape, seed, -4, 4)
    check_op(ld.gelu, gelu_ref, a, atol=1e-6, rtol=1e-6)
    check_op(lambda x: ld.gelu(x, approximate="tanh"), gelu_tanh_ref, a, atol=1e-12)


@SETTINGS
@given(shapes(), seeds, st.sampled_from([0.01, 0.2, 2.0]))
def test_leaky_relu(shape, seed, slope):
    a = values(shape, seed, avoid=(0.0,))
    check_op(lambda x: ld.leaky_relu(x, slope), lambda x: np.where(x > 0, x, slope * x), a)


def test_flatten():
    x = ld.ones(2, 3, 4, 5)
    # torch.flatten(x) and x.flatten() merge every axis; nn.Flatten keeps the batch axis.
    assert ld.flatten(x).shape == (120,)
    assert x.flatten().shape == (120,)
    assert ld.nn.Flatten()(x).shape == (2, 60)
    assert ld.flatten(x, 1).shape == (2, 60)
    assert ld.flatten(x, 1, 2).shape == (2, 12, 5)


def test_dropout():
    x = ld.ones(1000, requires_grad=True)
    assert ld.dropout(x, 0.5, training=False) is x
    assert ld.dropout(x, 0.0) is x
    ld.manual_seed(0)
    y = ld.dropout(x, 0.25)
    kept = y.numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # the mask is the gradient
    ld.manual_seed(0)
    np.testing.assert_array_equal(ld.dropout(x, 0.25).numpy(), y.numpy())
    with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\), got 1"):
        ld.dropout(x, 1.0)


def test_argmax_argmin_and_min():
    x = ld.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert ld.argmax(x, dim=1).tolist() == [1, 0]
    assert x.argmin(axis=1).tolist() == [0, 1]
    assert ld.argmax(x).item() == 3 and ld.argmax(x).dtype == np.int64
    assert ld.argmax(x, 1, keepdims=True).shape == (2, 1)
    assert not ld.argmax(ld.tensor([1.0], requires_grad=True)).requires_grad
    check_op(lambda t: t.min(axis=0), lambda a: a.min(axis=0), values((3, 2), 0))


# --------------------------------------------------------------------- losses
def cross_entropy_ref(logits, labels, label_smoothing=0.0):
    """PyTorch's formula: (1 - eps) * nll + eps * mean over classes of -log p."""
    log_p = logits - logsumexp_ref(logits, 1, keepdims=True)
    nll = -log_p[np.arange(len(labels)), labels]
    return (1 - label_smoothing) * nll - label_smoothing * log_p.mean(axis=1)


@st.composite
def classification(draw):
    n, c, seed = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(seeds)
    labels = np.random.default_rng(seed).integers(0, c, n)
    return values((n, c), seed, -3, 3), labels


@SETTINGS
@given(classification(), st.sampled_from(["mean", "sum", "none"]), st.sampled_from([0.0, 0.1]))
def test_cross_entropy(
    data,
    reduction,
    smoothing,
):
    logits, labels = data
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction]
    target = ld.tensor(labels)
    check_op(
        lambda x: ld.cross_entropy(x, target, reduction, label_smoothing=smoothing),
        lambda x: reduce(cross_entropy_ref(x, labels, smoothing)),
        logits,
        atol=1e-12,
    )


@SETTINGS
@given(classification(), st.sampled_from(["mean", "sum", "none"]))
def test_nll_loss(data, reduction):
    log_p, labels = data
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction]
    target = ld.tensor(labels)
    check_op(
        lambda x: ld.nll_loss(x, target, reduction),
        lambda x: reduce(-x[np.arange(len(labels)), labels]),
        log_p,
    )


def test_cross_entropy_is_stable_for_large_logits():
    logits = ld.tensor([[1000.0, -1000.0], [-1000.0, 1000.0]], requires_grad=True)
    loss = ld.cross_entropy(logits, ld.tensor([1, 1]))
    loss.backward()
    assert loss.item() == pytest.approx(1000.0)
    np.testing.assert_allclose(logits.grad.numpy(), [[0.5, -0.5], [0, 0]], atol=1e-6)


@SETTINGS
@given(shapes(), seeds, st.sampled_from(["mean", "sum", "none"]))
def test_mse_loss(shape, seed, reduction):
    a, b = values(shape, seed), values(shape, seed + 1)
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction]
    check_op(lambda x, y: ld.mse_loss(x, y, reduction), lambda x, y: reduce((x - y) ** 2), a, b)


def bce_ref(x, y):
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


@SETTINGS
@given(shapes(), seeds)
def test_binary_cross_entropy_with_logits(shape, seed):
    x = values(shape, seed, -5, 5, avoid=(0.0,))
    y = np.random.default_rng(seed).random(shape)
    check_op(
        lambda t, u: ld.binary_cross_entropy_with_logits(t, u),
        lambda t, u: bce_ref(t, u).mean(),
        x,
        y,
    )


def test_binary_cross_entropy_with_logits_is_stable_at_100():
    x = ld.tensor([100.0, -100.0, 100.0, -100.0], requires_grad=True)
    y = ld.tensor([1.0, 0.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = ld.binary_cross_entropy_with_logits(x, y, reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 100.0, 100.0], atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, -1.0], atol=1e-6)


def test_loss_argument_errors():
    logits = ld.zeros(2, 3)
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', not 'avg'"):
        ld.cross_entropy(logits, ld.tensor([0, 1]), reduction="avg")
    with pytest.raises(ld.ShapeError, match=r"expects logits \(N, C\) and labels \(N,\)"):
        ld.cross_entropy(logits, ld.tensor([0, 1, 2]))
    with pytest.raises(ld.ShapeError, match="mse_loss: prediction"):
        ld.mse_loss(ld.zeros(4, 1), ld.zeros(4))
    with pytest.raises(ld.ShapeError, match="binary_cross_entropy_with_logits"):
        ld.binary_cross_entropy_with_logits(ld.zeros(4, 1), ld.zeros(4))


# --------------------------------------------------------------------- PyTorch references
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_pytorch(smoothing, reduction):
    torch = pytest.importorskip("torch")
    logits = values((6, 4), 0, -3, 3)
    labels = np.array([0, 3, 1, 1, 2, 0])
    x = ld.tensor(logits, dtype="float64", requires_grad=True)
    t = torch.tensor(logits, requires_grad=True)
    out = ld.cross_entropy(x, ld.tensor(labels), reduction, label_smoothing=smoothing)
    tout = torch.nn.functional.cross_entropy(
        t, torch.tensor(labels), reduction=reduction, label_smoothing=smoothing
    )
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_pytorch(approximate):
    torch = pytest.importorskip("torch")
    a = np.linspace(-6, 6, 241)
    x = ld.tensor(a, dtype="float64", requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    out = ld.gelu(x, approximate=approximate)
    tout = torch.nn.functional.gelu(t, approximate=approximate)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-6)
