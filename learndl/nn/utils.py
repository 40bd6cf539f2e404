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

import functools
import math
import operator
from collections.abc import Iterable

import numpy as np

from learndl import ops
from learndl.autograd import no_grad
from learndl.errors import GradError
from learndl.static import tracer as tracing
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
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The norm is taken over every gradient as if concatenated into one vector; ``norm_type``
    may be ``float("inf")`` for the largest absolute value. Returns that total norm
    (before clipping), as PyTorch does. ``foreach`` picks an implementation in PyTorch;
    learndl has one, so it is accepted and ignored.
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.asarray(0.0, dtype=np.float32), False, None)
    dtype = grads[0].dtype
    # NOTE: in learndl ops, not floats: inside @ld.function a training step replays the
    # norm and the scaling with each call's gradients instead of the first call's factor.
    with no_grad():
        if norm_type == math.inf:
            total = functools.reduce(ops.maximum, [g.abs().max().to(dtype) for g in grads])
        else:
            parts = [(g.abs() ** norm_type).sum().to(dtype) for g in grads]
            total = functools.reduce(operator.add, parts) ** (1.0 / norm_type)
        if error_if_nonfinite:
            _check_finite(total)
        coef = ops.minimum(max_norm / (total + 1e-6), 1.0)
        for g in grads:  # in place: p.grad stays the same tensor, now scaled
            g.mul_(coef.to(g.dtype))
    return total


def _check_finite(total: Tensor) -> None:
    tracing.refuse_traced(
        total,
        "clip_grad_norm_(error_if_nonfinite=True) inside @ld.function: the check reads "
        "the norm into Python, and a graph replays ops, not the `if`. Pass "
        "error_if_nonfinite=False and check the returned norm after the call "
        "(math.isfinite(norm.item())), or call clip_grad_norm_ outside the function.",
    )
    if not math.isfinite(total.item()):
        raise GradError(
            f"clip_grad_norm_: the total norm of the gradients is {total.item()}. Find where "
            "they blow up (ld.detect_anomaly()), or pass error_if_nonfinite=False."
        )


def clip_grad_value_(
    parameters: Parameters, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``, in place.

    Written with ``clip`` and ``copy_``, so a traced training step clips each call's
    gradients. ``foreach`` is accepted for PyTorch's signature and ignored.
    """
    with no_grad():
        for g in _grads(parameters):
            g.copy_(g.clip(-clip_value, clip_value))


def count_parameters(module, trainable_only: bool = False) -> int:
    """How many numbers ``module`` learns (each shared tensor counted once)."""
    return module.num_parameters(trainable_only=trainable_only)
