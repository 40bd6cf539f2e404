"""Lesson 08: convolution and pooling by hand."""

from __future__ import annotations

import numpy as np

from learndl.exercises.builtin._helpers import array, close, hidden_rng
from learndl.exercises.core import Check, checker, need


def _conv_ref(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("nchw,ochw->no", x[:, :, i : i + kh, j : j + kw], w)
    return out


@checker("conv_output_size", total=3)
def conv_output_size(ns):
    """Lesson 08. The cell defines ``conv_output_size(size, kernel, stride=1, padding=0)``:
    the output length of a convolution along one axis, an int:
    ``(size + 2 * padding - kernel) // stride + 1``."""
    fn = need(ns, "conv_output_size")
    size = int(hidden_rng().integers(20, 40))
    yield Check("no padding", fn(size, 3) == size - 2, "a 3-wide kernel fits size - 2 times")
    yield Check("padding", fn(size, 3, padding=1) == size, "padding adds 2 * padding")
    yield Check(
        "stride", fn(size, 4, stride=2) == (size - 4) // 2 + 1, "divide the free room by stride"
    )


@checker("conv2d_by_hand", total=4)
def conv2d_by_hand(ns):
    """Lesson 08. The cell defines ``conv2d(x, w)`` on NumPy arrays: images ``x`` of shape
    ``(N, C, H, W)``, kernels ``w`` of shape ``(O, C, kh, kw)``, stride 1, no padding,
    cross-correlation (no kernel flip) as in ``nn.Conv2d``; returns ``(N, O, H-kh+1,
    W-kw+1)``."""
    conv2d = need(ns, "conv2d")
    rng = hidden_rng()
    x, w = rng.standard_normal((2, 1, 6, 7)), rng.standard_normal((1, 1, 3, 3))
    out = array(conv2d(x, w))
    yield Check("output shape", out.shape == (2, 1, 4, 5), "H - kh + 1 by W - kw + 1")
    yield Check("values", close(out, _conv_ref(x, w)), "sum of window * kernel, no flip")
    w2 = rng.standard_normal((1, 1, 2, 3))
    yield Check("non-square kernel", close(conv2d(x, w2), _conv_ref(x, w2)), "use kh and kw")
    x3, w3 = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    yield Check("channels", close(conv2d(x3, w3), _conv_ref(x3, w3)), "sum over input channels too")


@checker("maxpool_by_hand", total=3)
def maxpool_by_hand(ns):
    """Lesson 08. The cell defines ``maxpool2d(x, k)`` on a NumPy array ``(N, C, H, W)``
    with H and W divisible by ``k``: the max of each non-overlapping ``k × k`` window
    (stride ``k``), shape ``(N, C, H // k, W // k)``."""
    maxpool2d = need(ns, "maxpool2d")
    rng = hidden_rng()
    x = rng.standard_normal((2, 3, 6, 8))
    out = array(maxpool2d(x, 2))
    yield Check("output shape", out.shape == (2, 3, 3, 4), "H // k by W // k")
    yield Check(
        "values", close(out, x.reshape(2, 3, 3, 2, 4, 2).max(axis=(3, 5))), "max per window"
    )
    yield Check(
        "other k",
        close(
            maxpool2d(x[:, :, :6, :6], 3),
            x[:, :, :6, :6].reshape(2, 3, 2, 3, 2, 3).max(axis=(3, 5)),
        ),
        "use k for the size and the stride",
    )
