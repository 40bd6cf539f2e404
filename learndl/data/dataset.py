"""Datasets: things you can index and measure, as in ``torch.utils.data``.

A dataset answers two questions: how many samples are there (``len``) and what is
sample ``i`` (``dataset[i]``). Everything else — batching, shuffling, splitting — is
built on those two, in :mod:`learndl.data.loader` and in :func:`random_split` below.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

import learndl as ld


class Dataset(ABC):
    """Abstract map-style dataset: subclass it and define ``__getitem__`` and ``__len__``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 5
        ...     def __getitem__(self, i):
        ...         return i, i * i
        >>> ds = Squares()
        >>> len(ds), ds[3]
        (5, (3, 9))
    """

    @abstractmethod
    def __getitem__(self, index: int) -> Any:
        """Return sample ``index``."""

    @abstractmethod
    def __len__(self) -> int:
        """Return the number of samples."""


def _as_array(t: Any) -> np.ndarray:
    # Tensors expose their ndarray as ``.data``; anything else goes through numpy, then
    # learndl's dtype rules (float64 data becomes float32) -- once, not once per batch.
    data = getattr(t, "data", None)
    return data if isinstance(data, np.ndarray) else ld.creation.as_array(np.asarray(t))


class TensorDataset(Dataset):
    """Samples are rows of tensors (or arrays) that share their first dimension.

    ``dataset[i]`` is ``(tensors[0][i], tensors[1][i], ...)`` as learndl tensors. The
    raw arrays are kept in ``arrays`` so that :class:`~learndl.data.DataLoader` can
    take a whole batch with one fancy-index per array instead of a Python loop.

    Args:
        *tensors: learndl tensors or array-likes, all with the same length.

    Raises:
        ValueError: if no tensors are given or their first dimensions differ.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.zeros((4, 3)), np.arange(4))
        >>> len(ds), ds[2][0].shape, int(ds[2][1].item())
        (4, (3,), 2)
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, got none.")
        self.tensors = tensors
        self.arrays = tuple(_as_array(t) for t in tensors)
        sizes = [a.shape[0] if a.ndim else None for a in self.arrays]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(
                f"TensorDataset: all tensors must have the same size in their first "
                f"dimension, got shapes {shapes} (first sizes {sizes}). "
                f"Each row is one sample, so inputs and labels need one row per sample."
            )

    def __getitem__(self, index: Any) -> tuple:
        return tuple(ld.tensor(a[index], dtype=a.dtype) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> import numpy as np
        >>> sub = Subset(TensorDataset(np.arange(10)), [7, 2])
        >>> len(sub), int(sub[0][0].item())
        (2, 7)
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index: Any) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def resolve_rng(generator: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``generator`` (seed, Generator or None) into a numpy Generator.

    ``None`` draws one seed from learndl's global RNG, as PyTorch does per epoch, so
    ``ld.manual_seed(s)`` makes the result reproducible while using up only one number
    of the global stream however large the dataset is.
    """
    if isinstance(generator, np.random.Generator):
        return generator
    if generator is None:
        import learndl.random

        seed = int(learndl.random.get_rng().integers(2**63))
        return np.random.default_rng(seed)
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"generator must be an int seed, a numpy.random.Generator or None, "
        f"got {type(generator).__name__}."
    )


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    lengths = list(lengths)
    if lengths and all(isinstance(x, (int, np.integer)) for x in lengths):
        if any(x < 0 for x in lengths) or sum(lengths) != n:
            raise ValueError(
                f"random_split: lengths {lengths} sum to {sum(lengths)}, but the dataset "
                f"has {n} samples. Give integers that sum to {n}, or fractions summing to 1."
            )
        return [int(x) for x in lengths]
    if not lengths or any(x < 0 or x > 1 for x in lengths) or abs(sum(lengths) - 1) > 1e-6:
        raise ValueError(
            f"random_split: fractions {lengths} must each lie in [0, 1] and sum to 1 "
            f"(they sum to {sum(lengths) if lengths else 0}); or give integer lengths."
        )
    counts = [int(np.floor(n * f)) for f in lengths]
    # Hand out the samples lost to flooring one by one, round-robin, as PyTorch does.
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(
    dataset: Dataset,
    lengths: Sequence[float],
    generator: int | np.random.Generator | None = None,
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    Args:
        dataset: any dataset with ``len``.
        lengths: integer lengths summing to ``len(dataset)``, or fractions summing to 1
            (leftover samples from rounding go to the first subsets, one each).
        generator: an int seed, a ``numpy.random.Generator``, or None to draw from
            learndl's global RNG (reproducible under ``ld.manual_seed``).

    Returns:
        One :class:`Subset` per length; together they hold every index exactly once.

    Example:
        >>> import numpy as np
        >>> train, test = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], generator=0)
        >>> len(train), len(test)
        (8, 2)
    """
    n = len(dataset)
    counts = _split_lengths(n, lengths)
    order = resolve_rng(generator).permutation(n)
    bounds = np.cumsum([0, *counts])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
