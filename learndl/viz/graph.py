"""``ld.viz.graph(t)``: the computation graph that produced a tensor, as data and pictures.

The graph is read from ``t.grad_fn`` (each Function node holds its inputs): one box per
tensor, edges from inputs to outputs. Scalars show value and grad like micrograd's
records; tensors show op, shape, dtype and a summary. Parameters (leaves that take a
gradient), inputs and constants, and intermediate results have their own colours. Ops
run inside an ``ld.nn`` module (their node has ``node.module = "fc1"``) are drawn in a
``subgraph cluster_fc1`` box that the live widget can fold.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor(2.0, requires_grad=True)
    >>> b = ld.tensor(3.0, requires_grad=True)
    >>> L = a * b + a
    >>> print(ld.viz.graph(L).text())
    L = mul_1 + a  value 8.0
      mul_1 = a * b  value 6.0
        a  parameter  value 2.0  grad —
        b  parameter  value 3.0  grad —
      a  (above)
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from learndl.autograd import topological_order
from learndl.viz.derivatives import expression
from learndl.viz.values import as_numpy, fmt, shape_text, summary

FONT = "Helvetica"
COLOURS = {"param": "#d3f9d8", "input": "#e7f5ff", "const": "#f1f3f5", "op": "#ffffff"}
KIND_TEXT = {"param": "parameter", "input": "input", "const": "constant", "op": ""}


@dataclass
class Node:
    """One box of the picture: a tensor and the op that made it (none for leaves)."""

    id: str
    label: str  # what panels call it: "a", "mul_1", "fc1.weight"
    kind: str  # "param" | "input" | "const" | "op"
    title: str  # "c = a * b" for ops, the label for leaves
    lines: list[str]  # the rest of the box, one line each
    inputs: list[str] = field(default_factory=list)  # ids; an input used twice appears twice
    module: str | None = None  # the ld.nn module that ran the op (dotted path)
    tensor: Any = None
    fn: Any = None

    @property
    def scalar(self) -> bool:
        return self.tensor is not None and getattr(self.tensor, "ndim", 1) == 0


def names_in(scope: dict[str, Any]) -> dict[int, str]:
    """Tensor identities -> variable names found in a namespace (modules give their params)."""
    from learndl.tensor import Tensor

    found: dict[int, str] = {}
    for name, value in scope.items():
        if name.startswith("_"):
            continue
        if isinstance(value, Tensor):
            found.setdefault(id(value), name)
        elif callable(getattr(value, "named_parameters", None)) and not isinstance(value, type):
            try:
                for pname, p in value.named_parameters():
                    found.setdefault(id(p), pname)
            except Exception:  # a user object with a different named_parameters: ignore it
                continue
    return found


def build(root: Any, names: dict[int, str] | None = None) -> list[Node]:
    """Every node of ``root``'s graph, inputs before the ops that use them."""
    names = dict(names or {})
    nodes: dict[int, Node] = {}
    taken: set[str] = set()
    counts: dict[str, int] = {}

    def unique(label: str, fallback: str) -> str:
        ident = re.sub(r"\W", "_", label) if label else ""
        if ident[:1].isdigit():  # DOT names cannot start with a digit: "0.weight"
            ident = f"{fallback}_{ident}"
        if not ident or ident in taken or ident.startswith("cluster_"):
            counts[fallback] = counts.get(fallback, 0) + 1
            ident = f"{fallback}_{counts[fallback]}"
            while ident in taken:
                counts[fallback] += 1
                ident = f"{fallback}_{counts[fallback]}"
        taken.add(ident)
        return ident

    def label_of(t: Any) -> str | None:
        return getattr(t, "name", None) or names.get(id(t))

    def leaf(t: Any) -> Node:
        if id(t) in nodes:
            return nodes[id(t)]
        label = label_of(t)
        kind = "param" if t.requires_grad else ("input" if label else "const")
        if label is None and t.data.size == 1:
            label = fmt(t.item())  # an unnamed number: 2 in `2 * x`
        ident = unique(label if kind != "const" else "", "const" if kind == "const" else "x")
        node = Node(ident, label or ident, kind, label or ident, [], tensor=t)
        node.lines = _lines(t, kind)
        nodes[id(t)] = node
        return node

    order = topological_order(root.grad_fn) if root.grad_fn is not None else []
    if not order:
        n = leaf(root)
        return [n]
    result: list[Node] = []
    for fn in order:
        ins = []
        for t in fn.inputs:
            if t.grad_fn is None:
                n = leaf(t)
                if n not in result:
                    result.append(n)
                ins.append(n)
            else:
                ins.append(nodes[id(t.grad_fn)])
        out = root if fn is root.grad_fn else fn.output
        label = label_of(out) if out is not None else None
        ident = unique(label or "", fn.name)
        label = label or ident
        title = f"{label} = {expression(fn, [n.label for n in ins])}"
        node = Node(ident, label, "op", title, [], [n.id for n in ins], _module(fn), out, fn)
        node.lines = _lines(out, "op") if out is not None else []
        nodes[id(fn)] = node
        result.append(node)
    _place_leaves(result)
    return result


