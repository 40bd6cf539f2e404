"""Weight initializers by name, as ``keras.initializers``, drawing from learndl's global RNG.

Keras' defaults: ``glorot_uniform`` for kernels, ``zeros`` for biases. For a kernel of
shape ``(..., fan_in, fan_out)`` the receptive field (conv kernel size) multiplies both.

Example:
    >>> import learndl as ld
    >>> from learndl.keras import initializers
    >>> _ = ld.manual_seed(0); w = initializers.get("glorot_uniform")((64, 10), "float32")
    >>> bool(abs(w).max() <= (6 / 74) ** 0.5)
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from learndl.random import get_rng

Initializer = Callable[[tuple[int, ...], str], np.ndarray]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])  # kh * kw for a Conv2D kernel (kh, kw, in, out)
    return shape[-2] * receptive, shape[-1] * receptive


def zeros(shape, dtype="float32"):
    return np.zeros(shape, dtype)


def ones(shape, dtype="float32"):
    return np.ones(shape, dtype)


def glorot_uniform(shape, dtype="float32"):
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return get_rng().uniform(-limit, limit, shape).astype(dtype)


def glorot_normal(shape, dtype="float32"):
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), dtype)


def he_uniform(shape, dtype="float32"):
    limit = math.sqrt(6.0 / _fans(shape)[0])
    return get_rng().uniform(-limit, limit, shape).astype(dtype)


def he_normal(shape, dtype="float32"):
    return _truncated_normal(shape, math.sqrt(2.0 / _fans(shape)[0]), dtype)


def random_normal(shape, dtype="float32"):
    return (0.05 * get_rng().standard_normal(shape)).astype(dtype)


def random_uniform(shape, dtype="float32"):
    return get_rng().uniform(-0.05, 0.05, shape).astype(dtype)


def _truncated_normal(shape, stddev: float, dtype) -> np.ndarray:
    # Keras draws from a normal cut at 2 std, scaled so the std is `stddev` (.87962566).
    x = get_rng().standard_normal(shape)
    while (bad := np.abs(x) > 2).any():
        x[bad] = get_rng().standard_normal(int(bad.sum()))
    return (x * stddev / 0.87962566103423978).astype(dtype)


_BY_NAME = {
    f.__name__: f
    for f in (
        zeros,
        ones,
        glorot_uniform,
        glorot_normal,
        he_uniform,
        he_normal,
        random_normal,
        random_uniform,
    )
}


_BY_NAME.update(uniform=random_uniform, normal=random_normal)  # Keras' short aliases


def get(identifier: str | Initializer) -> Initializer:
    """An initializer ``(shape, dtype) -> ndarray`` from its name, or a callable as is."""
    if callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(f"Unknown initializer {identifier!r}; expected one of {sorted(_BY_NAME)}.")
