"""Fresh layer names (dense, dense_1, ...) and a fixed seed for every Keras test."""

from __future__ import annotations

from tests.keras_helpers import fresh_keras_session  # noqa: F401 - autouse: imported, it applies
