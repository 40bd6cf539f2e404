"""``keras.Input(shape)`` and ``InputLayer``: declare the shape of one sample up front.

``Input`` returns a :class:`KerasTensor`, a placeholder that knows only its shape
(batch size ``None``) and dtype. Given to ``Sequential``, it lets the model build its
weights at once, so ``summary()`` works before any data is seen.

Example:
    >>> from learndl import keras
    >>> keras.Input((28, 28, 1)).shape
    (None, 28, 28, 1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl.keras import backend
from learndl.keras.layers.layer import Layer


class KerasTensor:
    """A symbolic input: a shape with ``None`` for the batch size, and a dtype."""

    def __init__(self, shape: tuple, dtype: Any = None, name: str | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype or backend.floatx)
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"


class InputLayer(Layer):
    """The layer behind ``keras.Input``: it passes its input through unchanged."""

    def __init__(
        self,
        shape: tuple | None = None,
        batch_size: int | None = None,
        dtype: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        if shape is None:
            raise ValueError("InputLayer needs the shape of one sample, e.g. shape=(784,).")
        self.shape = tuple(shape)
        self.batch_size = batch_size
        self.output = KerasTensor((batch_size, *self.shape), self.dtype, self.name)
        self.built = True

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {
            "shape": list(self.shape),
            "batch_size": self.batch_size,
            "dtype": self.dtype.name,
            "name": self.name,
        }


def Input(  # noqa: N802 - Keras' name
    shape: tuple, batch_size: int | None = None, dtype: Any = None, name: str | None = None
) -> KerasTensor:
    """A placeholder for the model's input: ``shape`` is one sample's (no batch axis)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name)
    layer.output._keras_layer = layer
    return layer.output
