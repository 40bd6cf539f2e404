from __future__ import annotations

from collections import OrderedDict

import pytest

import learndl as ld
from learndl import nn


def test_sequential_indexing():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and model[0] is a and model[-1] is c
    assert list(model) == [a, b, c]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    assert head(ld.randn(4, 2)).shape == (4, 3)
    with pytest.raises(IndexError, match="out of range"):
        model[3]
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [n for n, _ in model.named_children()][-1] == "3"
    model[3] = nn.Tanh()
    assert isinstance(model[3], nn.Tanh)
    del model[3]
    assert len(model) == 3


def test_sequential_ordered_dict():
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    assert model.fc is model[0]
    out = model(ld.randn(3, 2))
    assert out.grad_fn.module == "act"


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.insert(0, nn.ReLU())
    assert isinstance(layers[0], nn.ReLU) and isinstance(layers[-1], nn.Linear)
    del layers[0]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2"]
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 2
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 3)})
    assert "a" in heads and list(heads) == ["a", "b"] and heads["b"].out_features == 3
    assert [n for n, _ in heads.named_parameters()][0] == "a.weight"


def test_module_list_repr_matches_torch():
    torch = pytest.importorskip("torch")

    def build(n):
        return n.ModuleList([n.Linear(2, 2), n.Linear(2, 2), n.ReLU(), n.Linear(2, 2)])

    assert repr(build(nn)) == repr(build(torch.nn))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
