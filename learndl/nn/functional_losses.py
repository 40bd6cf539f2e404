"""The losses of ``ld.nn.functional``, with PyTorch's names, signatures and options.

Kept beside ``functional.py`` so each file reads in one sitting; ``F.cross_entropy`` and
the others are re-exported there, so ``import learndl.nn.functional as F`` finds them all.
Each is composed from learndl ops, so none needs a backward of its own; without weights or
ignored labels ``F.cross_entropy`` is ``ld.cross_entropy``, a single node.

Example:
    >>> import learndl as ld
    >>> import learndl.nn.functional as F
    >>> round(F.huber_loss(ld.tensor([0.0, 3.0]), ld.zeros(2)).item(), 4)  # (0 + 2.5) / 2
    1.25
    >>> logits, labels = ld.zeros(2, 4), ld.tensor([0, -100])
    >>> round(F.cross_entropy(logits, labels, ignore_index=-100).item(), 4)  # log(4), 1 row
    1.3863
"""

from __future__ import annotations

import warnings
from typing import Any

from learndl import functional as core
from learndl import ops
from learndl.errors import ShapeError
from learndl.functional import _reduce
from learndl.tensor import Tensor


def _legacy_reduction(op: str, size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce``, turned into ``reduction`` as it does.

    NOTE: accepting them and ignoring them would silently average where old code asked for
    one loss per example (``reduce=False``).
    """
    if size_average is None and reduce is None:
        return reduction
    reduction = "none" if reduce is False else "sum" if size_average is False else "mean"
    warnings.warn(
        f"{op}: size_average and reduce are deprecated (in PyTorch too); "
        f"use reduction={reduction!r} instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _check_same_shape(op: str, input: Tensor, target: Tensor) -> None:  # noqa: A002
    if input.shape != target.shape:
        raise ShapeError(
            f"{op}: prediction {input.shape} and target {target.shape} differ; they would "
            "broadcast to a wrong loss. Reshape one (e.g. target.reshape(-1, 1))."
        )


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error ``|input - target|``."""
    _check_same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction, "l1_loss")


def huber_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
) -> Tensor:
    """Squared error ``0.5 d²`` for ``|d| < delta``, linear ``delta (|d| - delta/2)`` beyond."""
    _check_same_shape("huber_loss", input, target)
    d = (input - target).abs()
    small = ops.minimum(d, delta)  # |d| up to delta; the rest of |d| grows linearly
    return _reduce(0.5 * small * small + delta * (d - small), reduction, "huber_loss")


def _flatten_classes(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) logits and (N, d1, ...) labels to (N*d1*..., C) and (N*d1*...,)."""
    c = input.shape[1]
    moved = input.permute(0, *range(2, input.ndim), 1).reshape(-1, c)
    return moved, target.reshape(-1) if target.dtype.kind in "iu" else target.permute(
        0, *range(2, target.ndim), 1
    ).reshape(-1, c)


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of integer labels given log-probabilities (N, C)."""
    reduction = _legacy_reduction("nll_loss", size_average, reduce, reduction)
    return cross_entropy(
        input, target, weight, None, ignore_index, None, reduction, 0.0, _log_probs=True
    )


def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    _log_probs: bool = False,
) -> Tensor:
    """Softmax cross-entropy of logits (N, C) against integer labels (N,) or class
    probabilities (N, C), with PyTorch's ``weight``, ``ignore_index`` and ``label_smoothing``."""
    op = "nll_loss" if _log_probs else "cross_entropy"
    reduction = _legacy_reduction(op, size_average, reduce, reduction)
    if input.ndim > 2:  # (N, C, d1, ...): one prediction per position
        shape = target.shape if target.dtype.kind in "iu" else target.shape[:1] + target.shape[2:]
        flat, flat_target = _flatten_classes(input, target)
        out = cross_entropy(
            flat,
            flat_target,
            weight,
            None,
            ignore_index,
            None,
            reduction,
            label_smoothing,
            _log_probs,
        )
        return out.reshape(shape) if reduction == "none" else out
    c = input.shape[-1]
    w = None if weight is None else weight.reshape(1, c)
    if target.dtype.kind == "f":  # class probabilities
        _check_same_shape(op, input, target)
        log_probs = input if _log_probs else core.log_softmax(input, dim=-1)
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / c
        picked = log_probs * target if w is None else log_probs * target * w
        return _reduce(-picked.sum(axis=-1), reduction, op)
    # The usual case (no weight, nothing ignored) is one fused node, traced too: a graph
    # made from a batch that ignores nothing keeps it (a later ignored label then fails the
    # replay's label check, which says to pass a weight).
    plain = weight is None and not _log_probs and not label_smoothing
    if plain and not (target.data == ignore_index).any():
        return core.cross_entropy(input, target, reduction)
    # NOTE: from here on, ops only and no `if` on the labels: inside @ld.function the graph
    # serves every later batch, whichever labels it ignores.
    ignored = target == ignore_index
    safe = ops.where(ignored, 0, target)  # any valid class; weighted 0 below
    core._check_labels(op, input, safe)
    keep = (target != ignore_index).to(input.dtype)
    w_y = keep if weight is None else weight[safe].to(input.dtype) * keep  # each row's weight
    if _log_probs or label_smoothing:
        log_probs = input if _log_probs else core.log_softmax(input, dim=-1)
        loss = -log_probs[input.xp.arange(input.shape[0]), safe] * w_y
    else:  # -log p[label] by the fused node, one row each
        loss = core.cross_entropy(input, safe, "none") * w_y
    if label_smoothing:
        spread = log_probs if w is None else log_probs * w
        smooth = -spread.sum(axis=-1) * keep
        loss = (1 - label_smoothing) * loss + (label_smoothing / c) * smooth
    if reduction == "mean":  # as PyTorch: over the weights of the rows not ignored
        return loss.sum() / w_y.sum()
    return _reduce(loss, reduction, op)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable formula; ``pos_weight`` scales positives."""
    reduction = _legacy_reduction(
        "binary_cross_entropy_with_logits", size_average, reduce, reduction
    )
    if weight is None and pos_weight is None:
        return core.binary_cross_entropy_with_logits(input, target, reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    softplus_neg = ops.relu(-input) + (1.0 + (-input.abs()).exp()).log()  # log(1 + e^-x)
    scale = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * target
    loss = (1.0 - target) * input + scale * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities; each log is clamped at -100, as PyTorch."""
    reduction = _legacy_reduction("binary_cross_entropy", size_average, reduce, reduction)
    _check_same_shape("binary_cross_entropy", input, target)
    log_p = ops.maximum(input.log(), -100.0)
    log_q = ops.maximum((1.0 - input).log(), -100.0)
    loss = -(target * log_p + (1.0 - target) * log_q)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")
