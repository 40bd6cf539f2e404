"""Tracing: run the Python function once and record every op it runs into a ``Graph``.

The tracer appends itself to ``learndl.autograd._apply_hooks``, so every
``Function.apply`` — in the forward pass, in ``backward`` (written in learndl ops) and in
an optimizer's traced update — reports ``(node, output)``. Each tensor an op reads is
classified once:

- an output of an earlier recorded op, or an argument of the call: already known;
- the same array as a known value (``t.detach()`` shares its array): that value;
- a tensor made while tracing (``Tensor._make`` is watched): a frozen constant;
- anything else existed before the call: it is *captured* and read again on every call.

A gradient the call writes to a captured tensor's ``.grad``, or to an argument's (an
``Argument`` in ``Graph.grads``: each call writes the tensor passed then), is replaced on
each replay when the function resets it (``zero_grad``, ``p.grad = None``), and otherwise
added to what ``.grad`` holds, as eager backward does (the graph listing shows ``+=``).

An in-place change (``acc += x``, ``ld.static.assign``) of a captured tensor or of an
argument is an ``assign`` node, replayed; of a tensor made inside the call, a new name.

A Python setting the traced code reads (an optimizer's learning rate) becomes a constant of
the graph. Code that reads one registers a *guard* (``guard``): before each replay,
``@ld.function`` reads it again, and traces anew if it changed — a scheduler's new rate
is not silently ignored.

Reading a traced value as a Python value (``if loss > 1:``, ``float(x)``, ``x.item()``)
raises ``TracingError``: the graph records ops, not the branch Python took.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from learndl import autograd
from learndl.errors import LearnDLError
from learndl.static.ir import Argument, Graph, Node, Ref, Value
from learndl.tensor import Tensor, _value_hooks


class TracingError(LearnDLError, RuntimeError):
    """Something the function does cannot be recorded in a static graph."""


_active: list[Tracer] = []  # the tracer of the innermost call being traced


def current() -> Tracer | None:
    """The tracer recording right now, or None (eager mode)."""
    return _active[-1] if _active else None


def refuse_traced(t: Tensor, message: str) -> None:
    """Raise ``TracingError(message)`` when ``t`` is a traced value of the call being traced:
    for library code whose next step would read ``t`` into Python (and freeze it)."""
    tracer = current()
    if tracer is not None and tracer.is_traced(t):
        raise TracingError(message)


def resetting(zero_grad: Callable, params_of: Callable[[Any], Any]) -> Callable:
    """``zero_grad`` that first tells the tracer which tensors' gradients it resets (it skips
    a ``.grad`` that is already None, so the write alone would not show it)."""

    def traced_zero_grad(self, *args: Any, **kwargs: Any) -> Any:
        current().grad_resets.update(id(p) for p in params_of(self))
        return zero_grad(self, *args, **kwargs)

    return traced_zero_grad


class Tracer:
    """Records ops into values and nodes while the traced function runs eagerly once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[int, Value] = {}
        self.nodes: list[Node] = []
        self.inputs: list[int] = []
        self.arguments: list[Tensor] = []  # the call's tensor arguments, as in `inputs`
        self.by_tensor: dict[int, int] = {}  # id(Tensor) -> value id
        self.by_array: dict[int, int] = {}  # id(array) -> value id (detach() shares arrays)
        self.made_here: set[int] = set()  # ids of tensors created while tracing
        self.keep: list[Any] = []  # keeps traced objects alive so that their ids stay unique
        self.snapshots: dict[int, np.ndarray] = {}  # captured vid -> data at capture time
        self.assigned: set[int] = set()
        self.grad_resets: set[int] = set()  # ids of tensors whose .grad the call reset
        self.grad_before: dict[int, Any] = {}  # id -> its .grad before the call first wrote it
        self.guards: list[tuple[tuple[str, ...], Callable[[], tuple], tuple]] = []

    # ------------------------------------------------------------------ values
    def _new_value(self, kind: str, t: Tensor | None, array: Any, payload: Any = None) -> int:
        vid = len(self.values)
        self.values[vid] = Value(vid, kind, tuple(array.shape), array.dtype, payload)
        if t is not None:
            self.by_tensor[id(t)] = vid
            self.keep.append(t)
            if t.name:
                self.values[vid].name = t.name
        self.by_array.setdefault(id(array), vid)
        self.keep.append(array)
        return vid

    def add_input(self, t: Tensor) -> int:
        vid = self._new_value("input", t, t.data)
        self.inputs.append(vid)
        self.arguments.append(t)
        return vid

    def value_of(self, t: Tensor) -> int:
        """The value id of a tensor an op reads, classifying it the first time it is seen."""
        vid = self.by_tensor.get(id(t))
        if vid is not None:
            return vid
        vid = self.by_array.get(id(t.data))
        if vid is not None:  # a detached alias of a known value
            self.by_tensor[id(t)] = vid
            self.keep.append(t)
            return vid
        if id(t) in self.made_here:
            return self._new_value("const", t, t.data, t.data)
        vid = self._new_value("param", t, t.data, t)
        self.snapshots[vid] = t.data.copy()
        return vid

    def is_traced(self, t: Tensor) -> bool:
        """True when ``t``'s value depends on the call's arguments or captured tensors."""
        vid = self.by_tensor.get(id(t), self.by_array.get(id(t.data)))
        return vid is not None and self.values[vid].kind != "const"

    def guard(self, names: tuple[str, ...], read: Callable[[], tuple]) -> None:
        """Note Python settings the graph has frozen: ``read()`` gives their values, now and
        before each replay; ``names[i]`` names value ``i`` in a retrace reason."""
        self.guards.append((names, read, read()))

    # ------------------------------------------------------------------ hooks
    def record(self, node: Any, out: Tensor) -> None:
        """The ``_apply_hooks`` callback: one recorded node per ``Function.apply``."""
        inputs = [self.value_of(t) for t in node.inputs]
        arity = len(inputs)
        settings = {}
        for k, v in node.__dict__.items():
            if k.startswith("_") or k in ("inputs", "name", "created_at"):
                continue
            settings[k] = self._refs(v, inputs)
        vid = self._new_value("op", out, out.data)
        self.nodes.append(Node(len(self.nodes), node.name, type(node), settings, inputs, vid))
        self.nodes[-1].arity = arity

    def _refs(self, v: Any, inputs: list[int]) -> Any:
        """Settings that hold traced arrays (labels in an index) become Refs, filled per call."""
        if isinstance(v, tuple | list):
            return type(v)(self._refs(x, inputs) for x in v)
        if isinstance(v, np.ndarray) and id(v) in self.by_array:
            vid = self.by_array[id(v)]
            if self.values[vid].kind != "const":
                inputs.append(vid)
                return Ref(vid)
        return v

    def record_assign(self, target: Tensor, value: Tensor) -> bool:
        """An ``assign``; returns whether ``target``'s own array is to be written.

        - a captured tensor: an ``assign`` node writes it on every replay;
        - an argument: eager code changes the caller's tensor, so a node writes it too, and
          later reads of ``target`` read ``value`` (no pass then sees one value change);
        - a tensor made inside the call: only renamed (later reads read ``value``). It gets
          a copy of ``value`` as its array instead of a write into its own, which may be a
          constant the graph keeps (``acc = ld.zeros(2)``): written, every replay would
          start from the changed constant.
        """
        dst, src = self.value_of(target), self.value_of(value)
        for t, vid in zip(self.arguments, self.inputs):  # an argument: its placeholder,
            if t is target:  # also after an earlier write renamed it
                dst = vid
        kind = self.values[dst].kind
        if kind != "param":
            self.by_tensor[id(target)] = src
        if kind in ("param", "input"):
            self.assigned.add(dst)
            self.nodes.append(Node(len(self.nodes), "assign", None, {}, [dst, src], None, arity=2))
            return True
        target.data = value.data.astype(target.dtype)  # (astype copies)
        self.by_array[id(target.data)] = src  # target.detach() reads the new value too
        self.keep.append(target.data)
        return False

    def watch_value(self, t: Tensor, what: str) -> None:
        """The tensor ``_value_hooks`` callback: refuse to turn a traced value into Python."""
        if not self.is_traced(t):
            return
        start = (
            f"{what} on a traced tensor of shape {t.shape} inside @ld.function "
            f"'{self.name}'. While tracing, tensors stand for *every* future call's values"
        )
        if what in ("numpy()", "tolist()", "np.asarray()"):
            raise TracingError(
                f"{start}; NumPy work on this call's array would be frozen into the graph "
                "as a constant. Fixes: do that work with learndl ops (they are recorded and "
                "replayed), or return the tensor and call .numpy() outside the function."
            )
        raise TracingError(
            f"{start}, so Python cannot branch on (or print) one of them: the graph "
            "records ops, not the `if` Python took this time. (tf.function meets the same "
            "wall; its AutoGraph rewrites such an `if` into tf.cond, which learndl does "
            "not do.) Fixes: choose with ops, e.g. ld.where(x > 0, a, b); or pass the "
            "deciding value as a plain Python argument (each new value retraces); or "
            "run this part eagerly, outside the decorated function."
        )

    # ------------------------------------------------------------------ the end
    def finish(self, outputs: list[Tensor]) -> Graph:
        """Build the graph: outputs, gradients written to captured tensors and arguments,
        checks."""
        out_ids = [self.value_of(t) for t in outputs]
        for vid in out_ids:  # the caller gets this array: the graph keeps its own copy
            if self.values[vid].kind == "const":
                self.values[vid].tensor = self.values[vid].tensor.copy()
        grads, accumulate = [], set()
        position = {vid: i for i, vid in enumerate(self.inputs)}
        for vid, v in list(self.values.items()):
            if v.kind not in ("param", "input"):
                continue
            i = position.get(vid)
            t = v.tensor if i is None else self.arguments[i]
            if t.requires_grad and t.grad is not None:
                g = self.by_tensor.get(id(t.grad), self.by_array.get(id(t.grad.data)))
                if g is not None and self.values[g].kind == "op":
                    owner = t if i is None else Argument(i, v.label)
                    grads.append((owner, g))
                    if id(t) not in self.grad_resets:
                        self._check_accumulation(t)
                        accumulate.add(id(owner))
            if v.kind == "input" or vid in self.assigned:
                continue
            if not _same(t.data, self.snapshots[vid]):
                raise TracingError(
                    f"a captured tensor of shape {t.shape} was changed outside learndl ops "
                    "while tracing (raw NumPy such as `p.data -= lr * p.grad.data`, or an "
                    "optimizer the tracer does not know). A graph can only replay ops; "
                    "write the update as `ld.static.assign(p, p - lr * p.grad)`, or use "
                    "ld.optim.SGD / Adam, which the tracer follows."
                )
        return Graph(self.name, self.values, self.nodes, self.inputs, out_ids, grads, accumulate)

    def _check_accumulation(self, t: Tensor) -> None:
        """A gradient the call adds to ``t.grad`` (nothing reset it) is added at replay, onto
        whatever ``t.grad`` holds then; at tracing, the sum would be frozen onto this one."""
        if self.grad_before.get(id(t)) is not None:
            raise TracingError(
                f"backward adds to the .grad of a tensor of shape {t.shape} that already held "
                f"a gradient when @ld.function '{self.name}' was called, and nothing in the "
                "function resets it. Gradients that add up across calls are replayed only "
                "from a clean start: call opt.zero_grad() (or model.zero_grad(), or set "
                "x.grad = None) before the first call, or inside the function to start each "
                "call afresh."
            )

    def __enter__(self) -> Tracer:
        _active.append(self)
        autograd._apply_hooks.append(self.record)
        _value_hooks.append(self.watch_value)
        return self

    def __exit__(self, *exc: object) -> None:
        autograd._apply_hooks.remove(self.record)
        _value_hooks.remove(self.watch_value)
        _active.remove(self)


def _same(a: Any, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
