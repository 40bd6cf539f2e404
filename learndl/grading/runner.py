"""``learndl grade``: each submission's exercise cells, in the reference, under nbval.

For each submission: copy the reference folder's data files into a fresh temporary
folder, put the student's ``%%exercise`` cells into the reference notebook (a missing one
becomes a stub), run ``pytest --nbval --nbval-current-env`` on it in the sandbox with a
per-cell and a per-notebook time limit, and read which exercise cells passed. An exercise
passes when its cell prints the reference's line (``✓ id: n/n checks passed``).

If a cell kills the kernel (a crash, ``os._exit``, a loop nbval cannot interrupt), the
exercise that broke it scores zero and the notebook runs again with that exercise stubbed,
so the later exercises are still graded — within the per-notebook time limit.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from learndl.grading import sandbox
from learndl.grading.notebooks import exercise_cells, exercise_id, stub

PLUGIN = "learndl.grading.pytest_plugin"
DEAD = ("Kernel dead", "Timeout of", "Kernel died", "Dead kernel", "RuntimeError: Kernel")


@dataclass
class Grade:
    """One student's result: a score (0 or 1) and a note per exercise."""

    student: str
    scores: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def _stub_cell(name: str) -> str:
    return f"%%exercise {name}\n{stub(name)}"


def merge(reference, submission, stubbed: set[str]):  # noqa: ANN001, ANN201 - notebook nodes
    """The reference notebook with the student's exercise cells (same ID) in place."""
    theirs = {}
    for cell in submission.cells:
        name = exercise_id(cell)
        if name is not None and name not in theirs:
            theirs[name] = cell.source
    merged = copy.deepcopy(reference)
    for cell in merged.cells:
        name = exercise_id(cell)
        if name is not None:
            cell.source = (
                _stub_cell(name) if name in stubbed else theirs.get(name, _stub_cell(name))
            )
    return merged


def _results(path: Path) -> dict[int, dict]:
    found = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            index = int(record["cell"].split()[-1])
            if index not in found or record["outcome"] != "passed":
                found[index] = record
    return found


def _breaker(results: dict[int, dict], cells: dict[str, int], stubbed: set[str]) -> str | None:
    """The exercise to blame when the kernel died: the failed cell before the first dead one."""
    dead = [i for i, r in results.items() if "Kernel dead on test start" in r["message"]]
    if not dead:  # an interrupted loop whose kernel lived on needs no second run
        return None
    broke = [
        i for i, r in results.items() if any(s in r["message"] for s in DEAD) and i < min(dead)
    ]
    first = min(broke) if broke else min(dead) - 1
    candidates = [n for n, i in cells.items() if i <= first and n not in stubbed]
    return max(candidates, key=cells.get) if candidates else None


