"""``RMSprop``: divide each gradient by a running root-mean-square of its recent values.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ld.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 3) for v in w.tolist()]  # first step: g / sqrt(0.01 g^2) = 10 * sign(g)
    [0.9, -1.9]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from learndl.autograd import no_grad
from learndl.optim.optimizer import Optimizer
from learndl.tensor import Tensor


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), as PyTorch's ``torch.optim.RMSprop``.

    For each parameter :math:`\theta` with gradient :math:`g`::

        g  <- -g                                   if maximize
        g  <- g + weight_decay * theta             (L2 penalty)
        v  <- alpha * v + (1 - alpha) * g^2        running mean of squared gradients
        if centered:                               subtract the squared running mean
            a  <- alpha * a + (1 - alpha) * g
            d  = sqrt(v - a^2) + eps
        else:
            d  = sqrt(v) + eps
        if momentum > 0:
            b  <- momentum * b + g / d
            theta <- theta - lr * b
        else:
            theta <- theta - lr * g / d

    Args:
        params: tensors to optimize, or dicts of parameter groups.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalize by an estimate of the gradient's variance instead of its
            second moment.
        maximize: climb the objective instead of descending it.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = (
                group["weight_decay"],
                group["momentum"],
                group["centered"],
            )
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = p.xp
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = xp.zeros_like(p.data)
                    if momentum > 0:
                        state["momentum_buffer"] = xp.zeros_like(p.data)
                    if centered:
                        state["grad_avg"] = xp.zeros_like(p.data)
                state["step"] += 1

                # NOTE: g may be p.grad's own array; only out-of-place ops may touch it.
                g = -p.grad.data if group["maximize"] else p.grad.data
                if weight_decay != 0:
                    g = g + weight_decay * p.data

                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if centered:
                    a = state["grad_avg"]
                    a *= alpha
                    a += (1 - alpha) * g
                    denom = xp.sqrt(v - a * a)
                else:
                    denom = xp.sqrt(v)
                denom += eps

                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += g / denom
                    p.data -= lr * buf
                else:
                    update = g / denom
                    update *= lr
                    p.data -= update
                p._version += 1  # an in-place change: saved-tensor checks must see it
        return loss
