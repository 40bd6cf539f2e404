from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import torch_twin


def test_shapes_init_and_repr():
    ld.manual_seed(0)
    emb = nn.Embedding(1000, 16)
    w = emb.weight.numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02  # N(0, 1)
    assert emb(ld.tensor([[1, 2], [3, 4]])).shape == (2, 2, 16)
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"


def test_same_as_torch():
    idx = np.array([[0, 3, 3], [9, 1, 0]])
    emb = nn.Embedding(10, 4)
    emb.double()
    torch = pytest.importorskip("torch")
    t = torch_twin(emb, lambda n: n.Embedding(10, 4))
    np.testing.assert_array_equal(
        emb(ld.tensor(idx)).numpy(), t(torch.from_numpy(idx)).detach().numpy()
    )


def test_gradient_accumulates_on_repeats_and_skips_padding():
    emb = nn.Embedding(5, 2, padding_idx=0)
    assert emb.weight.numpy()[0].tolist() == [0.0, 0.0]
    out = emb(ld.tensor([0, 2, 2, 4]))
    out.sum().backward()
    assert emb.weight.grad.numpy()[:, 0].tolist() == [0.0, 0.0, 2.0, 0.0, 1.0]


def test_errors():
    emb = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match=r"\[0, 4\]"):
        emb(ld.tensor([1, 5]))
    with pytest.raises(ld.DTypeError, match="long"):
        emb(ld.tensor([1.0]))


def test_from_pretrained():
    table = ld.randn(4, 3)
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(ld.tensor([2])).numpy()[0], table.numpy()[2])
