"""The Python operators and methods of ``Tensor``, each a one-line call into ``learndl.ops``.

Kept apart from ``tensor.py`` so that the class itself reads in one sitting. In-place
methods (``add_``, ``zero_``, ``x[i] = v``, ...) bump the tensor's version counter, which
is how backward notices a saved tensor that changed under it.

Example:
    >>> import learndl as ld
    >>> x = ld.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> (x @ x.T).tolist(), x.sum(axis=0).tolist()
    ([[5.0, 11.0], [11.0, 25.0]], [4.0, 6.0])
"""

from __future__ import annotations

from typing import Any

from learndl import autograd, functional, ops
from learndl.errors import GradError


def _compare(ufunc: str) -> Any:
    def method(self, other):
        other = other.data if hasattr(other, "data") and hasattr(other, "grad_fn") else other
        return type(self)._make(getattr(self.xp, ufunc)(self.data, other), False, None)

    method.__name__ = ufunc
    return method


def _check_inplace(t) -> None:
    if autograd.is_grad_enabled() and t.requires_grad:
        raise GradError(
            f"in-place change of a tensor of shape {t.shape} that requires grad, while the "
            "graph is being recorded: its gradient would be lost. Use an out-of-place op "
            "(x = x + 1), or wrap parameter updates in `with ld.no_grad():`."
        )


def _inplace(t, array) -> Any:
    """Write ``array`` into ``t``'s memory and count the change."""
    _check_inplace(t)
    if not getattr(getattr(t.data, "flags", None), "writeable", True):
        # a broadcast or strided view, or a NumPy scalar (what x.sum() gives): give it
        # memory of its own (xp.array, because a scalar's .copy() is a scalar again)
        t.data = t.xp.array(t.data)
    t.xp.copyto(t.data, array, casting="unsafe")
    t._version += 1
    return t


def _raw(v) -> Any:
    return v.data if hasattr(v, "grad_fn") else v


def _traced_setitem(tracer, t, index, value) -> None:
    """``t[index] = value`` inside ``@ld.function``: a ``SetItem`` op, made on every replay.

    Written through ``assign``, as ``t.add_(1)`` is: a captured tensor gets an ``assign``
    node; a tensor of the call takes the op's result as its new array (never written into:
    that may be a constant the graph keeps), and later ops read that value.
    """
    from learndl.static import TracingError, assign

    kind = tracer.values[tracer.value_of(t)].kind
    if kind == "input":
        raise TracingError(
            f"x[i] = v writes into an argument (shape {t.shape}) of the @ld.function "
            f"'{tracer.name}'. A replay computes values; it does not write into the "
            "caller's tensors. Write into a copy (y = x.clone(); y[i] = v) and return it."
        )
    if not hasattr(value, "grad_fn"):
        value = ops.constant(value, t)
    assign(t, ops.SetItem.apply(t, value, index=ops.indexing._raw_index(index)))


def install(cls) -> None:
    """Attach operators and methods to the Tensor class."""
    m = {
        "__add__": ops.add,
        "__radd__": lambda s, o: ops.add(o, s),
        "__sub__": ops.sub,
        "__rsub__": lambda s, o: ops.sub(o, s),
        "__mul__": ops.mul,
        "__rmul__": lambda s, o: ops.mul(o, s),
        "__truediv__": ops.div,
        "__rtruediv__": lambda s, o: ops.div(o, s),
        "__matmul__": ops.matmul,
        "__rmatmul__": lambda s, o: ops.matmul(o, s),
        "__pow__": ops.pow,
        "__rpow__": lambda s, o: ops.pow(ops.constant(o, s), s),
        "__neg__": ops.neg,
        "__pos__": lambda s: s,
        "__abs__": ops.abs,
        "__getitem__": ops.getitem,
        "__lt__": _compare("less"),
        "__le__": _compare("less_equal"),
        "__gt__": _compare("greater"),
        "__ge__": _compare("greater_equal"),
        "__eq__": _compare("equal"),
        "__ne__": _compare("not_equal"),
        # math
        "exp": ops.exp,
        "log": ops.log,
        "sqrt": ops.sqrt,
        "abs": ops.abs,
        "tanh": ops.tanh,
        "sigmoid": ops.sigmoid,
        "relu": ops.relu,
        "clip": ops.clip,
        "clamp": ops.clip,
        "pow": ops.pow,
        "matmul": ops.matmul,
        "maximum": ops.maximum,
        "minimum": ops.minimum,
        "sum": ops.sum,
        "mean": ops.mean,
        "max": ops.max,
        "min": functional.min,
        "var": functional.var,
        "std": functional.std,
        "logsumexp": functional.logsumexp,
        "softmax": functional.softmax,
        "log_softmax": functional.log_softmax,
        "argmax": functional.argmax,
        "argmin": functional.argmin,
        # shape
        "reshape": ops.reshape,
        "view": ops.reshape,
        "permute": ops.permute,
        "transpose": ops.transpose,
        "expand": ops.expand,
        "broadcast_to": ops.expand,
        "squeeze": ops.squeeze,
        "unsqueeze": ops.unsqueeze,
        "flatten": functional.flatten,
        "clone": lambda s: ops.Copy.apply(s),
    }
    for name, fn in m.items():
        setattr(cls, name, fn)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __setitem__(self, index, value):
        _check_inplace(self)
        from learndl.static import tracer  # lazily: learndl.static imports this module

        if tracer.current() is not None:
            return _traced_setitem(tracer.current(), self, index, value)
        if not getattr(getattr(self.data, "flags", None), "writeable", True):
            self.data = self.xp.array(self.data)
        self.data[ops.indexing._raw_index(index)] = _raw(value)
        self._version += 1

    def to(self, target: Any = None, dtype: Any = None):
        """Move to a device (``"cpu"``/``"cuda"``) and/or convert the dtype; a new tensor."""
        from learndl.creation import to

        return to(self, target, dtype)

    inplace = {
        "zero_": lambda s: _inplace(s, 0),
        "fill_": lambda s, v: _inplace(s, _raw(v)),
        "copy_": lambda s, src: _inplace(s, _raw(src)),
        "add_": lambda s, o, alpha=1: _inplace(s, s.data + alpha * _raw(o)),
        "sub_": lambda s, o, alpha=1: _inplace(s, s.data - alpha * _raw(o)),
        "mul_": lambda s, o: _inplace(s, s.data * _raw(o)),
        "div_": lambda s, o: _inplace(s, s.data / _raw(o)),
        "__iadd__": lambda s, o: _inplace(s, s.data + _raw(o)),
        "__isub__": lambda s, o: _inplace(s, s.data - _raw(o)),
        "__imul__": lambda s, o: _inplace(s, s.data * _raw(o)),
        "__itruediv__": lambda s, o: _inplace(s, s.data / _raw(o)),
    }
    for name, fn in inplace.items():
        setattr(cls, name, fn)
    for fn in (__iter__, __setitem__, to):
        setattr(cls, fn.__name__, fn)
    for name, dtype in (
        ("float", "float32"),
        ("double", "float64"),
        ("long", "int64"),
        ("int", "int32"),
        ("bool", "bool"),
    ):
        setattr(cls, name, lambda s, _d=dtype: s.to(dtype=_d))
    cls.cpu = lambda s: s.to("cpu")
    cls.cuda = lambda s: s.to("cuda")
