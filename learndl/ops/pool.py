"""Pooling: ``max_pool2d`` and ``avg_pool2d``, each one node over the windows of (N, C, H, W).

Both start with im2col for pooling: a copy of the windows as ``kh*kw`` rows, row ``t``
holding element ``t`` of every window (of every image and channel). The max and the mean
of a window are then reductions over the outer axis, whole rows at a time -- NumPy runs
a reduction over two tiny trailing axes (``unfold(x).max(axis=(4, 5))``) many times slower.

Each backward hands the rows' gradients back to the pixels with ``fold`` (col2im): the
mean's gradient is shared evenly by the window; the max's goes to the element that won.

Example:
    >>> import learndl as ld
    >>> x = ld.arange(16.0).reshape(1, 1, 4, 4)
    >>> ld.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
"""

from __future__ import annotations

from learndl import autograd, backend
from learndl.autograd import Function
from learndl.errors import ShapeError
from learndl.ops.conv import _fold_windows, _out_shape, _pair, _windows, fold, unfold
from learndl.ops.shape import stack
from learndl.tensor import Tensor


def _rows(x, kernel, stride, padding):
    """im2col for pooling: a (kh*kw, N*C*oh*ow) copy, row t the window's t-th element."""
    windows = _windows(x, kernel, stride, padding)  # (N, C, oh, ow, kh, kw)
    return windows.transpose(4, 5, 0, 1, 2, 3).reshape(kernel[0] * kernel[1], -1)


def _fold_rows(rows: Tensor, node: Function) -> Tensor:
    """col2im for pooling: rows (kh*kw, N*C*oh*ow) added back into the input's pixels."""
    (kh, kw), (n, c, oh, ow) = node.kernel, node.out_shape
    windows = rows.reshape(kh, kw, n, c, oh, ow).permute(2, 3, 4, 5, 0, 1)
    return fold(windows, node.inputs[0].shape, node.kernel, node.stride, node.padding)


class MaxPool(Function):
    """Largest value of each window; its gradient goes to the element that was largest."""

    name = "max_pool2d"

    def forward(self, x):
        gpu = backend.gpu_kernel("max_pool2d", x)  # cuda_kernels/pool.py: one launch
        if gpu:  # it saves where each max was (flat indices), not a mask
            out, where = gpu(x, self.kernel, self.stride)
            self.save_for_backward(Tensor._make(where, False, None))
            return out
        rows = _rows(x, self.kernel, self.stride, self.padding)
        out = rows.max(axis=0)  # over the outer axis: whole rows at a time, fast
        won = rows == out  # one-hot rows, except where a window holds its max twice
        # On a tie the first element keeps the whole gradient, as in PyTorch (a ReLU before
        # the pool makes ties of zeros common): drop every win after a window's first.
        # (A loop over the kh*kw rows: NumPy's cumsum down them is ~10x slower.)
        seen = won[0].copy()
        for t in range(1, len(won)):
            won[t] &= ~seen
            seen |= won[t]
        self.save_for_backward(Tensor._make(won, False, None))
        return out.reshape(self.out_shape)

    def backward(self, grad):
        (won,) = self.saved_tensors
        if autograd.is_recording():  # the mask must be a graph value too: recompute it in ops
            return (_fold_rows(grad.reshape(1, -1) * self._winners_in_ops(), self),)
        gpu = backend.gpu_kernel("max_pool2d_backward", grad.data)
        if gpu:  # `won` holds the flat indices of the maxima there
            dx = gpu(grad.data, won.data, self.inputs[0].shape)
            return (Tensor._make(dx, False, None),)
        # A plain backward: the same product and col2im on the raw arrays.
        rows = grad.data.reshape(1, -1) * won.data
        (kh, kw), (n, c, oh, ow) = self.kernel, self.out_shape
        windows = rows.reshape(kh, kw, n, c, oh, ow).transpose(2, 3, 4, 5, 0, 1)
        args = (self.inputs[0].shape, self.kernel, self.stride, self.padding)
        return (Tensor._make(_fold_windows(windows, *args), False, None),)

    def _winners_in_ops(self) -> Tensor:
        """``won`` of forward, from the input and output tensors: one-hot rows of 0.0/1.0."""
        x, out = self.inputs[0], self.saved_output
        windows = unfold(x, self.kernel, self.stride, self.padding)
        rows = windows.permute(4, 5, 0, 1, 2, 3).reshape(-1, out.numel())
        won = (rows == out.reshape(1, -1)).to(x.dtype)
        firsts, seen = [won[0]], won[0]
        for t in range(1, won.shape[0]):
            firsts.append(won[t] * (1.0 - seen))
            seen = seen + firsts[-1]
        return stack(firsts)


class AvgPool(Function):
    """Mean of each window, zero padding included; each pixel gets 1/(kh*kw) of the gradient."""

    name = "avg_pool2d"

    def forward(self, x):
        rows = _rows(x, self.kernel, self.stride, self.padding)
        return rows.mean(axis=0).reshape(self.out_shape)  # over the outer axis: fast

    def backward(self, grad):
        (kh, kw) = self.kernel
        share = (grad * (1.0 / (kh * kw))).reshape(1, -1)
        return (_fold_rows(share.expand(kh * kw, share.shape[1]), self),)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Largest value of each window; ``stride`` defaults to the kernel size.

    Rows and columns that no whole window covers are dropped (floor), as in PyTorch.

    Example:
        >>> import learndl as ld
        >>> ld.max_pool2d(ld.arange(9.0).reshape(1, 1, 3, 3), 2, stride=1).tolist()
        [[[[4.0, 5.0], [7.0, 8.0]]]]
    """
    if padding:
        raise ShapeError("max_pool2d: padding is not supported; crop or pad the input first.")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    oh, ow = _out_shape("max_pool2d", x, kernel, stride, (0, 0))
    settings = {"kernel": kernel, "stride": stride, "padding": (0, 0)}
    return MaxPool.apply(x, out_shape=(*x.shape[:2], oh, ow), **settings)


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean of each window (zero padding counts toward the mean, as PyTorch's default).

    Example:
        >>> import learndl as ld
        >>> ld.avg_pool2d(ld.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
        [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    kernel, padding = _pair(kernel_size), _pair(padding)
    stride = kernel if stride is None else _pair(stride)
    oh, ow = _out_shape("avg_pool2d", x, kernel, stride, padding)
    settings = {"kernel": kernel, "stride": stride, "padding": padding}
    return AvgPool.apply(x, out_shape=(*x.shape[:2], oh, ow), **settings)
