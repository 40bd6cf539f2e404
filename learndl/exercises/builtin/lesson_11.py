"""Lesson 11 (GPU): kernels checked on a machine without a GPU.

Two things are checked anywhere. **It compiles**: NVRTC, NVIDIA's compiler, turns the source
into PTX for a fixed architecture, as CuPy does before a launch (``ld.cuda.compile``; needs
``learndl[gpu]``, no GPU). **Its math is right**: a small interpreter of a subset of C runs
the kernel on the CPU -- an ElementwiseKernel's body once per element, a RawKernel once per
simulated thread, one thread after another, with every array access bounds-checked.

Not checked without a GPU: the launch itself, its speed, and whatever depends on threads
running at the same time (``__syncthreads``, shared memory, atomics: the interpreter refuses
them rather than pretend).
"""

from __future__ import annotations

import re

import numpy as np

from learndl.exercises.builtin._helpers import hidden_rng
from learndl.exercises.c_subset import OutOfBounds, Unsupported, launch, run_elementwise, tokenize
from learndl.exercises.core import Check, checker, need

__all__ = ["OutOfBounds", "Unsupported", "launch", "run_elementwise", "nvrtc_hint"]


def nvrtc_hint(source: str) -> str | None:
    """None if NVRTC compiles ``source``, else a one-line hint (its first error)."""
    try:
        from learndl.backend.cuda_kernels.nvrtc import CompileError, compile_to_ptx

        compile_to_ptx(source, "exercise.cu")
    except ImportError:
        return "NVRTC is not installed: pip install 'learndl[gpu]' (no GPU needed)"
    except CompileError as e:
        errors = [line for line in str(e).splitlines() if "error" in line] or ["error"]
        return "NVRTC says: " + re.sub(r"^\S+\(\d+\): ", "", errors[0].strip())[:120]
    except Exception as e:  # noqa: BLE001 - a missing libnvrtc, reported in one line
        return f"NVRTC could not run ({type(e).__name__}): pip install 'learndl[gpu]'"
    return None


def _cpu_run(fn, *args):
    """``(result, None)`` or ``(None, hint)`` when the interpreter refuses or a thread strays."""
    try:
        return fn(*args), None
    except Unsupported as e:
        return None, f"{e} (it reads ?:, arithmetic, if/for and the math functions)"
    except OutOfBounds as e:
        return None, f"a thread {e} past the end of an array: guard with if (i < n)"


@checker("leaky_relu_kernel", total=5)
def leaky_relu_kernel(ns):
    """Lesson 11. The cell defines ``LEAKY_RELU``, a CuPy ElementwiseKernel spec: the tuple
    ``("T x", "T y", body, name)`` whose C++ ``body`` sets ``y`` to ``x`` where ``x > 0`` and
    to ``0.01 * x`` elsewhere. Checked without a GPU: NVRTC compiles it for float and double,
    and the body, run on the CPU by a small C interpreter, computes leaky ReLU."""
    spec = need(ns, "LEAKY_RELU", (tuple, list), "the four strings of an ElementwiseKernel")
    ok = len(spec) == 4 and all(isinstance(s, str) for s in spec)
    ok = ok and [" ".join(s.split()) for s in spec[:2]] == ["T x", "T y"]
    ok = ok and re.fullmatch(r"[A-Za-z_]\w*", spec[3] if ok else "") is not None
    yield Check("spec", ok, "LEAKY_RELU = ('T x', 'T y', body, 'leaky_relu')")
    from learndl.backend.cuda_kernels.nvrtc import elementwise_source

    for ctype in ("float", "double"):
        hint = nvrtc_hint(elementwise_source(tuple(spec), ctype)) if ok else "fix the spec first"
        yield Check(f"compiles for {ctype}", hint is None, hint or "")
    x = hidden_rng().standard_normal(40).astype(np.float32) * 3
    x[:3] = 0.0
    y, hint = _cpu_run(run_elementwise, spec[2], x) if ok else (None, "fix the spec first")
    want = np.where(x > 0, x, np.float32(0.01) * x)
    pos = x > 0
    yield Check(
        "x where x > 0",
        y is not None and np.allclose(y[pos], want[pos], rtol=1e-5, atol=1e-7),
        hint or "y = x where x > (T)0",
    )
    yield Check(
        "0.01 x elsewhere",
        y is not None and np.allclose(y[~pos], want[~pos], rtol=1e-5, atol=1e-7),
        hint or "y = (T)0.01 * x where x <= 0",
    )


@checker("saxpy_kernel", total=5)
def saxpy_kernel(ns):
    """Lesson 11. The cell defines ``SAXPY``, the CUDA C++ source of a RawKernel
    ``extern "C" __global__ void saxpy(float a, const float* x, float* y, int n)`` that sets
    ``y[i] = a * x[i] + y[i]`` for every ``i < n`` exactly once, whatever the launch: with a
    grid-stride loop, it stays correct when there are fewer threads than elements.
    Checked without a GPU: NVRTC compiles it, and a CPU simulation runs every thread of two
    launches (more threads than elements, then fewer) with bounds-checked arrays."""
    source = need(ns, "SAXPY", str, "the kernel's CUDA C++ source")
    hint = nvrtc_hint(source)
    yield Check("compiles", hint is None, hint or "")
    rng = hidden_rng()
    n, a = int(rng.integers(40, 60)), float(rng.uniform(-2, 2))
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    want = np.float32(a) * x + y
    words, _ = _cpu_run(tokenize, source)
    words = [w for w in words or [] if w not in ("const", "__restrict__")]
    sig = re.search(r"__global__ void saxpy \( (.*?) \)", " ".join(words))
    params = sig.group(1).split(" , ") if sig else []
    yield Check(
        "signature",
        params == ["float a", "float * x", "float * y", "int n"],
        'extern "C" __global__ void saxpy(float a, const float* x, float* y, int n)',
    )
    many, hint = _cpu_run(launch, source, n // 16 + 1, 16, a, x, y, n)  # always more threads than n
    yield Check("stays inside the arrays", many is not None, hint or "")
    ok = many is not None and np.allclose(many[2].values, want, rtol=1e-5, atol=1e-6)
    yield Check("y = a x + y", ok, hint or "y[i] = a * x[i] + y[i], once per i < n")
    few, hint = _cpu_run(launch, source, 2, 8, a, x, y, n)  # 16 threads for 40+ elements
    ok = few is not None and np.allclose(few[2].values, want, rtol=1e-5, atol=1e-6)
    ok = ok and bool((few[2].writes == 1).all())
    yield Check(
        "every element once, with fewer threads",
        ok,
        hint or "a grid-stride loop: for (i = ...; i < n; i += blockDim.x * gridDim.x)",
    )
