"""Indexing: x[index] for basic, integer-array and mask indices, checked forward against
NumPy and backward by central differences (its scatter-add adjoint included)."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.helpers import check_op, values

INDICES = [
    (1,),
    (slice(None), 0),
    (slice(None, None, -1),),
    (slice(1, None), slice(None, None, 2)),
    (Ellipsis, None),
    ([0, 0, 2],),  # repeated indices: their gradients add up
    (np.array([[1, 0], [2, 2]]), slice(None)),
    ([0, 2], [1, 1]),
    (np.array([True, False, True]),),
]


@pytest.mark.parametrize("index", INDICES, ids=range(len(INDICES)))
def test_getitem(index):
    a = values((3, 4), 0)
    check_op(lambda x: x[index], lambda x: x[index], a)


def test_getitem_with_tensor_indices():
    a = values((4, 3), 1)
    labels = ld.tensor([2, 0, 1, 2])
    check_op(lambda x: x[ld.arange(4), labels], lambda x: x[np.arange(4), labels.numpy()], a)
    check_op(lambda x: x[ld.tensor(a[:, 0] > 0)], lambda x: x[a[:, 0] > 0], a)


def test_getitem_backward_is_differentiable_again():
    x = ld.tensor(values((5,), 2), dtype="float64", requires_grad=True)
    assert ld.gradcheck(lambda t: (t[[0, 0, 3]] ** 2).sum() * t[1], x)
