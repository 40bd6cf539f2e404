"""Composite functions, built from the primitive ops: they need no backward of their own.

Variance, activations, dropout and the common losses. Each is a few lines of learndl ops,
so autograd differentiates them and the graph widget can draw them. Four are one node
each instead, because a training step runs them every time and their backward folds into
a short formula: ``linear`` (``ops/linalg.py``), ``softmax``, ``log_softmax`` and
``cross_entropy`` without label smoothing (``ops/softmax.py``).

Example:
    >>> import learndl as ld
    >>> ld.softmax(ld.tensor([[1.0, 1.0]]), dim=1).tolist()
    [[0.5, 0.5]]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from learndl import backend, ops
from learndl.errors import DTypeError, ShapeError
from learndl.ops import softmax as softmax_ops
from learndl.ops.linalg import linear  # noqa: F401 - one node, re-exported as ld.linear
from learndl.random import get_rng
from learndl.tensor import Tensor


def _axis(dim: int | None, axis: int | None, default: int | None = -1) -> int | None:
    """PyTorch says ``dim``, NumPy and Keras say ``axis``: learndl takes either."""
    return axis if axis is not None else dim if dim is not None else default


def logsumexp(
    x: Tensor, dim: int | None = None, keepdims: bool = False, axis: int | None = None
) -> Tensor:
    """``log(sum(exp(x)))`` computed without overflow: the max is taken out first."""
    ax = _axis(dim, axis, None)
    top = x.detach().max(
        axis=ax, keepdims=True
    )  # a constant shift: the result does not depend on it
    out = (x - top).exp().sum(axis=ax, keepdims=True).log() + top
    return out if keepdims else out.squeeze() if ax is None else out.squeeze(ax)


def log_softmax(x: Tensor, dim: int | None = None, axis: int | None = None) -> Tensor:
    """``log(softmax(x))`` along ``dim`` (default: the last axis), stable for large logits.

    One node (``ops.softmax``): its backward is ``grad - softmax * sum(grad)``.
    """
    return softmax_ops.log_softmax(x, _axis(dim, axis))


def softmax(x: Tensor, dim: int | None = None, axis: int | None = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (default: the last axis), stable for large x.

    One node (``ops.softmax``): its backward is ``y * (grad - sum(grad * y))``.
    """
    return softmax_ops.softmax(x, _axis(dim, axis))


def min(x: Tensor, axis: Any = None, keepdims: bool = False, dim: Any = None) -> Tensor:  # noqa: A001
    """Smallest value over ``axis`` (or ``dim``)."""
    return -ops.max(-x, axis=_axis(dim, axis, None), keepdims=keepdims)


def argmax(
    x: Tensor, axis: int | None = None, dim: int | None = None, keepdims: bool = False
) -> Tensor:
    """Index of the largest value (an int64 tensor, no gradient).

    Example:
        >>> import learndl as ld
        >>> ld.tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(axis=1).tolist()
        [1, 0]
    """
    return ops.ArgMax.apply(x, axis=_axis(dim, axis, None), keepdims=keepdims)


def argmin(
    x: Tensor, axis: int | None = None, dim: int | None = None, keepdims: bool = False
) -> Tensor:
    """Index of the smallest value (an int64 tensor, no gradient)."""
    return ops.ArgMin.apply(x, axis=_axis(dim, axis, None), keepdims=keepdims)


def var(
    x: Tensor, axis: Any = None, keepdims: bool = False, unbiased: bool = False, dim: Any = None
) -> Tensor:
    """Variance ``mean((x - mean(x))**2)``; ``unbiased=True`` divides by n - 1."""
    ax = _axis(dim, axis, None)
    centered = x - x.mean(axis=ax, keepdims=True)
    out = (centered * centered).mean(axis=ax, keepdims=keepdims)
    if unbiased:
        n = x.numel() // max(out.numel(), 1)
        out = out * (n / max(n - 1, 1))
    return out


