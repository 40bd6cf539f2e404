"""``Graph``: a built computation graph as DOT text, SVG, an indented list and rich output.

``dot`` is what Graphviz reads; ``svg()`` renders it with the ``dot`` program when it is
installed and with learndl's own small layout (``layout.py``) when it is not, so a
picture always comes back. ``text()`` is the form for terminals and nbval.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from typing import Any

from learndl.viz.graph import COLOURS, FONT, Node, text_tree
from learndl.viz.layout import layout_svg


def cluster_name(module: str) -> str:
    return "cluster_" + re.sub(r"\W", "_", module)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record(text: str) -> str:
    return re.sub(r"([{}|<>])", r"\\\1", text)


class Graph:
    """The picture of a computation graph; see ``ld.viz.graph``."""

    def __init__(
        self,
        nodes: list[Node],
        max_nodes: int | None = 60,
        rankdir: str = "LR",
        module_types: dict[str, str] | None = None,
    ):
        self.nodes = nodes
        self.module_types = module_types or {}
        self.rankdir = rankdir
        self.max_nodes = max_nodes
        modules = sorted({n.module for n in nodes if n.module})
        self.clusters = {cluster_name(m): m for m in modules}
        self.folded, self.elided = self._budget()

    # ------------------------------------------------------------------ budget
    def _budget(self) -> tuple[set[str], set[str]]:
        """Clusters to fold and nodes to leave out so at most ``max_nodes`` boxes remain."""
        if self.max_nodes is None or len(self.nodes) <= self.max_nodes:
            return set(), set()
        folded: set[str] = set()
        sizes = {c: sum(1 for n in self.nodes if n.module == m) for c, m in self.clusters.items()}
        count = len(self.nodes)
        for c in sorted(sizes, key=lambda c: (-sizes[c], c)):
            if count <= self.max_nodes:
                break
            folded.add(c)
            count -= sizes[c] - 1
        if count <= self.max_nodes:
            return folded, set()
        # Still too many: keep the nodes nearest the output, elide the rest into one box.
        by_id = {n.id: n for n in self.nodes}
        keep: list[str] = []
        frontier = [self.nodes[-1].id]
        while frontier and len(keep) < self.max_nodes - 1:
            ident = frontier.pop(0)
            if ident in keep:
                continue
            keep.append(ident)
            frontier.extend(by_id[ident].inputs)
        return set(), {n.id for n in self.nodes} - set(keep)

    # ------------------------------------------------------------------ DOT
    @property
    def dot(self) -> str:
        """The DOT text drawn by default (within the node budget)."""
        return self._dot(self.folded, self.elided)

    @property
    def dot_full(self) -> str:
        """Every node, every module expanded, whatever the budget."""
        return self._dot(set(), set())

    @property
    def dot_collapsed(self) -> dict[str, str]:
        """Each module folded on its own, and all of them together (the widget contract)."""
        if self.folded or self.elided:
            return {}
        out = {c: self._dot({c}, set()) for c in self.clusters}
        if len(self.clusters) > 1:
            out[",".join(sorted(self.clusters))] = self._dot(set(self.clusters), set())
        return out

    def _boxes(self, folded: set[str], elided: set[str]) -> tuple[list, dict[str, str]]:
        """(id, lines, fill, cluster, inputs) per box after folding and eliding."""
        rename: dict[str, str] = {}
        boxes: dict[str, list] = {}
        for n in self.nodes:
            c = cluster_name(n.module) if n.module else None
            if n.id in elided:
                rename[n.id] = "more"
            elif c in folded:
                rename[n.id] = c
            else:
                rename[n.id] = n.id
        for n in self.nodes:
            ident = rename[n.id]
            c = cluster_name(n.module) if n.module else None
            if ident not in boxes:
                if ident == "more":
                    lines, fill, c = [f"… {len(elided)} more nodes"], COLOURS["const"], None
                elif ident in folded:
                    count = sum(1 for m in self.nodes if rename[m.id] == ident)
                    lines, fill, c = [self._cluster_label(ident), f"{count} nodes"], "#f1f3f5", None
                else:
                    lines, fill = [n.title, *n.lines], COLOURS[n.kind]
                boxes[ident] = [ident, lines, fill, c, []]
            for i in n.inputs:
                src = rename[i]
                if src != ident and (src not in boxes[ident][4] or src == i):
                    boxes[ident][4].append(src)
        clusters = {c: self._cluster_label(c) for c in self.clusters if c not in folded}
        return [tuple(b) for b in boxes.values()], clusters

    def _cluster_label(self, c: str) -> str:
        module = self.clusters[c]
        kind = self.module_types.get(module)
        return f"{module}: {kind}" if kind else module

    def _dot(self, folded: set[str], elided: set[str]) -> str:
        boxes, clusters = self._boxes(folded, elided)
        lr = self.rankdir == "LR"
        out = [
            "digraph G {",
            f'  graph [rankdir={self.rankdir}, fontname="{FONT}", fontsize=11];',
            f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11];',
            f'  edge [color="#868e96", fontname="{FONT}", arrowsize=0.7];',
        ]
        scalar = {n.id for n in self.nodes if n.scalar}

        def node_line(ident: str, lines: list[str], fill: str) -> str:
            if ident in scalar:  # micrograd's record: { a | data 2.0 | grad 1.0 }
                fields = " | ".join(_record(s) for s in lines)
                label = _q("{ " + fields + " }" if lr else fields)
                return f"{ident} [label={label}, shape=Mrecord, fillcolor={_q(fill)}];"
            extra = ', class="ld-collapsed"' if ident in folded else ""
            label = _q("\n".join(lines)).replace("\n", "\\n")
            return f"{ident} [label={label}, fillcolor={_q(fill)}{extra}];"

        inside: dict[str | None, list[str]] = {}
        for ident, lines, fill, c, _ in boxes:
            inside.setdefault(c, []).append(node_line(ident, lines, fill))
        out += ["  " + s for s in inside.pop(None, [])]
        for c, lines in inside.items():
            out.append(f"  subgraph {c} {{")
            out.append(f'    label={_q(clusters[c])}; style="rounded,dashed"; color="#868e96";')
            out += ["    " + s for s in lines]
            out.append("  }")
        for ident, _, _, _, inputs in boxes:
            out += [f"  {i} -> {ident};" for i in inputs]
        out.append("}")
        return "\n".join(out) + "\n"

    # ------------------------------------------------------------------ other forms
    def text(self) -> str:
        """The graph as an indented list, output first (the terminal and nbval form)."""
        return text_tree(self.nodes)

    def svg(self) -> str:
        """SVG of ``dot``: by Graphviz when installed, else by learndl's own layout."""
        return render_svg(self.dot) or self.layout_svg()

    def layout_svg(self) -> str:
        """SVG from learndl's own layered layout (no Graphviz needed)."""
        boxes, clusters = self._boxes(self.folded, self.elided)
        return layout_svg(boxes, self.rankdir, clusters)

    def widget_data(self) -> dict[str, Any]:
        """The JSON of the widget kind "graph": DOT and its folded variants."""
        return {"dot": self.dot, "dot_collapsed": self.dot_collapsed}

    def __repr__(self) -> str:
        return self.text()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        html = f'<div class="ld-graph-static">{self.svg()}</div>'
        try:
            from learndl.jupyter.display import bundle
        except ImportError:  # no Jupyter pieces: text and a picture are enough
            return {"text/plain": self.text(), "text/html": html}
        return bundle("graph", self.widget_data(), self.text(), html)


@functools.cache
def has_dot() -> bool:
    return shutil.which("dot") is not None


def render_svg(dot: str) -> str | None:
    """Run Graphviz's ``dot -Tsvg``; ``None`` when it is missing or fails."""
    if not has_dot():
        return None
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=20, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    svg = done.stdout
    return svg[svg.find("<svg") :] if "<svg" in svg else None
