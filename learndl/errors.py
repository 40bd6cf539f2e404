"""The errors learndl raises, each of its own type so that tests and learners can tell them apart.

Every message names the op, the shapes (or dtypes, or devices) involved and what to try.

Example:
    >>> import learndl as ld
    >>> try:
    ...     ld.ones(2, 3) @ ld.ones(4, 5)
    ... except ld.ShapeError as e:
    ...     print(str(e).split(":")[0])
    matmul
"""

from __future__ import annotations


class LearnDLError(Exception):
    """Base class of every error that learndl raises on purpose."""


class ShapeError(LearnDLError, ValueError):
    """Operand shapes do not fit the op (e.g. matmul inner sizes differ)."""


class DTypeError(LearnDLError, TypeError):
    """Operands of different floating dtypes, or a dtype the op cannot take."""


class DeviceError(LearnDLError, RuntimeError):
    """Operands on different devices, or a device that is not available."""


class GradError(LearnDLError, RuntimeError):
    """A backward pass that cannot run: no gradient to start from, or a freed graph."""


class InplaceError(GradError):
    """A tensor saved for backward was modified in place before backward ran."""


class AnomalyError(LearnDLError, FloatingPointError):
    """Under ``ld.detect_anomaly()``, an op produced NaN or Inf."""


class SerializationError(LearnDLError):
    """A file that ld.load cannot read, or an object that ld.save cannot store."""
