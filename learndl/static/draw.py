"""Pictures of graphs as plain data: DOT text for Graphviz / ``ld.viz.graph``, and diffs.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: x.exp() + x.exp())
    >>> _ = f(ld.ones(2))
    >>> d = ld.static.Graph.diff(f.graph_before, f.graph)
    >>> print(d)
    removed: exp#1
    added: fused#3 [exp -> add]
    fused: exp#0 + add#2 -> fused#3
"""

from __future__ import annotations

from typing import Any

from learndl.static.ir import Graph

KIND_STYLE = {
    "input": 'shape=oval, style=filled, fillcolor="#dbeafe"',
    "param": 'shape=oval, style=filled, fillcolor="#fef3c7"',
    "const": 'shape=oval, style=filled, fillcolor="#f3f4f6"',
}


def to_dot(graph: Graph, colors: dict[int, str]) -> str:
    """DOT text: one box per node (colored by ``colors[node.id]``), one oval per leaf value."""
    lines = [f'digraph "{graph.name}" {{', "  rankdir=LR;", '  node [fontname="monospace"];']
    producer = {n.output: n for n in graph.nodes if n.output is not None}
    leaves = {v for n in graph.nodes for v in n.inputs if v not in producer}
    leaves |= {v for v in graph.outputs if v not in producer}
    for vid in sorted(leaves):
        v = graph.values[vid]
        label = f"{v.name or v.label}\\n{v.shape}"
        lines.append(f'  v{vid} [label="{label}", {KIND_STYLE.get(v.kind, "")}];')
    for n in graph.nodes:
        label = n.op if n.op != "fused" else "fused\\n" + " → ".join(m.op for m in n.fused)
        if n.output is not None:
            label += f"\\n{graph.values[n.output].shape}"
        color = colors.get(n.id, "#ffffff")
        lines.append(f'  n{n.id} [label="{label}", shape=box, style=filled, fillcolor="{color}"];')
        for v in n.inputs:
            src = f"n{producer[v].id}" if v in producer else f"v{v}"
            lines.append(f"  {src} -> n{n.id};")
    for i, v in enumerate(graph.outputs):
        src = f"n{producer[v].id}" if v in producer else f"v{v}"
        lines.append(f'  out{i} [label="output {i}", shape=plaintext];')
        lines.append(f"  {src} -> out{i};")
    for t, v in graph.grads:
        lines.append(f'  g{v} [label="{t.name or "param"}.grad", shape=plaintext];')
        lines.append(f"  n{producer[v].id} -> g{v};")
    lines.append("}")
    return "\n".join(lines)


class GraphDiff:
    """What a pass changed: nodes removed, added, and which were fused into which."""

    def __init__(self, before: Graph, after: Graph) -> None:
        self.before, self.after = before, after
        old = {n.id: n for n in before.nodes}
        new = {n.id: n for n in after.nodes}
        self.added = [new[i] for i in new if i not in old]
        self.fused = [(n, list(n.fused)) for n in self.added if n.op == "fused"]
        into = {m.id for _, parts in self.fused for m in parts}
        self.removed = [old[i] for i in old if i not in new and i not in into]

    def __str__(self) -> str:
        def name(n: Any) -> str:
            extra = " [" + " -> ".join(m.op for m in n.fused) + "]" if n.fused else ""
            return f"{n.op}#{n.id}{extra}"

        lines = [
            "removed: " + (", ".join(name(n) for n in self.removed) or "-"),
            "added: " + (", ".join(name(n) for n in self.added) or "-"),
        ]
        for n, parts in self.fused:
            chain = " + ".join(f"{m.op}#{m.id}" for m in parts)
            lines.append(f"fused: {chain} -> {n.op}#{n.id}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def dot(self) -> str:
        """Both graphs side by side: removed nodes red (before), added/fused nodes green."""
        gone = {n.id: "#fecaca" for n in self.removed}
        fused_ids = {m.id for _, parts in self.fused for m in parts}
        gone.update({i: "#fde68a" for i in fused_ids})
        new = {n.id: "#bbf7d0" for n in self.added}
        left = to_dot(self.before, gone).split("\n")[1:-1]
        right = to_dot(self.after, new).split("\n")[3:-1]
        right = [line.replace(" n", " b_n").replace(" v", " b_v") for line in right]
        body = ["  subgraph cluster_before { label=before;"] + left + ["  }"]
        body += ["  subgraph cluster_after { label=after;"] + right + ["  }"]
        return 'digraph "diff" {\n' + "\n".join(body) + "\n}"
