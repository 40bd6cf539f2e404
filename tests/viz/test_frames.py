"""Backward-pass frames: content, accumulation, local derivatives, and no .grad touched."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl.viz.frames import frame_text, frames, replay


def scalars():
    a = ld.tensor(2.0, requires_grad=True)
    b = ld.tensor(3.0, requires_grad=True)
    L = a * b + a
    return a, b, L


def test_frames_of_a_times_b_plus_a():
    a, b, L = scalars()
    data = frames(L, names={"a": a, "b": b, "L": L})
    f1, f2 = data["frames"]
    assert f1["node"] == "L" and f1["op"] == "add" and f1["upstream"] == 1.0
    assert f1["title"] == "L = mul_1 + a: start with dL/dL = 1"
    assert f1["local"] == ["d(mul_1 + a)/dmul_1 = 1", "d(mul_1 + a)/da = 1"]
    assert f1["passes"] == [
        {"to": "mul_1", "value": 1.0, "accumulated": None},
        {"to": "a", "value": 1.0, "accumulated": None},
    ]
    assert f2["node"] == "mul_1" and f2["title"] == "mul_1 = a * b"
    assert f2["local"] == ["d(a * b)/da = b = 3.0", "d(a * b)/db = a = 2.0"]
    # a fans out: its second gradient adds to the first
    assert f2["passes"] == [
        {"to": "a", "value": 3.0, "accumulated": 4.0},
        {"to": "b", "value": 2.0, "accumulated": None},
    ]
    assert f2["grads"] == {"L": 1.0, "mul_1": 1.0, "a": 4.0, "b": 2.0}
    assert {n["id"] for n in data["nodes"]} == {"a", "b", "mul_1", "L"}
    assert "<svg" in data["svg"] and "<title>mul_1</title>" in data["svg"]
    assert "a -> mul_1;" in data["dot"] and "grad" not in data["dot"]


def test_a_plus_a_accumulates_within_one_step():
    a = ld.tensor(5.0, requires_grad=True)
    L = a + a
    (f,) = frames(L, names={"a": a})["frames"]
    assert f["passes"] == [
        {"to": "a", "value": 1.0, "accumulated": None},
        {"to": "a", "value": 1.0, "accumulated": 2.0},
    ]
    assert f["grads"]["a"] == 2.0


def grads_of(*ts):
    return [None if t.grad is None else t.grad.numpy().copy() for t in ts]


def test_no_grad_changes_before_or_after_backward_and_the_graph_stays_as_it_was():
    a, b, L = scalars()
    frames(L)
    assert a.grad is None and b.grad is None
    L.backward()
    before = grads_of(a, b)
    again = frames(L)  # the saved values were freed: the replay re-saves them on a copy
    assert grads_of(a, b) == before
    assert again["frames"][-1]["grads"]["a"] == 4.0
    with pytest.raises(ld.GradError):  # the graph is still freed, as backward left it
        L.backward()


def test_replay_matches_the_engines_observer_events():
    ld.manual_seed(0)
    x = ld.randn(3, 4)
    w = ld.randn(4, 2, requires_grad=True)
    loss = (ld.tanh(x @ w) ** 2).mean()
    seen = []
    loss.backward(retain_graph=True, observer=seen.append)
    ours = replay(loss)
    assert [e.node for e in ours] == [e.node for e in seen]
    for mine, theirs in zip(ours, seen):
        np.testing.assert_allclose(mine.grad_output.data, theirs.grad_output.data, rtol=1e-6)


def test_tensor_values_are_small_arrays_or_summaries():
    x = ld.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    big = ld.ones(10, 10, requires_grad=True)
    L = (x * x).sum() + big.sum()
    data = frames(L, names={"x": x, "big": big, "L": L})
    grads = data["frames"][-1]["grads"]
    assert grads["x"] == {"shape": [2, 2], "values": [[2.0, 4.0], [6.0, 8.0]]}
    assert grads["big"]["shape"] == [10, 10] and grads["big"]["summary"]["mean"] == 1.0
    mul = next(f for f in data["frames"] if f["op"] == "mul")
    assert mul["local"] == ["d(x * x)/dx = x", "d(x * x)/dx = x"]


def test_local_derivatives_of_unary_ops_show_numbers():
    x = ld.tensor(0.5, requires_grad=True)
    L = ld.exp(x) + ld.log(x) + x**3
    data = frames(L, names={"x": x, "L": L})
    local = [line for f in data["frames"] for line in f["local"]]
    assert "d(exp(x))/dx = exp(x) = 1.649" in local
    assert "d(log(x))/dx = 1/x = 2.0" in local
    assert "d(x ** 3)/dx = 3 * x ** (3 - 1) = 0.75" in local


def test_one_node_layers_and_losses_write_their_rule_out():
    x, labels = ld.randn(4, 3), ld.tensor([0, 1, 1, 0])
    W, b = ld.randn(2, 3, requires_grad=True), ld.zeros(2, requires_grad=True)
    z = ld.linear(x, W, b)
    L = ld.cross_entropy(z, labels)
    data = frames(L, names={"x": x, "W": W, "b": b, "z": z, "labels": labels, "L": L})
    local = {f["op"]: f["local"] for f in data["frames"]}
    assert local["linear"] == ["dL/dW = upstreamᵀ @ x", "dL/db = upstream summed over the batch"]
    assert local["cross_entropy"] == [
        "dL/dz = (softmax(z) - onehot(labels)) * upstream, / N for the mean"
    ]


def test_frame_text():
    a, b, L = scalars()
    data = frames(L, names={"a": a, "b": b, "L": L})
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    text = frame_text(data["frames"][1], 1, 2, labels)
    assert text.splitlines()[0] == "step 2/2: mul_1 = a * b"
    assert "  -> a: 3.0 (used again: a.grad adds up to 4.0)" in text


def test_a_leaf_has_no_frames():
    assert frames(ld.tensor(1.0, requires_grad=True))["frames"] == []
