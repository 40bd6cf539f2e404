"""The engine: graph nodes (``Function``), grad mode, and the backward pass.

Each op is a ``Function`` subclass with ``forward`` (raw arrays in, raw array out) and
``backward`` (a learndl ``Tensor`` gradient in, one gradient per input out, written in
learndl ops). ``Function.apply`` runs ``forward`` and, when a gradient is needed, makes
the Function instance the output's ``grad_fn``: the instance *is* the graph node, holding
its inputs and what it saved.

``backward`` sorts the graph once (an explicit stack, so a 100,000-op chain needs no
recursion) and walks it from the output back to the leaves, adding up gradients where a
value was used more than once.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor(3.0, requires_grad=True)
    >>> (a * a + a).backward()
    >>> a.grad.item()
    7.0
"""

from __future__ import annotations

import contextlib
import functools
import operator
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from learndl import backend
from learndl.errors import AnomalyError, GradError, InplaceError

if TYPE_CHECKING:
    from learndl.tensor import Tensor

_grad_enabled = True
_anomaly_mode = False
_version_of = operator.attrgetter("_version")  # a tensor's count of in-place changes


# --------------------------------------------------------------------------- grad mode
def is_grad_enabled() -> bool:
    """True when new ops record the graph (outside ``no_grad``)."""
    return _grad_enabled


def is_recording() -> bool:
    """True when new ops are recorded: grad mode is on, or an ``_apply_hooks`` listener (the
    ``@ld.function`` tracer) sees every op. A backward formula may run on raw arrays, with no
    node per product, only when this is False: a plain ``backward()``."""
    return _grad_enabled or bool(_apply_hooks)


