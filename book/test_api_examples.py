"""Every example in the book's API reference runs and prints what it says.

The modules are read from the ``automodule`` lines of ``book/api/*.md``, so a module added
to the reference is tested without touching this file. ``make book`` runs this after the
build (``book/build.sh``); ``tests/test_doctests.py`` checks the core modules on its own.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

API = Path(__file__).parent / "api"
MODULES = sorted(
    {m for page in API.glob("*.md") for m in re.findall(r"automodule:: ([\w.]+)", page.read_text())}
)


def test_the_reference_covers_modules():
    assert "learndl.tensor" in MODULES and len(MODULES) > 50, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    with np.errstate(invalid="ignore"):  # detect_anomaly's example takes sqrt(-1) on purpose
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
