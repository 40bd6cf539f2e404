"""Execute lesson notebooks in place, as they are committed: run, seeded, widget state stripped.

Usage: ``.venv/bin/python scripts/execute_lessons.py lessons/01_*.ipynb [...]``

Each notebook runs top to bottom in a fresh kernel of this interpreter (the lessons' own
seeds make it deterministic). Widget state, which nbclient stores as notebook metadata
and which would carry the whole widget bundle, is removed; each output keeps its
``text/html`` and ``text/plain`` forms, so nbval and the static book still see them.
The time each notebook took is printed (lessons must run in under a minute).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip_widget_state(nb) -> None:
    """Drop saved widget models: the notebook stays small and reproducible."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and WIDGET_VIEW in data and len(data) > 1:
                # The live view needs a kernel; html/plain carry the same picture without one.
                del data[WIDGET_VIEW]


def execute(path: Path, timeout: int = 120) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources).execute()
    seconds = time.perf_counter() - start
    strip_widget_state(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(Path("lessons").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
