"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates.

Assigning a ``Parameter`` to a module attribute registers it, so ``model.parameters()``
finds it. It is an ordinary leaf tensor with ``requires_grad=True``; ops on it return
plain tensors.

Example:
    >>> import learndl as ld
    >>> p = ld.nn.Parameter(ld.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    >>> print(p)
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

from learndl.creation import as_array
from learndl.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that a ``Module`` registers as one of its learnable values."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if isinstance(data, Tensor):
            array = data.data  # shares memory and keeps the dtype, as torch.nn.Parameter
        else:
            array = as_array([] if data is None else data)
        self._init(array, requires_grad, None)

    @classmethod
    def _make(cls, data: Any, requires_grad: bool, grad_fn: Any) -> Tensor:
        # NOTE: a few Tensor methods build results with type(self)._make; what they return
        # (a comparison, say) is a plain tensor, not a new parameter of the module.
        return Tensor._make(data, requires_grad, grad_fn)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:  # copy.deepcopy and pickle keep the type
        return (Parameter, (Tensor._make(self.data.copy(), False, None), self.requires_grad))
