"""``learndl assign``: solutions stubbed by name, outputs cleared but the check cells'."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from learndl.cli import main
from learndl.grading.notebooks import strip_solutions
from learndl.grading.runner import PLUGIN

nbformat = pytest.importorskip("nbformat")


def test_strip_keeps_indentation_and_names_the_exercise():
    source = "def f(x):\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\ny = 1"
    assert strip_solutions(source, "f_ex") == (
        'def f(x):\n    raise NotImplementedError("f_ex")\ny = 1'
    )


def test_assign_writes_student_versions(reference, tmp_path, capsys):
    out = tmp_path / "student"
    assert main(["assign", str(reference.parent), str(out)]) == 0
    assert (out / "data.txt").exists()  # data files travel with the lesson
    nb = nbformat.read(out / "lesson.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    text = "\n".join(c.source for c in code)
    assert "BEGIN SOLUTION" not in text and "** 2).mean()" not in text
    assert 'raise NotImplementedError("mse_by_hand")' in code[1].source
    assert 'raise NotImplementedError("conv_output_size")' in code[3].source
    for cell in code:
        if cell.source.startswith("%%exercise"):
            assert cell.outputs[0]["text"].startswith("✓") and cell.execution_count
        else:
            assert cell.outputs == [] and cell.execution_count is None


def test_student_version_fails_exactly_at_its_exercises(reference, tmp_path):
    out = tmp_path / "student"
    main(["assign", str(reference), str(out)])
    (out / "pytest.ini").write_text("[pytest]\n")
    results = out / "results.jsonl"
    env = {**os.environ, "LEARNDL_GRADE_RESULTS": str(results)}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    command = [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", PLUGIN, "--nbval"]
    command += ["--nbval-current-env", "-c", "pytest.ini", "-p", "no:cacheprovider"]
    subprocess.run([*command, "lesson.ipynb"], cwd=out, env=env, capture_output=True, timeout=120)
    records = [json.loads(line) for line in results.read_text().splitlines()]
    failed = sorted(r["cell"] for r in records if r["outcome"] != "passed")
    assert failed == ["Cell 1", "Cell 3"]  # the two %%exercise cells, nothing else
    assert len([r for r in records if r["outcome"] == "passed"]) == 3
