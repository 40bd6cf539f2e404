"""The tracer's own traps: each traced function must equal its eager run on every call.

Each test runs the same Python function eagerly and through ``@ld.function`` for three
calls with changing inputs; the first traced call traces, the others replay.
"""

import numpy as np

import learndl as ld

CALLS = 3


def _same(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)


def test_an_accumulator_made_inside_and_changed_in_place():
    def fn(x):
        acc = ld.zeros(2)  # a constant of the graph: the in-place ops must not write it
        acc += x
        acc.mul_(2.0)
        return acc

    traced = ld.function(fn)
    for t in range(CALLS):
        x = ld.tensor([1.0, 2.0]) * (t + 1)
        _same(traced(x).numpy(), fn(x).numpy())


def test_an_argument_changed_in_place_is_changed_on_every_call():
    def fn(x):
        x.add_(1.0)
        y = x * 2.0  # reads x after the first write
        x.mul_(3.0)
        return y + x

    traced = ld.function(fn)
    for t in range(CALLS):
        a, b = ld.tensor([1.0, 2.0]) * (t + 1), ld.tensor([1.0, 2.0]) * (t + 1)
        _same(traced(b).numpy(), fn(a).numpy())
        _same(b.numpy(), a.numpy())  # the caller's tensor, as eager code leaves it


def test_the_gradient_of_an_argument_is_written_on_every_call():
    def fn(x):
        loss = (x * x * x).sum()
        loss.backward()
        return loss

    traced = ld.function(fn)
    for t in range(CALLS):
        a = ld.tensor([1.0, -2.0]) * (t + 1)
        b = ld.tensor([1.0, -2.0]) * (t + 1)
        a.requires_grad, b.requires_grad = True, True
        _same(traced(b).numpy(), fn(a).numpy())
        _same(b.grad.numpy(), a.grad.numpy())
    assert "x0.grad += " in traced.graph.listing()  # nothing resets it: eager adds up


def test_an_arguments_gradient_adds_up_when_nothing_resets_it():
    def fn(x):
        (x * x).sum().backward()

    traced = ld.function(fn)
    a, b = ld.tensor([1.0, 2.0]), ld.tensor([1.0, 2.0])
    a.requires_grad, b.requires_grad = True, True
    for _ in range(CALLS):  # the same tensor passed each time: eager backward adds up
        fn(a)
        traced(b)
        _same(b.grad.numpy(), a.grad.numpy())


def test_simplify_does_not_forward_a_copy_across_an_assign():
    def make():
        w = ld.tensor([1.0, 2.0])

        def step(x):
            old = w * 1.0  # a copy of w before the update
            ld.static.assign(w, w - 0.1 * x)
            return (w - old) * 1.0

        return step, w

    (eager, w_eager), (plain, w_traced) = make(), make()
    traced = ld.function(plain)
    for t in range(CALLS):
        x = ld.tensor([1.0, 2.0]) * (t + 1)
        _same(traced(x).numpy(), eager(x).numpy())
        _same(w_traced.numpy(), w_eager.numpy())


def test_a_returned_constant_is_fresh_on_every_call():
    def fn(x):
        return x.sum(), ld.zeros(2)  # a fresh accumulator

    traced = ld.function(fn)
    for _ in range(CALLS):
        _, eager = fn(ld.ones(2))
        _, out = traced(ld.ones(2))
        _same(out.numpy(), eager.numpy())
        out += 1.0  # the caller's change must not reach the next call
        eager += 1.0


def test_random_draws_are_new_on_every_call_and_match_a_seeded_eager_run():
    def fn(mu):
        noise = ld.randn(*mu.shape) * ld.rand(*mu.shape)
        return mu + noise + ld.randint(0, 5, mu.shape)

    traced = ld.function(fn)
    draws = []
    for t in range(CALLS):
        mu = ld.ones(4) * t
        ld.manual_seed(t)
        eager = fn(mu).numpy()
        ld.manual_seed(t)
        out = traced(mu).numpy()
        _same(out, eager)
        draws.append(out - t)
    assert not np.array_equal(draws[0], draws[1])
    assert [n.op for n in traced.graph.nodes].count("random") == 3  # CSE merged none


def test_changing_a_dropout_rate_traces_again():
    layer = ld.nn.Dropout(0.5)
    traced = ld.function(lambda x: layer(x))
    x = ld.ones(1000)
    for p in (0.5, 0.0, 0.9):
        layer.p = p
        ld.manual_seed(1)
        eager = layer(x).numpy()
        ld.manual_seed(1)
        _same(traced(x).numpy(), eager)
    assert traced.traces[-1].reason == "Dropout.p is 0.9 (the trace used 0.0)"
