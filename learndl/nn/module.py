"""``Module``: the base class of every layer and model, as PyTorch's ``nn.Module``.

NOTE: this file is longer than learndl's usual ~300 lines on purpose: ``Module`` is one
class that every layer, optimizer and picture relies on, and it reads best in one place.

A module keeps three ordered dicts, filled by plain attribute assignment:

- ``_parameters``: the ``Parameter`` s it owns (``self.weight = Parameter(...)``);
- ``_buffers``: tensors that are state but not learned (BatchNorm's running mean), added
  with ``register_buffer``;
- ``_modules``: its sub-modules (``self.fc1 = Linear(4, 8)``).

Everything else -- ``parameters()``, ``state_dict()``, ``train()``, ``to()``, the nested
``repr`` -- walks those dicts. Calling a module runs ``forward`` between its hooks.

While a module runs, its qualified name (``"fc1"``, ``"features.0"``; ``""`` for the
model itself, as in ``named_modules()``) is ``autograd._layer_name``, and every graph node
recorded meanwhile gets it as ``node.module``, so a graph picture can box each layer's ops.

Example:
    >>> import learndl as ld
    >>> from learndl import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(4, 8)
    ...         self.fc2 = nn.Linear(8, 3)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).relu())
    >>> net = Net()
    >>> [name for name, _ in net.named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    >>> out = net(ld.randn(2, 4))
    >>> out.shape, out.grad_fn.module
    ((2, 3), 'fc2')
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from learndl import autograd
from learndl.errors import ShapeError
from learndl.nn.parameter import Parameter
from learndl.tensor import Tensor

# The modules now running, innermost last (the innermost one's name is autograd._layer_name).
_running: list[Module] = []


class StateDictError(ShapeError, KeyError):
    """``load_state_dict`` found missing, unexpected or wrongly shaped entries.

    One error lists every problem. It is a ``KeyError`` (names that do not match) and a
    ``ShapeError`` (sizes that do not match), so either ``except`` catches it.
    """

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class RemovableHandle:
    """Returned by ``register_forward_hook``: ``handle.remove()`` takes the hook off again."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable]) -> None:
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (how PyTorch nests child reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class of layers and models: subclass it, set layers in ``__init__``, write
    ``forward``, and call the model: ``model(x)``."""

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(). Define `def forward(self, x): ...` in "
            "the class; call the module itself, model(x), to run it."
        )

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() ran: call "
                "super().__init__() first in your __init__."
            )
        store = self._store_for(name, value)
        for other in ("_parameters", "_buffers", "_modules"):
            if other != store:
                self.__dict__[other].pop(name, None)
        if store is None:
            object.__setattr__(self, name, value)
        else:
            self.__dict__.pop(name, None)
            self.__dict__[store][name] = value

    def _store_for(self, name: str, value: Any) -> str | None:
        """Which dict an attribute belongs in: parameters, buffers, modules, or none."""
        if isinstance(value, Parameter):
            return "_parameters"
        if isinstance(value, Module):
            return "_modules"
        if name in self._parameters:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as parameter {name!r}: wrap it, "
                    f"self.{name} = nn.Parameter(value), or change it in place under "
                    f"ld.no_grad() with self.{name}.copy_(value)."
                )
            return "_parameters"
        if name in self._buffers:
            return "_buffers"  # a buffer may be reassigned a new tensor (or None)
        if name in self._modules and value is None:
            return "_modules"
        return None

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and children live here.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[store]:
                del self.__dict__[store][name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        extra = [*self._parameters, *self._buffers, *self._modules]
        return sorted(set(super().__dir__()) | set(extra))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, for an optional one such as a missing bias)."""
        self.__dict__.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned; it goes to ``state_dict`` and ``to()``."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: {name!r} must be a Tensor or None, not "
                f"{type(tensor).__name__}; wrap it with ld.tensor(...)."
            )
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = module`` does)."""
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ walking the tree
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every module below it, with qualified names (``""`` for itself)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                sub = f"{prefix}.{name}" if prefix else name
                yield from child.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, store: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()  # a shared (tied) tensor is listed once
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[store].items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(qualified name, parameter)`` pairs, e.g. ``("fc1.weight", ...)``."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable tensor, for an optimizer: ``SGD(model.parameters(), lr=0.1)``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The module at a qualified name: ``model.get_submodule("features.0")``."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{module._get_name()} has no submodule {part!r}")
            module = module._modules[part]
        return module

    def num_parameters(self, trainable_only: bool = False) -> int:
        """How many numbers the model learns (each shared tensor counted once)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    # ------------------------------------------------------------------ modes and state
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout drops, batch norm uses batch statistics); returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode, ``train(False)``: dropout off, batch norm uses running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad`` (to ``None``, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = p.grad.detach()
                p.grad.zero_()

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module, then on this one (e.g. a custom init); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move parameters and buffers to a device and/or convert floating ones to a dtype.

        ``model.to("cuda")``, ``model.to(ld.float64)``, ``model.to("cpu", dtype="float32")``.
        The tensors keep their identity (their ``.data`` is swapped), so an optimizer made
        before ``to()`` still holds the right parameters. Returns self.
        """
        device, dtype = _device_and_dtype(*args, **kwargs)
        for t in [*self.parameters(), *self.buffers()]:
            _swap(t, device, dtype)
            if t.grad is not None:
                _swap(t.grad, device, dtype)
        return self

    def double(self) -> Module:
        """Floating parameters and buffers to float64 (handy for ``ld.gradcheck``)."""
        return self.to(dtype="float64")

    def float(self) -> Module:
        """Floating parameters and buffers to float32, learndl's default."""
        return self.to(dtype="float32")

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    def state_dict(
        self, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by qualified name, in registration order.

        The tensors share memory with the model (detached unless ``keep_vars``); copy them
        or ``ld.save`` them to keep a snapshot.
        """
        out = OrderedDict() if destination is None else destination
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            dot = f"{module_prefix}." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[dot + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[dot + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into this model's parameters and buffers, in place.

        Raises:
            StateDictError: naming every key that is missing or unexpected (with
                ``strict=True``) and every entry whose shape differs (always).
        """
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        wrong = []
        for key, target in own.items():
            if key in state_dict:
                shape = tuple(np.shape(_raw(state_dict[key])))
                if shape != target.shape:
                    wrong.append(f"{key}: checkpoint {shape}, model {target.shape}")
        problems = []
        if strict and missing:
            problems.append("missing keys (in the model, not in the state dict): " + _join(missing))
        if strict and unexpected:
            problems.append(
                "unexpected keys (in the state dict, not in the model): " + _join(unexpected)
            )
        if wrong:
            problems.append("shape mismatches: " + "; ".join(wrong))
        if problems:
            raise StateDictError(
                f"load_state_dict into {self._get_name()}: "
                + ". ".join(problems)
                + ". Was the checkpoint saved from a model built with the same settings? "
                "Use strict=False to skip missing/unexpected keys."
            )
        with autograd.no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(target.xp.asarray(_raw(state_dict[key])))
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ running it
    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after each forward; a non-None result
        replaces the output. Returns a handle whose ``remove()`` takes it off."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before each forward; a non-None result replaces the
        inputs (a tuple, or a single value)."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outer = autograd._layer_name  # the caller's name, restored when this call ends
        autograd._layer_name = self._path_in_caller(outer)
        _running.append(self)
        try:
            # The `if`s skip copying empty hook dicts: most calls have no hooks, and this
            # runs for every layer of every step.
            if self._forward_pre_hooks:
                for hook in list(self._forward_pre_hooks.values()):
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
            out = self.forward(*args, **kwargs)
            if self._forward_hooks:
                for hook in list(self._forward_hooks.values()):
                    result = hook(self, args, out)
                    if result is not None:
                        out = result
            return out
        finally:
            _running.pop()
            autograd._layer_name = outer

    def _path_in_caller(self, parent_path: str | None) -> str:
        """This module's qualified name inside the module that is calling it (whose name
        is ``parent_path``)."""
        if not _running:
            return ""
        parent = _running[-1]
        # Every step calls the same layers from the same parents: remember the last answer
        # and reuse it while the parent still holds this module under that name.
        last = self.__dict__.get("_last_path")
        if last is not None and last[0] == parent_path and parent._modules.get(last[1]) is self:
            return last[2]
        name = next((k for k, m in parent._modules.items() if m is self), None)
        if name is None:  # not a direct child: look deeper, else use the class name
            name = next((k for k, m in parent.named_modules() if m is self), None)
            name = type(self).__name__ if name is None else name
        path = f"{parent_path}.{name}" if parent_path else name
        self.__dict__["_last_path"] = (parent_path, name, path)
        return path

    def _label(self) -> str:
        """How error messages name this layer: ``Linear(in_features=...) (layer 'fc2')``."""
        path = autograd._layer_name if _running and _running[-1] is self else ""
        return f"{self!r} (layer {path!r})" if path else repr(self)

    # ------------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of ``repr``; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


# ---------------------------------------------------------------------- helpers
def _raw(value: Any) -> Any:
    """A NumPy view of a learndl tensor, torch tensor or array (for load_state_dict)."""
    if isinstance(value, Tensor):
        return value.numpy()
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _join(keys: list[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:20])
    return shown + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")


def _device_and_dtype(*args: Any, device: Any = None, dtype: Any = None) -> tuple[Any, Any]:
    for a in args:
        if isinstance(a, str) and (a in ("cpu", "cuda") or a.startswith("cuda:")):
            device = a
        else:
            dtype = a
    return device, dtype


def _swap(t: Tensor, device: Any, dtype: Any) -> None:
    """Move/convert ``t``'s data in place, keeping the tensor object (and its identity)."""
    if dtype is not None and t.dtype.kind == "f":
        t.data = t.data.astype(np.dtype(dtype))
    if device is not None:
        t.data = Tensor._make(t.data, False, None).to(device).data


__all__ = ["Module", "StateDictError", "IncompatibleKeys", "RemovableHandle"]
