"""Kernels: what each node runs at replay, a plain function of raw arrays.

Common ops get a direct NumPy call; the elementwise ones and matmul accept ``out=`` so that
fusion and memory planning can write into a buffer they already own (relu's backward mask
is one of them, so mask and product fuse). Any other op runs its own ``forward`` on a node
object made once, so every op of the engine can be replayed. One kernel shares work with
an earlier one: a ``cross_entropy_grad`` reuses the softmax its ``cross_entropy`` computed
in the same replay, as eager backward does.

Example:
    >>> import numpy as np
    >>> from learndl.static.kernels import ELEMENTWISE
    >>> ELEMENTWISE["relu"]({})(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from learndl.static.ir import Node, Ref
from learndl.tensor import Tensor

Kernel = Callable[..., Any]


def _ufunc(f: Any) -> Callable[[dict], Kernel]:
    return lambda s: f


def _sigmoid(s: dict) -> Kernel:
    def sigmoid(x, out=None):  # the same steps, in the same order, as ops.Sigmoid.forward
        t = np.multiply(x, 0.5, out=out)
        np.tanh(t, out=t)
        np.add(t, 1.0, out=t)
        return np.multiply(t, 0.5, out=t)

    return sigmoid


def _relu(s: dict) -> Kernel:
    # NOTE: NumPy's maximum against the scalar 0 takes a slow loop, against an array of
    # zeros a vectorized one (~3x faster on (64, 128)); the zeros are made once per shape.
    zeros: dict[tuple, Any] = {}

    def relu(x, out=None):
        z = zeros.get((x.shape, x.dtype))
        if z is None:
            z = zeros[(x.shape, x.dtype)] = np.zeros_like(x)
        return np.maximum(x, z, out=out)

    return relu


def _mask(s: dict) -> Kernel:
    """rules.Mask: a comparison cast to a 0/1 mask; with ``out=`` it is written in place, so
    that relu's backward (mask, then multiply) fuses into one step."""
    ufunc, dtype = getattr(np, s["ufunc"]), s["dtype"]

    def mask(*arrays, out=None):
        if out is not None:
            return ufunc(*arrays, out=out, casting="unsafe")
        result = ufunc(*arrays)
        return result if dtype is None else result.astype(dtype)

    return mask


# op name -> (settings -> kernel); every kernel here takes out= and works elementwise
ELEMENTWISE: dict[str, Callable[[dict], Kernel]] = {
    "add": _ufunc(np.add),
    "sub": _ufunc(np.subtract),
    "mul": _ufunc(np.multiply),
    "div": _ufunc(np.true_divide),
    "neg": _ufunc(np.negative),
    "exp": _ufunc(np.exp),
    "log": _ufunc(np.log),
    "sqrt": _ufunc(np.sqrt),
    "abs": _ufunc(np.abs),
    "tanh": _ufunc(np.tanh),
    "maximum": _ufunc(np.maximum),
    "minimum": _ufunc(np.minimum),
    "relu": _relu,
    "mask": _mask,
    "sigmoid": _sigmoid,
    "pow": lambda s: lambda x, out=None: np.power(x, s["exponent"], out=out),
    "clip": lambda s: lambda x, out=None: np.clip(x, s["low"], s["high"], out=out),
}

# other ops with a direct call (no out=)
DIRECT: dict[str, Callable[[dict], Kernel]] = {
    "matmul": _ufunc(np.matmul),  # a ufunc too: it takes out=
    "reshape": lambda s: lambda x: x.reshape(s["shape"]),
    "permute": lambda s: lambda x: x.transpose(s["dims"]),
    "expand": lambda s: lambda x: np.broadcast_to(x, s["shape"]),
    "sum": lambda s: lambda x: x.sum(axis=s["axis"], keepdims=s["keepdims"]),
    "mean": lambda s: lambda x: x.mean(axis=s["axis"], keepdims=s["keepdims"]),
    "cast": lambda s: lambda x: x.astype(s["dtype"]),
}

TAKES_OUT = set(ELEMENTWISE) | {"matmul"}
# ops whose output may share memory with an input (memory planning must not reuse those)
VIEWS = {"reshape", "permute", "expand", "getitem", "unfold"}
FRESH = TAKES_OUT | {"sum", "mean", "max", "cast", "clone", "mask", "where", "cat", "fold"}
FRESH |= {"scatter_add", "erf", "fused"}
FRESH |= {"linear", "softmax", "log_softmax", "cross_entropy", "cross_entropy_grad"}
FRESH |= {"conv2d", "max_pool2d", "avg_pool2d"}

