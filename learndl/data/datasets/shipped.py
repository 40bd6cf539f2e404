"""The real 8x8 handwritten digits, shipped with learndl (no download needed).

1,797 images from the test set of the UCI "Optical Recognition of Handwritten Digits"
data (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), as scikit-learn ships it. Each 32x32
bitmap was divided into 4x4 blocks and the "on" pixels counted, so a pixel is an
integer 0..16. See ``README.md`` beside this file for how the file was made.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

_PATH = Path(__file__).with_name("digits.npz")


def _load_raw() -> tuple[np.ndarray, np.ndarray]:
    with np.load(_PATH) as f:
        return f["images"], f["target"]


def _stratified_split(y: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Split each class separately so train and test keep the same class balance.
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test.append(members[: int(round(test_size * len(members)))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
    return rng.permutation(train_idx), rng.permutation(test_idx)


def digits(
    flatten: bool = True,
    normalize: bool = True,
    test_size: float | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray] | tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Load the 1,797 real 8x8 handwritten digits as numpy arrays.

    Args:
        flatten: return images as 64-vectors ``(n, 64)``; if False, as ``(n, 8, 8)``.
        normalize: scale pixels from 0..16 to float32 in [0, 1]; if False, return the
            stored uint8 counts 0..16.
        test_size: None returns the whole set as ``(X, y)``. A fraction in (0, 1)
            returns ``(X_train, y_train), (X_test, y_test)`` like
            ``keras.datasets.mnist.load_data()``, split per class (stratified) so both
            parts keep the class balance; each part is shuffled.
        seed: seed of the split (the whole set is always in the original order).

    Returns:
        ``(X, y)`` or ``((X_train, y_train), (X_test, y_test))``; ``y`` is int64 0..9.

    Example:
        >>> X, y = digits()
        >>> X.shape, X.dtype, y.shape, y.dtype
        ((1797, 64), dtype('float32'), (1797,), dtype('int64'))
        >>> (X_train, y_train), (X_test, y_test) = digits(test_size=0.2)
        >>> len(X_train), len(X_test)
        (1438, 359)
    """
    images, target = _load_raw()
    X = images.reshape(len(images), 64) if flatten else images
    X = X.astype(np.float32) / 16.0 if normalize else X
    y = target.astype(np.int64)
    if test_size is None:
        return X, y
    if not 0.0 < test_size < 1.0:
        raise ValueError(
            f"digits: test_size must be a fraction in (0, 1) or None, got {test_size}."
        )
    train_idx, test_idx = _stratified_split(y, test_size, seed)
    return (X[train_idx], y[train_idx]), (X[test_idx], y[test_idx])
