"""Small generated data sets that fit on a plot: 2-D classification and 1-D regression.

Each function is deterministic for its ``seed`` and returns numpy arrays,
``X`` float32 of shape ``(n, 2)`` and ``y`` int64 of shape ``(n,)`` with balanced
classes (class sizes differ by at most one), rows shuffled so that the classes are mixed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _check_n(name: str, n: int, classes: int = 1) -> None:
    if n < classes:
        raise ValueError(f"{name}: n={n} is too small, need at least {classes} sample(s).")


def _class_sizes(n: int, classes: int) -> list[int]:
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _finish(
    parts: list[np.ndarray], rng: np.random.Generator, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    X = np.concatenate(parts)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    X = X + rng.normal(scale=noise, size=X.shape) if noise > 0 else X
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), y[order]


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles — a set no straight line can separate.

    Args:
        n: number of points, split evenly between the two moons.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: seed for the random generator.

    Returns:
        ``(X, y)``: float32 ``(n, 2)`` points and int64 ``(n,)`` labels in {0, 1}.

    Example:
        >>> X, y = moons(100, noise=0.05)
        >>> X.shape, X.dtype, sorted(set(y.tolist()))
        ((100, 2), dtype('float32'), [0, 1])
    """
    _check_n("moons", n, 2)
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], rng, noise)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a big one (class 0).

    Args:
        n: number of points, split evenly between the circles.
        noise: standard deviation of the Gaussian noise.
        factor: radius of the inner circle relative to the outer one (radius 1).
        seed: seed for the random generator.

    Example:
        >>> X, y = circles(100, noise=0.0)
        >>> bool(abs(np.linalg.norm(X[y == 1], axis=1) - 0.5).max() < 1e-6)
        True
    """
    _check_n("circles", n, 2)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must lie strictly between 0 and 1, got {factor}.")
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    # endpoint=False: a closed loop would put two points on the same spot.
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    return _finish([outer, inner], rng, noise)


def spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy set).

    Args:
        n: total number of points, split evenly between the arms.
        classes: number of arms.
        noise: standard deviation of the noise added to each point's angle (radians).
        seed: seed for the random generator.

    Example:
        >>> X, y = spirals(300, classes=3)
        >>> X.shape, np.bincount(y).tolist()
        ((300, 2), [100, 100, 100])
    """
    _check_n("spirals", n, classes)
    rng = np.random.default_rng(seed)
    arms = []
    for k, m in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, m) + rng.normal(scale=noise, size=m)
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    # The noise is on the angle already; no extra noise on the coordinates.
    return _finish(arms, rng, 0.0)


def xor(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points in the square [-1, 1]², labelled 1 where exactly one coordinate is positive.

    The classic problem a single linear layer cannot solve.

    Args:
        n: number of points.
        noise: standard deviation of Gaussian noise added *after* labelling, so noisy
            points near the axes may cross into the other class's quadrant.
        seed: seed for the random generator.

    Example:
        >>> X, y = xor(8)
        >>> bool(((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int).tolist() == y.tolist())
        True
    """
    _check_n("xor", n, 2)
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    # Draw a point in a quadrant of its class: |x| uniform, signs set by the class.
    signs0 = rng.choice([-1.0, 1.0], size=(n0, 1)) * np.array([[1.0, 1.0]])
    signs1 = rng.choice([-1.0, 1.0], size=(n1, 1)) * np.array([[1.0, -1.0]])
    same = signs0 * rng.uniform(1e-3, 1.0, size=(n0, 2))
    differ = signs1 * rng.uniform(1e-3, 1.0, size=(n1, 2))
    return _finish([same, differ], rng, noise)


def blobs(
    n: int = 200, centers: int | ArrayLike = 3, std: float = 0.6, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one per class.

    Args:
        n: total number of points, split evenly between clusters.
        centers: number of clusters (centers drawn uniformly in [-4, 4]²), or a
            ``(k, 2)`` array of centers.
        std: standard deviation of each cluster.
        seed: seed for the random generator.

    Example:
        >>> X, y = blobs(90, centers=[[0, 0], [5, 5], [-5, 5]], std=0.1)
        >>> np.round(X[y == 1].mean(axis=0)).tolist()
        [5.0, 5.0]
    """
    rng = np.random.default_rng(seed)
    if isinstance(centers, (int, np.integer)):
        centers = rng.uniform(-4.0, 4.0, size=(int(centers), 2))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) == 0:
        raise ValueError(f"blobs: centers must be an int or a (k, 2) array, got {centers.shape}.")
    _check_n("blobs", n, len(centers))
    parts = [
        c + rng.normal(scale=std, size=(m, 2))
        for c, m in zip(centers, _class_sizes(n, len(centers)))
    ]
    return _finish(parts, rng, 0.0)


def sine(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of ``y = sin(x)`` for x in [-π, π], sorted by x for easy plotting.

    Args:
        n: number of points.
        noise: standard deviation of the Gaussian noise added to y.
        seed: seed for the random generator.

    Returns:
        ``(x, y)``: both float32 of shape ``(n, 1)``, ready for ``Linear(1, ...)``.

    Example:
        >>> x, y = sine(50, noise=0.0)
        >>> x.shape, y.shape, bool(np.allclose(y, np.sin(x), atol=1e-6))
        ((50, 1), (50, 1), True)
    """
    _check_n("sine", n)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, size=n))
    y = np.sin(x) + (rng.normal(scale=noise, size=n) if noise > 0 else 0.0)
    return x[:, None].astype(np.float32), y[:, None].astype(np.float32)
