"""Where arrays live: the one place that decides between NumPy and CuPy.

Every op asks ``xp(*arrays)`` for the array module of its inputs and then writes
``xp.exp(x)``, never ``numpy.exp`` or ``cupy.exp``. That single lookup is what lets
the same op code run on the CPU and, when CuPy and a CUDA device exist, on the GPU
(Chainer calls it ``get_array_module``).

Example:
    >>> import numpy as np
    >>> from learndl import backend
    >>> backend.xp(np.ones(3)) is np
    True
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from learndl.errors import DeviceError

# Optional faster implementations keyed by op name, e.g. ``{"relu": cupy_relu}``.
# An op looks here before running its ``xp`` code; the GPU backend fills it in.
KERNELS: dict[str, dict[str, Any]] = {"cpu": {}, "cuda": {}}


def device_of(array: Any) -> str:
    """Name the device an array lives on: ``"cpu"`` for NumPy, ``"cuda"`` otherwise."""
    if isinstance(array, np.ndarray | np.generic):
        return "cpu"
    module = type(array).__module__
    return "cuda" if module.startswith("cupy") else "cpu"


def xp(*arrays: Any) -> ModuleType:
    """Return the array module (numpy or cupy) shared by ``arrays``.

    Raises:
        DeviceError: if the arrays live on different devices.
    """
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
        import cupy  # only imported when a CuPy array is already in hand

        return cupy
    return np


def module_for(device: str) -> ModuleType:
    """Return the array module for a device name (``"cpu"`` or ``"cuda"``)."""
    if device == "cpu":
        return np
    if device.startswith("cuda"):
        try:
            import cupy
        except ImportError as e:
            raise DeviceError(
                "device 'cuda' needs CuPy, which is not installed. "
                "Install learndl's GPU extra: pip install 'learndl[gpu]'."
            ) from e
        return cupy
    raise DeviceError(f"unknown device {device!r}; use 'cpu' or 'cuda'.")


def kernel(device: str, name: str) -> Any | None:
    """Return the optional override kernel registered for op ``name`` on ``device``."""
    return KERNELS.get(device, {}).get(name)
