"""How ``fit``, ``evaluate`` and ``predict`` cut their input into batches.

Arrays (numpy arrays or learndl tensors) are sliced ``batch_size`` rows at a time. When
``shuffle`` is on, each epoch visits the rows in the order ``rng.permutation(n)``, where
``rng`` is the numpy Generator that ``fit`` seeds once, at its start, from learndl's
global generator::

    rng = np.random.default_rng(int(learndl.random.get_rng().integers(2**63)))
    for epoch in range(epochs):
        order = rng.permutation(n)           # only if shuffle=True
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]

so ``ld.manual_seed`` fixes the order, and a hand-written loop can replay it. Anything
else that iterates in batches — a ``learndl.data.DataLoader`` above all — is used as
it is, yielding ``(x, y)`` or ``(x, y, sample_weight)`` per batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

import learndl as ld
from learndl.keras import backend
from learndl.tensor import Tensor


def is_batch_iterable(x: Any) -> bool:
    """A DataLoader or other iterable of batches (not an array)."""
    return hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, Tensor, list, tuple))


def as_array(x: Any) -> np.ndarray | None:
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x.numpy()
    return np.asarray(x)


def as_batch_tensor(a: np.ndarray) -> Tensor:
    # Keras feeds float32 (its floatx); integers (labels, token ids) stay integers.
    if a.dtype.kind == "f" and a.dtype != backend.floatx:
        a = a.astype(backend.floatx)
    return ld.tensor(a)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch that is ``x``, ``(x,)``, ``(x, y)`` or all three."""
    if isinstance(data, (tuple, list)):
        data = tuple(data) + (None,) * (3 - len(data))
        return data[0], data[1], data[2]
    return data, None, None


def train_validation_split(x, y, validation_split: float):
    """Keras' split: the *last* ``validation_split`` of the samples, before any shuffling."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {validation_split}.")
    n = len(x)
    cut = int(n * (1.0 - validation_split))
    if cut in (0, n):
        raise ValueError(f"validation_split={validation_split} leaves no samples on one side.")
    return (x[:cut], None if y is None else y[:cut]), (x[cut:], None if y is None else y[cut:])


class Batches:
    """An epoch's batches of ``(x, y)`` (or the batches of a DataLoader as they come)."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        batch_size: int | None = 32,
        shuffle: bool = False,
        rng: np.random.Generator | None = None,
        sample_weight: Any = None,
    ) -> None:
        self.loader = x if is_batch_iterable(x) else None
        if self.loader is not None:
            if y is not None:
                raise ValueError("When x is a DataLoader, y must be None: it yields (x, y).")
            return
        self.x, self.y, self.w = as_array(x), as_array(y), as_array(sample_weight)
        if self.y is not None and len(self.y) != len(self.x):
            raise ValueError(f"x has {len(self.x)} samples but y has {len(self.y)}.")
        self.batch_size = batch_size or 32
        self.shuffle, self.rng = shuffle, rng

    def __len__(self) -> int | None:
        if self.loader is not None:
            return len(self.loader) if hasattr(self.loader, "__len__") else None
        return -(-len(self.x) // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.loader is not None:
            yield from self.loader
            return
        n = len(self.x)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            index = order[start : start + self.batch_size]
            parts = [self.x[index]]
            if self.y is not None:
                parts.append(self.y[index])
            if self.w is not None:
                parts += [None] * (2 - len(parts)) + [self.w[index]]
            batch = tuple(None if p is None else as_batch_tensor(p) for p in parts)
            yield batch if len(batch) > 1 else batch[0]
