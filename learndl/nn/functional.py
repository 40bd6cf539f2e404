"""``ld.nn.functional`` (imported as ``F``): the functions behind the layers, as PyTorch's.

Most are learndl's core composites and ops, re-exported under PyTorch's names and
signatures; the rest (``batch_norm``, ``layer_norm``, ``embedding``, ``pad``, ...) are
composed here from the same ops, so none needs a backward of its own. The losses
(``cross_entropy`` with its options, ``l1_loss``, ``huber_loss``, ...) are composed in
``functional_losses.py`` and re-exported here.

Example:
    >>> import learndl as ld
    >>> import learndl.nn.functional as F
    >>> F.relu(ld.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    >>> round(F.huber_loss(ld.tensor([0.0, 3.0]), ld.zeros(2)).item(), 4)  # (0 + 2.5) / 2
    1.25
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from learndl import functional as core
from learndl import ops
from learndl.autograd import no_grad
from learndl.errors import DTypeError, ShapeError
from learndl.functional import (  # noqa: F401 - re-exported as they are
    flatten,
    gelu,
    linear,
    log_softmax,
    mse_loss,
    softmax,
)
from learndl.nn.functional_losses import (  # noqa: F401 - the losses, kept in their own file
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    nll_loss,
)
from learndl.ops import avg_pool2d as _avg_pool2d
from learndl.ops import conv2d as _conv2d
from learndl.ops import max_pool2d as _max_pool2d
from learndl.ops import sigmoid, tanh  # noqa: F401
from learndl.static import tracer as tracing
from learndl.tensor import Tensor


def _const(array: Any) -> Tensor:
    return Tensor._make(array, False, None)


# ---------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(0, x)`` (``inplace`` is accepted and ignored: learndl never edits in place)."""
    return ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    return core.leaky_relu(input, negative_slope)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    if p == 1.0 and training:
        return input * 0.0
    return core.dropout(input, p, training)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer labels (N,) to an int64 matrix (N, num_classes) with a 1 per row.

    Example:
        >>> import learndl as ld
        >>> import learndl.nn.functional as F
        >>> F.one_hot(ld.tensor([2, 0]), 3).tolist()
        [[0, 0, 1], [1, 0, 0]]
    """
    if num_classes < 0:
        tracing.refuse_traced(
            tensor,
            "one_hot with num_classes=-1 inside @ld.function: the output's shape would come "
            "from the first call's values and stay so on every replay. Fix: pass num_classes.",
        )
    n = int(tensor.data.max()) + 1 if num_classes < 0 else num_classes
    if tensor.numel() and (int(tensor.data.min()) < 0 or int(tensor.data.max()) >= n):
        # NOTE: unchecked, such a label would silently become a row of zeros
        raise ValueError(
            f"one_hot: labels must lie in [0, {n - 1}] for num_classes={n}, got values from "
            f"{int(tensor.data.min())} to {int(tensor.data.max())}."
        )
    # A comparison, not NumPy on tensor.data: @ld.function records it for every call's labels.
    classes = _const(tensor.xp.arange(n))
    return (tensor.unsqueeze(-1) == classes).to("int64")


# ---------------------------------------------------------------------- conv and pooling
def _unsupported(op: str, **settings: Any) -> None:
    for name, (value, default) in settings.items():
        if value != default:
            raise ValueError(
                f"{op}: {name}={value!r} is not supported by learndl (only {default!r})."
            )


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """2-D convolution of an (N, C, H, W) batch; see ``ld.conv2d``."""
    _unsupported("conv2d", dilation=(dilation, 1 if isinstance(dilation, int) else (1, 1)))
    _unsupported("conv2d", groups=(groups, 1))
    return _conv2d(input, weight, bias, stride, padding)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> Tensor:  # noqa: A002
    """Largest value of each window; padding counts as -inf, as PyTorch's."""
    _unsupported("max_pool2d", dilation=(dilation, 1), ceil_mode=(ceil_mode, False))
    _unsupported("max_pool2d", return_indices=(return_indices, False))
    stride = kernel_size if stride is None else stride
    if padding:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        input = pad(input, (pw, pw, ph, ph), value=-math.inf)
    return _max_pool2d(input, kernel_size, stride)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> Tensor:  # noqa: A002
    """Mean of each window (padding zeros count toward the mean, as PyTorch's default)."""
    _unsupported("avg_pool2d", ceil_mode=(ceil_mode, False))
    _unsupported("avg_pool2d", count_include_pad=(count_include_pad, True))
    _unsupported("avg_pool2d", divisor_override=(divisor_override, None))
    return _avg_pool2d(input, kernel_size, stride, padding)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:  # noqa: A002
    """Add ``value`` around the last axes: ``pad=(left, right, top, bottom, ...)``, last first."""
    _unsupported("pad", mode=(mode, "constant"))
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ShapeError(
            f"pad: {pad} must hold (before, after) pairs for at most {input.ndim} axes."
        )
    if any(n < 0 for n in pad):
        raise ValueError(
            f"pad: negative sizes {tuple(pad)} would crop (as in PyTorch), which learndl's pad "
            "does not do; slice instead, e.g. x[..., 1:] drops the first column."
        )
    out = input
    for i in range(len(pad) // 2):
        axis, before, after = input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        parts = []
        for n in (before, after):
            shape = list(out.shape)
            shape[axis] = n
            parts.append(_const(out.xp.full(shape, value, dtype=out.dtype)) if n > 0 else None)
        pieces = [p for p in (parts[0], out, parts[1]) if p is not None]
        out = ops.cat(pieces, dim=axis) if len(pieces) > 1 else out
    return out


# ---------------------------------------------------------------------- normalization
def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel (axis 1) to mean 0, variance 1, then scale and shift.

    In training the batch's statistics are used and the running ones move toward them:
    ``running = (1 - momentum) * running + momentum * batch`` (the variance unbiased, as
    PyTorch). Otherwise the running statistics are used.
    """
    c = input.shape[1] if input.ndim >= 2 else 0
    shape = (1, c) + (1,) * (input.ndim - 2)
    axes = (0, *range(2, input.ndim))
    if training:
        n = input.numel() // max(c, 1)
        if n <= 1:
            raise ShapeError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {input.shape}. Use a batch of 2 or more, or call model.eval()."
            )
        mean = input.mean(axis=axes, keepdims=True)
        centered = input - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        if running_mean is not None and running_var is not None:
            with no_grad():
                batch_mean = mean.data.reshape(c)
                batch_var = var.data.reshape(c) * (n / (n - 1))
                running_mean.copy_((1 - momentum) * running_mean.data + momentum * batch_mean)
                running_var.copy_((1 - momentum) * running_var.data + momentum * batch_var)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: without running statistics, use training=True.")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
        centered = input - mean
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` axes of each example."""
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if input.shape[input.ndim - k :] != normalized_shape:
        raise ShapeError(
            f"layer_norm: input {input.shape} should end in normalized_shape {normalized_shape}."
        )
    axes = tuple(range(input.ndim - k, input.ndim))
    centered = input - input.mean(axis=axes, keepdims=True)
    var = (centered * centered).mean(axis=axes, keepdims=True)
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:  # noqa: A002
    """Rows of ``weight`` picked by integer indices: (…) -> (…, embedding_dim)."""
    if input.dtype.kind not in "iu":
        raise DTypeError(
            f"embedding: indices must be integers, got dtype {input.dtype}; use input.long()."
        )
    num = weight.shape[0]
    if input.numel() and (int(input.data.min()) < -num or int(input.data.max()) >= num):
        raise IndexError(
            f"embedding: indices must lie in [0, {num - 1}] for {num} embeddings, got values "
            f"from {int(input.data.min())} to {int(input.data.max())}."
        )
    out = weight[input]
    if padding_idx is not None:
        # The padding row gets no gradient: the same values, taken from a detached copy there.
        # (A comparison of tensors, so that @ld.function recomputes it on every call.)
        keep = (input != padding_idx % num).unsqueeze(-1)
        out = ops.where(keep, out, out.detach())
    return out
