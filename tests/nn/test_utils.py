from __future__ import annotations

import math

import numpy as np
import pytest

import learndl as ld
from learndl import nn


def _pair():
    """A learndl model and a torch model with the same weights and gradients."""
    torch = pytest.importorskip("torch")
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2))
    twin = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    twin.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32) * 10
    (model(ld.tensor(x)) ** 2).sum().backward()
    (twin(torch.from_numpy(x)) ** 2).sum().backward()
    return model, twin, torch


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_as_torch(norm_type):
    model, twin, torch = _pair()
    got = nn.utils.clip_grad_norm_(model.parameters(), 1.5, norm_type=norm_type)
    want = torch.nn.utils.clip_grad_norm_(twin.parameters(), 1.5, norm_type=norm_type)
    assert got.item() == pytest.approx(want.item(), rel=1e-5)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_clip_grad_value_as_torch():
    model, twin, torch = _pair()
    nn.utils.clip_grad_value_(model.parameters(), 0.5)
    torch.nn.utils.clip_grad_value_(twin.parameters(), 0.5)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_clip_leaves_small_grads_and_single_tensor():
    w = nn.Parameter(ld.zeros(2))
    w.grad = ld.tensor([0.3, 0.4])
    assert nn.utils.clip_grad_norm_(w, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(w.grad.numpy(), [0.3, 0.4], rtol=1e-5)
    assert nn.utils.clip_grad_norm_([nn.Parameter(ld.zeros(1))], 1.0).item() == 0.0
    w.grad = ld.tensor([math.inf, 0.0])
    with pytest.raises(ld.GradError, match="norm"):
        nn.utils.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)


def test_count_parameters():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    model[1].requires_grad_(False)
    assert nn.utils.count_parameters(model) == 21
    assert nn.utils.count_parameters(model, trainable_only=True) == 16
