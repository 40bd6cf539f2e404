"""GELU and softmax cross-entropy as single ops whose forward and backward are CUDA kernels.

In ``learndl.functional`` both are *composites*: a handful of primitive ops, each its own
kernel launch, differentiated op by op. Here each is one ``Function`` whose forward and
backward call one fused kernel (``elementwise.py``, ``softmax_ce.py``), looked up in
``backend.KERNELS`` for the device of the input.

The backward uses its kernel for an ordinary ``backward()``. With ``create_graph=True``
it writes the same derivative in learndl ops instead, so the gradient can be
differentiated again -- the same rule every learndl op follows.
"""

from __future__ import annotations

import math

from learndl import backend, functional, ops
from learndl.autograd import Function, is_recording
from learndl.tensor import Tensor

SQRT1_2, INV_SQRT_2PI = 1.0 / math.sqrt(2.0), 1.0 / math.sqrt(2.0 * math.pi)


def _kernel(array, name: str):
    return backend.kernel(backend.device_of(array), name)


class Gelu(Function):
    """``x * Phi(x)`` (the exact GELU), forward and backward by elementwise kernels."""

    name = "gelu"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return _kernel(x, "gelu_forward")(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        fused = _kernel(grad.data, "gelu_backward")
        if fused is not None and not is_recording():  # a plain backward: one kernel
            return (Tensor._make(fused(grad.data, x.data), False, None),)
        cdf = 0.5 * (1.0 + ops.erf(x * SQRT1_2))  # Phi(x)
        pdf = ops.exp(-0.5 * x * x) * INV_SQRT_2PI  # phi(x)
        return (grad * (cdf + x * pdf),)


class SoftmaxCrossEntropy(Function):
    """Per-row ``-log softmax(logits)[label]`` for logits (N, C) and int labels (N,)."""

    name = "softmax_cross_entropy"

    def forward(self, logits, labels):
        loss, self.lse = _kernel(logits, "softmax_ce_forward")(logits, labels)
        return loss

    def backward(self, grad):
        logits, labels = self.inputs
        fused = _kernel(grad.data, "softmax_ce_backward")
        if fused is not None and not is_recording():  # a plain backward: one kernel
            dz = fused(logits.data, labels.data, self.lse, grad.data)
            return Tensor._make(dz, False, None), None
        # d loss_i / d z_ij = softmax(z_i)_j - [j == label_i], in learndl ops.
        xp = logits.xp
        onehot = xp.eye(logits.shape[1], dtype=logits.dtype)[labels.data]
        probs = functional.softmax(logits, dim=1)
        dz = (probs - Tensor._make(onehot, False, None)) * grad.reshape(-1, 1)
        return dz, None


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Exact GELU by fused kernels; the tanh form, or no kernel, falls back to the composite."""
    if approximate != "none" or _kernel(x.data, "gelu_forward") is None:
        return functional.gelu(x, approximate)
    return Gelu.apply(x)


def cross_entropy(
    logits: Tensor, target: Tensor, reduction: str = "mean", label_smoothing: float = 0.0
) -> Tensor:
    """``functional.cross_entropy`` with the softmax and the log-likelihood fused in kernels."""
    if label_smoothing or _kernel(logits.data, "softmax_ce_forward") is None:
        return functional.cross_entropy(logits, target, reduction, label_smoothing)
    functional._check_labels("cross_entropy", logits, target)
    loss = SoftmaxCrossEntropy.apply(logits, target)
    return functional._reduce(loss, reduction, "cross_entropy")
