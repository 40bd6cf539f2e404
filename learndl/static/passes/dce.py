"""Dead-code elimination: drop every node whose result nobody needs.

A value is needed if the function returns it, writes it as a gradient, or an ``assign``
or a needed node reads it. One walk from the last node to the first finds them all.
Random draws stay even when unused: eager code draws them too, and dropping one would
shift every later draw of learndl's generator (a seeded run would stop matching).

Example:
    >>> import learndl as ld
    >>> def f(x):
    ...     unused = x.exp()
    ...     return x * 2.0
    >>> g = ld.function(f); _ = g(ld.ones(2))
    >>> len(g.graph_before.nodes), len(g.graph.nodes)
    (2, 1)
"""

from __future__ import annotations

from learndl.static.ir import Graph

_ALWAYS = {"assign", "random", "dropout_mask"}  # side effects: a write, a generator's step


def dce(graph: Graph) -> Graph:
    graph = graph.copy()
    needed = graph.live_roots()
    kept = []
    for node in reversed(graph.nodes):
        if node.op in _ALWAYS or node.output in needed:
            kept.append(node)
            needed.update(node.inputs)
            if node.output is not None:  # (an unused draw keeps its value slot)
                needed.add(node.output)
    graph.nodes = kept[::-1]
    graph.values = {vid: v for vid, v in graph.values.items() if vid in needed or v.kind == "input"}
    return graph
