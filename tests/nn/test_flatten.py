from __future__ import annotations

import learndl as ld
from learndl import nn


def test_flatten():
    assert nn.Flatten()(ld.zeros(2, 3, 4, 5)).shape == (2, 60)
    assert nn.Flatten(0)(ld.zeros(2, 3)).shape == (6,)
    assert nn.Flatten(1, 2)(ld.zeros(2, 3, 4, 5)).shape == (2, 12, 5)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    x = ld.randn(2, 3, 2, requires_grad=True)
    nn.Flatten()(x).sum().backward()
    assert x.grad.shape == (2, 3, 2)
