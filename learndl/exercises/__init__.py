"""Graded exercises: checkers registered by ID, run by ``%%exercise ID`` in a notebook.

A checker receives the namespace the exercise cell defined and yields ``Check`` results;
``run_checker`` turns them (and any crash in the learner's code) into one stable line::

    ✓ relu_backward: 5/5 checks passed
    ✗ relu_backward: 3/5 — hint: backward should pass the gradient only where x > 0

The built-in checkers live in ``learndl/exercises/builtin/``; each one's docstring is its
contract (the names the exercise cell must define). Instructors override them with private
checkers: ``load_checkers("/path/to/folder")`` or the environment variable
``LEARNDL_CHECKERS=/path/to/folder`` (several folders separated by ``os.pathsep``); every
``*.py`` file there is imported and may call ``@checker(...)`` for any ID.

Example:
    >>> from learndl.exercises import run_checker
    >>> mse = lambda pred, target: ((pred - target) ** 2).mean()
    >>> print(run_checker("mse_by_hand", {"mse": mse}))
    ✓ mse_by_hand: 4/4 checks passed
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from pathlib import Path

from learndl.exercises.core import (
    Check,
    Checker,
    Missing,
    Result,
    checker,
    crash_hint,
    need,
    registry,
    run_checker,
)

BUILTIN = (
    "calculus",
    "regression",
    "networks",
    "convolution",
    "attention",
    "lessons_00_04",
    "lessons_09_10",
    "lesson_11",
)
_loaded = False


def ensure_loaded() -> None:
    """Import the built-in checkers, then the folders named in ``LEARNDL_CHECKERS``."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from learndl.exercises import builtin

    for module in pkgutil.iter_modules(builtin.__path__):  # every module in builtin/
        if not module.name.startswith("_"):
            importlib.import_module(f"learndl.exercises.builtin.{module.name}")
    for folder in filter(None, os.environ.get("LEARNDL_CHECKERS", "").split(os.pathsep)):
        load_checkers(folder)


def load_checkers(path: str | os.PathLike) -> list[str]:
    """Import every ``*.py`` in a folder (or one file); their checkers override earlier ones.

    Returns the IDs registered by those files, so an instructor can see what was overridden.
    """
    ensure_loaded()
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"load_checkers: {path} does not exist")
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    before = {k: v.fn for k, v in registry.items()}
    for file in files:
        module_name = f"learndl_private_checkers.{file.stem}_{abs(hash(str(file.resolve())))}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        for entry in registry.values():
            if entry.fn.__module__ == module_name:
                entry.source = str(file)
    return sorted(k for k, v in registry.items() if before.get(k) is not v.fn)


def exercises() -> dict[str, str]:
    """Every registered exercise ID with its contract (the checker's docstring)."""
    ensure_loaded()
    return {k: registry[k].contract for k in sorted(registry)}


__all__ = [
    "Check",
    "Checker",
    "Missing",
    "Result",
    "checker",
    "crash_hint",
    "ensure_loaded",
    "exercises",
    "load_checkers",
    "need",
    "registry",
    "run_checker",
]
