"""Graph passes: each takes a ``Graph`` and returns a new, equivalent, better one.

``optimize`` runs them in order and keeps a snapshot after each, so a lesson can show
what every pass changed (``Graph.diff(before, after)``).

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: (x * 1.0 + 0.0).exp().log())
    >>> _ = f(ld.ones(2))
    >>> [name for name, _ in f.snapshots]
    ['constant_folding', 'simplify', 'cse', 'dce', 'fusion', 'memory']
"""

from __future__ import annotations

from collections.abc import Callable

from learndl.static.ir import Graph
from learndl.static.passes.constant_folding import constant_folding
from learndl.static.passes.cse import cse
from learndl.static.passes.dce import dce
from learndl.static.passes.fusion import fusion
from learndl.static.passes.memory import memory
from learndl.static.passes.simplify import simplify

PIPELINE: list[tuple[str, Callable[[Graph], Graph]]] = [
    ("constant_folding", constant_folding),
    ("simplify", simplify),
    ("cse", cse),
    ("dce", dce),
    ("fusion", fusion),
    ("memory", memory),
]


def optimize(graph: Graph) -> list[tuple[str, Graph]]:
    """Run every pass; return ``(name, graph after it)`` for each."""
    snapshots = []
    for name, run in PIPELINE:
        graph = run(graph)
        snapshots.append((name, graph))
    return snapshots


__all__ = ["PIPELINE", "constant_folding", "cse", "dce", "fusion", "memory", "optimize", "simplify"]
