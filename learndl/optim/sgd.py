"""``SGD``: stochastic gradient descent, with optional momentum, Nesterov and weight decay.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ld.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.tolist()
    [0.800000011920929, -1.600000023841858]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from learndl.autograd import no_grad
from learndl.optim.optimizer import Optimizer
from learndl.tensor import Tensor


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD``, same rule and defaults).

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t`::

        g  <- -g                          if maximize
        g  <- g + weight_decay * theta    (L2 penalty)
        b  <- g                           at the first step, else
        b  <- momentum * b + (1 - dampening) * g
        g  <- g + momentum * b            if nesterov, else  g <- b
        theta <- theta - lr * g

    With ``momentum=0`` (the default) this is plain :math:`\theta \leftarrow \theta - \eta g`
    and no state is kept.

    Args:
        params: tensors to optimize, or dicts of parameter groups.
        lr: learning rate :math:`\eta` (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: how much of the new gradient is *not* added to the buffer (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: climb the objective instead of descending it.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = (
                group["weight_decay"],
                group["nesterov"],
                group["maximize"],
            )
            for p in group["params"]:
                if p.grad is None:
                    continue
                # NOTE: g may be p.grad's own array; only out-of-place ops may touch it.
                g = -p.grad.data if maximize else p.grad.data
                if weight_decay != 0:
                    g = g + weight_decay * p.data
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = g.copy()
                    else:
                        buf *= momentum
                        buf += g if dampening == 0 else (1 - dampening) * g
                    g = g + momentum * buf if nesterov else buf
                p.data -= lr * g
                p._version += 1  # an in-place change: saved-tensor checks must see it
        return loss
