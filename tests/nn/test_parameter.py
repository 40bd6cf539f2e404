from __future__ import annotations

import copy
import pickle

import numpy as np

import learndl as ld
from learndl import nn


def test_parameter_basics():
    t = ld.zeros(2, 3, dtype="float64")
    p = nn.Parameter(t)
    assert isinstance(p, ld.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64 and p.data is t.data  # shares memory, keeps dtype
    assert not nn.Parameter(ld.zeros(1), requires_grad=False).requires_grad
    assert repr(nn.Parameter(ld.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_results_of_ops_are_plain_tensors():
    p = nn.Parameter(ld.ones(2))
    assert type(p * 2) is ld.Tensor
    assert type(p > 0) is ld.Tensor
    assert type(p.detach()) is ld.Tensor


def test_copy_and_pickle_keep_the_type():
    p = nn.Parameter(ld.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert isinstance(q, nn.Parameter) and q.tolist() == [1.0, 2.0] and q.data is not p.data
