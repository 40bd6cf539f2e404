"""``ld.nn.utils``: gradient clipping and counting parameters.

Example:
    >>> import learndl as ld
    >>> w = ld.nn.Parameter(ld.zeros(2))
    >>> w.grad = ld.tensor([3.0, 4.0])
    >>> ld.nn.utils.clip_grad_norm_([w], max_norm=1.0).item()  # the norm before clipping
    5.0
    >>> [round(g, 3) for g in w.grad.tolist()]
    [0.6, 0.8]
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from learndl.errors import GradError
from learndl.tensor import Tensor

Parameters = Tensor | Iterable[Tensor]


def _grads(parameters: Parameters) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Parameters,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The norm is taken over every gradient as if concatenated into one vector; ``norm_type``
    may be ``float("inf")`` for the largest absolute value. Returns that total norm
    (before clipping), as PyTorch does.
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.asarray(0.0, dtype=np.float32), False, None)
    xp = grads[0].xp
    if norm_type == math.inf:
        total = max(float(xp.abs(g.data).max()) for g in grads)
    else:
        total = float(sum(float((xp.abs(g.data) ** norm_type).sum()) for g in grads)) ** (
            1.0 / norm_type
        )
    if error_if_nonfinite and not math.isfinite(total):
        raise GradError(
            f"clip_grad_norm_: the total norm of the gradients is {total}. Find where they "
            "blow up (ld.detect_anomaly()), or pass error_if_nonfinite=False."
        )
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:  # in place: p.grad stays the same tensor, now scaled
        g.mul_(coef)
    return Tensor._make(xp.asarray(total, dtype=grads[0].dtype), False, None)


def clip_grad_value_(parameters: Parameters, clip_value: float) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``, in place."""
    for g in _grads(parameters):
        g.copy_(g.xp.clip(g.data, -clip_value, clip_value))


def count_parameters(module, trainable_only: bool = False) -> int:
    """How many numbers ``module`` learns (each shared tensor counted once)."""
    return module.num_parameters(trainable_only=trainable_only)
