"""`learndl assign` on the real course: each student version fails at its exercises, nowhere else.

The instructor notebooks in lessons/ pass nbval (make test checks that). Their student
versions, with every solution replaced by a stub, must fail exactly at the ``%%exercise``
cells (the check line turns from ✓ to ✗) and still run every other cell unchanged: a
student who has not started yet sees the lesson work, and only the exercises waiting.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def students(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("students")
    from learndl.cli import main

    assert main(["assign", str(ROOT / "lessons"), str(out)]) == 0
    return out


def exercise_cells(path: Path) -> set[int]:
    """Indices (among code cells, as nbval counts them) of the %%exercise cells."""
    import nbformat

    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return {i for i, c in enumerate(code) if c.source.lstrip().startswith("%%exercise")}


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_student_version_fails_exactly_at_its_exercises(students, lesson):
    student = students / lesson.name
    expected = exercise_cells(student)
    assert expected, f"{lesson.name} has no %%exercise cell"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-q",
         "-p", "no:cacheprovider", "--timeout", "240", student.name],
        cwd=students, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    pattern = rf"FAILED {re.escape(student.name)}::Cell (\d+)"
    failed = {int(n) for n in re.findall(pattern, done.stdout)}
    assert failed == expected, done.stdout[-3000:]
