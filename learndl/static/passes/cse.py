"""Common subexpression elimination: the same op on the same inputs is computed once.

Two nodes match when they run the same op with the same settings on the same input
values. The later one is removed and its readers read the earlier result. A parameter
read before and after an ``assign`` holds different values, so the key counts assigns.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: x.exp() + x.exp())
    >>> _ = f(ld.ones(2))
    >>> [n.op for n in f.graph_before.nodes], [n.op for n in f.snapshots[2][1].nodes]
    (['exp', 'exp', 'add'], ['exp', 'add'])
"""

from __future__ import annotations

from typing import Any

from learndl.static.ir import Graph


def _key(v: Any) -> Any:
    """A hashable stand-in for a setting (arrays by identity: they are frozen constants)."""
    if isinstance(v, tuple | list):
        return tuple(_key(x) for x in v)
    if hasattr(v, "shape") and hasattr(v, "dtype") and not isinstance(v, type):
        return ("array", id(v))
    try:
        hash(v)
    except TypeError:
        return ("object", id(v))
    return v


def cse(graph: Graph) -> Graph:
    graph = graph.copy()
    seen: dict[Any, int] = {}
    assigns = 0
    kept = []
    for node in graph.nodes:
        if node.op == "assign":
            assigns += 1
            kept.append(node)
            continue
        reads_param = any(graph.values[v].kind == "param" for v in node.inputs)
        settings = tuple(sorted((k, _key(v)) for k, v in node.settings.items()))
        key = (node.fn, node.op, tuple(node.inputs), settings, assigns if reads_param else 0)
        if key in seen:
            graph.replace_uses(node.output, seen[key])
        else:
            seen[key] = node.output
            kept.append(node)
    graph.nodes = kept
    return graph
