"""Hand-written CUDA kernels: optional, readable overrides for a few ops on the GPU.

Each file is one lesson: ``elementwise.py`` (ReLU, GELU), ``softmax_ce.py`` (a fused
softmax cross-entropy), ``im2col.py`` (the data movement under convolution), ``pool.py``
(max pooling, one thread per window) and ``matmul.py`` (a tiled shared-memory matrix
product, for reading beside cuBLAS).

``register`` fills ``backend.KERNELS["cuda"]`` with Python callables on raw CuPy arrays,
keyed by op name; it runs once, the first time CuPy is used. Nothing here imports CuPy at
module level, so the sources can be read, and compile-checked with NVRTC (see
``nvrtc.py``), on a machine without a GPU.

Example:
    >>> from learndl.backend import cuda_kernels
    >>> sorted(cuda_kernels.sources())[:2]
    ['col2im', 'gelu_backward']
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from learndl.backend.cuda_kernels import elementwise, im2col, matmul, pool, softmax_ce

# A RawKernel's source says ``T``; a typedef in front makes one copy per dtype.
CTYPES = {np.dtype("float32"): "float", np.dtype("float64"): "double"}
RAW_MODULES = (softmax_ce, im2col, pool, matmul)


def typed(source: str, ctype: str) -> str:
    """``source`` with its element type ``T`` fixed to ``ctype`` (``float`` or ``double``)."""
    return f"typedef {ctype} T;\n{source}"


def sources() -> dict[str, str]:
    """Every kernel's CUDA text by name, as a learner reads it (``T`` left generic)."""
    out = {name: spec[2] for name, spec in elementwise.ALL.items()}
    for module in RAW_MODULES:
        out.update(dict.fromkeys(module.KERNELS, module.SOURCE))
    return out


@cache
def _raw_kernels(module: Any, dtype: np.dtype) -> dict[str, Any]:
    """The RawKernels of ``module`` for one dtype; CuPy compiles each on its first launch."""
    import cupy

    if dtype not in CTYPES:
        raise TypeError(f"{module.__name__}: CUDA kernels take float32 or float64, not {dtype}.")
    code = typed(module.SOURCE, CTYPES[dtype])
    return {name: cupy.RawKernel(code, name) for name in module.KERNELS}


def register(table: dict[str, Any]) -> None:
    """Fill ``table`` (``backend.KERNELS["cuda"]``) with every kernel, keyed by op name."""
    from learndl.backend.cuda_kernels import fused

    relu_fwd, relu_bwd, gelu_fwd, gelu_bwd = map(elementwise.make, elementwise.ALL.values())

    def raw(module: Any, array: Any) -> dict[str, Any]:
        return _raw_kernels(module, np.dtype(array.dtype))

    table.update(
        {
            # array level, consulted by the ops (learndl/ops/unary.py, conv.py, pool.py)
            "relu": relu_fwd,
            "relu_backward": relu_bwd,
            "unfold": lambda x, k, s, p: im2col.im2col(raw(im2col, x), x, k, s, p),
            "fold": lambda c, shape, k, s, p: im2col.col2im(raw(im2col, c), c, shape, k, s, p),
            "max_pool2d": lambda x, k, s: pool.forward(raw(pool, x), x, k, s),
            "max_pool2d_backward": lambda g, where, shape: pool.backward(
                raw(pool, g), g, where, shape
            ),
            # array level, used by the fused Functions in fused.py
            "gelu_forward": gelu_fwd,
            "gelu_backward": gelu_bwd,
            "softmax_ce_forward": lambda z, y: softmax_ce.forward(raw(softmax_ce, z), z, y),
            "softmax_ce_backward": lambda z, y, lse, g: softmax_ce.backward(
                raw(softmax_ce, z), z, y, lse, g
            ),
            # tensor level: drop-in replacements for the composites of learndl.functional
            "gelu": fused.gelu,
            "cross_entropy": fused.cross_entropy,
            # for teaching only: matmul itself uses cuBLAS
            "matmul_tiled": lambda a, b: matmul.matmul_tiled(raw(matmul, a), a, b),
        }
    )
