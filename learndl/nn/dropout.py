"""``Dropout``: in training, zero each value with probability ``p`` and scale the rest by
``1 / (1 - p)`` so the expected value is unchanged; in ``eval()`` mode, do nothing.

Example:
    >>> import learndl as ld
    >>> drop = ld.nn.Dropout(0.5).eval()
    >>> drop(ld.ones(3)).tolist()
    [1.0, 1.0, 1.0]
"""

from __future__ import annotations

from learndl import functional
from learndl.nn.module import Module
from learndl.tensor import Tensor


class Dropout(Module):
    """``inplace`` is accepted for PyTorch code and ignored (learndl never drops in place)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}.")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.p == 1.0 and self.training:  # everything dropped (the core wants p < 1)
            return input * 0.0
        return functional.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
