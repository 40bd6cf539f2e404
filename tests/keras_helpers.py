"""What the Keras-style tests share, wherever they live (tests/keras, tests/static, tests/export).

``fresh_keras_session`` is an autouse fixture: importing it into a test module or a
conftest gives every test there fresh layer names (dense, dense_1, ...) and seed 0.
"""

from __future__ import annotations

import pytest

import learndl as ld
from learndl import keras
from learndl.keras import backend


@pytest.fixture(autouse=True)
def fresh_keras_session():
    backend.clear_session()
    ld.manual_seed(0)
    yield


def sequential(shape: tuple, *layers) -> keras.Sequential:
    """``keras.Sequential`` of ``layers`` after an ``Input`` of ``shape``."""
    return keras.Sequential([keras.Input(shape), *layers])
