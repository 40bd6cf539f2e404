"""Elementwise fusion: a chain of elementwise ops runs as one step, in one buffer.

In ``relu(x @ w + b)``, the ``add`` and ``relu`` each read every element once and write
a new array. Fused, the step computes ``add`` into a buffer and applies ``relu`` to that
buffer in place (NumPy's ``out=``): one array instead of two, one step instead of two.
A node joins the chain of the node before it when it is that node's only reader, has
the same output shape and dtype, and no ``assign`` lies between them.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: (x * 2.0 + 1.0).tanh())
    >>> _ = f(ld.ones(3))
    >>> print(f.graph.nodes[0].describe(f.graph).split("  ")[0])
    v5 = fused(x0, c1, c3 [mul -> add -> tanh])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl.static.ir import Graph, Node
from learndl.static.kernels import ELEMENTWISE, base_op


def _compile(chain: list[Node], inputs: list[int]) -> Any:
    """One kernel for the chain: the first op writes ``out``, the rest update it in place."""
    program = []
    for i, node in enumerate(chain):
        acc = chain[i - 1].output if i else None
        refs = tuple(-1 if v == acc else inputs.index(v) for v in node.inputs)
        program.append((ELEMENTWISE[base_op(node)](node.settings), refs))

    def fused(*arrays: Any, out: Any = None) -> Any:
        acc = out  # the buffer memory planning gave this step, or None: the first op allocates
        for kernel, refs in program:
            acc = kernel(*[acc if r < 0 else arrays[r] for r in refs], out=acc)
            if isinstance(acc, np.generic):  # NOTE: a 0-d result comes back as a NumPy
                acc = np.asarray(acc)  # scalar, which the next op cannot write into
        return acc

    return fused


def fusion(graph: Graph) -> Graph:
    graph = graph.copy()
    readers = graph.readers()
    escaping = graph.live_roots()
    chains: list[list[Node]] = []
    tail: dict[int, list[Node]] = {}  # output value id -> the chain it ends
    for node in graph.nodes:
        if node.op == "assign":
            tail.clear()  # never move a read of a parameter across its update
            continue
        if base_op(node) not in ELEMENTWISE or node.arity != len(node.inputs):
            continue
        out = graph.values[node.output]
        chain = None
        for v in node.inputs:
            prev = tail.get(v)
            same = graph.values[v].shape == out.shape and graph.values[v].dtype == out.dtype
            if prev is not None and same and len(readers.get(v, [])) == 1 and v not in escaping:
                chain = prev
                break
        if chain is None:
            chain = []
            chains.append(chain)
        else:
            del tail[chain[-1].output]
        chain.append(node)
        tail[node.output] = chain
    replaced: dict[int, Node] = {}  # id of a chain's last node -> the fused node
    gone: set[int] = set()
    for chain in chains:
        if len(chain) < 2:
            continue
        inner = {n.output for n in chain[:-1]}
        inputs = []
        for n in chain:
            inputs += [v for v in n.inputs if v not in inner and v not in inputs]
        fused = Node(
            max(n.id for n in graph.nodes) + 1 + len(replaced), "fused", None,
            {"kernel": _compile(chain, inputs)}, inputs, chain[-1].output, arity=len(inputs),
            fused=chain,
        )  # fmt: skip
        replaced[chain[-1].id] = fused
        gone.update(n.id for n in chain[:-1])
    graph.nodes = [replaced.get(n.id, n) for n in graph.nodes if n.id not in gone]
    return graph
