"""Metrics: running means over an epoch, as ``keras.metrics``.

A metric keeps a total and a count; ``update_state(y_true, y_pred)`` adds a batch,
``result()`` is the mean so far and ``reset_state()`` starts a new epoch. ``"accuracy"``
becomes the right kind from the shapes of labels and predictions, as in Keras:
binary when predictions have one column, sparse categorical when labels are integers
with one axis less (or one column), categorical (one-hot labels) otherwise.

Example:
    >>> import numpy as np
    >>> from learndl import keras
    >>> acc = keras.metrics.SparseCategoricalAccuracy()
    >>> acc.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
    >>> acc.result()
    0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _array(x: Any) -> np.ndarray:
    data = getattr(x, "data", x)
    return data if isinstance(data, np.ndarray) else np.asarray(data)


def _match(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return y_true[..., 0]
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        return y_true[..., None]
    return y_true


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (y_pred.argmax(axis=-1) == y_true).astype("float32")


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype("float32")


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    y_true = _match(y_true, y_pred)
    return ((y_pred > threshold) == (y_true > 0.5)).astype("float32").mean(axis=-1)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    return np.abs(y_pred - _match(y_true, y_pred)).mean(axis=-1)


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    return ((y_pred - _match(y_true, y_pred)) ** 2).mean(axis=-1)


class Metric:
    """A running mean; subclasses say what to average through ``fn``."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or getattr(self, "default_name", type(self).__name__.lower())
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, result={self.result():.4f}>"


class Mean(Metric):
    """Weighted mean of the values given to ``update_state(values, sample_weight)``."""

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _array(values).astype("float64")
        weight = np.broadcast_to(1.0 if sample_weight is None else sample_weight, values.shape)
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())


class MeanMetricWrapper(Mean):
    """The mean over samples of ``fn(y_true, y_pred)`` (one value per sample)."""

    def __init__(self, fn: Callable, name: str | None = None) -> None:
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", None))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self.fn(y_true, y_pred), sample_weight)


def _wrapper(fn: Callable, default: str) -> type:
    def __init__(self, name: str | None = None) -> None:
        MeanMetricWrapper.__init__(self, fn, name or default)

    return type(default, (MeanMetricWrapper,), {"__init__": __init__})


SparseCategoricalAccuracy = _wrapper(sparse_categorical_accuracy, "sparse_categorical_accuracy")
CategoricalAccuracy = _wrapper(categorical_accuracy, "categorical_accuracy")
BinaryAccuracy = _wrapper(binary_accuracy, "binary_accuracy")
MeanAbsoluteError = _wrapper(mean_absolute_error, "mean_absolute_error")
MeanSquaredError = _wrapper(mean_squared_error, "mean_squared_error")
for _cls, _name in [
    (SparseCategoricalAccuracy, "SparseCategoricalAccuracy"),
    (CategoricalAccuracy, "CategoricalAccuracy"),
    (BinaryAccuracy, "BinaryAccuracy"),
    (MeanAbsoluteError, "MeanAbsoluteError"),
    (MeanSquaredError, "MeanSquaredError"),
]:
    _cls.__name__ = _cls.__qualname__ = _name

_FUNCTIONS = {
    f.__name__: f
    for f in (
        sparse_categorical_accuracy,
        categorical_accuracy,
        binary_accuracy,
        mean_absolute_error,
        mean_squared_error,
    )
}
_FUNCTIONS.update(mae=mean_absolute_error, mse=mean_squared_error)


def get(identifier: Any, y_true: Any = None, y_pred: Any = None) -> Metric:
    """A metric object from a name, a Metric, or a function ``(y_true, y_pred) -> values``.

    ``"accuracy"``/``"acc"`` looks at the shapes of ``y_true`` and ``y_pred`` to choose
    binary, sparse categorical or categorical accuracy; it keeps the name you gave.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        t, p = _array(y_true), _array(y_pred)
        if p.shape[-1] == 1:
            fn = binary_accuracy
        elif t.ndim < p.ndim or t.shape[-1] == 1:
            fn = sparse_categorical_accuracy
        else:
            fn = categorical_accuracy
        return MeanMetricWrapper(fn, name=identifier)
    if isinstance(identifier, str):
        if identifier not in _FUNCTIONS:
            raise ValueError(
                f"Unknown metric {identifier!r}; expected 'accuracy' or one of "
                f"{sorted(_FUNCTIONS)}."
            )
        return MeanMetricWrapper(_FUNCTIONS[identifier], name=identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"A metric must be a name, a Metric or a callable, got {identifier!r}.")
