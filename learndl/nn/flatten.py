"""``Flatten``: merge axes ``start_dim..end_dim`` into one, e.g. images (N, C, H, W) to
(N, C*H*W) before a ``Linear``.

Example:
    >>> import learndl as ld
    >>> ld.nn.Flatten()(ld.zeros(2, 3, 4, 4)).shape
    (2, 48)
"""

from __future__ import annotations

from learndl import functional
from learndl.nn.module import Module
from learndl.tensor import Tensor


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return functional.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
