"""Losses by Keras' names: ``"mse"``, ``"mae"``, ``"binary_crossentropy"``,
``"categorical_crossentropy"`` (one-hot labels), ``"sparse_categorical_crossentropy"``
(integer labels).

As in Keras, cross-entropies take *probabilities* (the output of a ``sigmoid`` or
``softmax``) unless ``from_logits=True``; probabilities are clipped to
``[1e-7, 1 - 1e-7]`` before the log. A loss object returns the mean over the batch
(Keras' ``"sum_over_batch_size"``); the functions return one value per sample.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> round(loss(ld.tensor([0, 3]), ld.zeros(2, 4)).item(), 4)  # log(4)
    1.3863
"""

from __future__ import annotations

from typing import Any

import learndl as ld
from learndl.keras.layers.layer import to_tensor
from learndl.tensor import Tensor

EPSILON = 1e-7  # Keras' backend.epsilon()


def _targets(y_true: Any, y_pred: Tensor, cast: bool = True) -> Tensor:
    y_true = to_tensor(y_true)
    if cast and y_true.dtype != y_pred.dtype:
        y_true = y_true.to(dtype=y_pred.dtype)
    # Keras squeezes or expands a trailing axis of 1 so (N,) and (N, 1) line up.
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    return y_true


def mean_squared_error(y_true: Any, y_pred: Tensor) -> Tensor:
    diff = y_pred - _targets(y_true, y_pred)
    return (diff * diff).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Tensor) -> Tensor:
    return (y_pred - _targets(y_true, y_pred)).abs().mean(axis=-1)


def binary_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0
) -> Tensor:
    y = _targets(y_true, y_pred)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # max(x, 0) - x*y + log(1 + exp(-|x|)): no overflow for large |x|
        loss = ld.relu(y_pred) - y_pred * y + (1.0 + (-y_pred.abs()).exp()).log()
    else:
        p = y_pred.clip(EPSILON, 1.0 - EPSILON)
        loss = -(y * p.log() + (1.0 - y) * (1.0 - p).log())
    return loss.mean(axis=-1)


def _log_probs(y_pred: Tensor, from_logits: bool) -> Tensor:
    if from_logits:
        return ld.log_softmax(y_pred, axis=-1)
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)  # Keras renormalizes first
    return p.clip(EPSILON, 1.0 - EPSILON).log()


def categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0
) -> Tensor:
    y = _targets(y_true, y_pred)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    return -(y * _log_probs(y_pred, from_logits)).sum(axis=-1)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False
) -> Tensor:
    labels = to_tensor(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    index = labels.data.astype("int64").reshape(-1)
    log_probs = _log_probs(y_pred, from_logits).reshape(-1, y_pred.shape[-1])
    picked = log_probs[log_probs.xp.arange(index.shape[0]), index]
    return -picked.reshape(labels.shape)


class Loss:
    """A loss function with settings; calling it gives the batch mean (a scalar tensor)."""

    fn: Any = None

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None, **kw):
        self.reduction, self.name, self.kwargs = reduction, name or self.default_name, kw

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """One loss value per sample."""
        return type(self).fn(y_true, y_pred, **self.kwargs)

    def __call__(self, y_true: Any, y_pred: Tensor, sample_weight: Any = None) -> Tensor:
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            values = values * to_tensor(sample_weight, values.dtype)
        if self.reduction in (None, "none"):
            return values
        total = values.sum()
        return total if self.reduction == "sum" else total / max(values.numel(), 1)

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name, **self.kwargs}


class MeanSquaredError(Loss):
    fn, default_name = staticmethod(mean_squared_error), "mean_squared_error"


class MeanAbsoluteError(Loss):
    fn, default_name = staticmethod(mean_absolute_error), "mean_absolute_error"


class BinaryCrossentropy(Loss):
    fn, default_name = staticmethod(binary_crossentropy), "binary_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kw: Any):
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, **kw)


class CategoricalCrossentropy(Loss):
    fn, default_name = staticmethod(categorical_crossentropy), "categorical_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kw: Any):
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, **kw)


class SparseCategoricalCrossentropy(Loss):
    fn = staticmethod(sparse_categorical_crossentropy)
    default_name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False, **kw: Any):
        super().__init__(from_logits=from_logits, **kw)


_CLASSES = (
    MeanSquaredError,
    MeanAbsoluteError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
_BY_NAME: dict[str, Any] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({cls.default_name: cls for cls in _CLASSES})
_BY_NAME.update(mse=MeanSquaredError, mae=MeanAbsoluteError)


def get(identifier: Any) -> Any:
    """A loss from a name (``"mse"``, ``"categorical_crossentropy"``, ...), a Loss, or a
    callable ``(y_true, y_pred) -> per-sample values`` as is."""
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss {identifier!r}; expected one of {sorted(_BY_NAME)}.")
        return _BY_NAME[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"A loss must be a name, a Loss or a callable, got {identifier!r}.")
