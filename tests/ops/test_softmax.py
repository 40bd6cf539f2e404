"""softmax, log_softmax and cross_entropy as single nodes: one node each way, gradients by
central differences (first and second order), PyTorch's numbers, and replay by @ld.function.

Their values against NumPy for every shape and axis are in tests/test_functional.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import autograd
from tests.helpers import grad, values

REDUCTIONS = ["mean", "sum", "none"]
LABELS = np.array([0, 3, 1, 1, 2])


def f64(a, requires_grad=True):
    return ld.tensor(a, dtype="float64", requires_grad=requires_grad)


def nodes_made(fn):
    """The names of the nodes ``fn()`` records, in order."""
    names = []
    autograd._apply_hooks.append(lambda node, out: names.append(node.name))
    try:
        fn()
    finally:
        autograd._apply_hooks.pop()
    return names


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_one_node_each_way(reduction):
    z = f64(values((5, 4), 0))
    loss = ld.cross_entropy(z, ld.tensor(LABELS), reduction)
    assert loss.grad_fn.name == "cross_entropy"
    upstream = ld.ones(*loss.shape, dtype="float64")
    assert nodes_made(lambda: loss.backward(upstream)) == ["cross_entropy_grad"]


def test_softmax_and_log_softmax_are_one_node():
    x = f64(values((3, 4), 0))
    assert ld.softmax(x, dim=0).grad_fn.name == "softmax"
    assert ld.log_softmax(x).grad_fn.name == "log_softmax"
    assert x.softmax(axis=1).grad_fn.axis == (1,)
    with pytest.raises(ld.ShapeError, match="softmax: axis 2 is out of range"):
        ld.softmax(x, dim=2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradients(reduction):
    z = f64(values((5, 4), 0, -3, 3))
    labels = ld.tensor(LABELS)
    assert ld.gradcheck(lambda t: ld.cross_entropy(t, labels, reduction), z, raise_on_fail=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_second_derivatives(reduction):
    """Differentiate the gradient again, for the logits and for the upstream gradient."""
    z, w = f64(values((5, 4), 0)), f64(values((5,), 1))
    labels = ld.tensor(LABELS)

    def grads(z_, w_):
        with ld.enable_grad():
            loss = ld.cross_entropy(z_ * 1.5, labels, reduction)
            y = (loss * w_).sum() if reduction == "none" else loss * (w_ * w_).sum()
        gz, gw = grad(y, z_, w_)
        return (gz * gz * gz).sum() + (gw * gw).sum()

    assert ld.gradcheck(grads, z, w, raise_on_fail=True)


@pytest.mark.parametrize("fn", [ld.softmax, ld.log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_second_derivatives(fn):
    x, w = f64(values((3, 4), 0)), f64(values((3, 4), 1))

    def grads(x_, w_):
        with ld.enable_grad():
            y = (fn(x_, dim=1) * w_).sum()
        gx, gw = grad(y, x_, w_)
        return (gx * gx).sum() + (gw**3).sum()

    assert ld.gradcheck(grads, x, w, raise_on_fail=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_matches_pytorch_in_float32(reduction):
    torch = pytest.importorskip("torch")
    logits = values((5, 4), 0, -30, 30).astype(np.float32)
    z, t = ld.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    out = ld.cross_entropy(z, ld.tensor(LABELS), reduction)
    tout = torch.nn.functional.cross_entropy(t, torch.tensor(LABELS), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32 and z.grad.dtype == np.float32


def test_softmax_matches_pytorch():
    torch = pytest.importorskip("torch")
    a = values((3, 5), 0, -4, 4)
    for ours, theirs in ((ld.softmax, torch.softmax), (ld.log_softmax, torch.log_softmax)):
        x, t = f64(a), torch.tensor(a, requires_grad=True)
        out, tout = ours(x, dim=0), theirs(t, dim=0)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
        (out * out).sum().backward()
        (tout * tout).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_backward_twice_with_retain_graph_gives_the_same_gradient():
    z = f64(values((5, 4), 0))
    loss = ld.cross_entropy(z, ld.tensor(LABELS))
    loss.backward(retain_graph=True)
    first = z.grad.numpy().copy()
    z.grad = None
    loss.backward()  # the saved softmax was not changed by the first backward
    np.testing.assert_array_equal(z.grad.numpy(), first)


def test_traced_gradient_follows_each_calls_logits_and_labels():
    """@ld.function replays the backward with the new softmax, not the first call's."""
    w = ld.tensor(values((4, 3), 0), requires_grad=True)

    def step(x, y):
        w.grad = None
        loss = ld.cross_entropy(ld.linear(x, w), y)
        loss.backward()
        return loss, w.grad

    traced = ld.function(step)
    for seed in range(3):  # the trace, then two replays with other values
        x = ld.tensor(values((5, 3), seed + 1))
        y = ld.tensor(np.random.default_rng(seed).integers(0, 4, 5))
        loss, g = traced(x, y)
        eager_loss, eager_g = step(x, y)
        assert loss.item() == pytest.approx(eager_loss.item(), rel=1e-6)
        np.testing.assert_allclose(g.numpy(), eager_g.numpy(), rtol=1e-5, atol=1e-7)
    assert len(traced.traces) == 1
