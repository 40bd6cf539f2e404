"""@ld.function: traced equals eager (forward, gradients, training steps), retracing, errors."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from learndl.static import TracingError


def _data(n=16, d=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = ld.tensor(rng.normal(size=(n, d)).astype("float32"))
    return x, ld.tensor(rng.integers(0, classes, n))


def _images(n=4, c=2, hw=6, seed=0):
    rng = np.random.default_rng(seed)
    return ld.tensor(rng.normal(size=(n, c, hw, hw)).astype("float32"))


LAYERS = {
    "linear": lambda: nn.Sequential(nn.Linear(8, 5)),
    "relu": lambda: nn.Sequential(nn.Linear(8, 5), nn.ReLU()),
    "tanh": lambda: nn.Sequential(nn.Linear(8, 5), nn.Tanh()),
    "sigmoid": lambda: nn.Sequential(nn.Linear(8, 5), nn.Sigmoid()),
    "gelu": lambda: nn.Sequential(nn.Linear(8, 5), nn.GELU()),
    "leaky_relu": lambda: nn.Sequential(nn.Linear(8, 5), nn.LeakyReLU(0.1)),
    "softmax": lambda: nn.Sequential(nn.Linear(8, 5), nn.Softmax(dim=1)),
    "batchnorm1d": lambda: nn.Sequential(nn.Linear(8, 5), nn.BatchNorm1d(5)),
    "dropout": lambda: nn.Sequential(nn.Linear(8, 5), nn.Dropout(0.5)),
    "layernorm": lambda: nn.Sequential(nn.Linear(8, 5), nn.LayerNorm(5)),
}
IMAGE_LAYERS = {
    "conv2d": lambda: nn.Sequential(nn.Conv2d(2, 3, 3, padding=1)),
    "maxpool": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.MaxPool2d(2)),
    "avgpool": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.AvgPool2d(2)),
    "batchnorm2d": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)),
    "flatten": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.Flatten(), nn.Linear(48, 3)),
}


def _step(model, opt):
    """A training step on a made-up loss, ``mean(model(x) ** 2)``."""

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return step


def _train_both(make, x, steps=5, optimizer="sgd"):
    """Run `steps` training steps eagerly and traced from the same start; return both models."""
    models = []
    for traced in (False, True):
        ld.manual_seed(0)
        model = make()
        opt = (
            ld.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            if optimizer == "sgd"
            else ld.optim.Adam(model.parameters(), lr=0.01)
        )

        step = _step(model, opt)
        run = ld.function(step) if traced else step
        ld.manual_seed(1)
        losses = [run(x).item() for _ in range(steps)]
        models.append((model, losses, run))
    return models


@pytest.mark.parametrize("name", sorted(LAYERS) + sorted(IMAGE_LAYERS))
def test_traced_training_step_equals_eager(name):
    make = LAYERS.get(name) or IMAGE_LAYERS[name]
    x = _images() if name in IMAGE_LAYERS else _data()[0]
    (eager, le, _), (traced, lt, fn) = _train_both(make, x)
    assert len(fn.traces) == 1
    np.testing.assert_allclose(le, lt, rtol=1e-6, atol=1e-7)
    for (k, a), b in zip(eager.state_dict().items(), traced.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("name", ["relu", "batchnorm1d", "dropout"])
def test_traced_adam_matches_eager_over_many_steps(name):
    (eager, le, _), (traced, lt, _) = _train_both(LAYERS[name], _data()[0], 30, "adam")
    np.testing.assert_allclose(le, lt, rtol=1e-6, atol=1e-7)
    for a, b in zip(eager.parameters(), traced.parameters()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_forward_and_gradients_equal_eager():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))
    x, y = _data()

    def grads(x, y):
        model.zero_grad()
        loss = ld.cross_entropy(model(x), y)
        loss.backward()
        return loss, [p.grad for p in model.parameters()]

    eager_loss, eager_grads = grads(x, y)
    eager_grads = [g.numpy().copy() for g in eager_grads]
    traced = ld.function(grads)
    for _ in range(2):  # the trace, then a replay
        loss, gs = traced(x, y)
        assert loss.item() == pytest.approx(eager_loss.item(), rel=1e-6)
        for g, e in zip(gs, eager_grads):
            np.testing.assert_allclose(g.numpy(), e, rtol=1e-5, atol=1e-7)
        for p, e in zip(model.parameters(), eager_grads):  # p.grad is written on replay too
            np.testing.assert_allclose(p.grad.numpy(), e, rtol=1e-5, atol=1e-7)


def test_replay_follows_new_values_of_inputs_labels_and_params():
    w = ld.tensor([[1.0, -2.0], [0.5, 3.0]])
    f = ld.function(lambda x, y: ld.cross_entropy((x @ w).relu(), y))
    x, y = ld.tensor([[1.0, 2.0]]), ld.tensor([1])
    f(x, y)
    x2, y2 = ld.tensor([[-1.0, 4.0]]), ld.tensor([0])
    w.data[...] = [[0.0, 1.0], [1.0, 0.0]]
    expected = ld.cross_entropy((x2 @ w).relu(), y2).item()
    assert f(x2, y2).item() == pytest.approx(expected)
    assert len(f.traces) == 1


@pytest.mark.filterwarnings("ignore:.*traced 5 times")
def test_retracing_rules():
    f = ld.function(lambda x, scale=1.0, training=False: x * scale if training else x + scale)
    f(ld.ones(3))
    f(ld.zeros(3))  # same signature: replay
    f(ld.ones(4))  # shape
    f(ld.ones(4, dtype=ld.float64))  # dtype
    f(ld.ones(4), scale=2.0)  # a Python value
    reasons = [t.reason for t in f.traces]
    assert reasons[0] == "first call"
    assert reasons[1] == "x: shape (4,) (a trace exists for (3,))"
    assert reasons[2] == "x: dtype float64 (a trace exists for float32)"
    assert reasons[3] == "scale is 2.0 (a trace exists for 1.0)"
    assert f(ld.ones(3), training=True).tolist() == [1.0, 1.0, 1.0]
    assert len(f.traces) == 5


def test_retracing_warns_after_five_traces():
    f = ld.function(lambda x: x * 2.0)
    with pytest.warns(UserWarning, match="traced 5 times"):
        for n in range(1, 7):
            f(ld.ones(n))


@pytest.mark.parametrize(
    "body",
    [lambda x: x * 2 if x.sum() > 0 else x, lambda x: x * float(x.sum()), lambda x: x.item()],
)
def test_value_dependent_control_flow_is_refused_with_the_fix(body):
    f = ld.function(body)
    with pytest.raises(TracingError, match="ld.where") as info:
        f(ld.ones(1))
    assert "Python argument" in str(info.value)


def test_where_is_the_traceable_branch():
    f = ld.function(lambda x: ld.where(x > 0, x * 2.0, -x))
    f(ld.tensor([1.0, -1.0]))
    assert f(ld.tensor([-3.0, 3.0])).tolist() == [3.0, 6.0]


def test_raw_numpy_updates_of_captured_tensors_are_refused():
    w = ld.ones(2, requires_grad=True)

    def step(x):
        (w * x).sum().backward()
        w.data -= 0.1 * w.grad.data
        return w

    with pytest.raises(TracingError, match="assign"):
        ld.function(step)(ld.ones(2))


def test_graph_listing_dot_and_python_outputs():
    @ld.function
    def f(x):
        return {"y": x.exp(), "n": 3}

    out = f(ld.ones(2))
    assert out["n"] == 3 and f(ld.ones(2))["y"].shape == (2,)
    assert "exp(x0)" in str(f.graph_before)
    assert f.graph.dot().startswith('digraph "f"')


def _train_with_schedule(traced, epochs=6):
    ld.manual_seed(0)
    model = LAYERS["relu"]()
    opt = ld.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = ld.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    step = _step(model, opt)
    run = ld.function(step) if traced else step
    losses = []
    for _ in range(epochs):
        losses.append(run(_data()[0]).item())
        schedule.step()
    return losses, [p.numpy().copy() for p in model.parameters()], run


def test_a_scheduler_changing_the_learning_rate_makes_the_step_trace_again():
    # The graph froze lr as a constant; a guard notices the scheduler's change, so the next
    # call traces again instead of replaying the old rate.
    le, we, _ = _train_with_schedule(traced=False)
    lt, wt, fn = _train_with_schedule(traced=True)
    np.testing.assert_allclose(le, lt, rtol=1e-6, atol=1e-7)
    for a, b in zip(we, wt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert fn.trace_count == len(fn.traces) == 3  # lr 0.1, 0.05, 0.025
    assert fn.traces[-1].reason == "SGD param_groups[0]['lr'] is 0.025 (the trace used 0.05)"


def test_a_zero_learning_rate_set_after_tracing_stops_the_updates():
    w = ld.tensor([1.0, -2.0], requires_grad=True)
    opt = ld.optim.Adam([w], lr=0.1)
    step = ld.function(_step(lambda x: x * w, opt))
    step(ld.ones(2))
    step(ld.ones(2))
    opt.param_groups[0]["lr"] = 0.0
    before = w.numpy().copy()
    step(ld.ones(2))
    np.testing.assert_array_equal(w.numpy(), before)
    assert "['lr'] is 0.0" in step.traces[-1].reason


def test_guarded_settings_that_change_every_call_warn():
    w = ld.tensor([1.0], requires_grad=True)
    opt = ld.optim.SGD([w], lr=0.1)
    step = ld.function(_step(lambda x: x * w, opt))
    with pytest.warns(UserWarning, match="traced 5 times.*learning-rate schedule"):
        for i in range(6):
            opt.param_groups[0]["lr"] = 0.1 / (i + 1)
            step(ld.ones(1))
    assert step.trace_count == 6 and len(step.traces) == 4  # the oldest two were dropped


def test_train_and_eval_mode_each_get_a_trace():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    f = ld.function(lambda x: model(x))
    x = ld.ones(2, 4)
    f(x)
    for _ in range(2):  # an epoch of training, then an evaluation, twice
        model.eval()
        np.testing.assert_array_equal(f(x).numpy(), model(x).numpy())  # no dropout
        model.train()
        assert (f(x).numpy() == 0).any()  # dropout again
    assert f.trace_count == 2
    assert f.traces[1].reason == "Sequential.training is False (the trace used True)"


def _accumulating(w):
    def grads(x):  # no zero_grad: each call adds its gradient to w.grad, as eagerly
        (w * x).sum().backward()
        return w.grad

    return grads


def test_gradients_add_up_across_calls_without_zero_grad():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    traced = ld.function(_accumulating(w))
    returned = [traced(ld.tensor([1.0, float(i)])).tolist() for i in range(3)]
    assert returned == [[1.0, 0.0], [2.0, 1.0], [3.0, 3.0]]  # what eager returns
    assert w.grad.tolist() == [3.0, 3.0]
    assert "param.grad += " in traced.graph.listing()
    w.grad = None  # a clean start again: the next call's gradient stands alone
    assert traced(ld.ones(2)).tolist() == [1.0, 1.0]


def test_adding_onto_a_gradient_held_before_the_first_call_is_refused():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    w.grad = ld.ones(2)
    with pytest.raises(TracingError, match="zero_grad"):
        ld.function(_accumulating(w))(ld.ones(2))


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_inside_the_function_makes_each_call_start_afresh(set_to_none):
    model = nn.Linear(3, 2)
    opt = ld.optim.SGD(model.parameters(), lr=0.0)
    model(ld.ones(1, 3)).sum().backward()  # a gradient held before the first call

    @ld.function
    def grads(x):
        opt.zero_grad(set_to_none=set_to_none)
        model(x).sum().backward()
        return model.weight.grad

    x = ld.ones(4, 3)
    for _ in range(3):
        np.testing.assert_array_equal(grads(x).numpy(), np.full((2, 3), 4.0))
    np.testing.assert_array_equal(model.weight.grad.numpy(), np.full((2, 3), 4.0))
    assert "+=" not in grads.graph.listing()
