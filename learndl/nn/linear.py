"""``Linear``: ``y = x @ W.T + b``, the fully connected layer; and ``Identity``.

Example:
    >>> import learndl as ld
    >>> fc = ld.nn.Linear(4, 3)
    >>> fc
    Linear(in_features=4, out_features=3, bias=True)
    >>> fc(ld.randn(2, 4)).shape, fc.weight.shape
    ((2, 3), (3, 4))
"""

from __future__ import annotations

import math
from typing import Any

from learndl import functional
from learndl.creation import zeros
from learndl.errors import ShapeError
from learndl.nn import init
from learndl.nn.module import Module
from learndl.nn.parameter import Parameter
from learndl.tensor import Tensor


class Linear(Module):
    """Fully connected layer: ``weight`` (out_features, in_features), ``bias`` (out_features,).

    Both start uniform in ±1/sqrt(in_features), as PyTorch's.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        try:
            return functional.linear(input, self.weight, self.bias)
        except ShapeError as e:  # linear checks the sizes; say which layer it was
            if input.ndim != 0 and input.shape[-1] == self.in_features:
                raise
            got = input.shape[-1] if input.ndim else 1
            raise ShapeError(
                f"{self._label()} got input of shape {input.shape}, whose last axis should "
                f"have {self.in_features} features. Try Linear({got}, {self.out_features}) here, "
                "or check the layer before it (a missing nn.Flatten() for images?)."
            ) from e

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer from a model)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input
