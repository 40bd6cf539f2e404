"""Fresh layer names (dense, dense_1, ...) and a fixed seed for every Keras test."""

from __future__ import annotations

import pytest

import learndl as ld
from learndl.keras import backend


@pytest.fixture(autouse=True)
def _fresh_session():
    backend.clear_session()
    ld.manual_seed(0)
    yield
