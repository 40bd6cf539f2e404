"""Image layers, channels last as Keras: ``Conv2D``, ``MaxPooling2D``, ``AveragePooling2D``.

Images are ``(N, H, W, C)`` and a ``Conv2D`` kernel is ``(kh, kw, in, out)``. Each layer
moves the channels in front, takes every window with the engine's ``unfold`` (im2col) and
reduces it: one matrix product for a convolution, a max or mean for pooling.
``padding="same"`` pads as TensorFlow does — the odd pixel goes to the bottom/right — so
the output has ``ceil(size / stride)`` pixels.

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
from learndl.ops.conv import unfold
from learndl.tensor import Tensor


def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else tuple(int(i) for i in v)


def _same_pads(size: int, k: int, s: int) -> tuple[int, int]:
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _windows(x: Tensor, kernel, strides, padding: str, fill: float = 0.0) -> Tensor:
    """Windows (N, C, oh, ow, kh, kw) of an NHWC batch, padded as Keras' ``padding``."""
    x = x.permute(0, 3, 1, 2)
    if padding == "valid":
        return unfold(x, kernel, strides, 0)
    (top, bottom), (left, right) = (
        _same_pads(n, k, s) for n, k, s in zip(x.shape[2:], kernel, strides)
    )
    if top == bottom and left == right and fill == 0.0:
        return unfold(x, kernel, strides, (top, left))
    n, c, h, w = x.shape
    # NOTE: an uneven pad is built from blocks with ld.cat, so gradients flow through it.
    parts = [ld.full((n, c, top, w), fill), x, ld.full((n, c, bottom, w), fill)]
    x = ld.cat([p.to(dtype=x.dtype) for p in parts], dim=2)
    parts = [ld.full((n, c, x.shape[2], left), fill), x, ld.full((n, c, x.shape[2], right), fill)]
    return unfold(ld.cat([p.to(dtype=x.dtype) for p in parts], dim=3), kernel, strides, 0)


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
        windows = _windows(inputs, self.kernel_size, self.strides, self.padding)
        n, c, oh, ow, kh, kw = windows.shape
        # Rows of (kh, kw, C) patches times the kernel flattened in the same order.
        cols = windows.permute(0, 2, 3, 4, 5, 1).reshape(n * oh * ow, kh * kw * c)
        out = cols @ self.kernel.reshape(kh * kw * c, self.filters)
        if self.bias is not None:
            out = out + self.bias
        return self.activation(out.reshape(n, oh, ow, self.filters))

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
        windows = _windows(inputs, self.pool_size, self.strides, self.padding, -math.inf)
        return windows.max(axis=(4, 5)).permute(0, 2, 3, 1)


class AveragePooling2D(_Pooling2D):
    """Mean of each window; with ``padding="same"`` the padding is left out of the mean."""

    def call(self, inputs):
        windows = _windows(inputs, self.pool_size, self.strides, self.padding)
        if self.padding == "valid":
            return windows.mean(axis=(4, 5)).permute(0, 2, 3, 1)
        ones = ld.ones(1, *inputs.shape[1:3], 1, dtype=inputs.dtype)
        count = _windows(ones, self.pool_size, self.strides, "same").sum(axis=(4, 5))
        return (windows.sum(axis=(4, 5)) / count).permute(0, 2, 3, 1)
