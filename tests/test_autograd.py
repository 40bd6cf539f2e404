"""The engine: fan-out, deep graphs, hooks, grad mode, higher-order gradients, the observer,
anomaly detection, the version counter and freed graphs."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import learndl as ld
from learndl import autograd
from tests.helpers import grad, values


def f64(a, requires_grad=True):
    return ld.tensor(a, dtype="float64", requires_grad=requires_grad)


# --------------------------------------------------------------------- the basics
def test_fan_out_adds_the_gradients():
    a = ld.tensor(3.0, requires_grad=True)
    (a + a).backward()
    assert a.grad.item() == 2.0
    b = ld.tensor([1.0, 2.0], requires_grad=True)
    (b * b * b).sum().backward()  # 3 b^2, through two Mul nodes and three uses of b
    assert b.grad.tolist() == [3.0, 12.0]


def test_a_100000_node_chain_backpropagates_without_recursion():
    x = ld.tensor(1.0, dtype="float64", requires_grad=True)
    y = x
    for _ in range(100_000):
        y = -y  # the cheapest op: the test is about depth, not arithmetic
    assert y.grad_fn is not None and y.grad_fn.inputs[0].grad_fn is not None
    y.backward()
    assert x.grad.item() == 1.0  # an even number of sign changes


def test_topological_order_puts_every_node_after_its_inputs():
    a, b = ld.tensor(2.0, requires_grad=True), ld.tensor(3.0, requires_grad=True)
    c = a * b
    d = c + a
    e = (d * c).exp()
    order = autograd.topological_order(e.grad_fn)
    position = {id(node): i for i, node in enumerate(order)}
    assert order[-1] is e.grad_fn and len(order) == 4
    for node in order:
        for t in node.inputs:
            if t.grad_fn is not None:
                assert position[id(t.grad_fn)] < position[id(node)]


def test_leaf_grads_accumulate_across_backward_calls():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_with_an_explicit_gradient_and_on_a_leaf():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(ld.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]
    y = ld.tensor([1.0, 2.0], requires_grad=True)
    y.backward(np.array([3.0, 4.0]))
    assert y.grad.tolist() == [3.0, 4.0]
    with pytest.raises(ld.ShapeError, match=r"backward: grad has shape \(3,\) but the tensor"):
        (x * x).backward(ld.ones(3))


def test_unused_inputs_and_constants_get_no_gradient():
    a, b = ld.tensor(1.0, requires_grad=True), ld.tensor(2.0, requires_grad=True)
    c = ld.tensor(5.0)
    _unused = b * 2
    (a * c).backward()
    assert a.grad.item() == 5.0
    assert b.grad is None and c.grad is None


def test_detach_cuts_the_graph():
    x = ld.tensor(2.0, requires_grad=True)
    y = x * x.detach()
    y.backward()
    assert x.grad.item() == 2.0
    assert not x.detach().requires_grad and x.detach().is_leaf


def test_integer_results_record_no_graph():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    assert not ld.argmax(x).requires_grad
    assert (x > 1).grad_fn is None


def test_a_grad_reaching_two_leaves_is_not_aliased():
    a, b = ld.tensor([1.0, 2.0], requires_grad=True), ld.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    with ld.no_grad():
        a.grad.mul_(10)
    assert b.grad.tolist() == [1.0, 1.0]
    c, d = ld.tensor([1.0, 2.0], requires_grad=True), ld.tensor([3.0, 4.0], requires_grad=True)
    (c + d).backward(ld.tensor([1.0, 1.0]))
    c.grad += 1
    assert d.grad.tolist() == [1.0, 1.0]


def test_a_grad_reaching_two_leaves_through_a_view_is_not_aliased():
    # b gets the upstream gradient, a gets a reshaped *view* of the same array
    a, b = ld.randn(2, 3, requires_grad=True), ld.randn(6, requires_grad=True)
    ((a.reshape(6) + b) * ld.randn(6)).sum().backward()
    before = b.grad.numpy().copy()
    with ld.no_grad():
        a.grad.mul_(2)
    np.testing.assert_array_equal(b.grad.numpy(), before)


def test_the_callers_grad_is_not_aliased_by_a_leaf_grad():
    # As PyTorch: changing x.grad in place (zero_grad(set_to_none=False), clipping) must
    # not change the tensor the caller passed to backward(grad).
    g = ld.tensor([1.0, 2.0])
    x = ld.tensor([3.0, 4.0], requires_grad=True)
    (x + 0.0).backward(g)
    ld.optim.SGD([x], lr=0.1).zero_grad(set_to_none=False)
    assert g.tolist() == [1.0, 2.0]
    leaf = ld.tensor([3.0, 4.0], requires_grad=True)
    leaf.backward(g)
    with ld.no_grad():
        leaf.grad.mul_(5)
    assert g.tolist() == [1.0, 2.0]


# --------------------------------------------------------------------- hooks, retain_grad
def test_hook_on_a_leaf_can_replace_its_gradient():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    remove = x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [20.0, 40.0]
    remove()
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_hook_on_a_non_leaf_changes_what_flows_further():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 0 + 1)  # replace the incoming gradient by ones
    (h * h).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert h.grad is None  # a non-leaf keeps no .grad unless asked


def test_hook_on_a_tensor_without_grad_is_refused():
    with pytest.raises(ld.GradError, match="register_hook"):
        ld.ones(2).register_hook(print)


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    out = (h * 3).sum()
    out.retain_grad()
    out.backward()
    assert h.grad.tolist() == [3.0, 3.0]
    assert out.grad.item() == 1.0
    assert not h.grad.requires_grad


# --------------------------------------------------------------------- grad mode
def test_no_grad_records_nothing_and_restores_the_mode():
    w = ld.ones(2, requires_grad=True)
    with ld.no_grad():
        assert not ld.is_grad_enabled()
        y = w * 2
        with ld.enable_grad():
            z = w * 2
    assert ld.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad


def test_no_grad_as_a_decorator():
    @ld.no_grad()
    def step(w):
        w -= 0.5
        return w * 2

    w = ld.ones(2, requires_grad=True)
    y = step(w)
    assert not y.requires_grad and w.tolist() == [0.5, 0.5]
    assert ld.is_grad_enabled()
    step(w)  # the same decorator instance twice, and nested, restores properly
    assert ld.is_grad_enabled()


def test_set_grad_enabled_and_restoring_after_an_error():
    with ld.set_grad_enabled(False):
        assert not ld.is_grad_enabled()
    with pytest.raises(ZeroDivisionError), ld.no_grad():
        1 / 0
    assert ld.is_grad_enabled()


# --------------------------------------------------------------------- higher order
def test_second_derivative_of_x_cubed_is_6x():
    x = ld.tensor([1.0, 2.0, -3.0], dtype="float64", requires_grad=True)
    (g,) = grad((x**3).sum(), x)
    assert g.tolist() == [3.0, 12.0, 27.0] and g.requires_grad
    (gg,) = grad(g.sum(), x)
    assert gg.tolist() == [6.0, 12.0, -18.0]


def test_without_create_graph_the_gradient_is_a_constant():
    x = ld.tensor(2.0, requires_grad=True)
    (x**3).backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, w: (x.tanh() * w).sum(),
        lambda x, w: (x.sigmoid() * w).sum(),
        lambda x, w: (x.exp() * w).sum(),
        lambda x, w: ((x @ w.T).tanh() ** 2).sum(),
        lambda x, w: ld.softmax(x * w, dim=1)[:, 0].sum(),
        lambda x, w: (ld.sqrt(x * x + 1.0) * ld.log(w * w + 1.0)).sum(),
        lambda x, w: ld.cross_entropy(x @ w.T, ld.tensor([0, 1, 1])),
    ],
    ids=["tanh", "sigmoid", "exp", "matmul", "softmax", "sqrt-log", "cross_entropy"],
)
def test_grad_of_grad_matches_central_differences(fn):
    """The gradient computed with create_graph=True is itself differentiated correctly."""
    x, w = f64(values((3, 2), 0)), f64(values((3, 2), 1))

    def gradients(x_, w_):
        with ld.enable_grad():
            y = fn(x_, w_)
        gx, gw = grad(y, x_, w_)
        return (gx * gx).sum() + (gw**3).sum()

    assert ld.gradcheck(gradients, x, w, raise_on_fail=True)


def test_explicit_retain_graph_false_with_create_graph_frees_the_first_graph():
    x = ld.tensor(0.5, requires_grad=True)
    y = x.tanh()
    y.backward(create_graph=True, retain_graph=False)
    g = x.grad
    x.grad = None
    with pytest.raises(ld.GradError, match="tanh: backward through a graph"):
        g.backward()


# --------------------------------------------------------------------- observer
def _events(loss):
    events = []
    loss.backward(observer=events.append)
    return events


def test_observer_gets_one_event_per_node_in_reverse_topological_order():
    a, b = ld.tensor([1.0, 2.0], requires_grad=True), ld.tensor([3.0, 4.0], requires_grad=True)
    loss = ((a * b).exp() + a).sum()
    order = autograd.topological_order(loss.grad_fn)
    events = _events(loss)
    assert [e.node for e in events] == list(reversed(order))
    assert [e.node.name for e in events] == ["sum", "add", "exp", "mul"]
    assert len({id(e.node) for e in events}) == len(events)
    for e in events:
        assert isinstance(e, ld.BackwardEvent)
        assert e.output is not None and e.output.grad_fn is e.node
        assert e.grad_output.shape == e.output.shape
        assert len(e.grad_inputs) == len(e.node.inputs)


def test_observer_grad_inputs_add_up_to_the_leaf_grads():
    a, b = ld.tensor([1.0, 2.0], requires_grad=True), ld.tensor([3.0, 4.0], requires_grad=True)
    loss = (a * b + a).sum()
    events = _events(loss)
    # a is used twice: the events show both contributions, the leaf holds their sum
    to_a = [
        g.numpy()
        for e in events
        for t, g in zip(e.node.inputs, e.grad_inputs)
        if t is a and g is not None
    ]
    assert [c.tolist() for c in to_a] == [[1.0, 1.0], [3.0, 4.0]]
    np.testing.assert_array_equal(sum(to_a), a.grad.numpy())
    to_b = [g for e in events for t, g in zip(e.node.inputs, e.grad_inputs) if t is b]
    assert len(to_b) == 1 and to_b[0].tolist() == b.grad.tolist() == [1.0, 2.0]


# --------------------------------------------------------------------- anomaly mode
THIS_FILE = os.path.basename(__file__)


def _line_of(marker):
    source, start = inspect.getsourcelines(_anomaly_cases)
    return start + next(i for i, line in enumerate(source) if marker in line)


def _anomaly_cases(case):
    x = ld.tensor([-1.0, 0.0, 4.0], requires_grad=True)
    if case == "sqrt":
        return ld.sqrt(x)  # MARK-sqrt
    if case == "log":
        return ld.log(x[1:])  # MARK-log
    if case == "backward":
        y = ld.sqrt(x[1:])  # MARK-backward: sqrt(0) = 0 is fine, its slope 1/(2*0) is not
        y.sum().backward()
    return None


@pytest.mark.parametrize(
    "case, op, phase",
    [("sqrt", "sqrt", "forward"), ("log", "log", "forward"), ("backward", "sqrt", "backward")],
)
def test_detect_anomaly_names_the_op_and_the_users_line(case, op, phase):
    with np.errstate(all="ignore"), ld.detect_anomaly(), pytest.raises(ld.AnomalyError) as e:
        _anomaly_cases(case)
    message = str(e.value)
    assert message.startswith(f"{op} produced NaN or Inf in its {phase} pass")
    assert f"{THIS_FILE}:{_line_of('MARK-' + case)}" in message


def test_without_detect_anomaly_nan_passes_silently():
    with np.errstate(all="ignore"):
        y = ld.sqrt(ld.tensor([-1.0]))
    assert np.isnan(y.numpy()).all()
    assert not autograd._anomaly_mode


# --------------------------------------------------------------------- version counter
def test_modifying_a_saved_input_in_place_before_backward():
    a = ld.tensor([1.0, 2.0], requires_grad=True)
    b = ld.tensor([3.0, 4.0], requires_grad=True)
    y = (a * b).sum()
    with ld.no_grad():
        b.add_(1)  # b was saved by mul for a's gradient
    with pytest.raises(ld.InplaceError, match=r"mul: its saved input 1 of shape \(2,\) was mod"):
        y.backward()
    assert a.grad is None and b.grad is None
    assert a.tolist() == [1.0, 2.0] and b.tolist() == [4.0, 5.0]
    assert b._version == 1


def test_modifying_a_saved_output_in_place_before_backward():
    x = ld.tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()
    with ld.no_grad():
        y.mul_(2)
    with pytest.raises(ld.InplaceError, match="exp: its output"):
        y.sum().backward()
    assert x.grad is None


def test_in_place_change_of_an_unsaved_tensor_is_fine():
    a = ld.tensor([1.0, 2.0], requires_grad=True)
    c = ld.tensor([5.0, 5.0])
    y = (a + c).sum()  # add saves nothing
    c += 1
    y.backward()
    assert a.grad.tolist() == [1.0, 1.0]


# --------------------------------------------------------------------- freed graphs
def test_second_backward_through_a_freed_graph():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(ld.GradError, match="retain_graph=True") as e:
        y.backward()
    assert "already freed" in str(e.value) and str(e.value).startswith("mul:")
    assert x.grad.tolist() == [2.0, 4.0]  # unchanged by the failed call


def test_retain_graph_allows_a_second_backward_and_grads_accumulate():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).tanh().sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


# --------------------------------------------------------------------- Function and hooks
def test_a_custom_function_with_settings():
    class Scale(ld.Function):
        name = "scale"

        def forward(self, x):
            return x * self.factor

        def backward(self, g):
            return (g * self.factor,)

    x = f64([1.0, 2.0])
    y = Scale.apply(x, factor=3.0)
    assert y.grad_fn.name == "scale" and y.grad_fn.factor == 3.0 and y.grad_fn.output is y
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert ld.gradcheck(lambda t: Scale.apply(t, factor=-2.0) ** 2, x)
    assert "scale" in repr(y.grad_fn)


def test_apply_hooks_see_every_op():
    seen = []
    autograd._apply_hooks.append(lambda node, out: seen.append((node.name, out.shape)))
    try:
        ld.ones(2, 3).sum(axis=0).exp()
    finally:
        autograd._apply_hooks.pop()
    assert seen == [("sum", (3,)), ("exp", (3,))]


def test_an_op_that_needs_no_gradient_saves_nothing():
    nodes = []

    class Keep(ld.Function):
        name = "keep"

        def forward(self, x):
            nodes.append(self)
            self.save_for_backward(self.inputs[0])
            return x * 2

        def backward(self, grad):
            (x,) = self.saved_tensors
            return (grad * 2,)

    x = ld.ones(3, requires_grad=True)
    with ld.no_grad():
        Keep.apply(x)
    Keep.apply(ld.ones(3))  # no input requires grad
    y = Keep.apply(x)
    assert nodes[0]._saved is None and nodes[1]._saved is None
    assert nodes[2]._saved == (x,)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
