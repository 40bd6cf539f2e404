"""PyTorch-style data loading: datasets, batching and shuffling, plus ready-made data.

Example:
    >>> import numpy as np
    >>> from learndl.data import DataLoader, TensorDataset
    >>> X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10)
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=0)
    >>> [len(yb.numpy()) for _, yb in loader]
    [4, 4, 2]
"""

from learndl.data import datasets
from learndl.data.dataset import Dataset, Subset, TensorDataset, random_split
from learndl.data.loader import DataLoader, default_collate

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "datasets",
    "default_collate",
    "random_split",
]
