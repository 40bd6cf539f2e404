"""Loss modules, as PyTorch's: each holds its settings and calls ``ld.nn.functional``.

Like PyTorch's, classification losses take *logits* (``CrossEntropyLoss``,
``BCEWithLogitsLoss``) or log-probabilities (``NLLLoss``), never probabilities.

Example:
    >>> import learndl as ld
    >>> loss_fn = ld.nn.CrossEntropyLoss()
    >>> round(loss_fn(ld.zeros(2, 4), ld.tensor([0, 3])).item(), 4)  # log(4)
    1.3863
"""

from __future__ import annotations

from typing import Any

from learndl.nn import functional as F
from learndl.nn.functional_losses import _legacy_reduction
from learndl.nn.module import Module
from learndl.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    def __init__(
        self, reduction: str = "mean", size_average: Any = None, reduce: Any = None
    ) -> None:
        super().__init__()
        reduction = _legacy_reduction(type(self).__name__, size_average, reduce, reduction)
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', "
                f"not {reduction!r}."
            )
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error ``(input - target)²``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Squared error near zero, absolute error beyond ``delta``: robust to outliers."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_Loss):
    """Softmax + negative log-likelihood of logits (N, C) against labels (N,).

    ``weight`` (C,) scales each class, labels equal to ``ignore_index`` are skipped, and
    ``label_smoothing`` mixes the one-hot target with a uniform one.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: object = None,
        ignore_index: int = -100,
        reduce: object = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}."
            )
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of labels given log-probabilities (after ``LogSoftmax``)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: object = None,
        ignore_index: int = -100,
        reduce: object = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy of logits, in one numerically stable formula."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: object = None,
        reduce: object = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (after a ``Sigmoid``)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: object = None,
        reduce: object = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction, size_average, reduce)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)
