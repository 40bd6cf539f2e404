"""Where arrays live: the one place that decides between NumPy and CuPy.

Every op asks ``xp(*arrays)`` for the array module of its inputs and then writes
``xp.exp(x)``, never ``numpy.exp`` or ``cupy.exp``. That single lookup is what lets
the same op code run on the CPU and, when CuPy and a CUDA device exist, on the GPU
(Chainer calls it ``get_array_module``).

The few calls that differ between the two libraries (``as_strided`` lives in different
modules) are wrapped here too, so op code stays library-neutral. Hand-written
CUDA kernels (``learndl/backend/cuda_kernels/``) are optional overrides keyed by op name:
an op asks ``gpu_kernel("relu", x)`` and gets ``None`` on the CPU at the cost of one check.

Example:
    >>> import numpy as np
    >>> from learndl import backend
    >>> backend.xp(np.ones(3)) is np
    True
    >>> backend.gpu_kernel("relu", np.ones(3)) is None
    True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from learndl.errors import DeviceError

# Optional faster implementations keyed by device, then op name, e.g. KERNELS["cuda"]["relu"].
# An op looks here before running its ``xp`` code; the GPU backend fills it in when CuPy is
# first used (``_load_cupy``), so the CPU never imports or registers anything.
KERNELS: dict[str, dict[str, Any]] = {"cpu": {}, "cuda": {}}

_cupy: ModuleType | None = None  # set the first time a CuPy array or "cuda" is seen
_kernels_on = True  # see without_kernels()


def _load_cupy() -> ModuleType:
    """Import CuPy once and register the CUDA kernels (they compile lazily, on first launch)."""
    global _cupy
    if _cupy is None:
        import cupy

        from learndl.backend import cuda_kernels

        cuda_kernels.register(KERNELS["cuda"])
        _cupy = cupy
    return _cupy


def device_of(array: Any) -> str:
    """Name the device an array lives on: ``"cpu"`` for NumPy, ``"cuda"`` otherwise."""
    if isinstance(array, np.ndarray | np.generic):
        return "cpu"
    module = type(array).__module__
    return "cuda" if module.startswith("cupy") else "cpu"


# An ndarray, or the NumPy scalar that a full reduction (x.sum()) gives.
_NUMPY_TYPES = frozenset({np.ndarray, np.float32, np.float64, np.float16, np.int64, np.bool_})


def xp(*arrays: Any) -> ModuleType:
    """Return the array module (numpy or cupy) shared by ``arrays``.

    Raises:
        DeviceError: if the arrays live on different devices.
    """
    if len(arrays) == 1 and type(arrays[0]) in _NUMPY_TYPES:  # the common cases, checked first
        return np
    device = None
    for a in arrays:
        d = device_of(a)
        if device is None:
            device = d
        elif d != device:
            raise DeviceError(
                f"arrays live on different devices: {device} and {d}. "
                f"Move one with .to({device!r}) before combining them."
            )
    if device == "cuda":
        return _cupy or _load_cupy()  # only imported when a CuPy array is already in hand
    return np


def cuda_device_count() -> int:
    """How many CUDA devices CuPy sees: 0 without CuPy, without a driver, or without a GPU."""
    try:
        import cupy
    except ImportError:
        return 0
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # CUDARuntimeError: cudaErrorInsufficientDriver, cudaErrorNoDevice, ...
        return 0


def module_for(device: str) -> ModuleType:
    """Return the array module for a device name (``"cpu"``, ``"cuda"`` or ``"cuda:N"``)."""
    if device == "cpu":
        return np
    if isinstance(device, str) and device.startswith("cuda"):
        try:
            import cupy  # noqa: F401
        except ImportError as e:
            raise DeviceError(
                "device 'cuda' needs CuPy, which is not installed. "
                "Install learndl's GPU extra: pip install 'learndl[gpu]'."
            ) from e
        count = cuda_device_count()
        index = int(device.split(":")[1]) if ":" in device else 0
        if count == 0:
            raise DeviceError(
                f"device {device!r}: CuPy is installed but sees no CUDA GPU (no device or "
                "no driver). ld.cuda.is_available() tells before you move; stay on 'cpu'."
            )
        if index >= count:
            raise DeviceError(f"device {device!r}: only {count} CUDA device(s) exist.")
        return _load_cupy()
    raise DeviceError(f"unknown device {device!r}; use 'cpu' or 'cuda'.")


# --------------------------------------------------------------------------- kernels
def kernel(device: str, name: str) -> Any | None:
    """Return the optional override kernel registered for op ``name`` on ``device``."""
    return KERNELS.get(device, {}).get(name) if _kernels_on else None


def gpu_kernel(name: str, array: Any) -> Any | None:
    """The CUDA kernel registered for op ``name`` if ``array`` is a GPU array, else ``None``.

    On the CPU this is one global read: CuPy was never loaded, so nothing is looked up.
    """
    if _cupy is None or type(array) is np.ndarray:
        return None
    return kernel(device_of(array), name)


@contextlib.contextmanager
def without_kernels() -> Iterator[None]:
    """Run the plain ``xp`` code of every op, ignoring registered kernels (to compare or time).

    Example:
        >>> from learndl import backend
        >>> with backend.without_kernels():
        ...     backend.kernel("cuda", "relu") is None
        True
    """
    global _kernels_on
    previous, _kernels_on = _kernels_on, False
    try:
        yield
    finally:
        _kernels_on = previous


# --------------------------------------------------------------------------- library gaps
def scatter_add(out: Any, index: Any, values: Any) -> None:
    """``out[index] += values`` where repeated indices add up (``xp.add.at``).

    ``out[index] += values`` alone would keep only one of the repeated additions, in both
    libraries. (CuPy >= 14 has ``cupy.add.at``; its older ``cupyx.scatter_add`` is deprecated.)
    """
    xp(out).add.at(out, index, values)


def as_strided(x: Any, shape: tuple[int, ...], strides: tuple[int, ...]) -> Any:
    """A read-only view of ``x`` with a new shape and strides (in bytes), no copy.

    NOTE: NumPy's view is made read-only, since its windows overlap and writing one pixel
    would change several windows; CuPy's ``as_strided`` has no ``writeable`` flag.
    """
    if isinstance(x, np.ndarray):
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    return _load_cupy().lib.stride_tricks.as_strided(x, shape, strides)
