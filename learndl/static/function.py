"""``@ld.function``: trace a Python function once per input signature, then replay the graph.

The first call with a new *signature* — the shapes and dtypes of the tensor arguments,
and the values of every other argument (``training=True``, a learning rate) — runs the
function eagerly while a ``Tracer`` records its ops. The graph is optimized by the passes
and compiled into an ``Executor``. Later calls with that signature skip Python entirely:
the executor replays the steps on the new arrays — unless a Python setting the trace froze
and guarded (a layer's ``training`` flag, an optimizer's learning rate; see
``Tracer.guard``) has changed since: then a trace made for the new value replays, or the
call traces again and says why.

Example:
    >>> import learndl as ld
    >>> @ld.function
    ... def f(x, scale=2.0):
    ...     return (x * scale).sum()
    >>> f(ld.ones(3)).item(), f(ld.ones(3)).item(), len(f.traces)
    (6.0, 6.0, 1)
    >>> _ = f(ld.ones(4)); [t.reason for t in f.traces][1]
    'x: shape (4,) (a trace exists for (3,))'
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from learndl import autograd
from learndl.static import passes
from learndl.static.executor import Executor
from learndl.static.ir import Argument, Graph
from learndl.static.rules import tracing_rules
from learndl.static.tracer import Tracer
from learndl.tensor import Tensor

RETRACE_WARNING = 5  # as TensorFlow: warn once a function has been traced this many times
# Traces kept for one signature that differ in a guarded setting (train and eval mode, a few
# learning rates); when one more is made, the least recently made is dropped.
TRACES_PER_SIGNATURE = 4


@dataclass
class Trace:
    """One traced version of the function: its signature, why it was made, its graphs."""

    signature: tuple
    reason: str
    graph_before: Graph
    graph: Graph
    snapshots: list[tuple[str, Graph]] = field(default_factory=list)  # (pass, graph after it)
    executor: Executor | None = None
    rebuild: Callable[[list[Any]], Any] | None = None
    guards: list[tuple[tuple[str, ...], Callable[[], tuple], tuple]] = field(default_factory=list)

    def stale(self) -> str | None:
        """Why this trace no longer fits (a Python setting it froze has changed), or None."""
        for names, read, values in self.guards:
            now = read()
            if now != values:
                name, new, old = next(d for d in zip(names, now, values) if d[1] != d[2])
                return f"{name} is {new!r} (the trace used {old!r})"
        return None


def _flatten(obj: Any, leaves: list[Any]) -> Callable[[list[Any]], Any]:
    """Collect the leaves of nested tuples/lists/dicts; return how to rebuild the structure."""
    if isinstance(obj, tuple | list):
        parts = [_flatten(x, leaves) for x in obj]
        return lambda it: type(obj)(p(it) for p in parts)
    if isinstance(obj, dict):
        parts = {k: _flatten(v, leaves) for k, v in obj.items()}
        return lambda it: {k: p(it) for k, p in parts.items()}
    leaves.append(obj)
    return lambda it: next(it)


def _leaves(obj: Any, leaves: list[Any]) -> list[Any]:
    """The leaves ``_flatten`` collects, in its order, without making a rebuild function."""
    if isinstance(obj, tuple | list):
        for x in obj:
            _leaves(x, leaves)
    elif isinstance(obj, dict):
        for x in obj.values():
            _leaves(x, leaves)
    else:
        leaves.append(obj)
    return leaves


def _describe(leaf: Any) -> Any:
    """How one argument enters the signature: tensors by shape and dtype, the rest by value."""
    if isinstance(leaf, Tensor):  # (the array's own shape and dtype: no property calls)
        return ("tensor", leaf.data.shape, leaf.data.dtype, leaf.requires_grad)
    try:
        hash(leaf)
    except TypeError:
        return ("object", id(leaf))
    if isinstance(leaf, bool | int | float | str | bytes | type(None)):
        return ("python", type(leaf).__name__, leaf)
    return ("object", id(leaf))  # a module, an optimizer: the same object, as TF does


def _why(new: tuple, traces: list[Trace], names: list[str]) -> str:
    """The retracing reason: the first difference from the closest existing trace."""
    if not traces:
        return "first call"

    def distance(old: tuple) -> int:  # how many fields (a shape, a dtype, a value) differ
        return sum(
            sum(x != y for x, y in zip(a, b)) if isinstance(a, tuple) else a != b
            for a, b in zip(old, new)
        )

    old = min((t.signature for t in traces), key=distance)
    if len(old) != len(new):
        return f"{len(new) - 1} arguments (a trace exists for {len(old) - 1})"
    for i, (a, b) in enumerate(zip(new[:-1], old[:-1])):
        i = names[i] if len(names) == len(new) - 1 else f"arg {i}"  # type: ignore[assignment]
        if a != b:
            if a[0] == "tensor" == b[0]:
                what = "shape" if a[1] != b[1] else "dtype" if a[2] != b[2] else "requires_grad"
                k = {"shape": 1, "dtype": 2, "requires_grad": 3}[what]
                return f"{i}: {what} {a[k]} (a trace exists for {b[k]})"
            return f"{i} is {a[-1]!r} (a trace exists for {b[-1]!r})"
    return "grad mode changed"


class StaticFunction:
    """What ``@ld.function`` returns: call it like the function; inspect ``traces``/``graph``."""

    def __init__(self, fn: Callable, optimize: bool = True) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.optimize = optimize
        self.traces: list[Trace] = []  # the ones kept, oldest first
        self.trace_count = 0  # how many times it has traced, dropped traces included
        self._by_signature: dict[tuple, list[Trace]] = {}  # newest first
        self._last: Trace | None = None
        try:
            self._params: inspect.Signature | None = inspect.signature(fn)
        except (TypeError, ValueError):
            self._params = None
        # A call that passes every parameter by position needs no binding (the usual case).
        plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        params = self._params.parameters.values() if self._params is not None else ()
        self._arity = len(params) if all(p.kind in plain for p in params) else -1

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._params is not None and (kwargs or len(args) != self._arity):
            bound = self._params.bind(*args, **kwargs)  # defaults filled in: f(x) and
            bound.apply_defaults()  # f(x, 1.0) are one trace
            args, kwargs = bound.args, bound.kwargs
        leaves = _leaves((args, kwargs), [])
        signature = tuple(_describe(x) for x in leaves) + (autograd.is_grad_enabled(),)
        candidates = self._by_signature.get(signature, [])
        trace = next((t for t in candidates if t.stale() is None), None)
        if trace is None:  # a new signature, or a frozen setting (a learning rate) changed
            changed = candidates[0].stale() if candidates else None
            return self._trace(signature, args, kwargs, leaves, changed)
        self._last = trace
        tensors = [x for x in leaves if isinstance(x, Tensor)]
        outputs, grads = trace.executor.run([t.data for t in tensors])
        accumulate = trace.graph.accumulate
        for owner, g in grads:
            # a captured tensor, or the tensor passed for an argument this call
            t = tensors[owner.index] if isinstance(owner, Argument) else owner
            if t.grad is not None and id(owner) in accumulate:  # no zero_grad in the function:
                total = t.grad.data + g  # gradients add up across calls, as eager backward's
                outputs = [total if a is g else a for a in outputs]  # a returned p.grad too
                g = total
            t.grad = Tensor._make(g, False, None)
        return trace.rebuild(iter([Tensor._make(a, False, None) for a in outputs]))

    def _trace(
        self, signature: tuple, args: tuple, kwargs: dict, leaves: list, reason: str | None = None
    ) -> Any:
        names = list(self._params.parameters) if self._params is not None else []
        reason = reason or _why(signature, self.traces, names)
        tracer = Tracer(getattr(self.fn, "__name__", "function"))
        for x in leaves:
            if isinstance(x, Tensor):
                tracer.add_input(x)
        with tracer, tracing_rules(tracer):
            result = self.fn(*args, **kwargs)
        out_leaves: list[Any] = []
        structure = _flatten(result, out_leaves)
        tensors = [x for x in out_leaves if isinstance(x, Tensor)]
        graph_before = tracer.finish(tensors)
        snapshots = passes.optimize(graph_before) if self.optimize else []
        graph = snapshots[-1][1] if snapshots else graph_before

        def rebuild(it: Any) -> Any:  # python leaves of the result are part of the trace
            return structure(iter([next(it) if isinstance(x, Tensor) else x for x in out_leaves]))

        trace = Trace(
            signature,
            reason,
            graph_before,
            graph,
            snapshots,
            Executor(graph),
            rebuild,
            tracer.guards,
        )
        candidates = self._by_signature.setdefault(signature, [])
        candidates.insert(0, trace)  # the newest is tried first
        self.traces.append(trace)
        if len(candidates) > TRACES_PER_SIGNATURE:  # a schedule's many rates: forget the oldest
            self.traces.remove(candidates.pop())
        self._last = trace
        self.trace_count += 1
        if self.trace_count == RETRACE_WARNING:
            warnings.warn(
                f"@ld.function '{self.__name__}' has been traced {self.trace_count} times "
                f"(latest: {reason}). Each new signature traces again, which is slow: pass "
                "tensors of one shape (pad or drop the last batch), and keep Python arguments "
                "that change every call (a step counter) out of the signature. A guarded "
                "setting that changes every call (a per-step learning-rate schedule) traces "
                "every call: run that step eagerly.",
                stacklevel=2,
            )
        return result

    # -- what lessons look at: the graphs of the latest trace
    def _latest(self) -> Trace:
        if self._last is None:
            raise RuntimeError(f"'{self.__name__}' has not been called yet, so nothing is traced.")
        return self._last

    @property
    def graph(self) -> Graph:
        """The optimized graph that calls replay (of the most recently used trace)."""
        return self._latest().graph

    @property
    def graph_before(self) -> Graph:
        """The graph as traced, before any pass ran."""
        return self._latest().graph_before

    @property
    def snapshots(self) -> list[tuple[str, Graph]]:
        """``(pass name, graph after that pass)`` for each pass, in order."""
        return self._latest().snapshots

    @property
    def executor(self) -> Executor:
        return self._latest().executor

    def __get__(self, obj: Any, objtype: Any = None) -> Any:  # decorating a method
        return self if obj is None else functools.partial(self.__call__, obj)


def function(fn: Callable | None = None, *, optimize: bool = True) -> Any:
    """Decorator: trace ``fn`` into a static graph per input signature (``tf.function``).

    Args:
        fn: the function; its tensor arguments become the graph's placeholders.
        optimize: run the graph passes (turn off to replay the graph as traced).

    Example:
        >>> import learndl as ld
        >>> @ld.function
        ... def double(x):
        ...     return x + x
        >>> double(ld.tensor([1.0, 2.0])).tolist()
        [2.0, 4.0]
    """
    if fn is None:
        return lambda f: StaticFunction(f, optimize)
    return StaticFunction(fn, optimize)
