"""Generated grayscale pictures of simple shapes — an offline stand-in for MNIST.

Each shape is drawn from a *signed distance*: for every pixel, how far it lies outside
the shape (negative inside). Brightness ``clip(0.5 - distance, 0, 1)`` then gives a
filled shape with a one-pixel soft (anti-aliased) edge, all with NumPy broadcasting.
"""

from __future__ import annotations

import numpy as np

SHAPES_CLASSES: tuple[str, ...] = ("circle", "square", "triangle", "cross", "line")
"""Class names of :func:`shapes`, indexed by label."""


def _circle(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.sqrt(u**2 + v**2) - r


def _square(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    # Half-side 0.7 r keeps the rotated corners (0.7 * sqrt 2 ≈ 0.99 r) inside the frame.
    return np.maximum(np.abs(u), np.abs(v)) - 0.7 * r


def _triangle(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    # Equilateral triangle with circumradius r: inside when the point is within the
    # inradius r/2 of the centre along each of the three edge normals.
    normals = [(np.cos(a), np.sin(a)) for a in (np.pi / 2, np.pi / 2 + 2 * np.pi / 3, -np.pi / 6)]
    return np.max([u * cx + v * cy for cx, cy in normals], axis=0) - r / 2


def _bar(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    # A rectangle r long (each way) and 0.22 r thick (each way).
    return np.maximum(np.abs(u) - r, np.abs(v) - np.maximum(0.22 * r, 1.0))


def _cross(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.minimum(_bar(u, v, r), _bar(v, u, r))


_DRAW = (_circle, _square, _triangle, _cross, _bar)


def shapes(
    n: int = 1000, size: int = 28, seed: int = 0, noise: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Images of circles, squares, triangles, crosses and lines; labels index ``SHAPES_CLASSES``.

    Every image has one white-ish shape on a black background, with a random position,
    size, rotation and brightness, plus Gaussian pixel noise. Classes are balanced and
    the result is the same for the same arguments.

    Args:
        n: number of images.
        size: height and width in pixels (at least 12).
        seed: seed for the random generator.
        noise: standard deviation of the pixel noise (pixels are clipped to [0, 1]).

    Returns:
        ``(X, y)``: float32 images ``(n, 1, size, size)`` (NCHW, as ``nn.Conv2d`` expects)
        with values in [0, 1], and int64 labels ``(n,)``. For Keras
        (channels last) use ``X.transpose(0, 2, 3, 1)``.

    Example:
        >>> X, y = shapes(10, seed=1)
        >>> X.shape, X.dtype, SHAPES_CLASSES[int(y[0])] in SHAPES_CLASSES
        ((10, 1, 28, 28), dtype('float32'), True)
        >>> bool(0.0 <= X.min() and X.max() <= 1.0)
        True
    """
    if n < 0:
        raise ValueError(f"shapes: n must be non-negative, got {n}.")
    if size < 12:
        raise ValueError(f"shapes: size must be at least 12 pixels to draw a shape, got {size}.")
    rng = np.random.default_rng(seed)
    k = len(SHAPES_CLASSES)
    y = rng.permutation(np.arange(n) % k).astype(np.int64)

    # Per-image parameters, shaped (n, 1, 1) to broadcast over the pixel grid.
    r = rng.uniform(0.2, 0.38, size=(n, 1, 1)) * size
    cx = rng.uniform(r + 1, size - 1 - r)
    cy = rng.uniform(r + 1, size - 1 - r)
    angle = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
    brightness = rng.uniform(0.6, 1.0, size=(n, 1, 1))

    # Pixel centres, then rotate into each shape's own frame (u along its axis).
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dx, dy = xx - cx, yy - cy
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)

    distance = np.empty((n, size, size))
    for label, draw in enumerate(_DRAW):
        m = y == label
        distance[m] = draw(u[m], v[m], r[m])
    images = np.clip(0.5 - distance, 0.0, 1.0) * brightness
    if noise > 0:
        images = images + rng.normal(scale=noise, size=images.shape)
    return np.clip(images, 0.0, 1.0).astype(np.float32)[:, None], y
