"""Timing helpers shared by the benchmarks: interleaved rounds, medians, ratios.

The project machines are shared, so absolute times wander; every benchmark times its
variants in alternating rounds inside one process and reports ratios of medians.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

# One thread everywhere, set before NumPy or PyTorch load their BLAS: the comparisons are
# about per-op overhead and kernels, not about how many cores a library grabs.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def interleaved(
    variants: dict[str, Callable[[], object]], number: int, rounds: int = 7, warmup: int = 3
) -> dict[str, float]:
    """Median seconds per call of each variant, timed in alternating rounds."""
    for fn in variants.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def torch_or_none():
    """PyTorch, single-threaded, or None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def report(title: str, times: dict[str, float], base: str, unit: float = 1e-6) -> None:
    """Print each variant's time and its ratio to ``base``."""
    print(f"\n{title}")
    for name, t in times.items():
        label = "us" if unit == 1e-6 else "ms"
        print(f"  {name:<28} {t / unit:9.1f} {label}   {t / times[base]:5.2f}x {base}")
