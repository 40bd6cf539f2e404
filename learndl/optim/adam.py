"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ld.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]  # the first step moves each weight by about lr
    [0.9, -1.9]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from learndl.autograd import no_grad
from learndl.optim.optimizer import Optimizer
from learndl.tensor import Tensor


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), as PyTorch's ``torch.optim.Adam``.

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t = 1, 2, ...`::

        g  <- -g                                  if maximize
        theta <- theta * (1 - lr * weight_decay)  if decoupled_weight_decay (AdamW), else
        g  <- g + weight_decay * theta            (L2 penalty, as in the original Adam)
        m  <- beta1 * m + (1 - beta1) * g         first moment (mean of gradients)
        v  <- beta2 * v + (1 - beta2) * g^2       second moment (mean of squared gradients)
        v_max <- max(v_max, v);  v <- v_max       if amsgrad
        m_hat = m / (1 - beta1^t)                 bias corrections: m and v start at 0
        v_hat = v / (1 - beta2^t)
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    Each weight moves by about ``lr`` at most per step, whatever the scale of its gradient.

    A parameter group with ``group["eps_before_correction"] = True`` takes Keras' rule
    instead, ``theta <- theta - lr * m_hat / ((sqrt(v) + eps) / sqrt(1 - beta2^t))``: eps
    is added before the bias correction (the paper's "epsilon hat"); ``keras.optimizers.Adam``
    sets it.

    Args:
        params: tensors to optimize, or dicts of parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates ``(beta1, beta2)`` of the two moving averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the running maximum of ``v`` (Reddi et al., 2018).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: shrink the weights directly instead of adding an L2 term
            to the gradient; ``AdamW`` is Adam with this on.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = p.xp
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = xp.zeros_like(p.data)
                    state["exp_avg_sq"] = xp.zeros_like(p.data)
                    if amsgrad:
                        state["max_exp_avg_sq"] = xp.zeros_like(p.data)
                state["step"] += 1
                t = state["step"]

                # NOTE: g may be p.grad's own array; only out-of-place ops may touch it.
                g = -p.grad.data if group["maximize"] else p.grad.data
                if weight_decay != 0 and group["decoupled_weight_decay"]:
                    p.data *= 1 - lr * weight_decay
                elif weight_decay != 0:
                    g = g + weight_decay * p.data

                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * (g * g)
                if amsgrad:
                    v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

                step_size = lr / (1 - beta1**t)
                denom = xp.sqrt(v)
                if group.get("eps_before_correction"):  # Keras' rule, the paper's epsilon hat
                    denom += eps
                    denom /= math.sqrt(1 - beta2**t)
                else:  # NOTE: eps is added after the bias correction, as PyTorch does
                    denom /= math.sqrt(1 - beta2**t)
                    denom += eps
                update = m / denom
                update *= step_size
                p.data -= update
                p._version += 1  # an in-place change: saved-tensor checks must see it
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    The same rule as :class:`Adam`, except that weight decay shrinks the weights directly,
    ``theta <- theta * (1 - lr * weight_decay)``, before the Adam update, instead of being
    added to the gradient (where Adam's scaling would weaken it for weights with large
    gradients). The default ``weight_decay`` is 1e-2.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
