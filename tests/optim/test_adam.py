"""Adam and AdamW against a NumPy reference and torch.optim, for every option that matters."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.optim.helpers import assert_same, run_learndl, run_numpy, run_torch

CASES = [
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.1, amsgrad=True, weight_decay=0.05),
    dict(lr=0.1, maximize=True),
]


def numpy_adam(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    b1, b2 = betas

    def update(w, g, s, t):
        g = -g if maximize else g
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        v = s["v"]
        if amsgrad:
            v = s["vmax"] = np.maximum(s.get("vmax", 0.0), s["v"])
        m_hat = s["m"] / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)

    return update


def ids(kw):
    return ",".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("kw", CASES, ids=ids)
def test_adam_matches_numpy_and_torch(kw):
    ours = run_learndl(lambda ps: ld.optim.Adam(ps, **kw), steps=8)
    assert_same(ours, run_numpy(numpy_adam(**kw), steps=8))
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.Adam(ps, **kw), steps=8))


ADAMW_CASES = [dict(lr=0.1), dict(lr=0.1, weight_decay=0.2), dict(lr=0.1, amsgrad=True)]


@pytest.mark.parametrize("kw", ADAMW_CASES, ids=ids)
def test_adamw_matches_numpy_and_torch(kw):
    ours = run_learndl(lambda ps: ld.optim.AdamW(ps, **kw), steps=8)
    ref = numpy_adam(**{"weight_decay": 1e-2, **kw}, decoupled=True)
    assert_same(ours, run_numpy(ref, steps=8))
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.AdamW(ps, **kw), steps=8))


def test_adamw_defaults_to_weight_decay_and_adam_to_none():
    w = ld.tensor([1.0], requires_grad=True)
    assert ld.optim.AdamW([w]).defaults["weight_decay"] == 1e-2
    assert ld.optim.Adam([w]).defaults["weight_decay"] == 0.0


def test_adam_state_and_float32():
    w = ld.tensor([[1.0, -2.0]], requires_grad=True)
    opt = ld.optim.Adam([w], lr=0.1, amsgrad=True)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    state = opt.state[w]
    assert state["step"] == 3
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert w.dtype == np.float32 and state["exp_avg"].dtype == np.float32


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(lr=-1.0), "Invalid learning rate: -1.0"),
        (dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ],
)
def test_adam_refuses_bad_settings(kw, message):
    w = ld.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=message):
        ld.optim.Adam([w], **kw)
    with pytest.raises(ValueError, match=message):
        ld.optim.AdamW([w], **kw)