def _module(fn: Any) -> str | None:
    module = getattr(fn, "module", None)
    return module if isinstance(module, str) and module else None


def _place_leaves(nodes: list[Node]) -> None:
    """A leaf used only inside one module (its weight) is drawn inside that module's box."""
    users: dict[str, set[str | None]] = {}
    for n in nodes:
        for i in n.inputs:
            users.setdefault(i, set()).add(n.module)
    for n in nodes:
        if n.fn is None and n.kind == "param" and len(users.get(n.id, ())) == 1:
            n.module = next(iter(users[n.id]))


def _lines(t: Any, kind: str) -> list[str]:
    """Scalars: data and grad (micrograd's record); tensors: shape, dtype and a summary."""
    a = as_numpy(t)
    head = [KIND_TEXT[kind]] if KIND_TEXT.get(kind) else []
    grad = getattr(t, "grad", None)
    if a.size == 1 and a.ndim == 0:
        if kind == "const":  # its title is already the number
            return []
        if grad is None and kind == "op":  # inner nodes keep no .grad (unless retain_grad)
            return [*head, f"data {fmt(a)}"]
        return [*head, f"data {fmt(a)}", f"grad {fmt(as_numpy(grad)) if grad is not None else '—'}"]
    lines = [*head, f"{shape_text(a.shape)} {a.dtype}"]
    if a.dtype.kind == "f" and a.size:
        s = summary(a)
        lines.append(
            f"mean {fmt(s['mean'] or 0, 3)} ∈ [{fmt(s['min'] or 0, 3)}, {fmt(s['max'] or 0, 3)}]"
        )
    if grad is not None and a.size > 1:
        lines.append(f"grad norm {fmt(summary(as_numpy(grad)).get('norm') or 0, 3)}")
    return lines


def caller_scope(depth: int = 2) -> dict[str, Any]:
    """The variables of the caller's caller (the learner's notebook, usually)."""
    frame = inspect.currentframe()
    try:
        for _ in range(depth):
            frame = frame.f_back if frame is not None else None
        return {} if frame is None else {**frame.f_globals, **frame.f_locals}
    finally:
        del frame


def graph(
    tensor: Any,
    names: dict[str, Any] | None = None,
    max_nodes: int = 60,
    rankdir: str = "LR",
) -> Any:
    """Draw the computation graph that produced ``tensor``.

    ``names`` maps labels to tensors (or modules); by default the variables of the calling
    code name the boxes. Graphs over ``max_nodes`` boxes fold modules, then elide the
    nodes farthest from ``tensor``. The result has ``.dot``, ``.text()``, ``.svg()`` and
    displays itself in Jupyter.

    Example:
        >>> import learndl as ld
        >>> x = ld.tensor([1.0, 2.0], requires_grad=True)
        >>> g = ld.viz.graph((x * x).sum())
        >>> 'x -> mul_1' in g.dot
        True
    """
    from learndl.viz.drawing import Graph

    scope = caller_scope() if names is None else names
    nodes = build(tensor, names_in(scope))
    return Graph(nodes, max_nodes=max_nodes, rankdir=rankdir, module_types=module_types(scope))


def module_types(scope: dict[str, Any]) -> dict[str, str]:
    """Qualified module names -> class names, from the models found in a namespace."""
    types: dict[str, str] = {}
    for value in scope.values():
        if callable(getattr(value, "named_modules", None)) and not isinstance(value, type):
            try:
                for qual, m in value.named_modules():
                    types.setdefault(qual, type(m).__name__)
            except Exception:  # not an ld.nn module after all
                continue
    return types


def text_tree(nodes: Iterable[Node]) -> str:
    """The graph as an indented list from the output down (each node expanded once)."""
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    seen: set[str] = set()
    out: list[str] = []
    stack = [(nodes[-1].id, 0)]
    while stack:
        ident, depth = stack.pop()
        n = by_id.get(ident)
        if n is None:
            continue
        pad = "  " * depth
        if ident in seen:
            out.append(f"{pad}{n.label}  (above)")
            continue
        seen.add(ident)
        details = "  ".join(n.lines).replace("data ", "value ")
        where = f"  [{n.module}]" if n.module else ""
        out.append(f"{pad}{n.title}  {details}{where}".rstrip())
        stack.extend((i, depth + 1) for i in reversed(n.inputs))
    return "\n".join(out)
