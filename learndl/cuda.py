"""``ld.cuda``: is there a GPU, wait for it, time code on it, read and compile its kernels.

Named as ``torch.cuda``. Everything here works on a machine without a GPU: ``is_available``
says False, ``synchronize`` does nothing, ``benchmark`` times the CPU, and the kernels can
still be read (``kernel_source``) and compiled to PTX (``compile``, needs the GPU extra).

Example:
    >>> import learndl as ld
    >>> isinstance(ld.cuda.is_available(), bool)
    True
    >>> seconds = ld.cuda.benchmark(lambda: ld.ones(8, 8) @ ld.ones(8, 8), repeat=3)
    >>> seconds > 0
    True
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from learndl import backend
from learndl.errors import DeviceError


def device_count() -> int:
    """How many CUDA GPUs CuPy can use (0 without CuPy, a driver or a GPU)."""
    return backend.cuda_device_count()


def is_available() -> bool:
    """True when tensors can move to ``"cuda"``: CuPy is installed and sees a GPU."""
    return device_count() > 0


def get_device_name(index: int = 0) -> str:
    """The GPU's model name, e.g. ``"NVIDIA H100 80GB HBM3"``."""
    if not is_available():
        raise DeviceError("get_device_name: no CUDA GPU is available.")
    import cupy

    name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize() -> None:
    """Wait until the GPU has finished all queued work (nothing to wait for on the CPU).

    NOTE: GPU calls return as soon as the work is *queued*; a timer stopped without
    synchronizing measures the queueing, not the computation.
    """
    if backend._cupy is not None and is_available():
        backend._cupy.cuda.Device().synchronize()


def benchmark(fn: Callable[[], Any], repeat: int = 10, warmup: int = 2) -> float:
    """Median seconds of ``fn()`` over ``repeat`` runs, synchronizing the GPU around each.

    The ``warmup`` runs first are not timed: the first GPU call of a kernel compiles it,
    and the first allocation of a size reaches the memory pool.

    Example:
        >>> import learndl as ld
        >>> x = ld.randn(64, 64)
        >>> ld.cuda.benchmark(lambda: x @ x, repeat=5) < 1.0
        True
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        synchronize()
        start = time.perf_counter()
        fn()
        synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kernel_source(name: str) -> str:
    """The CUDA C++ of one of learndl's kernels, for reading.

    Names: ``relu_forward``, ``relu_backward``, ``gelu_forward``, ``gelu_backward``
    (ElementwiseKernel bodies), ``softmax_ce_forward``, ``softmax_ce_backward``,
    ``im2col``, ``col2im``, ``matmul_tiled`` (RawKernel sources).

    Example:
        >>> import learndl as ld
        >>> "__syncthreads" in ld.cuda.kernel_source("matmul_tiled")
        True
    """
    from learndl.backend.cuda_kernels import sources

    table = sources()
    if name not in table:
        raise KeyError(f"kernel_source: no kernel {name!r}; choose from {sorted(table)}.")
    return table[name]


def compile(source: str, name: str = "kernel.cu") -> str:  # noqa: A001 - as cupy/torch say
    """Compile CUDA C++ with NVRTC and return its PTX; raises ``CompileError`` with the log.

    Needs no GPU, only ``pip install 'learndl[gpu]'``: write a kernel, check it compiles.
    """
    from learndl.backend.cuda_kernels.nvrtc import compile_to_ptx

    return compile_to_ptx(source, name)


def elementwise_source(in_params: str, out_params: str, body: str, name: str) -> str:
    """The whole ``__global__`` function CuPy makes of an ElementwiseKernel (``T`` = float)."""
    from learndl.backend.cuda_kernels.nvrtc import elementwise_source as wrap

    return wrap((in_params, out_params, body, name), "float")
