"""matmul: 2-D, batched with broadcasting, and 1-D operands, as numpy.matmul."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learndl as ld
from learndl import autograd
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


# --------------------------------------------------------------------- linear: one node
@st.composite
def linear_shapes(draw):
    """x of shape (..., in) with 0 to 2 leading axes (1-D x included), weight (out, in)."""
    lead = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    fin, fout = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return lead + (fin,), (fout, fin)


@SETTINGS
@given(linear_shapes(), st.booleans(), seeds)
def test_linear(shapes, with_bias, seed):
    x, w = values(shapes[0], seed), values(shapes[1], seed + 1)
    if with_bias:
        b = values(shapes[1][:1], seed + 2)
        check_op(ld.linear, lambda x_, w_, b_: x_ @ w_.T + b_, x, w, b, broadcast=False)
    else:
        check_op(ld.linear, lambda x_, w_: x_ @ w_.T, x, w, broadcast=False)


def f64(a, requires_grad=True):
    return ld.tensor(a, dtype="float64", requires_grad=requires_grad)


def test_linear_is_one_node_and_its_backward_makes_none():
    x, w, b = f64(values((5, 3), 0)), f64(values((4, 3), 1)), f64(values((4,), 2))
    y = ld.linear(x, w, b)
    assert y.grad_fn.name == "linear" and y.grad_fn.inputs == (x, w, b)
    names = []
    autograd._apply_hooks.append(lambda node, out: names.append(node.name))
    try:
        y.backward(ld.ones(5, 4, dtype="float64"), retain_graph=True)
    finally:
        autograd._apply_hooks.pop()
    # a hook watches (as @ld.function's tracer does), so the backward shows its products
    assert names == ["matmul", "permute", "matmul", "sum"]
    x.grad = w.grad = b.grad = None
    y.backward(ld.ones(5, 4, dtype="float64"))  # nobody watches: raw arrays, no nodes
    assert x.grad.grad_fn is None and w.grad.grad_fn is None
    np.testing.assert_allclose(w.grad.numpy(), np.ones((4, 5)) @ x.numpy())
    assert w.grad.data.flags.c_contiguous  # in weight's own layout, for the optimizer


def test_linear_input_without_grad_gets_none_and_costs_no_product():
    x, w = f64(values((5, 3), 0), requires_grad=False), f64(values((4, 3), 1))
    node = ld.linear(x, w).grad_fn
    grads = node.backward(ld.ones(5, 4, dtype="float64"))
    assert grads[0] is None and grads[1].shape == (4, 3) and len(grads) == 2


@pytest.mark.parametrize("x_shape", [(5, 3), (2, 5, 3), (3,)])
def test_linear_gradients_with_and_without_a_graph_agree(x_shape):
    """The raw-array backward and the one written in ops give the same numbers."""
    x, w, b = f64(values(x_shape, 0)), f64(values((4, 3), 1)), f64(values((4,), 2))
    upstream = ld.tensor(values(x_shape[:-1] + (4,), 3), dtype="float64")
    ld.linear(x, w, b).backward(upstream)
    plain = [t.grad.numpy() for t in (x, w, b)]
    as_graphs = grad((ld.linear(x, w, b) * upstream).sum(), x, w, b)
    assert as_graphs[0].requires_grad and as_graphs[1].requires_grad  # x's depends on w
    for p, g in zip(plain, as_graphs):
        np.testing.assert_allclose(p, g.numpy(), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("x_shape", [(5, 3), (2, 2, 3)])
def test_linear_second_derivative(x_shape):
    x, w, b = f64(values(x_shape, 0)), f64(values((2, 3), 1)), f64(values((2,), 2))

    def grads(x_, w_, b_):
        with ld.enable_grad():
            y = (ld.linear(x_, w_, b_).tanh() ** 2).sum()
        gx, gw, gb = grad(y, x_, w_, b_)
        return (gx * gx).sum() + (gw**3).sum() + (gb * gb).sum()

    assert ld.gradcheck(grads, x, w, b, raise_on_fail=True)


def test_linear_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, w, b = values((2, 5, 3), 0), values((4, 3), 1), values((4,), 2)
    lx, lw, lb = f64(x), f64(w), f64(b)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out, tout = ld.linear(lx, lw, lb), torch.nn.functional.linear(tx, tw, tb)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    (out**2).sum().backward()
    (tout**2).sum().backward()
    for mine, theirs in ((lx, tx), (lw, tw), (lb, tb)):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_linear_errors():
    with pytest.raises(ld.ShapeError, match=r"Did Linear\(100, 10\) expect in_features=784"):
        ld.linear(ld.ones(32, 784), ld.ones(10, 100))
    with pytest.raises(ld.ShapeError, match=r"linear: the weight must be 2-D"):
        ld.linear(ld.ones(2, 3), ld.ones(3))
    with pytest.raises(ld.DTypeError, match="linear: operands have dtypes"):
        ld.linear(ld.ones(2, 3, dtype="float64"), ld.ones(4, 3))
    assert ld.linear(ld.tensor([[1, 2]]), ld.ones(1, 2)).tolist() == [[3.0]]  # ints promoted
