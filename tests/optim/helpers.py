"""Shared by the optimizer tests: run an optimizer on a small fixed problem, three ways.

The same starting weights and the same gradient rule drive learndl, a hand-written NumPy
update, and ``torch.optim`` (when torch is installed); the tests compare the weights
after every step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import learndl as ld

SHAPES = [(3, 4), (4,)]


def start_weights(seed: int = 0, shapes=SHAPES) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in shapes]


def gradient(w: np.ndarray, t: int) -> np.ndarray:
    """A gradient that depends on the weights and the step, so trajectories can diverge."""
    return 2.0 * (w - 0.5) + np.sin(3.0 * w) + 0.1 * t


def run_learndl(make_opt: Callable, steps: int, weights=None, dtype=ld.float64):
    """Weights after each step (a list of lists of arrays) for ``make_opt(params)``."""
    params = [ld.tensor(w, dtype=dtype, requires_grad=True) for w in weights or start_weights()]
    opt = make_opt(params)
    history = []
    for t in range(steps):
        for p in params:
            p.grad = ld.tensor(gradient(p.numpy(), t), dtype=dtype)
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history


def run_torch(make_opt: Callable, steps: int, weights=None):
    import torch

    params = [
        torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights or start_weights()
    ]
    opt = make_opt(params)
    history = []
    for t in range(steps):
        for p in params:
            p.grad = torch.tensor(gradient(p.detach().numpy(), t), dtype=torch.float64)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def run_numpy(update: Callable, steps: int, weights=None):
    """``update(w, g, state, t)`` returns the new ``w``; ``state`` is a dict per weight."""
    ws = [w.copy() for w in weights or start_weights()]
    states = [{} for _ in ws]
    history = []
    for t in range(steps):
        ws = [update(w, gradient(w, t), s, t + 1) for w, s in zip(ws, states)]
        history.append([w.copy() for w in ws])
    return history


def assert_same(a, b, atol: float = 1e-6) -> None:
    assert len(a) == len(b)
    for step, (wa, wb) in enumerate(zip(a, b)):
        for x, y in zip(wa, wb):
            np.testing.assert_allclose(x, y, atol=atol, rtol=0, err_msg=f"step {step + 1}")
