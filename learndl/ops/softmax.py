"""Softmax, log-softmax and softmax cross-entropy, each one node.

Composed from primitives, ``cross_entropy`` records ten nodes (max, subtract, exp, sum,
log, add, subtract, pick, negate, mean) and its backward a dozen more. The calculus folds
them into short formulas, so each of these ops computes its forward on raw arrays and
writes its backward as the formula, in learndl ops:

- softmax ``y``: ``dx = y * (g - sum(g * y))``;
- log-softmax ``y``: ``dx = g - exp(y) * sum(g)``;
- cross-entropy of logits ``z`` and labels: ``dz = (softmax(z) - onehot(labels)) * g``.

Example:
    >>> import learndl as ld
    >>> z = ld.zeros(2, 4, requires_grad=True)
    >>> loss = ld.cross_entropy(z, ld.tensor([0, 3]))
    >>> loss.grad_fn.name, round(loss.item(), 4)  # log(4)
    ('cross_entropy', 1.3863)
"""

from __future__ import annotations

from learndl.autograd import Function, is_recording
from learndl.ops.reduce import normalize_axis
from learndl.tensor import Tensor


def _log_softmax(x, axis):
    """Raw arrays: ``x - max - log(sum(exp(x - max)))``; the max keeps exp from overflowing."""
    shifted = x - x.max(axis=axis, keepdims=True)
    xp = Function.xp(x)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax(x, axis):
    e = Function.xp(x).exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Softmax(Function):
    name = "softmax"

    def forward(self, x):
        return _softmax(x, self.axis)

    def backward(self, grad):
        y = self.saved_output
        # The Jacobian diag(y) - y yᵀ, applied to grad without building it.
        return (y * (grad - (grad * y).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    name = "log_softmax"

    def forward(self, x):
        return _log_softmax(x, self.axis)

    def backward(self, grad):
        y = self.saved_output
        return (grad - y.exp() * grad.sum(axis=self.axis, keepdims=True),)


class CrossEntropy(Function):
    """``-log_softmax(logits)[i, labels[i]]`` for logits (N, C) and int labels (N,), reduced."""

    name = "cross_entropy"

    def forward(self, logits, labels):
        self.save_for_backward(*self.inputs)
        xp = self.xp(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = xp.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        # -log p[label] = log(sum(exp(shifted))) - shifted[label]: no (N, C) log-softmax needed
        loss = xp.log(total[:, 0]) - shifted[xp.arange(len(labels)), labels]
        e /= total  # in place: e becomes the softmax, which the backward needs
        self._probs = e
        if self.reduction == "none":
            return loss
        return loss.sum() / len(loss) if self.reduction == "mean" else loss.sum()

    def backward(self, grad):
        logits, labels = self.saved_tensors
        if not is_recording():  # a plain backward(): the same formula on arrays, no node
            d = _cross_entropy_grad(self._probs.copy(), labels.data, grad.data, self.reduction)
            return Tensor._make(d, False, None), None
        # NOTE: `_probs` is a private setting on purpose: @ld.function's tracer records no
        # setting that starts with "_", so a replayed graph recomputes the softmax from
        # each call's logits instead of reusing the first call's probabilities.
        d = CrossEntropyGrad.apply(
            logits, labels, grad, reduction=self.reduction, _probs=self._probs
        )
        return d, None


def _cross_entropy_grad(probs, labels, grad, reduction: str):
    """Raw arrays: ``(probs - onehot(labels)) * grad``, scaled by 1/N for a mean; ``probs``
    (a fresh copy of the softmax) is changed in place and returned."""
    n = len(labels)
    # NOTE: subtract before scaling: p - 1 is exact near p = 1
    probs[Function.xp(probs).arange(n), labels] -= 1.0
    if reduction == "none":
        probs *= grad.reshape(-1, 1)  # one upstream value per row
    else:
        probs *= grad / n if reduction == "mean" else grad
    return probs


class CrossEntropyGrad(Function):
    """cross_entropy's gradient ``(softmax(logits) - onehot(labels)) * grad`` (over N for mean).

    A node of its own, not raw arrays inside CrossEntropy.backward: so the gradient can be
    differentiated again (``create_graph=True``), and ``@ld.function`` replays it with each
    call's logits.
    """

    name = "cross_entropy_grad"

    def forward(self, logits, labels, grad):
        self.save_for_backward(*self.inputs)
        probs = getattr(self, "_probs", None)  # given by cross_entropy's forward, if it ran
        d = _softmax(logits, 1) if probs is None else probs.copy()  # a retained graph reuses it
        return _cross_entropy_grad(d, labels, grad, self.reduction)

    def backward(self, up):  # only for second derivatives
        logits, labels, grad = self.saved_tensors
        need_logits, _, need_grad = self.needs_input_grad
        n = len(labels.data)
        scale = grad.reshape(-1, 1) if self.reduction == "none" else grad
        scale = scale / n if self.reduction == "mean" else scale
        p = Softmax.apply(logits, axis=(1,))
        grad_logits = grad_grad = None
        if need_logits:  # the softmax Jacobian applied to up * scale
            v = up * scale
            grad_logits = p * (v - (v * p).sum(axis=1, keepdims=True))
        if need_grad:  # sum over classes of up * (p - onehot)
            rows = logits.xp.arange(n)
            per_row = (up * p).sum(axis=1) - up[rows, labels.data]
            if self.reduction != "none":
                per_row = per_row.sum() / n if self.reduction == "mean" else per_row.sum()
            grad_grad = per_row
        return grad_logits, None, grad_grad


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, stable for large ``x``."""
    return Softmax.apply(x, axis=normalize_axis("softmax", axis, x.ndim))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``axis``, stable for large ``x``."""
    return LogSoftmax.apply(x, axis=normalize_axis("log_softmax", axis, x.ndim))


def cross_entropy(logits: Tensor, labels: Tensor, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (N, C) against int labels (N,); labels are not checked."""
    return CrossEntropy.apply(logits, labels, reduction=reduction)
