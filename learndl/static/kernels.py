"""Kernels: what each node runs at replay, a plain function of raw arrays.

Common ops get a direct NumPy call; the elementwise ones and matmul accept ``out=`` so that
fusion and memory planning can write into a buffer they already own. Any other op runs its
own ``forward`` on a node object made once, so every op of the engine can be replayed.

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
    "relu": lambda s: lambda x, out=None: np.maximum(x, 0, out=out),
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


def kernel_for(node: Node) -> Kernel:
    """The replay function of one node (fused nodes are compiled by the fusion pass)."""
    if node.op == "fused":
        return node.settings["kernel"]
    name = getattr(node.fn, "name", None)  # the class's name: a Mask node is named "greater"
    if node.arity == len(node.inputs) and node.fn.__module__.startswith("learndl.ops"):
        make = ELEMENTWISE.get(name) or DIRECT.get(name)
        if make is not None:
            return make(node.settings)
    return _by_forward(node)


def base_op(node: Node) -> str:
    """The op's class name ("mask" for a node shown as "greater"); assign/fused as is."""
    return getattr(node.fn, "name", None) or node.op
