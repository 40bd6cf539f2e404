"""Convolution and pooling by im2col: two primitives, ``unfold`` and ``fold``.

``unfold`` turns an image batch (N, C, H, W) into its sliding windows
(N, C, out_h, out_w, kh, kw) -- a strided *view*, no copy. ``fold`` is its adjoint: it adds
window values back into their pixels, so each is the other's backward. Everything else is
composed from ops that already have a backward:

- ``conv2d``: windows reshaped to a (N*out_h*out_w, C*kh*kw) matrix (im2col) times the
  weights reshaped to (O, C*kh*kw), then reshaped back to (N, O, out_h, out_w);
- ``max_pool2d`` / ``avg_pool2d``: ``max`` / ``mean`` over the two window axes.

Example:
    >>> import learndl as ld
    >>> x = ld.arange(16.0).reshape(1, 1, 4, 4)
    >>> ld.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
"""

from __future__ import annotations

from learndl import backend
from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.ops.compare import maximum
from learndl.tensor import Tensor


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _out_size(size: int, k: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - k) // stride + 1


class Unfold(Function):
    """im2col: every (kh, kw) window of a padded image, as a strided view."""

    name = "unfold"

    def forward(self, x):
        gpu = backend.gpu_kernel("unfold", x)  # im2col.py: a copy, not a view, on the GPU
        if gpu:
            return gpu(x, self.kernel, self.stride, self.padding)
        xp = self.xp(x)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        if ph or pw:
            x = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        s0, s1, s2, s3 = x.strides
        return backend.as_strided(x, (n, c, oh, ow, kh, kw), (s0, s1, s2 * sh, s3 * sw, s2, s3))

    def backward(self, grad):
        return (fold(grad, self.inputs[0].shape, self.kernel, self.stride, self.padding),)


class Fold(Function):
    """col2im: add each window's values back into the pixels they came from."""

    name = "fold"

    def forward(self, cols):
        gpu = backend.gpu_kernel("fold", cols)  # col2im in im2col.py on the GPU
        if gpu:
            return gpu(cols, self.shape, self.kernel, self.stride, self.padding)
        xp = self.xp(cols)
        n, c, h, w = self.shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        oh, ow = cols.shape[2], cols.shape[3]
        out = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
        # One strided slice per kernel position: kh*kw vectorized adds, not N*C*H*W loops.
        for i in range(kh):
            for j in range(kw):
                out[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw] += cols[:, :, :, :, i, j]
        return out[:, :, ph : ph + h, pw : pw + w]

    def backward(self, grad):
        return (unfold(grad, self.kernel, self.stride, self.padding),)


def unfold(x: Tensor, kernel_size, stride=1, padding=0) -> Tensor:
    """Sliding windows of an (N, C, H, W) batch: shape (N, C, out_h, out_w, kh, kw)."""
    kernel, stride, padding = _pair(kernel_size), _pair(stride), _pair(padding)
    _out_shape("unfold", x, kernel, stride, padding)
    return Unfold.apply(x, kernel=kernel, stride=stride, padding=padding)


def _out_shape(op: str, x: Tensor, kernel, stride, padding) -> tuple[int, int]:
    """(out_h, out_w) of sliding ``kernel`` over an (N, C, H, W) batch; errors say why not."""
    if x.ndim != 4:
        raise ShapeError(f"{op}: expects an (N, C, H, W) batch, got shape {x.shape}.")
    out = []
    for size, k, s, p, axis in zip(x.shape[2:], kernel, stride, padding, "HW", strict=True):
        out.append(_out_size(size, k, s, p))
        if out[-1] < 1:
            raise ShapeError(
                f"{op}: a {k}-wide kernel does not fit an input of {axis}={size} with "
                f"padding {p}; use a smaller kernel or more padding."
            )
    return out[0], out[1]


def fold(cols: Tensor, shape, kernel_size, stride=1, padding=0) -> Tensor:
    """Adjoint of ``unfold``: windows (N, C, oh, ow, kh, kw) summed back into ``shape``."""
    return Fold.apply(
        cols,
        shape=tuple(shape),
        kernel=_pair(kernel_size),
        stride=_pair(stride),
        padding=_pair(padding),
    )


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """2-D cross-correlation (what deep learning calls convolution), images NCHW.

    Args:
        x: input of shape (N, C, H, W).
        weight: kernels of shape (O, C, kh, kw).
        bias: optional (O,).
        stride: step between windows (int or pair).
        padding: zeros added on each side (int or pair).

    Example:
        >>> import learndl as ld
        >>> ld.conv2d(ld.ones(1, 1, 3, 3), ld.ones(2, 1, 2, 2)).shape
        (1, 2, 2, 2)
    """
    if x.ndim != 4 or weight.ndim != 4:
        raise ShapeError(
            f"conv2d: expects input (N, C, H, W) and weight (O, C, kh, kw), got {x.shape} "
            f"and {weight.shape}. A single image needs a batch axis: x.unsqueeze(0)."
        )
    out_ch, in_ch, kh, kw = weight.shape
    if x.shape[1] != in_ch:
        raise ShapeError(
            f"conv2d: input has {x.shape[1]} channels (shape {x.shape}) but the weight "
            f"{weight.shape} expects {in_ch}. Did Conv2d({in_ch}, {out_ch}, ...) expect "
            f"in_channels={x.shape[1]}?"
        )
    windows = unfold(x, (kh, kw), stride, padding)  # (N, C, oh, ow, kh, kw)
    n, _, oh, ow, _, _ = windows.shape
    cols = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, in_ch * kh * kw)
    out = cols @ weight.reshape(out_ch, in_ch * kh * kw).transpose()  # (N*oh*ow, O)
    if bias is not None:
        out = out + bias
    return out.reshape(n, oh, ow, out_ch).permute(0, 3, 1, 2)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Largest value of each window; ``stride`` defaults to the kernel size."""
    stride = kernel_size if stride is None else stride
    if padding:
        raise ShapeError("max_pool2d: padding is not supported; crop or pad the input first.")
    (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
    oh, ow = _out_shape("max_pool2d", x, (kh, kw), (sh, sw), (0, 0))
    # NOTE: unfold(x).max(axis=(4, 5)) gives the same values, but NumPy reduces over two tiny
    # trailing axes very slowly (30-50x slower than this on a 2x2 pool). Instead: the
    # elementwise maximum of the kh*kw strided slices of x, paired up as a balanced tree so
    # that tied values (zeros after a ReLU) share the gradient (evenly in a 2x2 window).
    parts = [
        x[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw]
        for i in range(kh)
        for j in range(kw)
    ]
    while len(parts) > 1:
        pairs = [maximum(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        parts = pairs + parts[len(pairs) * 2 :]
    return parts[0]


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean of each window (zero padding counts toward the mean, as PyTorch's default)."""
    stride = kernel_size if stride is None else stride
    return unfold(x, kernel_size, stride, padding).mean(axis=(4, 5))
