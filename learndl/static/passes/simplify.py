"""Algebraic simplification: rewrite ops that do nothing, using the rules of algebra.

``x * 1``, ``x / 1``, ``x + 0``, ``x - 0`` are ``x``; ``-(-x)`` is ``x``; a permute of a
permute is one permute (or none, when the two undo each other, as ``x.T.T``); a reshape
to the shape ``x`` already has is ``x``. A rule applies only when the result keeps
``x``'s shape and dtype, so broadcasting is never lost, and never forwards a value that an
``assign`` writes (``w * 1.0`` taken before the write is the old ``w``). Dead nodes are
left for DCE.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: (x.T.T * 1.0).exp())
    >>> _ = f(ld.ones(2, 3))
    >>> [n.op for n in f.graph_before.nodes], [n.op for n in f.graph.nodes]
    (['permute', 'permute', 'mul', 'exp'], ['exp'])
"""

from __future__ import annotations

import numpy as np

from learndl.static.ir import Graph, Node


def _const_is(graph: Graph, vid: int, number: float) -> bool:
    v = graph.values[vid]
    return v.kind == "const" and v.tensor.size > 0 and bool(np.all(v.tensor == number))


def _identity_of(
    graph: Graph, node: Node, producer: dict[int, Node], written: set[int]
) -> int | None:
    """The value ``node`` merely passes on, if a rule says so; else None. A value in
    ``written`` (an ``assign`` target) is never read at another point than its reader's."""
    ins, out = node.inputs, graph.values[node.output]

    def same(vid: int) -> bool:
        v = graph.values[vid]
        return v.shape == out.shape and v.dtype == out.dtype

    if node.op in ("mul", "add") and len(ins) == 2:
        unit = 1.0 if node.op == "mul" else 0.0
        for x, c in ((ins[0], ins[1]), (ins[1], ins[0])):
            if _const_is(graph, c, unit) and same(x):
                return x
    unit = 1.0 if node.op == "div" else 0.0
    if node.op in ("div", "sub") and _const_is(graph, ins[1], unit) and same(ins[0]):
        return ins[0]
    if node.op == "pow" and node.settings.get("exponent") == 1 and same(ins[0]):
        return ins[0]
    if node.op == "reshape" and same(ins[0]):
        return ins[0]
    inner = producer.get(ins[0]) if ins else None
    if node.op == "neg" and inner is not None and inner.op == "neg":
        return inner.inputs[0]
    if node.op == "permute" and inner is not None and inner.op == "permute":
        if inner.inputs[0] in written:
            return None
        dims = tuple(inner.settings["dims"][d] for d in node.settings["dims"])
        if dims == tuple(range(len(dims))):
            return inner.inputs[0]
        node.settings = {**node.settings, "dims": dims}  # fold the two into one permute
        node.inputs = [inner.inputs[0]]
    return None


def simplify(graph: Graph) -> Graph:
    graph = graph.copy()
    producer: dict[int, Node] = {}
    escaping = graph.live_roots()
    # NOTE: `old = w * 1.0` is a copy of w; after `assign(w, ...)` a reader of `old` that
    # read w itself would see the new w. So a value that is written is never forwarded.
    written = {n.inputs[0] for n in graph.nodes if n.op == "assign"}
    for node in graph.nodes:
        if node.op != "assign" and node.arity == len(node.inputs):
            x = _identity_of(graph, node, producer, written)
            x = None if x in written else x
            # NOTE: a returned value stays an op's fresh array, never the caller's input
            if x is not None and (node.output not in escaping or graph.values[x].kind == "op"):
                graph.replace_uses(node.output, x)
                continue
        if node.output is not None:
            producer[node.output] = node
    return graph
