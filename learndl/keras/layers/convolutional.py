"""Image layers, channels last as Keras: ``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D``.

Images are ``(N, H, W, C)`` and a ``Conv2D`` kernel is ``(kh, kw, in, out)``. Each layer
moves the channels in front and calls the engine's one-node ops (``ld.conv2d``,
``ld.max_pool2d``, ``ld.avg_pool2d``, all NCHW), then moves them back.
``padding="same"`` pads as TensorFlow does — the odd pixel goes to the bottom/right — so
the output has ``ceil(size / stride)`` pixels; ``AveragePooling2D`` leaves that padding
out of its means.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> conv = keras.layers.Conv2D(8, 3, padding="same")
    >>> conv(ld.ones(2, 28, 28, 1)).shape, conv.kernel.shape
    ((2, 28, 28, 8), (3, 3, 1, 8))
"""

from __future__ import annotations

import math
from typing import Any

import learndl as ld
from learndl.keras import activations
from learndl.keras.layers.layer import Layer
from learndl.tensor import Tensor


def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else tuple(int(i) for i in v)


def _same_pads(size: int, k: int, s: int) -> tuple[int, int]:
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _pad_same(x: Tensor, kernel, strides, fill: float = 0.0) -> Tensor:
    """An NCHW batch padded as Keras' ``padding="same"`` (odd pixel bottom/right)."""
    (top, bottom), (left, right) = (
        _same_pads(n, k, s) for n, k, s in zip(x.shape[2:], kernel, strides)
    )
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    # NOTE: an uneven pad is built from blocks with ld.cat, so gradients flow through it.
    parts = [ld.full((n, c, top, w), fill), x, ld.full((n, c, bottom, w), fill)]
    x = ld.cat([p.to(dtype=x.dtype) for p in parts], dim=2)
    parts = [ld.full((n, c, x.shape[2], left), fill), x, ld.full((n, c, x.shape[2], right), fill)]
    return ld.cat([p.to(dtype=x.dtype) for p in parts], dim=3)


def _channels_first(x: Tensor, kernel, strides, padding: str, fill: float = 0.0) -> Tensor:
    """(N, H, W, C) -> (N, C, H, W), padded for ``padding="same"``."""
    x = x.permute(0, 3, 1, 2)
    return x if padding == "valid" else _pad_same(x, kernel, strides, fill)


def _check_padding(layer: str, padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {padding!r}.")
    return padding


class Conv2D(Layer):
    """2-D convolution of ``(N, H, W, C)`` images with ``filters`` kernels ``(kh, kw, C)``."""

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = (1, 1),
        padding: str = "valid",
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size, self.strides = _pair(kernel_size), _pair(strides)
        self.padding = _check_padding("Conv2D", padding)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 4:
            raise ValueError(
                f"{self.name}: Conv2D expects images (N, H, W, C), got shape {input_shape}. "
                "Grayscale images need a channel axis: x.reshape(-1, H, W, 1)."
            )
        shape = (*self.kernel_size, input_shape[-1], self.filters)
        self.kernel = self.add_weight(shape, self.kernel_initializer, name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, name="bias")

    def call(self, inputs):
        x = _channels_first(inputs, self.kernel_size, self.strides, self.padding)
        weight = self.kernel.permute(3, 2, 0, 1)  # (kh, kw, in, out) -> (out, in, kh, kw)
        out = ld.conv2d(x, weight, self.bias, stride=self.strides)
        return self.activation(out.permute(0, 2, 3, 1))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
        }


class _Pooling2D(Layer):
    def __init__(
        self,
        pool_size: int | tuple[int, int] = (2, 2),
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size)
        self.strides = self.pool_size if strides is None else _pair(strides)
        self.padding = _check_padding(type(self).__name__, padding)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }


class MaxPooling2D(_Pooling2D):
    """Largest value of each ``pool_size`` window; ``strides`` defaults to ``pool_size``."""

    def call(self, inputs):
        x = _channels_first(inputs, self.pool_size, self.strides, self.padding, -math.inf)
        return ld.max_pool2d(x, self.pool_size, self.strides).permute(0, 2, 3, 1)


class AveragePooling2D(_Pooling2D):
    """Mean of each window; with ``padding="same"`` the padding is left out of the mean."""

    def call(self, inputs):
        x = _channels_first(inputs, self.pool_size, self.strides, self.padding)
        mean = ld.avg_pool2d(x, self.pool_size, self.strides)
        if self.padding == "same":  # padded zeros counted in the mean: scale to real pixels
            ones = ld.ones(1, 1, *inputs.shape[1:3], dtype=inputs.dtype)
            share = ld.avg_pool2d(
                _pad_same(ones, self.pool_size, self.strides), self.pool_size, self.strides
            )
            mean = mean / share
        return mean.permute(0, 2, 3, 1)
