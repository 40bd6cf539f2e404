"""A small layered graph layout that writes SVG, for when Graphviz's ``dot`` is missing.

The classic recipe (Sugiyama's) in three steps, kept short enough to read:

1. **Layers**: a node sits one layer before the nearest of its users, counting the
   longest path back from the output, so a weight stands just before its op.
2. **Order**: within a layer, sort nodes by the mean position of their neighbours in the
   layer before (then after), a few sweeps: the barycentre heuristic, which removes most
   crossings.
3. **Draw**: layers become columns (``rankdir="LR"``) or rows (``"TB"``), nodes boxes with
   their lines of text, edges curves with arrowheads.

The SVG uses Graphviz's structure (``<g class="node"><title>ID</title>...``, edges titled
``A->B``, clusters ``cluster_NAME``) so the stepper highlights it the same way.

Example:
    >>> boxes = [("a", ["a"], "#fff", None, []), ("b", ["b = 2 * a"], "#fff", None, ["a"])]
    >>> svg = layout_svg(boxes)
    >>> "<title>a-&gt;b</title>" in svg
    True
"""

from __future__ import annotations

from html import escape
from typing import Any

FONT_SIZE = 11
CHAR_W = 6.6  # average Helvetica glyph width at 11 px
LINE_H = 14
PAD = 8
GAP_LAYER = 56
GAP_NODE = 16

# One node to draw: (id, lines of text, fill colour, cluster name or None, input ids)
Box = tuple[str, list[str], str, Any, list[str]]


def layers_of(boxes: list[Box]) -> dict[str, int]:
    """Longest-path layering counted back from the output, so each input sits just
    before its first use (weights beside their op, not all in the first column)."""
    depth: dict[str, int] = {}  # longest path from the node to an output
    users: dict[str, list[str]] = {}
    for ident, _, _, _, inputs in boxes:
        for i in inputs:
            users.setdefault(i, []).append(ident)
    for ident, *_ in reversed(boxes):  # boxes come inputs-first (topological)
        depth[ident] = 1 + max((depth[u] for u in users.get(ident, ()) if u in depth), default=-1)
    top = max(depth.values(), default=0)
    return {k: top - v for k, v in depth.items()}


def order_layers(boxes: list[Box], layer: dict[str, int], sweeps: int = 4) -> list[list[str]]:
    """Nodes of each layer, ordered by the barycentre of their neighbours."""
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for ident, *_ in boxes:
        rows[layer[ident]].append(ident)
    ins = {b[0]: [i for i in b[4] if i in layer] for b in boxes}
    outs: dict[str, list[str]] = {}
    for ident, neighbours in ins.items():
        for i in neighbours:
            outs.setdefault(i, []).append(ident)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        span = range(1, len(rows)) if forward else range(len(rows) - 2, -1, -1)
        for r in span:
            ref = rows[r - 1] if forward else rows[r + 1]
            where = {n: k for k, n in enumerate(ref)}
            near = ins if forward else outs
            current = {n: k for k, n in enumerate(rows[r])}

            def centre(n: str, where=where, near=near, current=current) -> float:
                pos = [where[m] for m in near.get(n, []) if m in where]
                return sum(pos) / len(pos) if pos else current[n]

            rows[r].sort(key=centre)
    # Keep each module's boxes together within a layer, so its cluster box stays compact.
    cluster = {b[0]: b[3] for b in boxes}
    for r, row in enumerate(rows):
        first = {c: k for k, c in reversed(list(enumerate(cluster[n] for n in row)))}
        rows[r] = sorted(row, key=lambda n: first[cluster[n]])
    return rows


