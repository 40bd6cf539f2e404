"""``Sequential``: layers applied one after another, each to the previous one's output.

Give the layers as a list or ``add`` them one by one. Started with ``keras.Input(shape)``
(or a first layer with ``input_shape=``), the model builds its weights at once; otherwise
it builds on the first batch it sees.

Example:
    >>> from learndl import keras
    >>> model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    >>> model.built, [w.shape for w in model.weights]
    (True, [(64, 10), (10,)])
"""

from __future__ import annotations

from typing import Any

from learndl.keras.layers.input_layer import InputLayer, KerasTensor
from learndl.keras.layers.layer import Layer
from learndl.keras.models.model import Model


class Sequential(Model):
    """A stack of layers; ``model.layers`` lists them (the input placeholder is not one)."""

    def __init__(self, layers: list | None = None, trainable: bool = True, name=None) -> None:
        super().__init__(trainable=trainable, name=name)
        self._input_layer: InputLayer | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer | KerasTensor, rebuild: bool = True) -> None:
        """Append a layer (or, first, a ``keras.Input``), building if the input is known."""
        if isinstance(layer, KerasTensor):
            layer = getattr(layer, "_keras_layer", None) or InputLayer(shape=layer.shape[1:])
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError("An Input can only be the first entry of a Sequential model.")
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}.")
        if not self._layers and self._input_layer is None and layer._input_shape_arg:
            self._input_layer = InputLayer(shape=layer._input_shape_arg)
        self._layers.append(layer)
        self.built = False
        if rebuild and self._input_layer is not None:
            self._maybe_build(self._input_layer.output.shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        layer = self._layers.pop()
        self.built = False
        return layer

    def build(self, input_shape: tuple) -> None:
        # Build each layer in turn; the batch size stays None, so summary prints (None, ...).
        shape = (None, *tuple(input_shape)[1:])
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer._output_shape = shape

    def call(self, inputs: Any, training: bool = False) -> Any:
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    @property
    def input_shape(self) -> tuple | None:
        return None if self._input_layer is None else self._input_layer.output.shape

    def get_config(self) -> dict:
        layers = [
            {"class_name": type(la).__name__, "config": la.get_config()} for la in self._layers
        ]
        if self._input_layer is not None:
            layers.insert(0, {"class_name": "InputLayer", "config": self._input_layer.get_config()})
        return {"name": self.name, "trainable": self.trainable, "layers": layers}
