"""Activation functions by name, as ``keras.activations``: ``get("relu")`` and friends.

Example:
    >>> import learndl as ld
    >>> from learndl.keras import activations
    >>> activations.get("relu")(ld.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable

import learndl as ld
from learndl.tensor import Tensor


def relu(x: Tensor) -> Tensor:
    return ld.relu(x)


def sigmoid(x: Tensor) -> Tensor:
    return ld.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    return ld.tanh(x)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return ld.softmax(x, axis=axis)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    # NOTE: Keras' gelu defaults to the exact (erf) form, as PyTorch's does.
    return ld.gelu(x, approximate="tanh" if approximate else "none")


def linear(x: Tensor) -> Tensor:
    return x


_BY_NAME = {f.__name__: f for f in (relu, sigmoid, tanh, softmax, gelu, linear)}


def get(identifier: str | Callable | None) -> Callable[[Tensor], Tensor]:
    """An activation from its name, a callable as is, or ``linear`` for None."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(
        f"Unknown activation {identifier!r}; expected one of {sorted(_BY_NAME)} or a callable."
    )


def serialize(activation: Callable) -> str:
    """The name that ``get`` turns back into ``activation`` (only built-ins can be saved)."""
    name = getattr(activation, "__name__", None)
    if _BY_NAME.get(name) is not activation:
        raise ValueError(f"Cannot serialize the custom activation {activation!r}; use a name.")
    return name
