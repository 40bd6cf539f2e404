"""``BatchNormalization``: normalize each feature with the batch's statistics while
training, and with their moving averages at inference, as Keras does.

Keras' conventions, which differ from PyTorch's ``BatchNorm2d``: features on the last
axis (``axis=-1``), ``momentum=0.99`` weighs the *old* moving value
(``moving = moving * momentum + batch * (1 - momentum)``), ``epsilon=1e-3``, and the
moving variance is the biased batch variance. A frozen layer (``trainable=False``)
always runs in inference mode.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> bn = keras.layers.BatchNormalization()
    >>> y = bn(ld.randn(16, 4) * 3 + 5, training=True)
    >>> [w.name for w in bn.weights]
    ['gamma', 'beta', 'moving_mean', 'moving_variance']
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import no_grad
from learndl.keras.layers.layer import Layer


class BatchNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` per feature along ``axis``."""

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = axis, momentum, epsilon
        self.center, self.scale = center, scale

    def build(self, input_shape: tuple) -> None:
        self._axis = self.axis % len(input_shape)
        shape = (input_shape[self._axis],)
        self.gamma = self.add_weight(shape, "ones", name="gamma") if self.scale else None
        self.beta = self.add_weight(shape, "zeros", name="beta") if self.center else None
        self.moving_mean = self.add_weight(shape, "zeros", trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(
            shape, "ones", trainable=False, name="moving_variance"
        )

    def call(self, inputs, training=False):
        # Statistics over every axis but the feature axis, kept broadcastable.
        reduce = tuple(i for i in range(inputs.ndim) if i != self._axis)
        view = [1] * inputs.ndim
        view[self._axis] = -1
        if training and self.trainable:
            mean = inputs.mean(axis=reduce, keepdims=True)
            var = ((inputs - mean) * (inputs - mean)).mean(axis=reduce, keepdims=True)
            m = self.momentum
            # In ops, not NumPy: assign then records the update inside @ld.function too.
            with no_grad():
                self.moving_mean.assign(self.moving_mean * m + mean.reshape(-1) * (1 - m))
                self.moving_variance.assign(self.moving_variance * m + var.reshape(-1) * (1 - m))
        else:
            mean = self.moving_mean.reshape(view)
            var = self.moving_variance.reshape(view)
        x = (inputs - mean) / (var + self.epsilon).sqrt()
        if self.gamma is not None:
            x = x * self.gamma.reshape(view)
        if self.beta is not None:
            x = x + self.beta.reshape(view)
        return x

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }
