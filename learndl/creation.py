"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``randn``, ...

learndl's default float is float32, as in PyTorch and Keras: Python floats and NumPy
float arrays become float32 unless ``dtype`` says otherwise. Python ints become int64
(labels, indices). Random draws come from ``learndl.random``, so ``ld.manual_seed`` makes
them repeatable.

Example:
    >>> import learndl as ld
    >>> ld.tensor([1, 2]).dtype, ld.tensor([1.5]).dtype, ld.zeros(2, 3).shape
    (dtype('int64'), dtype('float32'), (2, 3))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from learndl import backend
from learndl.errors import DTypeError
from learndl.random import get_rng
from learndl.tensor import Tensor

float32, float64, float16 = np.dtype("float32"), np.dtype("float64"), np.dtype("float16")
int64, int32, int8, uint8 = (
    np.dtype("int64"),
    np.dtype("int32"),
    np.dtype("int8"),
    np.dtype("uint8"),
)
bool_ = np.dtype("bool")
default_dtype = float32


def _dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise DTypeError(
            f"unknown dtype {dtype!r}; use e.g. 'float32', 'float64' or 'int64'."
        ) from None


def as_array(data: Any, dtype: Any = None, device: str | None = None) -> Any:
    """Turn Python numbers, lists, NumPy/CuPy arrays or tensors into a backend array."""
    dtype = _dtype(dtype)
    if isinstance(data, Tensor):
        data = data.data
    xp = (
        backend.module_for(device) if device else backend.xp(data) if hasattr(data, "dtype") else np
    )
    array = xp.asarray(data, dtype=dtype)
    if dtype is None and array.dtype.kind == "f" and array.dtype != default_dtype:
        array = array.astype(default_dtype)
    elif (
        dtype is None
        and array.dtype.kind in "iu"
        and array.dtype.itemsize < 8
        and not hasattr(data, "dtype")
    ):
        array = array.astype(int64)
    if array.dtype.kind not in "fiub":
        raise DTypeError(f"learndl tensors hold numbers; got an array of dtype {array.dtype}.")
    return array


def tensor(
    data: Any, dtype: Any = None, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """A new leaf tensor from data (numbers, nested lists, arrays).

    Example:
        >>> import learndl as ld
        >>> ld.tensor([[1.0, 2.0]], requires_grad=True).shape
        (1, 2)
    """
    array = as_array(data, dtype, device)
    if isinstance(data, Tensor) or array is data:
        array = array.copy()  # a new tensor owns its memory, as torch.tensor does
    t = Tensor.__new__(Tensor)
    t._init(array, requires_grad, None)  # refuses requires_grad on an int or bool tensor
    return t


def _shape(shape: Sequence) -> tuple[int, ...]:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], Sequence) else tuple(shape)


def _new(fill, shape, dtype, requires_grad, device) -> Tensor:
    xp = backend.module_for(device or "cpu")
    return Tensor._make(
        fill(xp, _shape(shape), _dtype(dtype) or default_dtype), requires_grad, None
    )


def zeros(
    *shape: int, dtype: Any = None, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """A tensor of zeros: ``ld.zeros(2, 3)`` or ``ld.zeros((2, 3))``."""
    return _new(lambda xp, s, d: xp.zeros(s, d), shape, dtype, requires_grad, device)


def ones(
    *shape: int, dtype: Any = None, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """A tensor of ones."""
    return _new(lambda xp, s, d: xp.ones(s, d), shape, dtype, requires_grad, device)


def full(
    shape: Sequence[int],
    fill_value: float,
    dtype: Any = None,
    requires_grad: bool = False,
    device: str | None = None,
) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``."""
    return _new(
        lambda xp, s, d: xp.full(s, fill_value, d), (tuple(shape),), dtype, requires_grad, device
    )


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=t.device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=t.device)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: str | None = None,
) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; ints give int64, floats float32."""
    if stop is None:
        start, stop = 0, start
    xp = backend.module_for(device or "cpu")
    return Tensor._make(as_array(xp.arange(start, stop, step), dtype), requires_grad, None)


def linspace(
    start: float, stop: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    return Tensor._make(as_array(np.linspace(start, stop, steps), dtype), requires_grad, None)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return Tensor._make(np.eye(n, m, dtype=_dtype(dtype) or default_dtype), requires_grad, None)


def randn(
    *shape: int, dtype: Any = None, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """Standard normal samples from learndl's seeded generator."""
    d = _dtype(dtype) or default_dtype
    return to(
        Tensor._make(get_rng().standard_normal(_shape(shape), dtype=d), requires_grad, None), device
    )


def rand(
    *shape: int, dtype: Any = None, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """Uniform samples in [0, 1) from learndl's seeded generator."""
    d = _dtype(dtype) or default_dtype
    return to(Tensor._make(get_rng().random(_shape(shape), dtype=d), requires_grad, None), device)


def randint(low: int, high: int, shape: Sequence[int], device: str | None = None) -> Tensor:
    """Random int64 values in ``[low, high)``."""
    return to(Tensor._make(get_rng().integers(low, high, tuple(shape)), False, None), device)


def to(t: Tensor, target: Any = None, dtype: Any = None) -> Tensor:
    """``t`` on another device and/or with another dtype (the tensor itself if nothing changes).

    Converting the dtype keeps the gradient path (the result is made by an op); moving
    between devices makes a new leaf, as in PyTorch for a tensor that needs no grad.
    """
    if target is not None and not isinstance(target, str):
        target, dtype = None, target  # t.to(ld.float64)
    if isinstance(target, str) and target not in ("cpu", "cuda") and not target.startswith("cuda:"):
        target, dtype = None, target  # t.to("float64")
    out = t
    if dtype is not None and _dtype(dtype) != t.dtype:
        from learndl.ops.shape import Cast

        out = Cast.apply(t, dtype=_dtype(dtype))
    if target is not None and backend.device_of(out.data) != target.split(":")[0]:
        xp = backend.module_for(target)
        array = xp.asarray(out.data) if target != "cpu" else out.data.get()
        out = Tensor._make(array, out.requires_grad and out.is_leaf, None)
    return out
