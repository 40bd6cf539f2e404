"""The project's contract: what `import learndl` costs, what CI runs, what learndl depends on."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Optional dependencies: imported by the code that needs them, never by `import learndl`.
LAZY = [
    "IPython",
    "ipywidgets",
    "anywidget",
    "cupy",
    "onnx",
    "onnxruntime",
    "graphviz",
    "matplotlib",
    "torch",
]


def test_import_learndl_loads_numpy_and_no_optional_dependency():
    code = "import sys, learndl; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    assert "numpy" in loaded
    assert not loaded & set(LAZY), f"`import learndl` imported {sorted(loaded & set(LAZY))}"


def test_numpy_is_the_only_hard_dependency():
    deps = PYPROJECT["project"]["dependencies"]
    assert len(deps) == 1 and deps[0].startswith("numpy"), deps


def test_all_extra_leaves_out_the_gpu_extra():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extras["all"] == ["learndl[jupyter,onnx,book,dev]"]
    bundled = [req for name in ("jupyter", "onnx", "book", "dev") for req in extras[name]]
    assert not any("cupy" in req for req in bundled)


def test_ci_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    lines = [ln.strip() for ln in script.splitlines() if ln.strip() and not ln.startswith("#")]
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in lines
    assert lines[-1] == "make test"


@pytest.mark.parametrize("marker", ["gpu", "browser", "slow"])
def test_pytest_markers_are_declared(marker):
    declared = [m.split(":")[0] for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]]
    assert marker in declared
