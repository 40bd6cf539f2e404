"""Core ops inside @ld.function: traced equals eager on every call, or a clear TracingError.

Each case once replayed the first call's values: a promoted mask, an argmax, a written
item were made on raw arrays, which the tracer freezes as constants.
"""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl.static import TracingError


def _check_calls(fn, calls):
    """``fn`` eagerly and through ``ld.function`` on each argument tuple: equal results."""
    traced = ld.function(fn)
    for args in calls:
        want, got = fn(*args), traced(*args)
        want, got = (want, got) if isinstance(want, tuple) else ((want,), (got,))
        for w, g in zip(want, got, strict=True):
            np.testing.assert_allclose(g.data, w.data, rtol=1e-6)
    assert len(traced.traces) == 1  # one trace, replayed: not a retrace per call


def _signs(t):
    return ld.tensor([1.0, -2.0, 3.0, -0.5]) * (-1.0) ** t


# -- promotion of int and bool operands
def test_bool_mask_times_float_follows_each_call():
    _check_calls(lambda x: x * (x > 0), [(_signs(t),) for t in range(3)])


def test_int_mask_mean_follows_each_call():
    def masked_mean(x, m):
        return (x * m).sum() / m.sum()

    calls = [(_signs(t), ld.tensor([1, 0, t % 2, 1])) for t in range(3)]
    _check_calls(masked_mean, calls)


def test_gradient_through_a_promoted_mask_follows_each_call():
    w = ld.tensor([0.5, -1.0, 2.0, 1.5], requires_grad=True)

    def step(m):
        w.grad = None
        loss = (w * w * m).sum()
        loss.backward()
        return loss, w.grad

    _check_calls(step, [(ld.tensor([1, 0, t % 2, t]),) for t in range(3)])


# -- argmax / argmin
def test_accuracy_with_argmax_follows_each_call():
    def accuracy(logits, y):
        return (logits.argmax(axis=1) == y).float().mean()

    y = ld.tensor([0, 1, 2])
    calls = [(ld.tensor(np.roll(np.eye(3, dtype="float32"), t, axis=1)), y) for t in range(3)]
    _check_calls(accuracy, calls)


def test_argmax_and_argmin_follow_each_call():
    def picks(x):
        return x.argmax(), x.argmin(dim=0), ld.argmax(x, axis=1, keepdims=True)

    rng = np.random.default_rng(0)
    _check_calls(picks, [(ld.tensor(rng.normal(size=(3, 4)).astype("float32")),) for _ in range(3)])


# -- x[i] = v
def test_setitem_on_a_result_follows_each_call():
    def g(x):
        y = x * 2.0
        y[0] = 0.0
        y[1:3] = x[1:3] + 1.0
        y[y < -1.0] = -1.0  # a mask in a write keeps the shape: it can be replayed
        return y

    _check_calls(g, [(_signs(t) * (t + 1),) for t in range(3)])


def test_setitem_with_a_traced_index_follows_each_call():
    def g(x, i):
        y = x + 0.0
        y[i] = x.sum()
        return y

    _check_calls(g, [(_signs(t), ld.tensor([t, 3])) for t in range(3)])


def test_setitem_on_a_new_tensor_keeps_earlier_reads():
    def g(x):
        y = ld.zeros(4)
        before = y * 2.0  # reads y as it was: the write below must not reach it
        y[0] = x[1]
        return y, before

    _check_calls(g, [(_signs(t) * (t + 1),) for t in range(3)])


def test_setitem_on_a_captured_tensor_is_replayed():
    eager_buf, traced_buf = ld.zeros(3), ld.zeros(3)

    def writer(buf):
        def g(x):
            buf[1] = x.sum()
            return buf * 1.0

        return g

    eager, traced = writer(eager_buf), ld.function(writer(traced_buf))
    for t in range(3):
        x = _signs(t) * (t + 1)
        np.testing.assert_allclose(traced(x).data, eager(x).data)
        np.testing.assert_allclose(traced_buf.data, eager_buf.data)


def test_setitem_on_an_argument_is_refused():
    def g(x):
        x[0] = 0.0
        return x * 1.0

    with pytest.raises(TracingError, match="clone"):
        ld.function(g)(ld.ones(3))


# -- leaving learndl: numpy(), tolist(), np.asarray()
@pytest.mark.parametrize(
    "leave", [lambda t: t.numpy(), lambda t: t.tolist(), lambda t: np.asarray(t)]
)
def test_reading_a_traced_value_into_numpy_is_refused(leave):
    def g(x):
        return ld.tensor(np.clip(leave(x * 2.0), 0.0, 1.0))

    with pytest.raises(TracingError, match="traced tensor"):
        ld.function(g)(ld.ones(2))


def test_constants_and_repr_can_still_be_read_while_tracing():
    def g(x):
        scale = ld.tensor(np.float32(3.0))  # made in the call: the same on every call
        text = repr(x)  # printing must not raise
        return x * float(scale.numpy()) + len(text) * 0.0

    _check_calls(g, [(_signs(t),) for t in range(3)])


# -- x[mask]: a data-dependent shape
def test_boolean_mask_index_is_refused_while_tracing():
    def pos_sum(x):
        return x[x > 0.0].sum()

    assert pos_sum(ld.tensor([1.0, -2.0, 3.0])).item() == 4.0  # eager: fine
    with pytest.raises(TracingError, match="ld.where"):
        ld.function(pos_sum)(ld.tensor([1.0, -2.0, 3.0]))


def test_captured_boolean_mask_index_is_refused_too():
    mask = ld.tensor([True, False, True])
    with pytest.raises(TracingError, match="boolean mask"):
        ld.function(lambda x: x[mask] * 2.0)(ld.ones(3))


def test_masked_sum_with_where_follows_each_call():
    def pos_sum(x):
        return ld.where(x > 0.0, x, 0.0).sum()

    _check_calls(pos_sum, [(_signs(t),) for t in range(3)])
