"""RMSprop against a NumPy reference and torch.optim.RMSprop, for every option that matters."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.optim.helpers import assert_same, run_learndl, run_numpy, run_torch

CASES = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.05),
    dict(lr=0.01, maximize=True, momentum=0.3),
]


def numpy_rmsprop(
    lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False
):
    def update(w, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * w
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
        if centered:
            s["a"] = alpha * s.get("a", 0.0) + (1 - alpha) * g
            denom = np.sqrt(s["v"] - s["a"] ** 2) + eps
        else:
            denom = np.sqrt(s["v"]) + eps
        if momentum > 0:
            s["b"] = momentum * s.get("b", 0.0) + g / denom
            return w - lr * s["b"]
        return w - lr * g / denom

    return update


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_rmsprop_matches_numpy_and_torch(kw):
    ours = run_learndl(lambda ps: ld.optim.RMSprop(ps, **kw), steps=8)
    assert_same(ours, run_numpy(numpy_rmsprop(**kw), steps=8))
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.RMSprop(ps, **kw), steps=8))


def test_rmsprop_state_names():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    opt = ld.optim.RMSprop([w], momentum=0.9, centered=True)
    w.grad = ld.tensor([1.0, 1.0])
    opt.step()
    assert set(opt.state[w]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    assert w.dtype == np.float32


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(lr=-0.01), "Invalid learning rate: -0.01"),
        (dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        (dict(momentum=-0.9), "Invalid momentum value: -0.9"),
        (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    ],
)
def test_rmsprop_refuses_bad_settings(kw, message):
    with pytest.raises(ValueError, match=message):
        ld.optim.RMSprop([ld.tensor([1.0], requires_grad=True)], **kw)
