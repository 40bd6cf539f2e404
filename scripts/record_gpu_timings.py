"""Record lesson 11's GPU timings: run the lesson's own timing cell on the CPU and on CUDA.

Usage, on a machine with an NVIDIA GPU and ``pip install 'learndl[gpu]'``::

    .venv/bin/python scripts/record_gpu_timings.py
    .venv/bin/python scripts/execute_lessons.py lessons/11_gpu.ipynb   # show them in the lesson

The timing functions are not copied here: the script reads ``lessons/11_gpu.ipynb``, runs
the code cell that starts with ``# lesson-11 timing functions`` and calls its
``measure(["cpu", "cuda"])``, which times both devices in one run, alternating size by size.
It writes ``lessons/data/gpu_timings.json`` with the GPU's model, the date, the versions
and the machine's CPU, which the lesson prints beside its own CPU timings.

Without a GPU it refuses to write anything (GPU figures must be measured on a GPU);
``--cpu-only`` runs the same cell on the CPU and prints the table, to check the script.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "11_gpu.ipynb"
OUT = ROOT / "lessons" / "data" / "gpu_timings.json"
MARKER = "# lesson-11 timing functions"


def timing_cell(lesson: Path = LESSON) -> str:
    """The source of the lesson's timing cell (the one code cell that starts with MARKER)."""
    cells = json.loads(lesson.read_text())["cells"]
    found = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "".join(c["source"]).startswith(MARKER)
    ]
    if len(found) != 1:
        raise SystemExit(f"{lesson}: expected one code cell starting with {MARKER!r}")
    return found[0]


def lesson_namespace() -> dict:
    """What the timing cell needs from the lesson's setup cell, then the cell itself."""
    import numpy as np

    import learndl as ld
    from learndl import nn

    _ = ld.manual_seed(0)
    ns = {"ld": ld, "nn": nn, "np": np}
    exec(compile(timing_cell(), str(LESSON), "exec"), ns)  # noqa: S102 - our own lesson
    return ns


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument("--cpu-only", action="store_true", help="check the script; write nothing")
    args = parser.parse_args(argv)

    import learndl as ld

    ns = lesson_namespace()
    if args.cpu_only:
        ns["show_timings"](ns["measure"](["cpu"]))
        print("--cpu-only: nothing written.")
        return 0
    if not ld.cuda.is_available():
        print("No CUDA GPU: GPU timings can only be measured on a GPU. Nothing written.")
        return 1
    timings = ns["measure"](["cpu", "cuda"])
    ns["show_timings"](timings)
    record = {
        "gpu": ld.cuda.get_device_name(),
        "date": datetime.date.today().isoformat(),
        "learndl": ld.__version__,
        "cupy": __import__("cupy").__version__,
        "numpy": sys.modules["numpy"].__version__,
        "cpu": f"{cpu_model()} ({os.cpu_count()} logical cores)",
        "how": "median of ld.cuda.benchmark(repeat=5), seconds; CPU and CUDA in one run, "
        "alternating size by size (scripts/record_gpu_timings.py)",
        "timings": timings,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
