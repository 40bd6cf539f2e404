"""Convolution by im2col, and its two data movements ``unfold`` and ``fold``.

``unfold`` turns an image batch (N, C, H, W) into its sliding windows
(N, C, out_h, out_w, kh, kw) -- a strided *view* on the CPU, no copy. ``fold`` is its
adjoint: it adds window values back into their pixels, so each is the other's backward.

``conv2d`` is one node. Its forward copies the windows into one matrix ``cols`` of shape
(C*kh*kw, out_h*out_w*N) -- column ``m`` is the window under output pixel ``m`` (im2col) --
so that the convolution, and each of its gradients, is a single matrix product. With the
kernels as a matrix ``W`` (O, C*kh*kw) and the output gradient as ``G`` (O, out_h*out_w*N):

    out = W @ cols        grad_W = G @ cols.T        grad_cols = W.T @ G

and ``fold`` adds ``grad_cols`` back into the pixels each window came from (col2im).
Pooling lives in ``learndl/ops/pool.py``.

Example:
    >>> import learndl as ld
    >>> ld.conv2d(ld.ones(1, 1, 3, 3), ld.ones(1, 1, 2, 2)).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
"""

from __future__ import annotations

from learndl import autograd, backend
from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.ops._util import binary_operands
from learndl.tensor import Tensor


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _out_size(size: int, k: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - k) // stride + 1


def _pad(x, ph: int, pw: int):
    """``x`` (N, C, H, W) inside a border of zeros, ``ph`` rows and ``pw`` columns wide."""
    if not (ph or pw):
        return x
    n, c, h, w = x.shape
    out = backend.xp(x).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    out[:, :, ph : ph + h, pw : pw + w] = x
    return out


def _windows(x, kernel, stride, padding):
    """The (N, C, oh, ow, kh, kw) windows of a raw array: a view on the CPU, a copy on the GPU."""
    gpu = backend.gpu_kernel("unfold", x)  # im2col.py: one kernel launch, padding included
    if gpu:
        return gpu(x, kernel, stride, padding)
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    x = _pad(x, ph, pw)
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    s0, s1, s2, s3 = x.strides
    return backend.as_strided(x, (n, c, oh, ow, kh, kw), (s0, s1, s2 * sh, s3 * sw, s2, s3))


def _fold_windows(cols, shape, kernel, stride, padding):
    """col2im on raw arrays: window values (N, C, oh, ow, kh, kw) summed into ``shape``."""
    gpu = backend.gpu_kernel("fold", cols)  # col2im in im2col.py on the GPU
    if gpu:
        return gpu(cols, shape, kernel, stride, padding)
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = cols.shape[2], cols.shape[3]
    out = backend.xp(cols).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    overlap = sh < kh or sw < kw  # pooling windows usually don't: then each pixel gets one value
    # One strided slice per kernel position: kh*kw vectorized adds, not N*C*H*W loops.
    for i in range(kh):
        for j in range(kw):
            tap = out[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw]
            if overlap:
                tap += cols[:, :, :, :, i, j]
            else:
                tap[...] = cols[:, :, :, :, i, j]  # a copy is cheaper than an add
    return out[:, :, ph : ph + h, pw : pw + w]


class Unfold(Function):
    """im2col: every (kh, kw) window of a padded image, as a strided view."""

    name = "unfold"

    def forward(self, x):
        return _windows(x, self.kernel, self.stride, self.padding)

    def backward(self, grad):
        return (fold(grad, self.inputs[0].shape, self.kernel, self.stride, self.padding),)


class Fold(Function):
    """col2im: add each window's values back into the pixels they came from."""

    name = "fold"

    def forward(self, cols):
        return _fold_windows(cols, self.shape, self.kernel, self.stride, self.padding)

    def backward(self, grad):
        return (unfold(grad, self.kernel, self.stride, self.padding),)


def _taps(padded, kernel, stride, out_hw):
    """View (C, kh, kw, oh, ow, N) of a padded batch stored (C, Hp, Wp, N): [c, i, j, y, x, n]
    is the pixel that kernel tap (i, j) reads for output pixel (y, x) of image n. Writable,
    unlike ``backend.as_strided``: col2im adds through it, one tap at a time."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    c, n = padded.shape[0], padded.shape[3]
    s0, s1, s2, s3 = padded.strides
    strides = (s0, s1, s2, s1 * sh, s2 * sw, s3)
    return backend.xp(padded).lib.stride_tricks.as_strided(padded, (c, kh, kw, oh, ow, n), strides)


def _im2col(x, kernel, stride, padding, out_hw):
    """im2col: the (C*kh*kw, oh*ow*N) matrix whose column m is the window of output pixel m."""
    (n, c, h, w), (kh, kw), (ph, pw) = x.shape, kernel, padding
    gpu = backend.gpu_kernel("unfold", x)  # im2col.py: (N, C, oh, ow, kh, kw) in one launch
    if gpu:
        return gpu(x, kernel, stride, padding).transpose(1, 4, 5, 2, 3, 0).reshape(c * kh * kw, -1)
    padded = backend.xp(x).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype)
    padded[:, ph : ph + h, pw : pw + w] = x.transpose(1, 2, 3, 0)  # batch axis last
    return _taps(padded, kernel, stride, out_hw).reshape(c * kh * kw, -1)  # the one copy


def _col2im_matmul(weight, g, shape, kernel, stride, padding):
    """The input's gradient ``col2im(W.T @ G)`` from G (O, oh*ow*N), on raw arrays."""
    (n, c, h, w), (kh, kw), (ph, pw) = shape, kernel, padding
    oh, ow = _out_size(h, kh, stride[0], ph), _out_size(w, kw, stride[1], pw)
    if backend.gpu_kernel("fold", g):  # one product, then col2im in one launch
        grad_cols = weight.reshape(weight.shape[0], -1).T @ g
        windows = grad_cols.reshape(c, kh, kw, oh, ow, n).transpose(5, 0, 3, 4, 1, 2)
        return _fold_windows(windows, shape, kernel, stride, padding)
    # One kernel tap at a time: tap (i, j) sends W[:, :, i, j].T @ G back to the pixels it
    # read. The (C*kh*kw, oh*ow*N) matrix never exists, only kh*kw products of G's size.
    padded = backend.xp(g).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=g.dtype)
    taps = _taps(padded, kernel, stride, (oh, ow))  # one tap's pixels are distinct: += is safe
    for i in range(kh):
        for j in range(kw):
            taps[:, i, j] += (weight[:, :, i, j].T @ g).reshape(c, oh, ow, n)
    grad_x = padded[:, ph : ph + h, pw : pw + w].transpose(3, 0, 1, 2)
    return backend.xp(g).ascontiguousarray(grad_x)  # back to (N, C, H, W)


