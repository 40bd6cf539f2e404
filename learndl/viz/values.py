"""Numbers and arrays as the widgets' JSON ``Value`` and as short text.

A Value is a number, a small array ``{"shape": [2, 3], "values": [[...], [...]]}``, or,
for arrays over 64 elements or over 2 dimensions, a summary
``{"shape": [128, 784], "summary": {"min": ..., "max": ..., "mean": ..., "norm": ...}}``.
JSON has no NaN or Inf, so those become ``None``.

Example:
    >>> import numpy as np
    >>> to_value(np.float32(1.5)), fmt(1 / 3)
    (1.5, '0.3333')
    >>> to_value(np.ones((2, 2)))
    {'shape': [2, 2], 'values': [[1.0, 1.0], [1.0, 1.0]]}
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SMALL = 64  # at most this many elements are sent as values


def as_numpy(x: Any) -> np.ndarray:
    """A NumPy array from a Tensor, a CuPy array, an ndarray or a number."""
    x = getattr(x, "data", x) if not isinstance(x, np.ndarray) else x
    if hasattr(x, "get") and not isinstance(x, np.ndarray | dict):
        x = x.get()  # cupy -> numpy
    return np.asarray(x)


def number(x: Any) -> float | None:
    """A plain float for JSON (``None`` for NaN and Inf)."""
    x = float(x)
    return x if math.isfinite(x) else None


def summary(a: np.ndarray) -> dict[str, float | None]:
    a = a.astype(np.float64, copy=False)
    if a.size == 0:
        return {}
    return {
        "min": number(a.min()),
        "max": number(a.max()),
        "mean": number(a.mean()),
        "norm": number(np.sqrt((a * a).sum())),
    }


def to_value(x: Any) -> Any:
    """The JSON Value of a number or array (see the module docstring)."""
    a = as_numpy(x)
    if a.ndim == 0:
        return number(a) if a.dtype.kind in "fiub" else str(a)
    if a.size <= SMALL and a.ndim <= 2 and a.dtype.kind in "fiub":
        values = np.where(np.isfinite(a), a, np.nan).astype(np.float64).tolist()
        return {"shape": list(a.shape), "values": _nan_to_none(values)}
    return {"shape": list(a.shape), "summary": summary(a) if a.dtype.kind in "fiub" else {}}


def _nan_to_none(values: Any) -> Any:
    if isinstance(values, list):
        return [_nan_to_none(v) for v in values]
    return None if math.isnan(values) else values


def fmt(x: Any, digits: int = 4) -> str:
    """A number as short text: ``0.3333``, ``1.5e-07``, ``42``."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == int(x) and abs(x) < 1e6:
        return f"{x:.1f}"
    text = f"{x:.{digits}g}"
    return text if any(c in text for c in ".e") else text + ".0"  # 0.99999 -> "1.0", not "1"


def shape_text(shape: Any) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def describe(x: Any) -> str:
    """One line for any value: the number, or shape plus a small summary."""
    a = as_numpy(x)
    if a.size == 1 and a.ndim == 0:
        return fmt(a)
    if a.size == 0 or a.dtype.kind not in "fiub":
        return f"shape {shape_text(a.shape)}"
    s = summary(a)
    return (
        f"shape {shape_text(a.shape)} min {fmt(s['min'] or 0, 3)} max {fmt(s['max'] or 0, 3)} "
        f"mean {fmt(s['mean'] or 0, 3)}"
    )


def value_text(value: Any) -> str:
    """A JSON Value back as one line of text (for the text form of frames)."""
    if value is None:
        return "—"
    if not isinstance(value, dict):
        return fmt(value) if isinstance(value, int | float) else str(value)
    if "values" in value:
        flat = np.asarray(value["values"], dtype=np.float64).ravel()
        body = ", ".join(fmt(v, 3) for v in flat[:8]) + (", ..." if flat.size > 8 else "")
        return f"shape {shape_text(value['shape'])} [{body}]"
    stats = " ".join(
        f"{k} {fmt(v, 3) if v is not None else '—'}" for k, v in value["summary"].items()
    )
    return f"shape {shape_text(value['shape'])} {stats}".rstrip()
