"""@ld.function over ``ld.nn`` functional code: each replay equals the eager run.

Every case runs three calls with changing inputs, eagerly and traced, and compares them: a
value computed on raw arrays while tracing would be frozen as the first call's constant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
import learndl.nn.functional as F
from learndl import nn
from learndl.static import TracingError

# The first batch ignores no label: a graph built from it must still ignore later ones.
LABELS = ([0, 1, 2, 0], [2, -100, 1, 1], [-100, 0, 0, 2])


def _xs(n=4, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return [ld.tensor(rng.normal(size=(n, d)).astype("float32")) for _ in range(3)]


def _loss_step(loss_fn):
    """A step that returns the loss and the weight gradient of a fresh, seeded Linear."""
    ld.manual_seed(0)
    model = nn.Linear(5, 3)

    def step(x, y):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.sum().backward()
        return loss, model.weight.grad

    return step


def _assert_same_calls(make_step, inputs):
    eager, traced = make_step(), ld.function(make_step())
    for args in inputs:
        for e, t in zip(eager(*args), traced(*args)):
            np.testing.assert_allclose(t.numpy(), e.numpy(), rtol=1e-5, atol=1e-6)


W = ld.tensor([1.0, 2.0, 0.5])
LOSSES = {
    "ones_weight": lambda z, y: F.cross_entropy(z, y, weight=ld.ones(3)),
    "weight": lambda z, y: F.cross_entropy(z, y, weight=W),
    "weight_sum": lambda z, y: F.cross_entropy(z, y, weight=W, reduction="sum"),
    "weight_none": lambda z, y: F.cross_entropy(z, y, weight=W, reduction="none"),
    "smoothing": lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1),
    "weight_smoothing": lambda z, y: F.cross_entropy(z, y, weight=W, label_smoothing=0.2),
    "nll": lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y),
    "nll_weight": lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y, weight=W),
    "other_index": lambda z, y: F.cross_entropy(z, y + (y == -100) * 101, ignore_index=1),
}


@pytest.mark.parametrize("name", LOSSES)
def test_cross_entropy_weight_and_ignore_index_follow_each_batch(name):
    xs = _xs()
    inputs = [(x, ld.tensor(y)) for x, y in zip(xs, LABELS)]
    _assert_same_calls(lambda: _loss_step(LOSSES[name]), inputs)


def test_cross_entropy_ignored_first_then_none():
    xs = _xs(seed=1)
    labels = ([-100, 1, 2, 0], [2, 2, 1, 1], [1, 0, 0, -100])
    inputs = [(x, ld.tensor(y)) for x, y in zip(xs, labels)]
    _assert_same_calls(lambda: _loss_step(lambda z, y: F.cross_entropy(z, y)), inputs)


def test_a_label_ignored_only_after_the_traced_batch_fails_loudly_without_a_weight():
    # Traced from a batch that ignores nothing, the loss is the fast one-node form (as
    # eagerly), which cannot skip rows: a later ignored label is an error that says what to do.
    f = ld.function(lambda z, y: F.cross_entropy(z, y))
    xs = _xs()
    f(xs[0], ld.tensor(LABELS[0]))
    assert len(f.graph.nodes) == 1  # cross_entropy, one node
    with pytest.raises(ld.errors.ShapeError, match="ignore_index.*weight=ld.ones"):
        f(xs[1], ld.tensor(LABELS[1]))


def test_cross_entropy_per_position_labels():
    rng = np.random.default_rng(2)
    labels = ([[0, 1], [2, 0]], [[2, -100], [1, 1]], [[-100, -100], [0, 2]])
    inputs = [
        (ld.tensor(rng.normal(size=(2, 3, 2)).astype("float32")), ld.tensor(y)) for y in labels
    ]

    def make():
        def f(z, y):
            none = F.cross_entropy(z, y, weight=ld.ones(3), reduction="none")
            return F.cross_entropy(z, y, weight=W), none

        return f

    _assert_same_calls(make, inputs)


def _train(clip, norm_type=2.0):
    """A seeded SGD step whose gradients pass through ``clip``; returns loss, norm, weight."""
    ld.manual_seed(0)
    model = nn.Linear(5, 2)
    opt = ld.optim.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).sum()
        loss.backward()
        norm = clip(model.parameters())
        opt.step()
        return loss, norm, model.weight * 1.0

    return step


def _scaled_inputs():
    # Small, large and middling gradients: clipped on some calls, not on others.
    return [(x * s,) for x, s in zip(_xs(d=5, seed=3), (0.01, 10.0, 0.3))]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_recomputes_the_norm_each_call(norm_type):
    def clip(params):
        return nn.utils.clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type)

    _assert_same_calls(lambda: _train(clip), _scaled_inputs())


def test_clip_grad_value_clips_each_calls_gradients():
    def clip(params):
        nn.utils.clip_grad_value_(params, 0.5)
        return ld.zeros(1)

    _assert_same_calls(lambda: _train(clip), _scaled_inputs())


def test_clip_grad_norm_error_if_nonfinite_is_refused_while_tracing():
    def clip(params):
        return nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)

    with pytest.raises(TracingError, match="error_if_nonfinite"):
        ld.function(_train(clip))(*_scaled_inputs()[0])


def test_one_hot_follows_each_batch():
    inputs = [(ld.tensor(y),) for y in ([0, 1], [2, 2], [1, 0])]
    _assert_same_calls(lambda: lambda y: (F.one_hot(y, 3) * 2,), inputs)


def test_one_hot_without_num_classes_is_refused_while_tracing():
    with pytest.raises(TracingError, match="num_classes"):
        ld.function(lambda y: F.one_hot(y))(ld.tensor([0, 1]))


def test_embedding_padding_row_follows_each_batch():
    def make():
        ld.manual_seed(0)
        emb = nn.Embedding(4, 2, padding_idx=0)

        def step(ix):
            emb.weight.grad = None
            out = emb(ix)
            (out * out).sum().backward()
            return out, emb.weight.grad

        return step

    inputs = [(ld.tensor(ix),) for ix in ([0, 1], [1, 2], [0, 0])]
    _assert_same_calls(make, inputs)
