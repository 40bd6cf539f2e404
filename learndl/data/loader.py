"""DataLoader: turn a dataset into an iterable of (shuffled) mini-batches."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import learndl as ld
from learndl.data.dataset import Dataset, Subset, TensorDataset, _as_array, resolve_rng


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into one batch, field by field.

    Tuples and lists are collated per position (a list of ``(x, y)`` pairs becomes
    ``(X, Y)``), dicts per key, and tensors, arrays and numbers are stacked along a new
    first axis into one learndl tensor.

    Example:
        >>> import numpy as np
        >>> xs, ys = default_collate([(np.ones(3), 0), (np.zeros(3), 1)])
        >>> xs.shape, ys.shape
        ((2, 3), (2,))
    """
    first = batch[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate(list(field)) for field in zip(*batch))
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    # Stack the raw arrays, not tensors: loading data needs no autograd graph.
    return ld.tensor(np.stack([_as_array(sample) for sample in batch]))


def _root(dataset: Dataset, index: np.ndarray) -> tuple[Dataset, np.ndarray]:
    # Look through Subsets (e.g. from random_split) so their TensorDataset keeps the fast path.
    while isinstance(dataset, Subset):
        index = dataset.indices[index]
        dataset = dataset.dataset
    return dataset, index


def _to_device(batch: Any, device: str) -> Any:
    """``batch`` with every tensor in it (inside tuples, lists, dicts) moved to ``device``."""
    if isinstance(batch, ld.Tensor):
        return batch.to(device)
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {key: _to_device(value, device) for key, value in batch.items()}
    return batch


class DataLoader:
    """Iterate over ``dataset`` in mini-batches, optionally reshuffled every epoch.

    Args:
        dataset: a map-style dataset (``len`` and ``dataset[i]``).
        batch_size: samples per batch; the last batch may be smaller.
        shuffle: visit the samples in a new random order each epoch.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: where shuffling draws from — an int seed or a
            ``numpy.random.Generator`` (one stream across epochs), or None to draw a fresh
            seed from learndl's global RNG each epoch (reproducible under
            ``ld.manual_seed``).
        collate_fn: turns a list of samples into a batch; defaults to
            :func:`default_collate` (a batch of tuples becomes a tuple of stacked tensors).
        device: move every tensor of each batch there (``"cuda"``), one batch at a time,
            so the dataset itself stays in host memory.

    Every epoch visits each sample exactly once (except those in a dropped last batch).
    For a :class:`TensorDataset` (or a Subset of one) with the default collate, a batch
    is one fancy-index per array — no per-sample Python loop.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
        >>> loader = DataLoader(ds, batch_size=2)
        >>> len(loader), [y.numpy().tolist() for _, y in loader]
        (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: int | np.random.Generator | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        device: str | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}.")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}.")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.device = device
        # A seed or Generator becomes one stream for all epochs, so epochs differ from
        # each other yet the whole run repeats; None defers to the global RNG per epoch.
        self.generator = None if generator is None else resolve_rng(generator)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return resolve_rng(self.generator).permutation(n)

    def _batch(self, index: np.ndarray) -> Any:
        if self.collate_fn is None:
            root, root_index = _root(self.dataset, index)
            # NOTE: a subclass that overrides __getitem__ (say, to augment) must see every
            # sample, so only an unmodified TensorDataset takes the one-index shortcut.
            if (
                isinstance(root, TensorDataset)
                and type(root).__getitem__ is TensorDataset.__getitem__
            ):
                # A fancy index copies, and the arrays already have learndl's dtypes
                # (TensorDataset converted them once): the batch needs no ld.tensor().
                return tuple([ld.Tensor._make(a[root_index], False, None) for a in root.arrays])
            return default_collate([self.dataset[int(i)] for i in index])
        return self.collate_fn([self.dataset[int(i)] for i in index])

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            batch = self._batch(order[start : start + self.batch_size])
            yield batch if self.device is None else _to_device(batch, self.device)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, batches={len(self)})"
        )
