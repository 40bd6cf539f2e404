"""TensorFlow-style graph mode: ``@ld.function`` traces, optimizes and replays a graph.

- ``function``: the decorator (``ld.function``); see ``learndl/static/function.py``.
- ``assign(target, value)``: write a new value into a parameter, recorded in the graph.
- ``Graph``: the IR; ``print(graph)``, ``graph.dot()``, ``Graph.diff(before, after)``.
- ``TracingError``: what the tracer raises for code a static graph cannot follow.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, 2.0])
    >>> @ld.function
    ... def shrink(scale):
    ...     ld.static.assign(w, w * scale)
    >>> shrink(0.5); shrink(0.5); w.tolist()
    [0.25, 0.5]
"""

from __future__ import annotations

from learndl.static.function import StaticFunction, Trace, function
from learndl.static.ir import Graph, Node, Value
from learndl.static.tracer import TracingError, current
from learndl.tensor import Tensor


def assign(target: Tensor, value: Tensor) -> Tensor:
    """Write ``value`` into ``target``'s memory (``tf.Variable.assign``); traced as a node.

    Eagerly it is ``target.data[...] = value``; inside ``@ld.function`` it also records an
    ``assign`` node, so that every replay performs the write.
    """
    tracer = current()
    if not isinstance(value, Tensor):
        from learndl.ops._util import constant

        value = constant(value, target)
    if value.shape != target.shape:
        from learndl.errors import ShapeError

        raise ShapeError(f"assign: value shape {value.shape} differs from target {target.shape}.")
    if tracer is None or tracer.record_assign(target, value):  # (else: renamed, not written)
        target.xp.copyto(target.data, value.data, casting="unsafe")
    target._version += 1
    return target


__all__ = [
    "Graph",
    "Node",
    "StaticFunction",
    "Trace",
    "TracingError",
    "Value",
    "assign",
    "function",
]
