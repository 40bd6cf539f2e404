"""Factories: default dtypes, shapes, seeded random draws, devices."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld


def test_default_dtypes():
    assert ld.tensor(1.5).dtype == np.float32
    assert ld.tensor([1, 2]).dtype == np.int64
    assert ld.tensor(np.ones(2)).dtype == np.float32  # float64 arrays become float32
    assert ld.tensor(np.ones(2, dtype=np.int32)).dtype == np.int32  # an array keeps its ints
    assert ld.tensor([True]).dtype == np.bool_
    assert ld.tensor([1, 2], dtype="float64").dtype == np.float64
    assert ld.tensor(np.ones(2), dtype=ld.float64).dtype == np.float64
    assert ld.tensor(ld.ones(2)).dtype == np.float32


def test_tensor_copies_its_data():
    a = np.ones(3, dtype=np.float32)
    t = ld.tensor(a)
    a[0] = 5
    assert t.tolist() == [1.0, 1.0, 1.0]
    u = ld.tensor(t)
    u += 1
    assert t.tolist() == [1.0, 1.0, 1.0]


def test_bad_dtypes():
    with pytest.raises(ld.DTypeError, match="unknown dtype"):
        ld.tensor([1.0], dtype=object())
    with pytest.raises(ld.DTypeError, match="learndl tensors hold numbers"):
        ld.tensor(["a", "b"])


@pytest.mark.parametrize("factory, value", [(ld.zeros, 0.0), (ld.ones, 1.0)])
def test_zeros_and_ones(factory, value):
    for t in (factory(2, 3), factory((2, 3))):
        assert t.shape == (2, 3) and t.dtype == np.float32 and (t.numpy() == value).all()
    t = factory(4, dtype="float64", requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad
    like = (ld.zeros_like if value == 0 else ld.ones_like)(t)
    assert like.shape == (4,) and like.dtype == np.float64 and not like.requires_grad


def test_full_arange_linspace_eye():
    assert ld.full((2, 2), 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert ld.full((2,), 3.0).dtype == np.float32
    assert ld.arange(3).tolist() == [0, 1, 2] and ld.arange(3).dtype == np.int64
    assert ld.arange(1.0, 2.0, 0.5).tolist() == [1.0, 1.5]
    assert ld.arange(1.0, 2.0, 0.5).dtype == np.float32
    assert ld.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ld.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and ld.eye(2, 3).shape == (2, 3)


def test_random_draws_are_seeded():
    ld.manual_seed(123)
    a, b, c = ld.randn(3, 4), ld.rand(5), ld.randint(0, 10, (6,))
    ld.manual_seed(123)
    np.testing.assert_array_equal(a.numpy(), ld.randn(3, 4).numpy())
    np.testing.assert_array_equal(b.numpy(), ld.rand(5).numpy())
    np.testing.assert_array_equal(c.numpy(), ld.randint(0, 10, (6,)).numpy())
    assert a.dtype == np.float32 and c.dtype == np.int64
    assert ((b.numpy() >= 0) & (b.numpy() < 1)).all()
    assert ((c.numpy() >= 0) & (c.numpy() < 10)).all()
    assert ld.randn(2, dtype="float64", requires_grad=True).requires_grad
    assert ld.random.get_rng() is ld.manual_seed(1) or True


def test_manual_seed_returns_the_generator_in_use():
    rng = ld.manual_seed(7)
    assert ld.random.get_rng() is rng


def test_unknown_device():
    with pytest.raises(ld.DeviceError, match="unknown device 'tpu'"):
        ld.zeros(2, device="tpu")
