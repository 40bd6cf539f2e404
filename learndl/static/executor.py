"""The executor: replay an optimized graph as a flat list of steps on raw arrays.

Compiling gives every value a slot in one list, ``env``, and every node a step
``(kernel, input slots, output slot, buffer)``. A call fills the slots of the arguments
and captured tensors, runs the steps in order — no ``Tensor`` objects, no ``Function``
nodes, no autograd bookkeeping — and hands back the output arrays. That missing Python
work is where graph mode's speed comes from.

Example:
    >>> import learndl as ld
    >>> f = ld.function(lambda x: x * 2.0 + 1.0)
    >>> _ = f(ld.ones(2))           # traces
    >>> f(ld.ones(2)).tolist()      # replays: f.executor.run(...)
    [3.0, 3.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl.static.ir import Graph
from learndl.static.kernels import kernel_for


def _assigner(target: Any):
    def assign(dst, src):  # a parameter update: written in place, counted as in-place edits
        np.copyto(dst, src, casting="unsafe")
        target._version += 1

    def assign_argument(dst, src):  # an argument changed in place: the caller's array
        np.copyto(dst, src, casting="unsafe")

    return assign if target is not None else assign_argument


class Executor:
    """A compiled graph: ``run(arrays)`` returns ``(outputs, grads)`` as raw arrays."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        slot = {vid: i for i, vid in enumerate(graph.values)}
        self.env_template: list[Any] = [None] * len(slot)
        self.captured: list[tuple[int, Any]] = []
        for vid, v in graph.values.items():
            if v.kind == "const":
                self.env_template[slot[vid]] = v.tensor
            elif v.kind == "param":
                self.captured.append((slot[vid], v.tensor))
        self.input_slots = [slot[v] for v in graph.inputs]
        self.steps: list[tuple[Any, tuple[int, ...], int, int]] = []
        earlier: dict[tuple, Any] = {}  # kernels a later node may share work with
        for node in graph.nodes:
            ins = tuple(slot[v] for v in node.inputs)
            if node.op == "assign":
                target = graph.values[node.inputs[0]].tensor
                self.steps.append((_assigner(target), ins, len(slot), -1))
            else:
                buf = -1 if node.buffer is None else node.buffer
                self.steps.append((kernel_for(node, earlier), ins, slot[node.output], buf))
        self.env_template.append(None)  # the slot assign steps "write" their None into
        self.buffer_specs = graph_buffers(graph)
        self.buffers: list[Any] = []
        self.output_slots = [slot[v] for v in graph.outputs]
        self.grad_slots = [(t, slot[v]) for t, v in graph.grads]
        # A constant handed back (`return ld.zeros(2)`) is copied on each call, as eager
        # code makes it anew: a caller's in-place change must not reach the next call.
        self.fresh_copies = sorted(
            {slot[v] for v in graph.live_roots() if graph.values[v].kind == "const"}
        )

    def run(self, arrays: list[Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
        if not self.buffers and self.buffer_specs:  # buffers live as long as the executor
            self.buffers = [np.empty(shape, dtype) for shape, dtype in self.buffer_specs]
        env = self.env_template.copy()
        for i, a in zip(self.input_slots, arrays):
            env[i] = a
        for i, t in self.captured:
            env[i] = t.data
        buffers = self.buffers
        for fn, ins, out, buf in self.steps:
            if buf < 0:
                env[out] = fn(*[env[i] for i in ins])
            else:
                env[out] = fn(*[env[i] for i in ins], out=buffers[buf])
        for i in self.fresh_copies:
            env[i] = env[i].copy()
        outputs = [env[i] for i in self.output_slots]
        return outputs, [(t, env[i]) for t, i in self.grad_slots]


def graph_buffers(graph: Graph) -> list[tuple[tuple[int, ...], Any]]:
    """(shape, dtype) of each buffer the memory plan assigned, in buffer-number order."""
    specs: dict[int, tuple[tuple[int, ...], Any]] = {}
    for node in graph.nodes:
        if node.buffer is not None:
            v = graph.values[node.output]
            specs[node.buffer] = (v.shape, v.dtype)
    return [specs[b] for b in sorted(specs)]
