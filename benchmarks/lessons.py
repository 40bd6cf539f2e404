"""How long each lesson takes to run top to bottom (each must stay under a minute).

Every ``lessons/NN_*.ipynb`` is executed in a fresh kernel of this interpreter, the way
``scripts/execute_lessons.py`` does it (but without writing the notebook back), and its
wall time is printed with a pass/fail against the one-minute budget. Exits 1 if a lesson
fails or runs over.

Run: ``.venv/bin/python benchmarks/lessons.py [lessons/05_*.ipynb ...]``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

BUDGET_S = 60.0
ROOT = Path(__file__).resolve().parents[1]


def run(path: Path) -> float:
    """Execute one notebook in a fresh kernel; return its wall time in seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as `make test` runs them
    paths = [Path(p) for p in argv] or sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    worst = 0
    print(f"{'lesson':<36} {'seconds':>8}  budget {BUDGET_S:.0f} s")
    for path in paths:
        try:
            seconds = run(path)
        except Exception as e:  # noqa: BLE001 - report and go on with the next lesson
            print(f"{path.name:<36} {'FAILED':>8}  {type(e).__name__}: {str(e)[:80]}")
            worst = 1
            continue
        ok = seconds < BUDGET_S
        worst |= not ok
        print(f"{path.name:<36} {seconds:8.1f}  {'ok' if ok else 'OVER'}", flush=True)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