def std(
    x: Tensor, axis: Any = None, keepdims: bool = False, unbiased: bool = False, dim: Any = None
) -> Tensor:
    """Standard deviation, the square root of ``var``."""
    return var(x, axis, keepdims, unbiased, dim).sqrt()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return (
        ops.maximum(x, x * negative_slope)
        if negative_slope <= 1
        else ops.minimum(x, x * negative_slope)
    )


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x * Φ(x)``; ``approximate="tanh"`` uses the tanh form."""
    fused = backend.gpu_kernel("gelu", x.data) if approximate == "none" else None
    if fused is not None:  # on the GPU: one kernel each way (learndl/backend/cuda_kernels)
        return fused(x, approximate)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + ops.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1.0 + ops.erf(x * (1.0 / math.sqrt(2.0))))


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each value with probability ``p``, scale the rest by ``1 / (1 - p)``; training only."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}.")
    if not training or p == 0.0:
        return x
    keep = get_rng().random(x.shape) >= p
    mask = Tensor._make(x.xp.asarray(keep).astype(x.dtype) / (1.0 - p), False, None)
    return x * mask


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim..end_dim`` into one (by default all of them), as ``torch.flatten``.

    NOTE: ``nn.Flatten`` starts at 1 instead, keeping the batch axis; pass ``start_dim=1``
    for the same here.

    Example:
        >>> import learndl as ld
        >>> x = ld.zeros(2, 3, 4)
        >>> ld.flatten(x).shape, x.flatten(1).shape
        ((24,), (2, 12))
    """
    start, end = start_dim % max(x.ndim, 1), end_dim % max(x.ndim, 1)
    if start >= end:
        return x
    return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1 :])


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', not {reduction!r}.")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    _check_reduction(reduction, op)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _check_labels(op: str, logits: Tensor, target: Tensor) -> None:
    labels, shape = target.data, logits.data.shape  # (arrays: no property call per check)
    if labels.dtype.kind not in "iu":
        raise DTypeError(
            f"{op}: target must hold integer class labels, got dtype {target.dtype}. Convert "
            "with target.long(); for one-hot or probability targets use the soft-label form."
        )
    if len(shape) != 2 or labels.shape != shape[:1]:
        raise ShapeError(
            f"{op}: expects logits (N, C) and labels (N,), got {logits.shape} and {target.shape}."
        )
    check_label_range(labels, shape[1], op)


_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def check_label_range(labels: Any, classes: int, op: str, hint: str = "") -> None:
    """Every label in ``[0, classes)``, or a ShapeError that names the range (``hint`` ends
    it). One reduction instead of min() and max(): read as unsigned, a negative label is huge.
    """
    unsigned = _UNSIGNED.get(labels.dtype)  # None: unsigned already
    as_unsigned = labels if unsigned is None else labels.view(unsigned)
    if labels.size and as_unsigned.max() >= classes:
        raise ShapeError(
            f"{op}: labels must lie in [0, {classes - 1}] for {classes} classes; got values "
            f"from {int(labels.min())} to {int(labels.max())}.{hint}"
        )


def nll_loss(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer labels given log-probabilities (N, C)."""
    _check_labels("nll_loss", log_probs, target)
    picked = log_probs[log_probs.xp.arange(log_probs.shape[0]), target.data]
    return _reduce(-picked, reduction, "nll_loss")


def cross_entropy(
    logits: Tensor, target: Tensor, reduction: str = "mean", label_smoothing: float = 0.0
) -> Tensor:
    """Softmax cross-entropy of logits (N, C) against integer labels (N,), as PyTorch's.

    Example:
        >>> import learndl as ld
        >>> round(ld.cross_entropy(ld.zeros(2, 4), ld.tensor([0, 3])).item(), 4)  # log(4)
        1.3863
    """
    fused = None if label_smoothing else backend.gpu_kernel("cross_entropy", logits.data)
    if fused is not None:  # on the GPU: softmax and log-likelihood fused in one kernel
        return fused(logits, target, reduction)
    _check_labels("cross_entropy", logits, target)
    if not label_smoothing:  # one node: log-softmax, pick and reduce, backward in one formula
        _check_reduction(reduction, "cross_entropy")
        return softmax_ops.cross_entropy(logits, target, reduction)
    # The target is (1 - eps) on the label plus eps spread evenly over all classes.
    log_probs = log_softmax(logits, dim=1)
    loss = -log_probs[log_probs.xp.arange(logits.shape[0]), target.data]
    loss = (1.0 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
    return _reduce(loss, reduction, "cross_entropy")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error."""
    if input.shape != target.shape:
        raise ShapeError(
            f"mse_loss: prediction {input.shape} and target {target.shape} differ; they would "
            "broadcast to a wrong loss. Reshape one (e.g. target.reshape(-1, 1))."
        )
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def binary_cross_entropy_with_logits(
    logits: Tensor, target: Tensor, reduction: str = "mean"
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable formula: ``max(x,0) - x*y + log(1+e^-|x|)``."""
    if logits.shape != target.shape:
        raise ShapeError(
            f"binary_cross_entropy_with_logits: logits {logits.shape} and target "
            f"{target.shape} differ."
        )
    loss = ops.relu(logits) - logits * target + (1.0 + (-ops.abs(logits)).exp()).log()
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
