"""``Layer``: the Keras building block — settings in ``__init__``, weights in ``build``.

A layer does not know its input size until it sees its first input. ``layer(x)`` then
calls ``build(x.shape)`` once, which creates the weights with ``add_weight``, and every
call runs ``call(x)``. Weights are :class:`Variable` s: learndl tensors with a Keras name
(``"dense/kernel"``) and ``assign``.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.w
    >>> layer = Scale()
    >>> layer(ld.ones(2, 3)).shape, layer.built, len(layer.trainable_weights)
    ((2, 3), True, 1)
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

import learndl as ld
from learndl.keras import backend, initializers
from learndl.static import tracer as tracing
from learndl.tensor import Tensor

# The training flag of the outermost call, seen by inner layers that were not told.
_training_stack: list[bool] = []


class Variable(Tensor):
    """A layer's weight: a learndl tensor with a ``path`` and Keras' ``assign``."""

    __slots__ = ("path",)

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad = bool(value)

    def assign(self, value: Any) -> Variable:
        """Overwrite the values in place (same shape, same dtype), outside autograd.

        A tensor value goes through ``ld.static.assign``: inside ``@ld.function`` the
        write is then a node of the graph, repeated on every replay (``tf.Variable.assign``).
        """
        shape = tuple(value.shape) if isinstance(value, Tensor) else np.shape(value)
        if shape != self.shape:
            raise ValueError(f"assign to {self.path}: shape {shape} != {self.shape}.")
        if isinstance(value, Tensor):
            from learndl.static import assign

            assign(self, value)
            return self
        self.data[...] = np.asarray(value)
        self._version += 1
        return self

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"


def to_tensor(x: Any, dtype: Any = None) -> Tensor:
    """Inputs as learndl tensors; floats become ``dtype`` (Keras casts to the layer's dtype)."""
    if not isinstance(x, Tensor):
        x = ld.tensor(np.asarray(x))
    if dtype is not None and x.dtype.kind == "f" and x.dtype != dtype:
        x = x.to(dtype=dtype)
    return x


class Layer:
    """Base class of all Keras layers.

    Subclasses define ``__init__`` (settings), ``build(input_shape)`` (weights) and
    ``call(inputs)`` (the computation); ``call`` may take ``training`` as a keyword.

    Args:
        trainable: whether the weights are updated by ``fit``.
        name: unique name; defaults to the snake-cased class name (``"dense_1"``).
        dtype: the type of weights and float inputs (default ``"float32"``).
        input_shape: (Keras 2 style) the shape of one sample, so that ``Sequential``
            can build at once; prefer ``keras.Input(shape)``.
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        input_shape: tuple | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}.")
        self._layers: list[Layer] = []
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self.dtype = np.dtype(dtype or backend.floatx)
        self._trainable = trainable
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        self.built = False
        self._build_shape: tuple | None = None
        self._output_shape: tuple | None = None
        params = inspect.signature(self.call).parameters
        self._call_has_training_arg = "training" in params

    # ------------------------------------------------------------------ weights
    def __setattr__(self, name: str, value: Any) -> None:
        # Track sub-layers (also in lists) so that their weights count as ours.
        if not name.startswith("_") and "_layers" in self.__dict__:
            found = value if isinstance(value, (list, tuple)) else [value]
            for item in found:
                if isinstance(item, Layer) and item not in self._layers:
                    self._layers.append(item)
        object.__setattr__(self, name, value)

    def add_weight(
        self,
        shape: tuple = (),
        initializer: Any = "glorot_uniform",
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> Variable:
        """Create a weight, initialize it and track it (``trainable`` ones get gradients)."""
        dtype = np.dtype(dtype or self.dtype)
        value = np.asarray(initializers.get(initializer)(tuple(shape), dtype), dtype=dtype)
        var = Variable._make(value, trainable and self._trainable, None)
        tracer = tracing.current()
        if tracer is not None:
            # NOTE: a layer built by its first call inside @ld.function makes its weights
            # while tracing. The tracer freezes tensors made during the call as constants;
            # a weight outlives the call, so it must be captured like one made before it
            # (re-read on every replay, its updates recorded as assign nodes).
            tracer.made_here.discard(id(var))
        name = name or f"variable_{len(self._trainable_variables + self._non_trainable_variables)}"
        var.name, var.path = name, f"{self.name}/{name}"
        (self._trainable_variables if trainable else self._non_trainable_variables).append(var)
        return var

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Freezing a layer freezes its weights and those of its sub-layers, as Keras does.
        self._trainable = bool(value)
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list[Variable]:
        """Own trainable, own non-trainable, then each sub-layer's (Keras' order)."""
        out = self._trainable_variables + self._non_trainable_variables
        for layer in self._layers:
            out += [w for w in layer.weights if not any(w is o for o in out)]
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        out = list(self._trainable_variables)
        for layer in self._layers:
            out += layer.trainable_weights
        return out

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        out = list(self._non_trainable_variables)
        for layer in self._layers:
            out += layer.non_trainable_weights
        return out

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    def count_params(self) -> int:
        return int(sum(w.numel() for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays, in ``weights`` order."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Overwrite every weight from a list of arrays (as ``get_weights`` returns)."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"{self.name}: set_weights got {len(weights)} arrays but the layer has "
                f"{len(own)} weights ({[w.path for w in own]})."
            )
        for var, value in zip(own, weights):
            var.assign(value)

    # ------------------------------------------------------------------ calling
    def build(self, input_shape: tuple) -> None:
        """Create the weights, knowing the input shape. Layers without weights skip it."""

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs).")

    def _maybe_build(self, input_shape: tuple) -> None:
        if not self.built:
            self.build(tuple(input_shape))
            self.built = True
            self._build_shape = tuple(input_shape)

    def __call__(self, inputs: Any, *args: Any, training: bool | None = None, **kwargs: Any):
        if isinstance(inputs, (list, tuple)):
            inputs = type(inputs)(to_tensor(x, self.dtype) for x in inputs)
            self._maybe_build(tuple(x.shape for x in inputs))
        else:
            inputs = to_tensor(inputs, self.dtype)
            self._maybe_build(inputs.shape)
        if training is None:  # not told: inherit the outer call's flag (False at top)
            training = _training_stack[-1] if _training_stack else False
        if self._call_has_training_arg:
            kwargs["training"] = training
        _training_stack.append(bool(training))
        try:
            return self.call(inputs, *args, **kwargs)
        finally:
            _training_stack.pop()

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """Output shape for an input shape whose batch size may be None (found by a dry run)."""
        probe = tuple(1 if d is None else d for d in input_shape)
        with ld.no_grad():
            out = self(np.zeros(probe, self.dtype), training=False)
        return (input_shape[0], *out.shape[1:])

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The settings that rebuild this layer with ``from_config`` (not the weights)."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
