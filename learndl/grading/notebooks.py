"""Reading lesson notebooks: exercise cells, solution stripping (``learndl assign``).

An exercise cell starts with ``%%exercise ID``. Solutions sit between ``# BEGIN SOLUTION``
and ``# END SOLUTION``; ``assign`` replaces them with a stub that raises
``NotImplementedError("ID")`` and clears every output except the exercise cells' reference
outputs (nbval compares those, so a student sees what a correct answer prints).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_MAGIC = re.compile(r"^\s*%%exercise\s+(\S+)")


def exercise_id(cell: Any) -> str | None:
    """The ID of an exercise cell (first line ``%%exercise ID``), else None."""
    if cell.get("cell_type") != "code":
        return None
    match = _MAGIC.match(cell.get("source", ""))
    return match.group(1) if match else None


def exercise_cells(nb: Any) -> dict[str, int]:
    """Exercise ID -> index of its cell among the notebook's *code* cells (nbval's numbering)."""
    found: dict[str, int] = {}
    code_index = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        name = exercise_id(cell)
        if name is not None and name not in found:
            found[name] = code_index
        code_index += 1
    return found


def stub(name: str, indent: str = "") -> str:
    return f'{indent}raise NotImplementedError("{name}")'


def strip_solutions(source: str, name: str) -> str:
    """Replace each ``# BEGIN SOLUTION`` … ``# END SOLUTION`` block by the stub."""
    out, inside = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            inside = True
            out.append(stub(name, line[: len(line) - len(line.lstrip())]))
        elif stripped.startswith(END):
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"exercise {name}: '{BEGIN}' without '{END}'")
    return "\n".join(out)


def student_version(nb: Any, fallback_name: str) -> Any:
    """A copy of an instructor notebook with solutions stubbed and outputs cleared."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # nbclient's saved widget state (see shared FACTS)
    current = fallback_name
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        name = exercise_id(cell)
        current = name or current
        if BEGIN in cell.source:
            cell.source = strip_solutions(cell.source, name or current)
        if name is None:  # a check cell keeps its reference output and execution count
            cell.outputs, cell.execution_count = [], None
    return nb


def assign(source: str | Path, out: str | Path) -> list[Path]:
    """Write the student version of every notebook under ``source`` (a folder or a file)
    into ``out``, keeping relative paths; other files (data) are copied as they are."""
    import nbformat

    source, out = Path(source), Path(out)
    if source.resolve() == out.resolve():
        raise ValueError("assign: OUT must differ from the lessons folder")
    files = [source] if source.is_file() else sorted(source.rglob("*"))
    written = []
    for file in files:
        relative = Path(file.name) if source.is_file() else file.relative_to(source)
        if any(p.startswith(".") or p == "__pycache__" for p in relative.parts) or file.is_dir():
            continue
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.suffix != ".ipynb":
            shutil.copy2(file, target)
            continue
        nb = nbformat.read(file, as_version=4)
        nbformat.write(student_version(nb, file.stem), target)
        written.append(target)
    return written
