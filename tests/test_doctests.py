"""The docstring examples of the core modules run and print what they say (the book shows them)."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

CORE = [
    "learndl",
    "learndl.tensor",
    "learndl.tensor_methods",
    "learndl.autograd",
    "learndl.creation",
    "learndl.functional",
    "learndl.gradcheck",
    "learndl.errors",
    "learndl.random",
    "learndl.backend",
    "learndl.ops",
    "learndl.ops.arithmetic",
    "learndl.ops.unary",
    "learndl.ops.compare",
    "learndl.ops.reduce",
    "learndl.ops.shape",
    "learndl.ops.linalg",
    "learndl.ops.conv",
    "learndl.ops.pool",
    "learndl.ops.softmax",
]


@pytest.mark.parametrize("name", CORE)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    with np.errstate(invalid="ignore"):  # detect_anomaly's example takes sqrt(-1) on purpose
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    assert result.attempted > 0, f"{name} has no runnable example"
