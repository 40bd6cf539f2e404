"""Memory planning: give op results buffers that are reused once their last reader has run.

Every call of an un-planned graph allocates a fresh array for each result. The planner
walks the nodes in order, gives each node that can write into a given array (``out=``)
a buffer of its output's shape and dtype, and returns that buffer to a free list right
after the last node that reads the value — or any *view* of it (a reshape or transpose
shares its memory) — has run. Buffers are made once and live with the executor.

Values the caller receives (outputs, gradients) always get fresh arrays: a buffer is
overwritten by the next call.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: ((x @ x) @ x) @ x)
    >>> _ = f(ld.ones(4, 4))
    >>> [n.buffer for n in f.graph.nodes]
    [0, 1, None]
"""

from __future__ import annotations

from learndl.static.ir import Graph
from learndl.static.kernels import FRESH, TAKES_OUT, base_op


def memory(graph: Graph) -> Graph:
    graph = graph.copy()
    root = {vid: vid for vid in graph.values}  # the value whose memory each value uses
    for node in graph.nodes:
        if node.output is not None and node.inputs and base_op(node) not in FRESH:
            # a view shares its input's memory; an op we cannot vouch for is treated alike
            root[node.output] = root[node.inputs[0]]
    escaping = {root[v] for v in graph.live_roots()}
    last_read: dict[int, int] = {}
    for i, node in enumerate(graph.nodes):
        for v in node.inputs:
            last_read[root[v]] = i
    free: dict[tuple, list[int]] = {}
    owner: dict[int, int] = {}  # root value -> its buffer
    count = 0
    for i, node in enumerate(graph.nodes):
        node.buffer = None
        out = node.output
        takes_out = base_op(node) in TAKES_OUT or node.op == "fused"
        if out is not None and takes_out and root[out] == out and out not in escaping:
            v = graph.values[out]
            key = (v.shape, str(v.dtype))
            if free.get(key):
                node.buffer = free[key].pop()
            else:
                node.buffer, count = count, count + 1
            owner[out] = node.buffer
            last_read.setdefault(out, i)  # never read: free right away
        for r, b in list(owner.items()):
            if last_read.get(r, -1) <= i:
                free.setdefault(_key(graph, r), []).append(b)
                del owner[r]
    return graph


def _key(graph: Graph, vid: int) -> tuple:
    v = graph.values[vid]
    return (v.shape, str(v.dtype))
