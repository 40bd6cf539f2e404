"""``Tensor``: an array of its backend (NumPy or CuPy) plus what autograd needs.

A tensor holds ``data`` (the raw array), ``requires_grad``, ``grad`` (filled by
``backward``) and ``grad_fn`` (the op that made it, ``None`` for leaves). Its Python
operators and methods are thin wrappers over the ops in ``learndl.ops``, so ``a * b`` and
``ld.mul(a, b)`` are the same thing.

Example:
    >>> import learndl as ld
    >>> x = ld.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from learndl import autograd, backend
from learndl.errors import DTypeError, GradError

# Callbacks ``(tensor, what)`` run when a tensor's value leaves learndl (``item()``, ``bool()``,
# ``float()``, ``numpy()``, ``tolist()``, ``np.asarray(t)``): learndl.static uses it to catch
# control flow and NumPy work on traced values, which a graph cannot replay.
_value_hooks: list[Callable[[Tensor, str], None]] = []


class Tensor:
    """An n-dimensional array that records the operations on it for ``backward``."""

    __slots__ = (
        "data",
        "requires_grad",
        "grad",
        "grad_fn",
        "_version",
        "_hooks",
        "_retains_grad",
        "name",
        "__weakref__",
    )
    __array_priority__ = 1000  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        from learndl.creation import as_array

        self._init(as_array(data, dtype), requires_grad, None)

    def _init(self, data: Any, requires_grad: bool, grad_fn: Any) -> None:
        if requires_grad and data.dtype.kind != "f":
            raise DTypeError(
                f"only floating-point tensors can require gradients, not {data.dtype}. "
                "Create it with a float dtype, e.g. ld.tensor(..., dtype='float32')."
            )
        self.data = data
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self.grad_fn = grad_fn
        self._version = 0
        self._hooks: list[Callable] | None = None
        self._retains_grad = False
        self.name: str | None = None

    @classmethod
    def _make(cls, data: Any, requires_grad: bool, grad_fn: Any) -> Tensor:
        """Wrap an array that is already of the right kind (the ops' fast path)."""
        t = cls.__new__(cls)
        t.data = data
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._version = 0
        t._hooks = None
        t._retains_grad = False
        t.name = None
        return t

    # ---------------------------------------------------------------- what it is
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def xp(self):
        """The array module (numpy or cupy) of this tensor."""
        return backend.xp(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:  # noqa: N802
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or one size of it (PyTorch's ``size``; ``numel`` counts elements)."""
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ---------------------------------------------------------------- autograd
    def backward(
        self,
        grad: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        observer: Callable[[autograd.BackwardEvent], None] | None = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad.

        Args:
            grad: the gradient of some final value with respect to this tensor; may be
                left out only for a single-element tensor (then it is 1).
            retain_graph: keep saved values so that backward can run through this graph again
                (by default as ``create_graph``, as PyTorch: a gradient of a gradient runs
                back through the first graph).
            create_graph: record the backward pass itself, for gradients of gradients.
            observer: called with one ``BackwardEvent`` per node, in the order run
                (the backward-pass stepper is built on it).

        Example:
            >>> import learndl as ld
            >>> x = ld.tensor(2.0, requires_grad=True)
            >>> (x ** 3).backward(create_graph=True)
            >>> g = x.grad; x.grad = None; g.backward(); x.grad.item()
            12.0
        """
        if not self.requires_grad:
            raise GradError(
                f"backward: this tensor of shape {self.shape} does not require grad, so no "
                "graph was recorded. Create the inputs with requires_grad=True (and make sure "
                "the computation did not run under ld.no_grad())."
            )
        if grad is None:
            if self.data.size != 1:
                raise GradError(
                    f"backward: the tensor has shape {self.shape}, not a single value, so the "
                    "starting gradient is ambiguous. Reduce it first (loss.sum() or "
                    "loss.mean()), or pass grad=ld.ones_like(t)."
                )
            one = self.xp.array(1, self.data.dtype)  # 0-d; shaped like self if that is (1,)
            one = one if self.data.ndim == 0 else one.reshape(self.data.shape)
            grad = Tensor._make(one, False, None)
        else:
            if not isinstance(grad, Tensor):
                grad = Tensor(grad, dtype=self.dtype)
            # NOTE: the caller's grad can reach a leaf unchanged (through +, or when self is
            # a leaf) and become its .grad; copy it, or an in-place x.grad.zero_() would
            # change the caller's tensor or array too (PyTorch copies it as well).
            grad = grad.clone() if create_graph else Tensor._make(grad.data.copy(), False, None)
            if grad.shape != self.shape:
                from learndl.errors import ShapeError

                raise ShapeError(
                    f"backward: grad has shape {grad.shape} but the tensor has {self.shape}."
                )
        if self.grad_fn is None:  # a leaf: its gradient is just grad
            autograd._accumulate_leaf_grads([(self, grad)], create_graph)
            return
        if retain_graph is None:
            retain_graph = create_graph
        autograd.run_backward(self, grad, retain_graph, create_graph, observer)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one.

        Returns a function that removes the hook.
        """
        if not self.requires_grad:
            raise GradError("register_hook: the tensor does not require grad.")
        self._hooks = (self._hooks or []) + [hook]
        return lambda: self._hooks.remove(hook) if hook in (self._hooks or []) else None

    def _run_hooks(self, grad: Tensor) -> Tensor:
        for hook in self._hooks or ():
            result = hook(grad)
            grad = grad if result is None else result
        return grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        self._retains_grad = not self.is_leaf

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._make(self.data, False, None)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise GradError(
                "requires_grad_: only leaf tensors can change requires_grad; use detach()."
            )
        if requires_grad and self.dtype.kind != "f":
            raise DTypeError(f"requires_grad_: a {self.dtype} tensor cannot require gradients.")
        self.requires_grad = requires_grad
        return self

    # ---------------------------------------------------------------- leaving learndl
    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (copied to the host if on the GPU)."""
        for hook in _value_hooks:
            hook(self, "numpy()")
        return self._host()

    def _host(self) -> np.ndarray:
        # NOTE: no _value_hooks here: repr() of a traced tensor must not raise
        return self.data if self.device == "cpu" else self.data.get()

    def item(self) -> float | int | bool:
        for hook in _value_hooks:  # the static-graph tracer refuses values it cannot follow
            hook(self, "item()")
        if self.numel() != 1:
            raise ValueError(
                f"item: the tensor has {self.numel()} elements, not 1; index it first."
            )
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        for hook in _value_hooks:
            hook(self, "tolist()")
        return self._host().tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        for hook in _value_hooks:
            hook(self, "np.asarray()")
        a = self._host()
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        for hook in _value_hooks:
            hook(self, "bool()")
        if self.numel() != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use (t > 0).any() or .all()."
            )
        return bool(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self._host(), separator=", ", precision=4, prefix="tensor(")
        extra = ""
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self.dtype}"
        if self.device != "cpu":
            extra += f", device='{self.device}'"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    __hash__ = object.__hash__


from learndl import tensor_methods  # noqa: E402  (operators and methods need the class first)

tensor_methods.install(Tensor)