class set_grad_enabled(contextlib.ContextDecorator):  # noqa: N801 - named as PyTorch's
    """Turn graph recording on or off inside a ``with`` block (or for a decorated function)."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self.previous.pop()

    def __call__(self, func: Callable) -> Callable:
        """As a decorator (``@ld.no_grad()`` on an optimizer's ``step``): the same switch,
        written into the wrapper instead of entering ``self`` on every call."""
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            global _grad_enabled
            previous, _grad_enabled = _grad_enabled, mode
            try:
                return func(*args, **kwargs)
            finally:
                _grad_enabled = previous

        return wrapper


def no_grad() -> set_grad_enabled:
    """Stop recording the graph: ops inside run plain forward computations.

    Works as ``with ld.no_grad():`` and as a decorator ``@ld.no_grad()``.

    Example:
        >>> import learndl as ld
        >>> w = ld.ones(2, requires_grad=True)
        >>> with ld.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """
    return set_grad_enabled(False)


def enable_grad() -> set_grad_enabled:
    """Record the graph again, e.g. inside a ``no_grad`` block."""
    return set_grad_enabled(True)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first op whose forward or backward produces NaN or Inf.

    The error names the op and the line of *your* code that created it. It costs a
    check per op, so use it to debug, not to train.

    Example:
        >>> import learndl as ld
        >>> x = ld.tensor([-1.0], requires_grad=True)
        >>> with ld.detect_anomaly():
        ...     try:
        ...         ld.sqrt(x)
        ...     except ld.AnomalyError as e:
        ...         print(str(e).split(":")[0])
        sqrt produced NaN or Inf in its forward pass
    """
    global _anomaly_mode
    previous, _anomaly_mode = _anomaly_mode, True
    try:
        yield
    finally:
        _anomaly_mode = previous


def _user_frame() -> str:
    """The innermost stack frame outside learndl, as ``file:line in function``."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "/learndl/" not in frame.filename.replace("\\", "/"):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


def _check_finite(array: Any, what: str, node: Function) -> None:
    xp = backend.xp(array)
    if array.dtype.kind == "f" and not bool(xp.isfinite(array).all()):
        where = getattr(node, "created_at", None) or _user_frame()
        raise AnomalyError(f"{node.name} produced NaN or Inf in its {what}: created at {where}")


# --------------------------------------------------------------------------- nodes
class Function:
    """One op: ``forward`` on raw arrays and ``backward`` in learndl ops, side by side.

    Subclasses set ``name``, implement ``forward(self, *arrays)`` and
    ``backward(self, grad)``, and call ``save_for_backward`` for tensors the backward
    needs. Non-tensor settings (an axis, a shape) are passed to ``apply`` by keyword and
    become attributes of the node.

    Example:
        >>> import learndl as ld
        >>> class Cube(ld.Function):
        ...     name = "cube"
        ...     def forward(self, x):
        ...         self.save_for_backward(self.inputs[0])
        ...         return x ** 3
        ...     def backward(self, grad):
        ...         (x,) = self.saved_tensors
        ...         return (grad * 3 * x * x,)
        >>> x = ld.tensor(2.0, requires_grad=True)
        >>> Cube.apply(x).backward(); x.grad.item()
        12.0
    """

    name = "function"
    inputs: tuple[Tensor, ...] = ()
    _output: weakref.ref | None = None  # set by apply() when the output needs a gradient
    xp = staticmethod(backend.xp)  # the array module of the inputs: numpy or cupy

    def __init__(self, **settings: Any) -> None:  # apply() skips this for speed; keep in step
        self.__dict__.update(settings)
        self._saved: tuple | None = ()
        self._output: weakref.ref | None = None

    # -- subclasses implement these two
    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name} has no backward")

    # -- saved values, with the version check that catches in-place edits
    def save_for_backward(self, *tensors: Tensor) -> None:
        """Keep tensors for ``backward``; each is checked for in-place edits then."""
        if self._saved is None:  # no gradient will flow through this node: keep nothing
            return
        self._saved = tensors
        self._versions = list(map(_version_of, tensors))

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        if self._saved is None:
            raise GradError(
                f"{self.name}: backward through a graph whose saved values were already "
                "freed by an earlier backward(). Pass retain_graph=True to the first "
                "backward() if you need to run it twice."
            )
        tensors = self._saved
        if list(map(_version_of, tensors)) == self._versions:  # nothing changed since
            return tensors
        for i, (t, version) in enumerate(zip(tensors, self._versions, strict=True)):
            if t._version != version:  # the tensor was changed in place after it was saved
                raise InplaceError(
                    f"{self.name}: its saved input {i} of shape {t.shape} was modified in "
                    f"place after it was used (version {version} -> {t._version}), so its "
                    "gradient would be wrong. Use an out-of-place op (x = x + 1 instead "
                    "of x += 1) or .clone() the tensor before changing it."
                )
        return tensors

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether backward must compute its gradient (skip the others)."""
        return tuple([t.requires_grad for t in self.inputs])

    @property
    def output(self) -> Tensor | None:
        """The tensor this node produced (held weakly, so the graph makes no cycle)."""
        return self._output() if self._output is not None else None

    @property
    def saved_output(self) -> Tensor:
        """The output, for ops whose backward reuses it (exp, tanh, ...), checked like inputs."""
        out = self.output
        if self._saved is None or out is None:
            raise GradError(
                f"{self.name}: backward through a graph that was already freed by an earlier "
                "backward(). Pass retain_graph=True to the first backward() to run it twice."
            )
        if out._version != 0:
            raise InplaceError(
                f"{self.name}: its output of shape {out.shape} was modified in place before "
                "backward, and its backward needs that output. Use an out-of-place op or "
                ".clone() the output before changing it."
            )
        return out

    @classmethod
    def apply(cls, *inputs: Tensor, **settings: Any) -> Tensor:
        """Run the op on tensors and record it in the graph when a gradient is needed."""
        node = cls.__new__(cls)  # NOTE: no __init__ call: this is the hottest line of learndl
        if settings:
            node.__dict__.update(settings)
        node.inputs = inputs
        if len(inputs) == 2:  # the common cases spelled out: a list comprehension costs more
            a, b = inputs
            needs_grad = _grad_enabled and (a.requires_grad or b.requires_grad)
            node._saved = () if needs_grad else None  # None: save_for_backward keeps nothing
            data = node.forward(a.data, b.data)
        elif len(inputs) == 1:
            needs_grad = _grad_enabled and inputs[0].requires_grad
            node._saved = () if needs_grad else None
            data = node.forward(inputs[0].data)
        elif len(inputs) == 3:  # linear and conv with a bias: a network is mostly these
            a, b, c = inputs
            needs_grad = _grad_enabled and (a.requires_grad or b.requires_grad or c.requires_grad)
            node._saved = () if needs_grad else None
            data = node.forward(a.data, b.data, c.data)
        else:
            needs_grad = _grad_enabled and any(t.requires_grad for t in inputs)
            node._saved = () if needs_grad else None
            data = node.forward(*[t.data for t in inputs])
        if needs_grad and data.dtype.kind != "f":
            needs_grad = False  # integer outputs (a cast, say) carry no gradient
        out = _make_tensor(data, needs_grad, node if needs_grad else None)
        if _apply_hooks:  # NOTE: before `inputs` is dropped below: the tracer reads it
            for hook in _apply_hooks:
                hook(node, out)
        if needs_grad:
            node._output = weakref.ref(out)
            if _layer_name is not None:
                node.module = _layer_name
            if _anomaly_mode:
                node.created_at = _user_frame()
        else:
            node.inputs = ()  # nothing will walk back through it
        if _anomaly_mode:
            _check_finite(data, "forward pass", node)
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def _make_tensor(data: Any, requires_grad: bool, grad_fn: Any) -> Tensor:
    from learndl.tensor import Tensor

    global _make_tensor
    _make_tensor = Tensor._make  # bind once: the import cannot run at module load (cycle)
    return _make_tensor(data, requires_grad, grad_fn)


# Callbacks run after every Function.apply: (node, output). The static-graph tracer uses it.
_apply_hooks: list[Callable[[Function, Tensor], None]] = []

# The qualified name of the ld.nn layer running now ("fc1"; "" for the model itself), set by
# Module.__call__; None outside any layer. A recorded node keeps it as ``node.module``, so a
# graph picture can box each layer's ops.
_layer_name: str | None = None


# --------------------------------------------------------------------------- backward
class BackwardEvent(NamedTuple):
    """What an observer of ``backward`` receives, once per node, in the order run.

    ``grad_inputs[i]`` is the gradient ``node`` passed to ``node.inputs[i]`` (``None``
    where that input needs none).
    """

    node: Function
    output: Tensor | None
    grad_output: Tensor
    grad_inputs: tuple[Tensor | None, ...]


def topological_order(root: Function) -> list[Function]:
    """Nodes reachable from ``root``, each after every node it depends on.

    An explicit stack instead of recursion, so depth is limited only by memory.
    """
    order: list[Function] = []
    visited = {root}  # nodes hash by identity
    stack = [(root, iter(root.inputs))]
    while stack:
        node, children = stack[-1]
        for t in children:
            child = t.grad_fn
            if child is not None and child not in visited:
                visited.add(child)
                stack.append((child, iter(child.inputs)))
                break
        else:  # every child done: the node itself is done
            stack.pop()
            order.append(node)
    return order


def run_backward(
    root: Tensor,
    grad: Tensor,
    retain_graph: bool = False,
    create_graph: bool = False,
    observer: Callable[[BackwardEvent], None] | None = None,
) -> None:
    """Propagate ``grad`` from ``root`` to every leaf that requires grad (see Tensor.backward)."""
    order = topological_order(root.grad_fn)
    pending: dict[Function, Tensor] = {root.grad_fn: grad}  # nodes hash by identity
    leaf_grads: dict[Tensor, Tensor] = {}
    global _grad_enabled
    grad_mode, _grad_enabled = _grad_enabled, create_graph  # as set_grad_enabled, cheaper
    try:
        for node in reversed(order):
            g = pending.pop(node, None)
            if g is None:  # no gradient reached this node (e.g. its output was unused)
                continue
            out = node._output() if node._output is not None else None
            if out is not None and (out._hooks or out._retains_grad):
                g = out._run_hooks(g)
                if out._retains_grad:
                    out.grad = g if create_graph else g.detach()
            grads = node.backward(g) if not _anomaly_mode else _backward_unchecked(node, g)
            if not retain_graph:
                node._saved = None
            if observer is not None:
                observer(BackwardEvent(node, out, g, tuple(grads)))
            for inp, gi in zip(node.inputs, grads, strict=True):
                if gi is None or not inp.requires_grad:
                    continue
                if _anomaly_mode:
                    _check_finite(gi.data, "backward pass", node)
                # Leaves gather their gradient here (hooks run once, at the end); inner
                # nodes gather theirs in `pending` until their turn comes.
                if inp.grad_fn is None:
                    seen = leaf_grads.get(inp)
                    leaf_grads[inp] = gi if seen is None else _add(seen, gi, create_graph)
                else:
                    key = inp.grad_fn
                    seen = pending.get(key)
                    pending[key] = gi if seen is None else _add(seen, gi, create_graph)
        _accumulate_leaf_grads(leaf_grads.items(), create_graph)
    finally:
        _grad_enabled = grad_mode


def _backward_unchecked(node: Function, grad: Tensor) -> tuple[Tensor | None, ...]:
    """``node.backward`` with anomaly checks of the ops inside it turned off.

    Its gradients are checked as the node's own, so that an error names the op the user
    wrote (``sqrt``) and its line, not the division inside sqrt's backward.
    """
    global _anomaly_mode
    _anomaly_mode = False
    try:
        return node.backward(grad)
    finally:
        _anomaly_mode = True


def _accumulate_leaf_grads(items: Any, create_graph: bool) -> None:
    assigned: set[int] = set()
    for leaf, g in items:
        if leaf._hooks:
            g = leaf._run_hooks(g)
        if not create_graph:
            if g.requires_grad:  # only a grad= the caller passed can still carry a graph
                g = g.detach()
            # NOTE: one gradient array can reach two leaves (a + b passes the same
            # upstream grad to both); copy it so that an in-place change of a.grad
            # (clip_grad_norm_, say) cannot change b.grad too. A view (reshape's backward
            # gives one) shares its base's memory, so the base is what counts.
            memory = g.data if g.data.base is None else g.data.base
            if id(memory) in assigned:
                g = g.clone()
            assigned.add(id(memory))
        leaf.grad = g if leaf.grad is None else _add(leaf.grad, g, create_graph)


def _add(a: Tensor, b: Tensor, create_graph: bool) -> Tensor:
    """Two gradients of one value, added: on the raw arrays unless the sum must be recorded
    (``create_graph``, or an ``@ld.function`` tracer listening)."""
    if create_graph or _apply_hooks:
        return a + b
    return _make_tensor(a.data + b.data, False, None)
