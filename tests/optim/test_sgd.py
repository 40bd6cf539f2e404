"""SGD against a NumPy reference and torch.optim.SGD, for every option that changes the rule."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.optim.helpers import assert_same, run_learndl, run_numpy, run_torch

CASES = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.05, maximize=True),
    dict(lr=0.1, maximize=True),
]


def numpy_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    def update(w, g, state, t):
        g = -g if maximize else g
        g = g + weight_decay * w
        if momentum:
            if "buf" not in state:
                state["buf"] = g
            else:
                state["buf"] = momentum * state["buf"] + (1 - dampening) * g
            g = g + momentum * state["buf"] if nesterov else state["buf"]
        return w - lr * g

    return update


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_sgd_matches_numpy_and_torch(kw):
    ours = run_learndl(lambda ps: ld.optim.SGD(ps, **kw), steps=6)
    assert_same(ours, run_numpy(numpy_sgd(**kw), steps=6))
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.SGD(ps, **kw), steps=6))


def test_sgd_keeps_float32_and_counts_versions():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    opt = ld.optim.SGD([w], lr=0.5, momentum=0.9)
    (w * w).sum().backward()
    version = w._version
    opt.step()
    assert w.dtype == np.float32
    assert w._version == version + 1
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_sgd_without_momentum_keeps_no_state():
    w = ld.tensor([1.0], requires_grad=True)
    opt = ld.optim.SGD([w], lr=0.1)
    w.grad = ld.tensor([1.0])
    opt.step()
    assert opt.state == {}


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (dict(momentum=-0.5), "Invalid momentum value: -0.5"),
        (dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (dict(momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ],
)
def test_sgd_refuses_bad_settings(kw, message):
    w = ld.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=message):
        ld.optim.SGD([w], **kw)
