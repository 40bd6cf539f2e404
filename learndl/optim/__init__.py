"""``ld.optim``: optimizers that update parameters from their gradients, and LR schedules.

Names and behaviour follow ``torch.optim``: build an optimizer on the parameters, then
per batch ``zero_grad()``, ``loss.backward()``, ``step()``.

Example:
    >>> import learndl as ld
    >>> w = ld.tensor([3.0], requires_grad=True)
    >>> opt = ld.optim.SGD([w], lr=0.25)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w.item()  # each step halves w: 3 -> 1.5 -> 0.75 -> 0.375
    0.375
"""

from learndl.optim import lr_scheduler
from learndl.optim.adagrad import Adagrad
from learndl.optim.adam import Adam, AdamW
from learndl.optim.optimizer import Optimizer
from learndl.optim.rmsprop import RMSprop
from learndl.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
