"""Adagrad against a NumPy reference and torch.optim.Adagrad, for every option that matters."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.optim.helpers import assert_same, run_learndl, run_numpy, run_torch

CASES = [
    dict(lr=0.1),
    dict(lr=0.1, lr_decay=0.1),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6),
    dict(lr=0.1, lr_decay=0.05, weight_decay=0.05, initial_accumulator_value=0.1),
    dict(lr=0.1, maximize=True),
]


def numpy_adagrad(
    lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    def update(w, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * w
        s["sum"] = s.get("sum", initial_accumulator_value) + g * g
        return w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)

    return update


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_adagrad_matches_numpy_and_torch(kw):
    ours = run_learndl(lambda ps: ld.optim.Adagrad(ps, **kw), steps=8)
    assert_same(ours, run_numpy(numpy_adagrad(**kw), steps=8))
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.Adagrad(ps, **kw), steps=8))


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(lr=-0.1), "Invalid learning rate: -0.1"),
        (dict(lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
        (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
        (dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
        (dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ],
)
def test_adagrad_refuses_bad_settings(kw, message):
    with pytest.raises(ValueError, match=message):
        ld.optim.Adagrad([ld.tensor([1.0], requires_grad=True)], **kw)
