"""Core layers: ``Dense``, ``Activation``, ``ReLU``, ``Softmax``, ``Flatten``, ``Dropout``,
``Embedding``. Each reads top to bottom: settings, ``build`` (weights), ``call``, config.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> dense = keras.layers.Dense(4, activation="relu")
    >>> dense(ld.ones(2, 3)).shape, dense.kernel.shape  # kernel is (in, units), as Keras
    ((2, 4), (3, 4))
"""

from __future__ import annotations

from typing import Any

import learndl as ld
from learndl import functional
from learndl.keras import activations
from learndl.keras.layers.layer import Layer


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``, with ``kernel`` of shape ``(in, units)``."""

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape: tuple) -> None:
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer, name="bias"
            )

    def call(self, inputs):
        x = inputs @ self.kernel
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
        }


class Activation(Layer):
    """Apply an activation function, given by name or as a callable."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class ReLU(Layer):
    """``max(x, 0)``; ``negative_slope`` leaks below ``threshold``, ``max_value`` caps."""

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            x = ld.relu(inputs)
        else:
            above = inputs >= self.threshold
            x = ld.where(above, inputs, self.negative_slope * (inputs - self.threshold))
        return x if self.max_value is None else ld.minimum(x, self.max_value)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class Softmax(Layer):
    """Softmax along ``axis`` (default: the last one)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return ld.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Flatten(Layer):
    """Flatten each sample: ``(N, H, W, C)`` -> ``(N, H*W*C)``."""

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], -1)


class Dropout(Layer):
    """Zero each value with probability ``rate`` and scale the rest by ``1/(1-rate)``;
    only while training (``fit``), never in ``predict`` or ``evaluate``."""

    def __init__(self, rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}.")
        self.rate = float(rate)

    def call(self, inputs, training=False):
        # NOTE: looked up in the module at call time (not ``ld.dropout``), so that inside
        # @ld.function the tracing rule's dropout (a fresh mask on every replay) is used.
        return functional.dropout(inputs, self.rate, training=bool(training))

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class Embedding(Layer):
    """Look up row ``i`` of an ``(input_dim, output_dim)`` table for each integer ``i``."""

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = embeddings_initializer

    def build(self, input_shape: tuple) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs):
        # NOTE: cast and index with ops, not on ``inputs.data``: inside @ld.function a
        # NumPy copy of the indices would be frozen, and every replay would look up the
        # rows of the first call.
        index = inputs if inputs.dtype.kind in "iu" else inputs.long()
        low, high = (int(index.data.min()), int(index.data.max())) if index.numel() else (0, 0)
        if low < 0 or high >= self.input_dim:  # checks this call's (or the trace's) indices
            raise IndexError(
                f"{self.name}: indices must lie in [0, {self.input_dim - 1}], got values "
                f"from {low} to {high}. Is input_dim={self.input_dim} too small?"
            )
        return self.embeddings[index]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": self.embeddings_initializer,
        }
