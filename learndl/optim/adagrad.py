"""``Adagrad``: each weight's step shrinks with the sum of its squared gradients so far.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ld.optim.Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]  # first step: lr * g / |g| = lr * sign(g)
    [0.9, -1.9]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from learndl.autograd import no_grad
from learndl.optim.optimizer import Optimizer
from learndl.tensor import Tensor


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), as PyTorch's ``torch.optim.Adagrad``.

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t = 1, 2, ...`::

        g  <- -g                                   if maximize
        g  <- g + weight_decay * theta             (L2 penalty)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s  <- s + g^2                              s starts at initial_accumulator_value
        theta <- theta - lr_t * g / (sqrt(s) + eps)

    Weights with large past gradients take ever smaller steps; rarely-updated ones keep
    large steps, which suits sparse features.

    Args:
        params: tensors to optimize, or dicts of parameter groups.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the sum of squares (default 0).
        eps: added to the denominator for stability (default 1e-10).
        maximize: climb the objective instead of descending it.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if lr_decay < 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if initial_accumulator_value < 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = p.xp
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = xp.full_like(p.data, group["initial_accumulator_value"])
                state["step"] += 1
                t = state["step"]

                # NOTE: g may be p.grad's own array; only out-of-place ops may touch it.
                g = -p.grad.data if group["maximize"] else p.grad.data
                if weight_decay != 0:
                    g = g + weight_decay * p.data

                s = state["sum"]
                s += g * g
                denom = xp.sqrt(s)
                denom += eps
                update = g / denom
                update *= lr / (1 + (t - 1) * lr_decay)
                p.data -= update
                p._version += 1  # an in-place change: saved-tensor checks must see it
        return loss
