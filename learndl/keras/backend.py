"""Session-wide bookkeeping, as ``keras.backend``: unique layer names and ``clear_session``.

Keras names layers after their class, counting up per name: the first ``Dense`` is
``"dense"``, the next ``"dense_1"``. ``clear_session()`` starts the counts again.

Example:
    >>> from learndl.keras import backend
    >>> backend.clear_session()
    >>> backend.unique_name("dense"), backend.unique_name("dense")
    ('dense', 'dense_1')
"""

from __future__ import annotations

import re
from collections import defaultdict

_name_counts: defaultdict[str, int] = defaultdict(int)

floatx = "float32"  # Keras' default float type: inputs and weights are float32


def to_snake_case(name: str) -> str:
    """``"MaxPooling2D"`` -> ``"max_pooling2d"``, the same rule as Keras (``ReLU`` -> ``re_lu``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ..."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Forget the name counts, so the next ``Dense`` is called ``"dense"`` again."""
    _name_counts.clear()
