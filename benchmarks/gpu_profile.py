"""Where a learndl CUDA training step spends its time, op by op (forward and backward).

Every ``Function``'s forward and backward is timed with the device synchronized before and
after, so each figure is that op's host time plus its kernels. The steps are the ones of
``benchmarks/gpu.py``. Run: ``.venv/bin/python benchmarks/gpu_profile.py``
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import gpu  # noqa: E402  (the models and steps of benchmarks/gpu.py)
import numpy as np  # noqa: E402

import learndl as ld  # noqa: E402
from learndl.autograd import Function  # noqa: E402


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= subclasses(sub)
    return found


def timed(totals, counts, key, method, sync):
    def run(self, *args):
        sync()
        start = time.perf_counter()
        result = method(self, *args)
        sync()
        totals[key(self)] += time.perf_counter() - start
        counts[key(self)] += 1
        return result

    return run


def main(device: str) -> None:
    if device == "cuda" and not ld.cuda.is_available():
        print("benchmarks/gpu_profile.py: no CUDA GPU here (--cpu profiles the CPU step).")
        return
    sync = ld.cuda.synchronize if device == "cuda" else lambda: None
    totals, counts = collections.Counter(), collections.Counter()
    rng = np.random.default_rng(0)
    ld.manual_seed(0)
    _, cnn = gpu.learndl_models()
    x = rng.normal(size=(gpu.BATCH_CNN, 1, 28, 28)).astype(np.float32)
    step = gpu.learndl_step(cnn, device, x, rng.integers(0, 10, gpu.BATCH_CNN))
    for _ in range(3):
        step(sync=device == "cuda")
    for cls in subclasses(Function):
        for name in ("forward", "backward"):
            if name in cls.__dict__:
                label = (lambda kind: lambda node: f"{node.name} {kind}")(name)
                setattr(cls, name, timed(totals, counts, label, cls.__dict__[name], sync))
    n = 10
    start = time.perf_counter()
    for _ in range(n):
        step(sync=device == "cuda")
    total = (time.perf_counter() - start) / n
    where = ld.cuda.get_device_name() if device == "cuda" else "the CPU"
    print(f"CNN step on {where}, synchronized per op: {total * 1e3:.2f} ms")
    for key, seconds in totals.most_common(20):
        print(f"  {key:28s} x{counts[key] // n:<3d} {seconds / n * 1e3:7.3f} ms")


if __name__ == "__main__":
    main("cpu" if "--cpu" in sys.argv else "cuda")
