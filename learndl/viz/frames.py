"""Backward-pass frames: ``loss.backward()`` replayed step by step, as the stepper shows it.

Each frame is one node's backward: the gradient arriving from above (upstream), the op's
local derivatives written out, what goes down to each input (upstream × local) and, where
a value is used more than once, the sum it adds up to. The JSON shape is the "stepper"
contract of ``widgets/README.md``.

The replay never touches any ``.grad``: it walks the graph itself, in the engine's order
(``autograd.topological_order``), calling each node's ``backward`` under ``no_grad`` and
keeping every gradient in a scratch table. It works before and after ``loss.backward()``:
when an earlier backward freed a node's saved values, the node's forward is run again
on its inputs to re-save them, and the node is put back as it was.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor(3.0, requires_grad=True)
    >>> L = a * a
    >>> data = frames(L, names={"a": a, "L": L})
    >>> [f["title"] for f in data["frames"]]
    ['L = a * a: start with dL/dL = 1']
    >>> data["frames"][0]["passes"]
    [{'to': 'a', 'value': 3.0, 'accumulated': None}, {'to': 'a', 'value': 3.0, 'accumulated': 6.0}]
    >>> a.grad is None
    True
"""

from __future__ import annotations

from typing import Any

from learndl.autograd import BackwardEvent, no_grad, topological_order
from learndl.errors import GradError, InplaceError
from learndl.viz.derivatives import local_derivatives
from learndl.viz.drawing import Graph
from learndl.viz.graph import build, caller_scope, names_in
from learndl.viz.values import to_value, value_text


def replay(loss: Any) -> list[BackwardEvent]:
    """The events ``loss.backward(observer=...)`` would report, without changing a ``.grad``."""
    from learndl.creation import ones_like

    if loss.grad_fn is None:
        return []
    order = topological_order(loss.grad_fn)
    pending = {loss.grad_fn: ones_like(loss).detach()}
    events = []
    with no_grad():
        for node in reversed(order):
            g = pending.pop(node, None)
            if g is None:
                continue
            grads = tuple(_backward(node, g))
            events.append(BackwardEvent(node, node.output, g, grads))
            for inp, gi in zip(node.inputs, grads):
                if gi is not None and inp.requires_grad and inp.grad_fn is not None:
                    key = inp.grad_fn
                    pending[key] = pending[key] + gi if key in pending else gi
    return events


def _backward(node: Any, g: Any) -> tuple:
    """``node.backward(g)``, re-saving its values first if an earlier backward freed them."""
    state = dict(node.__dict__)
    try:
        return node.backward(g)
    except (GradError, InplaceError):
        # Freed by backward() without retain_graph, or changed in place since (an
        # optimizer step): run the forward again to save the values it needs now
        # (a freed node's _saved is None, which tells save_for_backward to keep nothing).
        node._saved = ()
        node.forward(*[t.data for t in node.inputs])
        return node.backward(g)
    finally:
        node.__dict__.clear()
        node.__dict__.update(state)


def frames(loss: Any, names: dict[str, Any] | None = None, max_nodes: int = 200) -> dict:
    """The stepper's data for ``loss``: ``svg``, ``dot``, ``nodes`` and one frame per step.

    ``names`` labels tensors as in ``ld.viz.graph``; by default the caller's variables do.
    """
    scope = caller_scope() if names is None else names
    nodes = build(loss, names_in(scope))
    graph = Graph(nodes, max_nodes=max_nodes)
    by_fn = {id(n.fn): n for n in nodes if n.fn is not None}
    by_leaf = {id(n.tensor): n for n in nodes if n.fn is None}

    def node_of(t: Any) -> Any:
        return by_fn.get(id(t.grad_fn)) if t.grad_fn is not None else by_leaf.get(id(t))

    grads: dict[str, Any] = {}  # id -> array, this replay's .grad of every node
    shown: dict[str, Any] = {}  # id -> JSON Value of it, updated as it changes
    out = []
    for k, event in enumerate(replay(loss)):
        me = by_fn[id(event.node)]
        if k == 0:
            grads[me.id] = event.grad_output.data
            shown[me.id] = to_value(event.grad_output)
        labels = [node_of(t).label for t in event.node.inputs]
        passes = []
        for inp, gi in zip(event.node.inputs, event.grad_inputs):
            if gi is None or not inp.requires_grad:
                continue
            target = node_of(inp)
            before = grads.get(target.id)
            grads[target.id] = gi.data if before is None else before + gi.data
            shown[target.id] = to_value(grads[target.id])
            accumulated = None if before is None else shown[target.id]
            passes.append({"to": target.id, "value": to_value(gi), "accumulated": accumulated})
        title = me.title + (": start with dL/dL = 1" if k == 0 else "")
        out.append(
            {
                "node": me.id,
                "op": event.node.name,
                "title": title,
                "upstream": to_value(event.grad_output),
                "local": local_derivatives(event.node, labels),
                "passes": passes,
                "grads": dict(shown),
            }
        )
    svg_graph = Graph(_without_grads(nodes), max_nodes=max_nodes)
    return {
        "dot": svg_graph.dot,
        "svg": svg_graph.svg(),
        "nodes": [{"id": n.id, "label": n.label} for n in graph.nodes],
        "frames": out,
    }


def _without_grads(nodes: list) -> list:
    """The stepper's picture shows values only: gradients are what the steps reveal."""
    from dataclasses import replace

    return [replace(n, lines=[s for s in n.lines if not s.startswith("grad")]) for n in nodes]


def frame_text(frame: dict[str, Any], index: int, count: int, labels: dict[str, str]) -> str:
    """One frame as plain text (the terminal and nbval form of the stepper)."""
    lines = [f"step {index + 1}/{count}: {frame['title']}"]
    lines.append(
        f"  upstream dL/d{labels.get(frame['node'], frame['node'])} = "
        f"{value_text(frame['upstream'])}"
    )
    lines += [f"  local: {line}" for line in frame["local"]]
    for p in frame["passes"]:
        to = labels.get(p["to"], p["to"])
        line = f"  -> {to}: {value_text(p['value'])}"
        if p["accumulated"] is not None:
            line += f" (used again: {to}.grad adds up to {value_text(p['accumulated'])})"
        lines.append(line)
    return "\n".join(lines)
