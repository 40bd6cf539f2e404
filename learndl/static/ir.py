"""The graph IR that ``@ld.function`` records: values (edges) and nodes (ops), nothing more.

A ``Value`` is one array the function computes or reads. Its ``kind`` says where it comes
from:

- ``"input"``: a placeholder, filled from the call's tensor arguments;
- ``"param"``: a tensor that existed before the call and was *captured* (read again on
  every call, and possibly written by ``assign``), like a ``tf.Variable``;
- ``"const"``: an array made while tracing (a Python number, a mask of zeros), frozen;
- ``"op"``: the output of a node.

A ``Node`` is one op that ``Function.apply`` ran: its class, its settings, its input
values and its output value. Two kinds of node are not ops of the engine: ``"assign"``
writes a value into a captured tensor (a parameter update), and ``"fused"`` runs a chain of
elementwise nodes as one step (made by the fusion pass).

Example:
    >>> import learndl as ld
    >>> @ld.function
    ... def f(x):
    ...     return (x * 2.0).relu()
    >>> _ = f(ld.ones(3))
    >>> print(f.graph_before)
    graph f(x0: (3,) float32)
      v2 = mul(x0, c1)  (3,) float32
      v3 = relu(v2)  (3,) float32
      return v3
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Ref:
    """A setting that holds a traced array (labels inside an index): filled in on each call."""

    def __init__(self, vid: int) -> None:
        self.vid = vid

    def __repr__(self) -> str:
        return f"Ref(v{self.vid})"


@dataclass(frozen=True, eq=False)
class Argument:
    """Stands for a tensor argument in ``Graph.grads``: each call writes the ``.grad`` of the
    tensor passed in that call (an input's gradient: FGSM, saliency maps)."""

    index: int  # its position among the call's tensor arguments
    name: str  # how listings show it: its placeholder's label, "x0"


@dataclass
class Value:
    id: int
    kind: str  # "input" | "param" | "const" | "op"
    shape: tuple[int, ...]
    dtype: Any
    tensor: Any = None  # the captured Tensor (param), or the frozen array (const)
    name: str | None = None

    @property
    def label(self) -> str:
        prefix = {"input": "x", "param": "p", "const": "c"}.get(self.kind, "v")
        return f"{prefix}{self.id}"


@dataclass
class Node:
    id: int
    op: str  # the op's name: "add", "matmul", ... or "assign", "fused"
    fn: Any  # the Function subclass (None for assign/fused)
    settings: dict[str, Any]
    inputs: list[int]  # value ids; Refs in settings are listed here too, after `arity`
    output: int | None  # None for assign
    arity: int = 0  # how many of `inputs` are the op's positional tensors
    fused: list[Node] = field(default_factory=list)  # for "fused": the chain, in order
    buffer: int | None = None  # set by memory planning: which reusable buffer to write into

    def describe(self, graph: Graph) -> str:
        labels = [graph.values[v].label for v in self.inputs[: self.arity]]
        if self.op == "fused":
            args, extra = ", ".join(labels), " [" + " -> ".join(n.op for n in self.fused) + "]"
        else:  # settings after the inputs; a random draw has no inputs
            shown = [f"{k}={_short(v)}" for k, v in self.settings.items() if k != "kernel"]
            args, extra = ", ".join(labels + shown), ""
        if self.output is None:
            return f"{self.op}({args}{extra})"
        out = graph.values[self.output]
        buf = f"  buf{self.buffer}" if self.buffer is not None else ""
        dtype = getattr(out.dtype, "name", out.dtype)
        return f"{out.label} = {self.op}({args}{extra})  {out.shape} {dtype}{buf}"


def _short(v: Any) -> str:
    """A setting as the listing shows it: arrays by shape, not by value."""
    if isinstance(v, tuple | list) and any(hasattr(x, "shape") for x in v):
        return "(" + ", ".join(_short(x) for x in v) + ")"
    if hasattr(v, "shape") and hasattr(v, "dtype") and not isinstance(v, type):
        return f"array{tuple(v.shape)}"
    return getattr(v, "name", None) if hasattr(v, "itemsize") else repr(v)


@dataclass
class Graph:
    """Values, nodes in execution order, and what the function hands back or changes."""

    name: str
    values: dict[int, Value]
    nodes: list[Node]
    inputs: list[int]  # placeholder value ids, in argument order
    outputs: list[int]  # value ids of the returned tensors (flattened)
    # (tensor, vid): the .grad a call writes, of a captured tensor or of an Argument
    grads: list[tuple[Any, int]] = field(default_factory=list)
    # ids of the tensors whose .grad the call adds to, as eager backward does when nothing
    # in the function resets it (no zero_grad); the others' .grad is replaced
    accumulate: set[int] = field(default_factory=set)

    def copy(self) -> Graph:
        """A copy whose node list and nodes can be edited without touching this one."""
        nodes = [
            Node(**{**n.__dict__, "inputs": list(n.inputs), "settings": dict(n.settings)})
            for n in self.nodes
        ]
        return Graph(
            self.name, dict(self.values), nodes, list(self.inputs), list(self.outputs),
            list(self.grads), set(self.accumulate),
        )  # fmt: skip

    # -- questions the passes ask
    def live_roots(self) -> set[int]:
        """Values that must survive: outputs and gradients the call hands back."""
        return set(self.outputs) | {v for _, v in self.grads}

    def readers(self) -> dict[int, list[Node]]:
        """For each value id, the nodes that read it."""
        users: dict[int, list[Node]] = {}
        for n in self.nodes:
            for v in dict.fromkeys(n.inputs):  # a node reading a value twice counts once
                users.setdefault(v, []).append(n)
        return users

    def replace_uses(self, old: int, new: int) -> None:
        """Make every reader of value ``old`` read ``new`` instead (a rewrite's last step)."""
        for n in self.nodes:
            n.inputs = [new if v == old else v for v in n.inputs]
            for k, s in n.settings.items():
                if isinstance(s, Ref) and s.vid == old:
                    n.settings[k] = Ref(new)
        self.outputs = [new if v == old else v for v in self.outputs]
        self.grads = [(t, new if v == old else v) for t, v in self.grads]

    # -- pictures
    def __str__(self) -> str:
        def sig(v: Value) -> str:
            return f"{v.label}: {v.shape} {getattr(v.dtype, 'name', v.dtype)}"

        lines = [f"graph {self.name}({', '.join(sig(self.values[v]) for v in self.inputs)})"]
        lines += ["  " + n.describe(self) for n in self.nodes]
        lines += [
            f"  {t.name or 'param'}.grad {'+=' if id(t) in self.accumulate else '='} "
            f"{self.values[v].label}"
            for t, v in self.grads
        ]
        lines.append("  return " + ", ".join(self.values[v].label for v in self.outputs))
        return "\n".join(lines)

    def listing(self) -> str:
        """The graph as text, one node a line (what ``print(graph)`` shows)."""
        return str(self)

    def dot(self, colors: dict[int, str] | None = None) -> str:
        """The graph in Graphviz DOT: ops are boxes, inputs/params/consts are ovals."""
        from learndl.static.draw import to_dot

        return to_dot(self, colors or {})

    @staticmethod
    def diff(before: Graph, after: Graph) -> Any:
        """What changed from ``before`` to ``after``: removed, added and fused nodes."""
        from learndl.static.draw import GraphDiff

        return GraphDiff(before, after)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))
