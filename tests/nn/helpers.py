"""Shared checks for layer tests: gradients of a module by ``ld.gradcheck``, and the same
layer in PyTorch with the same weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import learndl as ld
from learndl import nn


def gradcheck_module(module: nn.Module, *inputs: ld.Tensor, **kwargs: Any) -> bool:
    """Check the gradients of ``module(*inputs)`` for its inputs and every parameter.

    gradcheck works on float64 copies of what it is given, so the module's parameters are
    passed as inputs too and swapped in for the duration of each call.
    """
    module.double()
    slots = [
        (m, name)
        for m in module.modules()
        for name, p in m._parameters.items()
        if p is not None and p.requires_grad
    ]
    originals = [m._parameters[name] for m, name in slots]

    def fn(*args: ld.Tensor) -> ld.Tensor:
        xs, params = args[: len(inputs)], args[len(inputs) :]
        for (m, name), p in zip(slots, params):
            m._parameters[name] = p
        try:
            return module(*xs)
        finally:
            for (m, name), p in zip(slots, originals):
                m._parameters[name] = p

    ok = ld.gradcheck(fn, *inputs, *originals, report=True, **kwargs)
    assert ok, str(ok)
    return bool(ok)


def torch_twin(ld_module: nn.Module, build_torch: Any) -> Any:
    """The PyTorch layer ``build_torch(torch.nn)`` holding ``ld_module``'s weights."""
    torch = pytest.importorskip("torch")
    t = build_torch(torch.nn).double()
    state = {k: torch.from_numpy(np.array(v.numpy())) for k, v in ld_module.state_dict().items()}
    t.load_state_dict(state)
    return t


def assert_same_forward(ld_module: nn.Module, build_torch: Any, x: np.ndarray, atol=1e-10):
    """Forward of the learndl layer and its PyTorch twin agree on ``x`` (float64)."""
    torch = pytest.importorskip("torch")
    ld_module.double()
    t = torch_twin(ld_module, build_torch)
    t.train(ld_module.training)
    got = ld_module(ld.tensor(x, dtype=x.dtype)).numpy()
    want = t(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, want, atol=atol, rtol=1e-7)
    return t
