"""``Conv2d``: 2-D convolution of images (N, C, H, W), as PyTorch's.

Example:
    >>> import learndl as ld
    >>> conv = ld.nn.Conv2d(1, 8, kernel_size=3, padding=1)
    >>> conv
    Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv(ld.randn(2, 1, 28, 28)).shape
    (2, 8, 28, 28)
"""

from __future__ import annotations

import math
from typing import Any

from learndl.creation import zeros
from learndl.errors import ShapeError
from learndl.nn import functional as F
from learndl.nn import init
from learndl.nn.module import Module
from learndl.nn.parameter import Parameter
from learndl.tensor import Tensor


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


class Conv2d(Module):
    """Kernels ``weight`` (out_channels, in_channels, kh, kw) slid over the image, plus ``bias``.

    ``padding`` may be a number, a pair, ``"valid"`` (0) or ``"same"`` (stride 1, odd
    kernels). Weights and bias start uniform in ±1/sqrt(fan_in), fan_in = in_channels·kh·kw.
    learndl supports ``dilation=1``, ``groups=1`` and ``padding_mode="zeros"`` only.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if _pair(dilation) != (1, 1) or groups != 1 or padding_mode != "zeros":
            raise ValueError(
                "Conv2d: learndl supports dilation=1, groups=1 and padding_mode='zeros' only; "
                f"got dilation={dilation}, groups={groups}, padding_mode={padding_mode!r}."
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = self._resolve_padding(padding)
        self.dilation = (1, 1)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(
            zeros(out_channels, in_channels, *self.kernel_size, dtype=dtype, device=device)
        )
        if bias:
            self.bias = Parameter(zeros(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _resolve_padding(self, padding: int | tuple[int, int] | str) -> tuple[int, int]:
        if padding == "valid":
            return (0, 0)
        if padding == "same":
            if self.stride != (1, 1) or any(k % 2 == 0 for k in self.kernel_size):
                raise ValueError(
                    "Conv2d: padding='same' needs stride 1 and odd kernel sizes in learndl; "
                    "give the padding as a number instead."
                )
            return (self.kernel_size[0] // 2, self.kernel_size[1] // 2)
        return _pair(padding)

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim != 4 or input.shape[1] != self.in_channels:
            raise ShapeError(
                f"{self._label()} expects images (N, {self.in_channels}, H, W), got shape "
                f"{input.shape}. A single image needs a batch axis (x.unsqueeze(0)); Keras-style "
                "(N, H, W, C) images need x.permute(0, 3, 1, 2)."
            )
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s
