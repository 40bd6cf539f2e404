"""Constant folding: a node whose inputs are all constants is computed once, at compile time.

``2.0 * 3.0`` inside a traced function, or a scale built from Python numbers, becomes one
constant instead of an op run on every call.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: x * (ld.tensor(2.0) * 3.0))
    >>> _ = f(ld.ones(2))
    >>> [n.op for n in f.graph_before.nodes], [n.op for n in f.graph.nodes]
    (['mul', 'mul'], ['mul'])
"""

from __future__ import annotations

from learndl.static.ir import Graph, Value
from learndl.static.kernels import kernel_for


def constant_folding(graph: Graph) -> Graph:
    graph = graph.copy()
    kept = []
    for node in graph.nodes:
        foldable = node.op != "assign" and node.inputs
        if foldable and all(graph.values[v].kind == "const" for v in node.inputs):
            array = kernel_for(node)(*[graph.values[v].tensor for v in node.inputs])
            old = graph.values[node.output]
            graph.values[node.output] = Value(old.id, "const", old.shape, old.dtype, array)
        else:
            kept.append(node)
    graph.nodes = kept
    return graph