class Conv(Function):
    """``conv2d``: im2col, then one matrix product forward and one per gradient.

    NOTE: the columns of ``cols`` are ordered (y, x, n), the batch axis last, and so is the
    padded copy of the input, (C, Hp, Wp, N). For one channel and one kernel tap, the
    pixels read for a whole row of outputs, in every image, are then ``ow * N`` neighbours
    in memory, so im2col copies (and col2im adds) long runs. Ordered (n, y, x), the runs
    would be ``ow`` long (8 on an 8x8 image), and NumPy pays a fixed cost per run.
    """

    name = "conv2d"

    def forward(self, x, weight, bias=None):
        n, out_ch, (kh, kw), (ph, pw) = x.shape[0], weight.shape[0], self.kernel, self.padding
        oh = _out_size(x.shape[2], kh, self.stride[0], ph)
        ow = _out_size(x.shape[3], kw, self.stride[1], pw)
        cols = _im2col(x, self.kernel, self.stride, self.padding, (oh, ow))
        self.save_for_backward(self.inputs[1], Tensor._make(cols, False, None))
        out = (weight.reshape(out_ch, -1) @ cols).reshape(out_ch, oh, ow, n)
        y = self.xp(x).empty((n, out_ch, oh, ow), dtype=out.dtype)  # NCHW, contiguous
        if bias is None:
            y[...] = out.transpose(3, 0, 1, 2)
        else:  # the bias is added during the copy into NCHW
            self.xp(x).add(out.transpose(3, 0, 1, 2), bias.reshape(-1, 1, 1), out=y)
        return y

    def backward(self, grad):
        weight, cols = self.saved_tensors
        need_x, need_w, *need_b = self.needs_input_grad
        if autograd.is_recording():  # the same products in learndl ops, for a graph of it
            return self._backward_in_ops(grad, weight)
        g = grad.data.transpose(1, 2, 3, 0).reshape(weight.shape[0], -1)  # G: (O, oh*ow*N)
        grad_x = grad_w = grad_b = None
        if need_x:  # the first layer's input is data: skipping it saves kh*kw products
            args = (self.inputs[0].shape, self.kernel, self.stride, self.padding)
            grad_x = Tensor._make(_col2im_matmul(weight.data, g, *args), False, None)
        if need_w:
            # NOTE: (cols @ G.T).T is G @ cols.T, but BLAS runs this orientation ~1.5x faster.
            grad_w = (cols.data @ g.T).T.reshape(weight.shape)
            grad_w = Tensor._make(grad_w, False, None)
        if need_b and need_b[0]:
            grad_b = Tensor._make(g.sum(axis=1), False, None)
        return (grad_x, grad_w, grad_b)[: len(self.inputs)]

    def _backward_in_ops(self, grad, weight):
        """The backward above written in learndl ops, so that it can be differentiated again."""
        x, out_ch = self.inputs[0], weight.shape[0]
        n, c, (oh, ow), (kh, kw) = x.shape[0], x.shape[1], grad.shape[2:], self.kernel
        need_x, need_w, *need_b = self.needs_input_grad
        g = grad.permute(1, 2, 3, 0).reshape(out_ch, oh * ow * n)
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_cols = weight.reshape(out_ch, -1).transpose() @ g
            windows = grad_cols.reshape(c, kh, kw, oh, ow, n).permute(5, 0, 3, 4, 1, 2)
            grad_x = fold(windows, x.shape, self.kernel, self.stride, self.padding)
        if need_w:
            windows = unfold(x, self.kernel, self.stride, self.padding)  # (N, C, oh, ow, kh, kw)
            cols = windows.permute(1, 4, 5, 2, 3, 0).reshape(c * kh * kw, oh * ow * n)
            grad_w = (g @ cols.transpose()).reshape(weight.shape)
        if need_b and need_b[0]:
            grad_b = g.sum(axis=1)
        return (grad_x, grad_w, grad_b)[: len(self.inputs)]


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
    kernel, stride, padding = (kh, kw), _pair(stride), _pair(padding)
    _out_shape("conv2d", x, kernel, stride, padding)
    x, weight = binary_operands("conv2d", x, weight)
    settings = {"kernel": kernel, "stride": stride, "padding": padding}
    if bias is None:
        return Conv.apply(x, weight, **settings)
    if bias.shape != (out_ch,):
        raise ShapeError(f"conv2d: the bias must have shape ({out_ch},), got {bias.shape}.")
    weight, bias = binary_operands("conv2d", weight, bias)
    return Conv.apply(x, weight, bias, **settings)
