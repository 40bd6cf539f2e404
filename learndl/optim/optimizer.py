"""``Optimizer``: the bookkeeping every optimizer shares — parameter groups, state, saving.

An optimizer holds its parameters in *groups*: each group is a dict with a ``"params"``
list and its own settings (``"lr"``, ``"momentum"``, ...); settings left out of a group
come from the optimizer's ``defaults``. Per-parameter memory (momentum buffers, running
averages) lives in ``state[p]``, a dict created on the first ``step``. Subclasses write
only ``step()``: a plain loop over groups and parameters that updates ``p.data`` in place.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, 2.0], requires_grad=True)
    >>> b = ld.tensor([0.0], requires_grad=True)
    >>> opt = ld.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [g["lr"] for g in opt.param_groups]
    [0.1, 0.5]
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from learndl import autograd
from learndl.tensor import Tensor


class _Required:
    """Marks a setting with no default (PyTorch's ``required``): each group must give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, or of dicts each holding ``"params"`` and settings
            that override ``defaults`` for that group.
        defaults: the settings every group gets unless it names its own.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict) -> None:
        self.defaults = defaults
        # Like PyTorch, a parameter without state reads as {} (e.g. before the first step).
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got a single Tensor of shape {params.shape}; wrap it in a list."
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own settings (e.g. a new layer to fine-tune)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor (shape {p.shape}, made by "
                    f"{p.grad_fn.name}); optimize the leaf it came from, or .detach() it "
                    "and set requires_grad=True."
                )
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (they accumulate otherwise).

        With ``set_to_none=True`` (the default, as PyTorch) ``p.grad`` becomes ``None``,
        which costs nothing; with ``False`` the gradient arrays are filled with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                read_only = not getattr(p.grad.data.flags, "writeable", True)  # a broadcast view
                if p.grad.grad_fn is not None or read_only:  # or a create_graph gradient
                    p.grad = Tensor._make(p.xp.zeros_like(p.grad.data), False, None)
                else:
                    p.grad.data.fill(0)
                    p.grad._version += 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; subclasses implement it (see ``_run_closure``)."""
        raise NotImplementedError

    @staticmethod
    def _run_closure(closure: Callable[[], Any] | None) -> Any:
        """Call ``closure`` (which recomputes the loss and its gradients) with grad on."""
        if closure is None:
            return None
        with autograd.enable_grad():
            return closure()

    # ---------------------------------------------------------------- saving
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data, the structure PyTorch uses.

        ``{"state": {index: {...}}, "param_groups": [{..settings.., "params": [index, ...]}]}``
        where parameters are numbered in order across groups. State arrays are returned as
        tensors that are *copies*, so the dict is a snapshot (PyTorch returns references).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            if id(p) in index:
                state[index[id(p)]] = {k: _snapshot(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned; the parameters must be in the same order.

        Settings (``lr``, ...) come from the saved groups; state arrays are copied and cast
        to each parameter's dtype and device.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups: "
                f"{len(saved_groups)} saved, {len(self.param_groups)} in this optimizer"
            )
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: group {i} has {len(saved['params'])} saved "
                    f"parameters, {len(group['params'])} here"
                )
            by_index.update(zip(saved["params"], group["params"]))
        self.state = defaultdict(dict)
        for key, saved_state in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is not None:
                self.state[p] = {k: _restore(v, p) for k, v in saved_state.items()}
        for group, saved in zip(self.param_groups, saved_groups):
            settings = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            group.update(settings)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def _snapshot(value: Any) -> Any:
    """A state entry as it goes into a state dict: arrays become (copied) tensors."""
    if hasattr(value, "dtype") and hasattr(value, "shape") and not isinstance(value, Tensor):
        return Tensor._make(value.copy(), False, None)
    return copy.deepcopy(value)


def _restore(value: Any, p: Tensor) -> Any:
    """A state-dict entry back to optimizer state: an array of ``p``'s dtype and device."""
    if isinstance(value, Tensor):
        value = value.data
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        from learndl.creation import as_array

        dtype = p.dtype if value.dtype.kind == "f" else value.dtype
        return as_array(value, dtype=dtype, device=p.device).copy()
    return copy.deepcopy(value)
