"""Learning-rate schedules: their lr sequences against torch.optim.lr_scheduler's."""

from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl.optim import lr_scheduler as sch


def two_groups(lib):
    """An SGD optimizer with two groups (lr 0.1 and 0.05) in learndl or torch."""
    make = ld.tensor if lib is ld else lib.tensor
    a, b = (make([1.0], requires_grad=True) for _ in range(2))
    return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)


def lr_sequence(lib, name, kw, epochs):
    opt = two_groups(lib)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    lrs = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(lrs)


CASES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=2, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[7, 2, 5], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.8, total_iters=7)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95**e + 0.01 * e)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.5 ** (e // 4)])),
]


@pytest.mark.parametrize("name, kw", CASES, ids=[f"{n}{i}" for i, (n, _) in enumerate(CASES)])
def test_schedules_match_torch(name, kw):
    ours = lr_sequence(ld, name, kw, epochs=30)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, lr_sequence(torch, name, kw, epochs=30), rtol=1e-9, atol=1e-12)


def test_closed_forms():
    lrs = lr_sequence(ld, "CosineAnnealingLR", dict(T_max=4, eta_min=0.01), epochs=8)[:, 0]
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(9)]
    np.testing.assert_allclose(lrs, expected)
    assert lrs[4] == pytest.approx(0.01) and lrs[8] == pytest.approx(0.1)
    lrs = lr_sequence(ld, "StepLR", dict(step_size=2, gamma=0.5), epochs=5)[:, 1]
    np.testing.assert_allclose(lrs, [0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125])


def test_state_dict_resumes_the_schedule():
    opt = two_groups(ld)
    sched = sch.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4
    rest = [sched.step() or sched.get_last_lr() for _ in range(3)]

    opt2 = two_groups(ld)
    sched2 = sch.CosineAnnealingLR(opt2, T_max=99)
    sched2.load_state_dict(saved)
    assert [sched2.step() or sched2.get_last_lr() for _ in range(3)] == rest


def test_resuming_needs_initial_lr_and_lambda_count_is_checked():
    with pytest.raises(KeyError, match="initial_lr"):
        sch.StepLR(two_groups(ld), step_size=2, last_epoch=5)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        sch.LambdaLR(two_groups(ld), [lambda e: 1.0])
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        sch.LinearLR(two_groups(ld), start_factor=0.0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        sch.LinearLR(two_groups(ld), end_factor=1.5)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sch.StepLR(object(), step_size=2)


PLATEAU_METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.8, 0.85, 0.85, 0.86, 0.79, 0.8] * 3
PLATEAU_CASES = [
    dict(),
    dict(patience=1),
    dict(patience=2, factor=0.5, cooldown=2),
    dict(patience=0, factor=0.5, min_lr=0.02),
    dict(patience=0, factor=0.5, min_lr=[0.03, 0.001]),
    dict(patience=1, threshold=0.05, threshold_mode="abs"),
    dict(patience=1, threshold=0.1, threshold_mode="rel"),
    dict(mode="max", patience=1, factor=0.2),
    dict(mode="max", patience=0, threshold_mode="abs", threshold=0.01, cooldown=1),
]


def plateau_sequence(lib, kw):
    opt = two_groups(lib)
    sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for metric in PLATEAU_METRICS:
        opt.step()
        sched.step(metric)
        lrs.append([g["lr"] for g in opt.param_groups])
        assert lrs[-1] == sched.get_last_lr()
    return np.array(lrs)


@pytest.mark.parametrize("kw", PLATEAU_CASES, ids=[str(kw) for kw in PLATEAU_CASES])
def test_reduce_on_plateau_matches_torch(kw):
    ours = plateau_sequence(ld, kw)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, plateau_sequence(torch, kw), rtol=1e-12)


def test_reduce_on_plateau_by_hand_and_with_tensor_metric():
    opt = two_groups(ld)
    sched = sch.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for loss in [1.0, 1.0, 1.0]:  # the second bad epoch exceeds patience=1
        sched.step(ld.tensor(loss))
    assert sched.get_last_lr() == [0.05, 0.025]


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(factor=1.0), "Factor should be < 1.0."),
        (dict(mode="best"), "mode best is unknown!"),
        (dict(threshold_mode="pct"), "threshold mode pct is unknown!"),
        (dict(min_lr=[0.1]), "expected 2 min_lrs, got 1"),
    ],
)
def test_reduce_on_plateau_refuses_bad_settings(kw, message):
    with pytest.raises(ValueError, match=message):
        sch.ReduceLROnPlateau(two_groups(ld), **kw)
