"""Traced optimizer steps: SGD and Adam/AdamW written in ops and ``assign``, for graphs.

Eagerly, ``opt.step()`` updates ``p.data`` in place with NumPy — fast, and invisible to a
tracer. While a function is traced, ``SGD.step`` and ``Adam.step`` are swapped for the
functions below: the same rule (see each optimizer's docstring), written with learndl ops,
and ``ld.static.assign`` for every write — to the parameter and to the optimizer's state
(momentum buffer, moment averages, step count) — so that every replay performs it again,
like the variable updates in a ``tf.function`` training step.

The group settings a step reads (``lr``, ``momentum``, ``betas``, ...) are Python numbers,
constants of the graph: each is guarded (``Tracer.guard``), so that after a scheduler
changes ``lr`` the next call traces again instead of replaying the old rate.

State stays in ``opt.state[p]`` as arrays, shared by both paths: eager and traced steps
can be mixed. Adam's ``step`` becomes a 0-d float64 array (``+= 1`` still works eagerly)
so the graph can count steps and compute the bias corrections on each call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl.autograd import no_grad
from learndl.ops import Cast
from learndl.static import tracer as tracing
from learndl.tensor import Tensor


def state_tensor(array: Any) -> Tensor:
    """A tensor over an optimizer-state array, captured (not frozen) by the tracer."""
    t = Tensor._make(array, False, None)
    active = tracing.current()
    if active is not None:
        active.made_here.discard(id(t))  # it holds state that outlives the call
    return t


def _guard(opt: Any, index: int, group: dict, keys: tuple[str, ...]) -> None:
    """Guard the settings of ``opt.param_groups[index]`` that the traced step reads."""
    names = tuple(f"{type(opt).__name__} param_groups[{index}]['{k}']" for k in keys)
    tracing.current().guard(names, lambda: tuple([group.get(k) for k in keys]))


_SGD_SETTINGS = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")
_ADAM_SETTINGS = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")
_ADAM_SETTINGS += ("decoupled_weight_decay", "eps_before_correction")


def _assign(target: Tensor, value: Tensor) -> None:
    from learndl.static import assign

    assign(target, value)


def sgd_step(self: Any, closure: Any = None) -> Any:
    """``SGD.step`` in ops (the same rule as learndl.optim.SGD)."""
    loss = self._run_closure(closure)
    with no_grad():
        for index, group in enumerate(self.param_groups):
            _guard(self, index, group, _SGD_SETTINGS)
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad if group["maximize"] else p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                if momentum != 0:
                    state = self.state.setdefault(p, {})
                    if state.get("momentum_buffer") is None:
                        if dampening != 0:
                            raise tracing.TracingError(
                                "SGD with dampening starts its momentum buffer differently "
                                "on the first step; take that step eagerly, then trace."
                            )
                        state["momentum_buffer"] = p.xp.zeros_like(p.data)  # 0*m + g = g
                    buf = state_tensor(state["momentum_buffer"])
                    new_buf = buf * momentum + (g if dampening == 0 else (1 - dampening) * g)
                    _assign(buf, new_buf)
                    g = g + momentum * new_buf if group["nesterov"] else new_buf
                _assign(p, p - lr * g)
    return loss


def adam_step(self: Any, closure: Any = None) -> Any:
    """``Adam.step`` / ``AdamW.step`` in ops (the same rule as learndl.optim.Adam)."""
    loss = self._run_closure(closure)
    with no_grad():
        for index, group in enumerate(self.param_groups):
            _guard(self, index, group, _ADAM_SETTINGS)
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay = group["weight_decay"]
            if group.get("amsgrad"):
                raise tracing.TracingError("Adam(amsgrad=True) cannot be traced yet.")
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                if not state:
                    state["exp_avg"] = p.xp.zeros_like(p.data)
                    state["exp_avg_sq"] = p.xp.zeros_like(p.data)
                    state["step"] = 0
                if not isinstance(state["step"], np.ndarray):
                    state["step"] = np.array(float(state["step"]))  # a counter the graph owns
                step = state_tensor(state["step"])
                t = step + 1.0
                _assign(step, t)
                g = -p.grad if group["maximize"] else p.grad
                theta = p
                if weight_decay != 0 and group.get("decoupled_weight_decay"):
                    theta = p * (1 - lr * weight_decay)
                elif weight_decay != 0:
                    g = g + weight_decay * p
                m, v = state_tensor(state["exp_avg"]), state_tensor(state["exp_avg_sq"])
                m_new = m * beta1 + (1 - beta1) * g
                v_new = v * beta2 + (1 - beta2) * (g * g)
                _assign(m, m_new)
                _assign(v, v_new)
                # bias corrections in float64 (as the eager Python floats), then p's dtype
                step_size = Cast.apply(lr / (1.0 - beta1**t), dtype=p.dtype)
                correction = Cast.apply((1.0 - beta2**t).sqrt(), dtype=p.dtype)
                if group.get("eps_before_correction"):  # Keras' rule, see learndl.optim.Adam
                    denom = (v_new.sqrt() + eps) / correction
                else:
                    denom = v_new.sqrt() / correction + eps
                _assign(p, theta - (m_new / denom) * step_size)
    return loss


def swaps() -> list[tuple[Any, str, Any]]:
    """(class, "step", traced step) for the optimizers this module knows."""
    from learndl import optim

    params = lambda opt: [p for g in opt.param_groups for p in g["params"]]  # noqa: E731
    zero_grad = optim.Optimizer.__dict__["zero_grad"]
    found = [(optim.Optimizer, "zero_grad", tracing.resetting(zero_grad, params))]
    if hasattr(optim, "SGD"):
        found.append((optim.SGD, "step", sgd_step))
    if hasattr(optim, "Adam"):
        found.append((optim.Adam, "step", adam_step))
    return found
