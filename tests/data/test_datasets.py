"""Offline data sets: the shipped digits, the 2-D toys, sine and shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learndl.data import datasets

TOYS = [datasets.moons, datasets.circles, datasets.spirals, datasets.xor, datasets.blobs]


# --- digits -------------------------------------------------------------------------


def test_digits_is_the_real_uci_test_set():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert counts.sum() == 1797
    assert X.min() == 0.0 and X.max() == 1.0
    # First image of scikit-learn's load_digits is a 0 whose top row is 0 0 5 13 9 1 0 0.
    assert y[0] == 0
    assert (X[0, :8] * 16).round().tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_digits_raw_and_unflattened():
    X, _ = datasets.digits(flatten=False, normalize=False)
    assert X.shape == (1797, 8, 8) and X.dtype == np.uint8
    assert X.min() == 0 and X.max() == 16
    flat, _ = datasets.digits()
    np.testing.assert_allclose(flat.reshape(-1, 8, 8), X / 16.0, rtol=1e-6)


def test_digits_split_is_stratified_disjoint_and_seeded():
    (Xa, ya), (Xb, yb) = datasets.digits(test_size=0.2, seed=3)
    assert len(Xa) + len(Xb) == 1797 and len(Xb) == 359
    full_counts = np.bincount(datasets.digits()[1])
    # Stratified: each class is split at (about) 20 %.
    np.testing.assert_allclose(np.bincount(yb) / full_counts, 0.2, atol=0.01)
    # Disjoint and complete: every image appears exactly once across the two parts.
    rows = {r.tobytes() for r in np.concatenate([Xa, Xb])}
    assert len(rows) == len({r.tobytes() for r in datasets.digits()[0]})
    (Xc, _), _ = datasets.digits(test_size=0.2, seed=3)
    np.testing.assert_array_equal(Xa, Xc)
    (Xd, _), _ = datasets.digits(test_size=0.2, seed=4)
    assert not np.array_equal(Xa, Xd)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5])
def test_digits_rejects_bad_test_size(bad):
    with pytest.raises(ValueError, match="test_size"):
        datasets.digits(test_size=bad)


# --- 2-D toys and sine --------------------------------------------------------------


@pytest.mark.parametrize("make", TOYS)
@settings(max_examples=15, deadline=None)
@given(n=st.integers(6, 300), seed=st.integers(0, 2**31))
def test_toys_shapes_dtypes_balance_determinism(make, n, seed):
    X, y = make(n, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    counts = np.bincount(y)
    assert counts.min() >= 1 and counts.max() - counts.min() <= 1
    X2, y2 = make(n, seed=seed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("make", TOYS)
def test_toys_differ_by_seed_and_are_shuffled(make):
    X0, y0 = make(200, seed=0)
    X1, _ = make(200, seed=1)
    assert not np.array_equal(X0, X1)
    assert not (np.diff(y0) >= 0).all()  # not sorted by class


def test_noise_free_geometry():
    X, y = datasets.circles(100, noise=0.0, factor=0.3)
    radii = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radii[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radii[y == 1], 0.3, atol=1e-6)
    X, y = datasets.xor(500)
    np.testing.assert_array_equal(((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64), y)
    X, y = datasets.moons(100, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0, atol=1e-6)


def test_spirals_and_blobs_options():
    _, y = datasets.spirals(100, classes=5)
    assert np.bincount(y).tolist() == [20] * 5
    X, y = datasets.blobs(300, centers=[[10, 0], [-10, 0]], std=0.5)
    assert (X[y == 0, 0] > 5).all() and (X[y == 1, 0] < -5).all()
    with pytest.raises(ValueError, match="centers"):
        datasets.blobs(10, centers=[1, 2, 3])
    with pytest.raises(ValueError, match="too small"):
        datasets.spirals(2, classes=3)


def test_sine():
    x, y = datasets.sine(64, noise=0.0, seed=5)
    assert x.shape == y.shape == (64, 1) and x.dtype == y.dtype == np.float32
    assert (np.diff(x[:, 0]) >= 0).all() and np.abs(x).max() <= np.pi
    np.testing.assert_allclose(y, np.sin(x), atol=1e-6)
    _, noisy = datasets.sine(64, noise=0.5, seed=5)
    assert 0.3 < np.std(noisy - y) < 0.7


# --- shapes -------------------------------------------------------------------------


def test_shapes_format_and_balance():
    X, y = datasets.shapes(500, seed=0)
    assert X.shape == (500, 1, 28, 28) and X.dtype == np.float32
    assert y.dtype == np.int64 and len(datasets.SHAPES_CLASSES) == 5
    assert np.bincount(y).tolist() == [100] * 5
    assert X.min() >= 0.0 and X.max() <= 1.0
    # Every picture holds a shape: a good number of clearly bright pixels.
    assert ((X > 0.5).sum(axis=(1, 2, 3)) >= 10).all()


def test_shapes_deterministic_and_seeded():
    a = datasets.shapes(50, seed=7)
    b = datasets.shapes(50, seed=7)
    c = datasets.shapes(50, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_shapes_classes_look_different():
    X, y = datasets.shapes(1000, noise=0.0, seed=1)
    ink = X.sum(axis=(1, 2, 3))
    by_class = {name: ink[y == k].mean() for k, name in enumerate(datasets.SHAPES_CLASSES)}
    # A filled circle holds more ink than a thin line of the same radius.
    assert by_class["circle"] > 2 * by_class["line"]
    assert by_class["square"] > by_class["cross"]


def test_shapes_other_size_and_no_noise():
    X, _ = datasets.shapes(20, size=16, noise=0.0)
    assert X.shape == (20, 1, 16, 16)
    # Without noise the corners stay black: shapes keep clear of the border.
    assert X[:, 0, 0, 0].max() == 0.0
    with pytest.raises(ValueError, match="size"):
        datasets.shapes(5, size=8)
