"""gradcheck: passes correct gradients, finds wrong ones and says where."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld


class WrongSquare(ld.Function):
    """x**2 with a backward that is wrong at one entry: what a learner's bug looks like."""

    name = "wrong_square"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return x * x

    def backward(self, grad):
        (x,) = self.saved_tensors
        mistake = np.zeros(x.shape)
        mistake[1, 2] = 1.0
        return (grad * 2 * x + ld.tensor(mistake, dtype=x.dtype),)


def test_correct_gradients_pass():
    ld.manual_seed(0)
    x = ld.randn(3, 4, dtype="float64", requires_grad=True)
    w = ld.randn(4, 2, dtype="float64", requires_grad=True)
    assert ld.gradcheck(lambda a, b: (a @ b).tanh(), x, w) is True
    assert x.grad is None  # gradcheck works on float64 copies


def test_float32_inputs_are_checked_in_float64():
    x = ld.randn(5, requires_grad=True)
    assert ld.gradcheck(lambda a: a.exp() * a, x)


def test_inputs_without_grad_are_not_checked():
    x = ld.randn(3, dtype="float64", requires_grad=True)
    c = ld.randn(3, dtype="float64")
    r = ld.gradcheck(lambda a, b: a * b, x, c, report=True)
    assert r and [i.index for i in r.inputs] == [0]
    assert ld.gradcheck(lambda a, k: a * k, x, 3.0)


def test_a_wrong_backward_is_found_and_located():
    x = ld.randn(3, 4, dtype="float64", requires_grad=True)
    assert ld.gradcheck(WrongSquare.apply, x) is False
    r = ld.gradcheck(WrongSquare.apply, x, report=True)
    assert not r
    (entry,) = r.inputs
    assert entry.index == 0 and entry.shape == (3, 4) and entry.worst_entry == (1, 2)
    assert not entry.ok and entry.max_rel_error > 1e-3
    assert "input 0 (3, 4): MISMATCH" in str(r) and "at (1, 2)" in str(r)


def test_raise_on_fail():
    x = ld.randn(3, 4, dtype="float64", requires_grad=True)
    with pytest.raises(ld.GradError, match="gradcheck failed:\ninput 0 .*MISMATCH"):
        ld.gradcheck(WrongSquare.apply, x, raise_on_fail=True)


def test_a_report_that_passes_prints_ok():
    x = ld.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    r = ld.gradcheck(lambda a: a**2, x, report=True)
    assert r and str(r).startswith("input 0 (2,): ok")


def test_inputs_are_left_unchanged():
    x = ld.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    ld.gradcheck(lambda a: a**3, x)
    assert x.tolist() == [1.0, 2.0] and x._version == 0
