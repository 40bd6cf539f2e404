"""The engine's speed: a 784-256-128-10 MLP training step and a tiny op chain.

Prints, measured in the same run and interleaved:
- the MLP step (batch 128, float32, ReLU, softmax cross-entropy, SGD) in learndl against
  a hand-written NumPy forward/backward of the same net (the floor) and PyTorch CPU eager;
- ``((a + b) * b).sum()`` forward and backward on 4-element tensors against NumPy by hand
  and PyTorch.

Targets: MLP within 1.15x of the NumPy floor and no slower than PyTorch; the small chain
at most half PyTorch's time.

Run: ``.venv/bin/python benchmarks/core.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved, report, torch_or_none  # noqa: E402  (sets thread counts first)

# isort: split

import numpy as np  # noqa: E402

import learndl as ld  # noqa: E402

SIZES, BATCH, LR = (784, 256, 128, 10), 128, 0.01


def make_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


def numpy_step(params, x, y):
    """The floor: the same net's forward, backward and SGD update by hand."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.maximum(x @ w1.T + b1, 0)
    h2 = np.maximum(h1 @ w2.T + b2, 0)
    z = h2 @ w3.T + b3
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y]).mean()
    dz = p
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    dw3, db3 = dz.T @ h2, dz.sum(0)
    dh2 = (dz @ w3) * (h2 > 0)
    dw2, db2 = dh2.T @ h1, dh2.sum(0)
    dh1 = (dh2 @ w2) * (h1 > 0)
    dw1, db1 = dh1.T @ x, dh1.sum(0)
    for p_, g in zip(params, (dw1, db1, dw2, db2, dw3, db3), strict=True):
        p_ -= LR * g
    return loss


def learndl_step(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h = ld.relu(ld.linear(x, w1, b1))
    h = ld.relu(ld.linear(h, w2, b2))
    loss = ld.cross_entropy(ld.linear(h, w3, b3), y)
    for p in params:
        p.grad = None
    loss.backward()
    with ld.no_grad():
        for p in params:
            p.data -= LR * p.grad.data
    return loss


def torch_step(torch, params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    F = torch.nn.functional
    h = F.relu(F.linear(x, w1, b1))
    h = F.relu(F.linear(h, w2, b2))
    loss = F.cross_entropy(F.linear(h, w3, b3), y)
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss


def mlp(torch) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    np_params = make_weights()
    ld_params = [ld.tensor(w, requires_grad=True) for w in make_weights()]
    lx, ly = ld.tensor(x), ld.tensor(y)
    variants = {
        "numpy by hand (floor)": lambda: numpy_step(np_params, x, y),
        "learndl": lambda: learndl_step(ld_params, lx, ly),
    }
    if torch is not None:
        t_params = [torch.tensor(w, requires_grad=True) for w in make_weights()]
        tx, ty = torch.tensor(x), torch.tensor(y)
        variants["pytorch eager"] = lambda: torch_step(torch, t_params, tx, ty)
    times = interleaved(variants, number=20)
    report("MLP 784-256-128-10 step, batch 128, float32", times, "numpy by hand (floor)", 1e-3)
    if torch is not None:
        print(f"  learndl / pytorch: {times['learndl'] / times['pytorch eager']:.2f}x")


def chain(torch) -> None:
    a_np, b_np = np.random.default_rng(2).standard_normal((2, 4)).astype(np.float32)

    def by_hand():
        s = a_np + b_np
        out = (s * b_np).sum()
        ga = b_np.copy()  # d/da = b
        gb = s + b_np  # d/db = (a + b) + b
        return out, ga, gb

    a = ld.tensor(a_np, requires_grad=True)
    b = ld.tensor(b_np, requires_grad=True)

    def learndl_chain():
        a.grad = b.grad = None
        ((a + b) * b).sum().backward()

    variants = {"numpy by hand": by_hand, "learndl": learndl_chain}
    if torch is not None:
        ta = torch.tensor(a_np, requires_grad=True)
        tb = torch.tensor(b_np, requires_grad=True)

        def torch_chain():
            ta.grad = tb.grad = None
            ((ta + tb) * tb).sum().backward()

        variants["pytorch eager"] = torch_chain
    times = interleaved(variants, number=2000)
    report("((a + b) * b).sum() forward + backward, 4 elements", times, "numpy by hand")
    if torch is not None:
        ratio = times["learndl"] / times["pytorch eager"]
        print(f"  learndl / pytorch: {ratio:.2f}x  (target <= 0.5)")


if __name__ == "__main__":
    torch = torch_or_none()
    print(
        f"learndl {ld.__version__}, numpy {np.__version__}, "
        f"pytorch {torch.__version__ if torch else 'not installed'}"
    )
    mlp(torch)
    chain(torch)
