"""``Embedding``: a lookup table of learned vectors, one row per token id.

Example:
    >>> import learndl as ld
    >>> emb = ld.nn.Embedding(10, 3)
    >>> emb(ld.tensor([[1, 2, 4]])).shape
    (1, 3, 3)
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import no_grad
from learndl.creation import zeros
from learndl.nn import functional as F
from learndl.nn import init
from learndl.nn.module import Module
from learndl.nn.parameter import Parameter
from learndl.tensor import Tensor


class Embedding(Module):
    """``weight`` (num_embeddings, embedding_dim), initialized N(0, 1) as PyTorch's.

    The ``padding_idx`` row starts at zero and gets no gradient. ``max_norm``,
    ``scale_grad_by_freq`` and ``sparse`` are not supported.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise ValueError(
                "Embedding: max_norm, scale_grad_by_freq and sparse are not supported by learndl."
            )
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx={padding_idx} must be within num_embeddings "
                    f"({num_embeddings})."
                )
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                zeros(num_embeddings, embedding_dim, dtype=dtype, device=device),
                requires_grad=not _freeze,
            )
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An Embedding with table ``embeddings`` (rows, dim); frozen unless ``freeze=False``."""
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)
