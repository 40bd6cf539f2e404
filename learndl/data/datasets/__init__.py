"""Ready-made data sets, all returned as numpy arrays (wrap them in TensorDataset).

Offline, shipped or generated: :func:`digits` (real 8x8 handwritten digits),
:func:`shapes` (28x28 pictures), and the 2-D toys :func:`moons`, :func:`circles`,
:func:`spirals`, :func:`xor`, :func:`blobs`, plus :func:`sine` for regression.
Downloaded once and cached: :func:`mnist`, :func:`fashion_mnist`.

Example:
    >>> from learndl.data import datasets
    >>> X, y = datasets.moons(200, noise=0.1, seed=0)
    >>> X.shape, y.shape
    ((200, 2), (200,))
"""

from learndl.data.datasets.downloads import (
    FASHION_MNIST_CLASSES,
    ChecksumError,
    fashion_mnist,
    mnist,
)
from learndl.data.datasets.drawn import SHAPES_CLASSES, shapes
from learndl.data.datasets.idx import IDXError, read_idx, write_idx
from learndl.data.datasets.shipped import digits
from learndl.data.datasets.toy import blobs, circles, moons, sine, spirals, xor

__all__ = [
    "FASHION_MNIST_CLASSES",
    "SHAPES_CLASSES",
    "ChecksumError",
    "IDXError",
    "blobs",
    "circles",
    "digits",
    "fashion_mnist",
    "mnist",
    "moons",
    "read_idx",
    "shapes",
    "sine",
    "spirals",
    "write_idx",
    "xor",
]