_OWN_OPS = ("learndl.ops", "learndl.static")  # a user's Function of the same name runs its own

_PLACEHOLDER = Tensor._make(np.zeros(()), False, None)


def _resolve(v: Any, refs: dict[int, Any]) -> Any:
    if isinstance(v, Ref):
        return refs[v.vid]
    if isinstance(v, tuple | list):
        return type(v)(_resolve(x, refs) for x in v)
    return v


def _by_forward(node: Node) -> Kernel:
    """Run the op's own ``forward`` on a node object built once (the general path)."""
    op = node.fn.__new__(node.fn)
    op.__dict__.update(node.settings)
    op.inputs = (_PLACEHOLDER,) * node.arity  # forward may save_for_backward(self.inputs[0])
    op._saved, op._output = (), None
    ref_ids = node.inputs[node.arity :]
    if not ref_ids:
        return op.forward
    settings, arity = node.settings, node.arity

    def forward_with_refs(*arrays):
        refs = dict(zip(ref_ids, arrays[arity:]))
        op.__dict__.update({k: _resolve(v, refs) for k, v in settings.items()})
        return op.forward(*arrays[:arity])

    return forward_with_refs


_IGNORED_LATER = (
    " (Is one of them equal to ignore_index, in a batch after the first? When the traced"
    " batch ignored no label, the graph holds the fast one-node loss, which cannot skip rows;"
    " pass weight=ld.ones(C) to trace the form that skips them on every call.)"
)


def _checked_cross_entropy(forward: Any) -> Kernel:
    """cross_entropy's forward with the label check eager code runs before it (a replay has
    no Python around the node to do it)."""
    from learndl.functional import check_label_range

    def cross_entropy(logits, labels):
        check_label_range(labels, logits.shape[1], "cross_entropy", _IGNORED_LATER)
        return forward(logits, labels)

    cross_entropy.op = forward.__self__  # where its softmax is left for the gradient
    return cross_entropy


def _cross_entropy_grad_from(forward: Any, reduction: str) -> Kernel:
    """cross_entropy_grad reusing the softmax that ``forward`` (the cross_entropy kernel of the
    same logits, run earlier in the same replay) left in ``forward.op._probs``, as eager
    backward does; computing it again costs a training step ~10% of its replay."""
    from learndl.ops.softmax import _cross_entropy_grad

    op = forward.op

    def cross_entropy_grad(logits, labels, grad):
        return _cross_entropy_grad(op._probs.copy(), labels, grad, reduction)

    return cross_entropy_grad


def kernel_for(node: Node, earlier: dict[tuple, Kernel] | None = None) -> Kernel:
    """The replay function of one node (fused nodes are compiled by the fusion pass).

    ``earlier`` maps ``(op, input value ids, reduction)`` to the kernels of nodes compiled
    before this one; a cross_entropy_grad finds its cross_entropy there.
    """
    if node.op == "fused":
        return node.settings["kernel"]
    if earlier is not None and node.op == "cross_entropy_grad" and node.arity == 3:
        key = ("cross_entropy", tuple(node.inputs[:2]), node.settings.get("reduction"))
        if key in earlier:
            return _cross_entropy_grad_from(earlier[key], node.settings["reduction"])
    name = getattr(node.fn, "name", None)  # the class's name: a Mask node is named "greater"
    own = node.fn.__module__.startswith(_OWN_OPS)
    if own and node.arity == len(node.inputs):
        make = ELEMENTWISE.get(name) or DIRECT.get(name)
        if make is not None:
            return make(node.settings)
    kernel = _by_forward(node)
    if own and node.op == "cross_entropy" and node.arity == 2:
        kernel = _checked_cross_entropy(kernel)
        if earlier is not None:
            key = ("cross_entropy", tuple(node.inputs), node.settings.get("reduction"))
            earlier[key] = kernel
    return kernel


def base_op(node: Node) -> str:
    """The op's class name ("mask" for a node shown as "greater"); assign/fused as is."""
    return getattr(node.fn, "name", None) or node.op