class Grader:
    """Grades submissions against one executed reference notebook."""

    def __init__(self, reference, cell_timeout=30.0, notebook_timeout=300.0, isolation="auto"):  # noqa: ANN001
        import nbformat

        self.reference_path = Path(reference).resolve()
        self.reference = nbformat.read(self.reference_path, as_version=4)
        self.cells = exercise_cells(self.reference)
        if not self.cells:
            raise ValueError(f"{reference}: no %%exercise cells to grade")
        self.cell_timeout, self.notebook_timeout = cell_timeout, notebook_timeout
        self.mode = sandbox.choose(isolation)
        self.hidden = [str(Path.home()), str(self.reference_path.parent)]

    def _prepare(self, workdir: Path) -> None:
        def ignore(folder: str, names: list[str]) -> list[str]:
            return [n for n in names if n.endswith(".ipynb") or n.startswith(".")]

        shutil.copytree(self.reference_path.parent, workdir, ignore=ignore, dirs_exist_ok=True)
        (workdir / "pytest.ini").write_text("[pytest]\n")

    def _env(self, workdir: Path) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "LEARNDL_CHECKERS", "SYSTEMROOT")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        root = str(Path(__file__).resolve().parents[2])
        env.update(
            PYTHONPATH=root,
            LEARNDL_GRADE_RESULTS=str(workdir / "results.jsonl"),
            JUPYTER_RUNTIME_DIR=str(workdir / ".jupyter"),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(workdir / ".ipython"),
            MPLBACKEND="Agg",
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            PYTHONDONTWRITEBYTECODE="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",  # only nbval and ours: starts seconds faster
        )
        return env

    def grade(self, path: str | Path) -> Grade:
        """Grade one submission file; never raises for anything the student did."""
        import nbformat

        path = Path(path)
        result = Grade(path.stem, {n: 0.0 for n in self.cells})
        try:
            submission = nbformat.read(path, as_version=4)
        except Exception as exc:  # malformed JSON, not a notebook, unreadable
            result.error = f"not a notebook: {type(exc).__name__}"
            return result
        stubbed: set[str] = set()
        deadline = time.monotonic() + self.notebook_timeout
        with tempfile.TemporaryDirectory(prefix="learndl-grade-") as tmp:
            workdir = Path(tmp).resolve()
            while True:
                run_dir = workdir / f"run{len(stubbed)}"
                run_dir.mkdir()
                self._prepare(run_dir)
                nbformat.write(merge(self.reference, submission, stubbed), run_dir / "sub.ipynb")
                left = deadline - time.monotonic()
                code, output = sandbox.run(
                    [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", PLUGIN]
                    + ["--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-q"]
                    + [f"--nbval-cell-timeout={self.cell_timeout}", "-c", "pytest.ini"]
                    + ["--rootdir", str(run_dir), "sub.ipynb"],
                    str(run_dir),
                    self.mode,
                    self.hidden + [str(Path(p).parent) for p in self.extra_hidden],
                    self._env(run_dir),
                    max(left, 1.0),
                )
                results = _results(run_dir / "results.jsonl")
                if code is None:
                    result.error = f"time limit of {self.notebook_timeout:g} s per notebook"
                for name, index in self.cells.items():
                    if name in stubbed:
                        continue
                    record = results.get(index)
                    result.scores[name] = float(bool(record) and record["outcome"] == "passed")
                    result.notes[name] = "" if record else "not reached"
                blame = _breaker(results, self.cells, stubbed)
                if code is None or blame is None or time.monotonic() >= deadline:
                    break
                stubbed.add(blame)
                result.scores[blame] = 0.0
                result.notes[blame] = "stopped the kernel (crash or time limit)"
        return result

    extra_hidden: tuple[str, ...] = ()


def grade(
    reference: str | Path,
    submissions: list[str | Path],
    out: str | Path | None = None,
    cell_timeout: float = 30.0,
    notebook_timeout: float = 300.0,
    isolation: str = "auto",
    jobs: int = 1,
    echo: Callable[[str], object] = print,
) -> list[Grade]:
    """Grade every submission (files, or folders of ``*.ipynb``); write a CSV if ``out``."""
    files: list[Path] = []
    for item in map(Path, submissions):
        files += sorted(p for p in item.iterdir() if p.is_file()) if item.is_dir() else [item]
    grader = Grader(reference, cell_timeout, notebook_timeout, isolation)
    grader.extra_hidden = tuple(str(f.resolve()) for f in files)
    if out is not None:
        grader.extra_hidden += (str(Path(out).resolve()),)
    with ThreadPoolExecutor(max(1, jobs)) as pool:  # each job waits on its own subprocess
        grades = list(pool.map(grader.grade, files))
    names = list(grader.cells)
    if out is not None:
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["student", *names, "total", "note"])
            for g in grades:
                scores = [f"{g.scores[n]:g}" for n in names]
                writer.writerow([g.student, *scores, f"{g.total:g}", g.error])
    echo(summary(grades, names, grader.mode))
    return grades


def summary(grades: list[Grade], names: list[str], mode: str) -> str:
    """A plain-text table: one row per student, ✓/✗ per exercise, the total."""
    width = max([7, *(len(g.student) for g in grades)])
    head = f"{'student':<{width}}  " + "  ".join(names) + f"  total / {len(names)}"
    lines = [f"learndl grade ({mode} isolation)", head, "-" * len(head)]
    for g in grades:
        marks = "  ".join(f"{'✓' if g.scores[n] else '✗':<{len(n)}}" for n in names)
        lines.append(
            f"{g.student:<{width}}  {marks}  {g.total:g}" + (f"  ({g.error})" if g.error else "")
        )
    return "\n".join(lines)
