from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn


def test_train_drops_and_scales():
    ld.manual_seed(0)
    drop = nn.Dropout(0.25)
    y = drop(ld.ones(200, 100)).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75)


def test_eval_is_identity_and_seeded():
    x = ld.randn(4, 5)
    assert nn.Dropout(0.5).eval()(x) is x
    ld.manual_seed(3)
    a = nn.Dropout()(x).numpy()
    ld.manual_seed(3)
    b = nn.Dropout()(x).numpy()
    np.testing.assert_array_equal(a, b)


def test_edges_and_repr():
    x = ld.randn(3, 3, requires_grad=True)
    assert float(nn.Dropout(1.0)(x).abs().sum().item()) == 0.0
    assert nn.Dropout(0.0)(x) is x
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout(0.1)) == "Dropout(p=0.1, inplace=False)"


def test_gradient_follows_mask():
    ld.manual_seed(1)
    x = ld.ones(50, requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