def layout_svg(
    boxes: list[Box], rankdir: str = "LR", clusters: dict[str, str] | None = None
) -> str:
    """Lay out ``boxes`` and return SVG text. ``clusters`` maps cluster names to labels."""
    if not boxes:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    by_id = {b[0]: b for b in boxes}
    size = {
        b[0]: (max(len(s) for s in b[1] or [""]) * CHAR_W + 2 * PAD, len(b[1]) * LINE_H + PAD)
        for b in boxes
    }
    rows = order_layers(boxes, layers_of(boxes))
    lr = rankdir == "LR"
    # along: the axis of layers; across: the axis within a layer.
    thick = [max(size[n][0 if lr else 1] for n in row) if row else 0 for row in rows]
    spans = [sum(size[n][1 if lr else 0] + GAP_NODE for n in row) - GAP_NODE for row in rows]
    widest = max(spans)
    centre: dict[str, tuple[float, float]] = {}
    along = PAD + (20 if clusters else 0)
    for row, t, span in zip(rows, thick, spans):
        across = PAD + 20 + (widest - span) / 2
        for n in row:
            extent = size[n][1 if lr else 0]
            a, c = along + t / 2, across + extent / 2
            centre[n] = (a, c) if lr else (c, a)
            across += extent + GAP_NODE
        along += t + GAP_LAYER
    width = (along - GAP_LAYER + PAD if lr else widest + 2 * PAD) + 20
    height = (widest + 2 * PAD if lr else along - GAP_LAYER + PAD) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}pt" height="{height:.0f}pt" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica,Arial,sans-serif" '
        f'font-size="{FONT_SIZE}">',
        '<g id="graph0" class="graph">',
    ]
    for name, label in (clusters or {}).items():
        members = [n for n, b in by_id.items() if b[3] == name]
        if members:
            parts.append(_cluster(name, label, [_rect(centre[m], size[m]) for m in members]))
    for ident, _, _, _, inputs in boxes:
        for i in dict.fromkeys(inputs):
            if i in centre:
                parts.append(
                    _edge(
                        i, ident, _rect(centre[i], size[i]), _rect(centre[ident], size[ident]), lr
                    )
                )
    for ident, lines, fill, _, _ in boxes:
        parts.append(_node(ident, lines, fill, _rect(centre[ident], size[ident])))
    parts.append("</g></svg>")
    return "\n".join(parts)


def _rect(c: tuple[float, float], s: tuple[float, float]) -> tuple[float, float, float, float]:
    return (c[0] - s[0] / 2, c[1] - s[1] / 2, c[0] + s[0] / 2, c[1] + s[1] / 2)


def _polygon(x0: float, y0: float, x1: float, y1: float, **attrs: str) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    points = f"{x0:.1f},{y0:.1f} {x1:.1f},{y0:.1f} {x1:.1f},{y1:.1f} {x0:.1f},{y1:.1f}"
    return f'<polygon points="{points}" {extra}/>'


def _node(ident: str, lines: list[str], fill: str, r: tuple) -> str:
    x0, y0, x1, _ = r
    bold = ' font-weight="bold"'
    texts = "".join(
        f'<text text-anchor="middle" x="{(x0 + x1) / 2:.1f}" '
        f'y="{y0 + PAD / 2 + LINE_H * (k + 0.8):.1f}"{bold if k == 0 else ""}>{escape(line)}</text>'
        for k, line in enumerate(lines)
    )
    box = _polygon(*r, fill=fill, stroke="#495057")
    return f'<g class="node"><title>{escape(ident)}</title>{box}{texts}</g>'


def _edge(a: str, b: str, ra: tuple, rb: tuple, lr: bool) -> str:
    if lr:
        (x0, y0), (x1, y1) = (ra[2], (ra[1] + ra[3]) / 2), (rb[0], (rb[1] + rb[3]) / 2)
        mid = (x0 + x1) / 2
        d = f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1 - 7:.1f},{y1:.1f}"
        head = f"{x1 - 7:.1f},{y1 - 3.5:.1f} {x1:.1f},{y1:.1f} {x1 - 7:.1f},{y1 + 3.5:.1f}"
    else:
        (x0, y0), (x1, y1) = ((ra[0] + ra[2]) / 2, ra[3]), ((rb[0] + rb[2]) / 2, rb[1])
        mid = (y0 + y1) / 2
        d = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1 - 7:.1f}"
        head = f"{x1 - 3.5:.1f},{y1 - 7:.1f} {x1:.1f},{y1:.1f} {x1 + 3.5:.1f},{y1 - 7:.1f}"
    return (
        f'<g class="edge"><title>{escape(a)}-&gt;{escape(b)}</title>'
        f'<path fill="none" stroke="#868e96" d="{d}"/>'
        f'<polygon fill="#868e96" stroke="#868e96" points="{head}"/></g>'
    )


def _cluster(name: str, label: str, rects: list[tuple]) -> str:
    x0 = min(r[0] for r in rects) - PAD
    y0 = min(r[1] for r in rects) - PAD - LINE_H
    x1 = max(r[2] for r in rects) + PAD
    y1 = max(r[3] for r in rects) + PAD
    return (
        f'<g class="cluster"><title>{escape(name)}</title>'
        + _polygon(x0, y0, x1, y1, fill="#f8f9fa", stroke="#868e96", stroke_dasharray="4,2")
        + f'<text x="{x0 + 4:.1f}" y="{y0 + LINE_H - 2:.1f}" fill="#495057">'
        + f"{escape(label)}</text></g>"
    )
