"""The shared checker for op tests (STYLE habit 8).

An op's test declares its inputs and a NumPy reference; ``check_op`` then checks

1. the forward against the reference, in float64 and in float32 (which must stay float32);
2. the backward by central differences in float64 (``ld.gradcheck``);
3. broadcasting: each input's gradient has the input's shape and equals the gradient of the
   same op on inputs explicitly broadcast to the output's shape, summed back.

Hypothesis strategies for the shapes live here too, so every op file draws shapes the same way.

Example:
    >>> import numpy as np
    >>> check_op(lambda a, b: a * b, np.multiply, np.ones((2, 1)), np.ones(3))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learndl as ld

# Modest example counts: the whole suite must run in well under two minutes on two cores.
SETTINGS = settings(max_examples=25, deadline=None)


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Shapes of small arrays (no empty axes)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcast_shapes(num: int = 2, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Tuples of ``num`` shapes that broadcast together (sizes of 1, missing axes)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda r: r.input_shapes)


seeds = st.integers(0, 2**32 - 1)


def values(
    shape: Sequence[int],
    seed: int,
    low: float = -2.0,
    high: float = 2.0,
    avoid: Sequence[float] = (),
    gap: float = 0.05,
) -> np.ndarray:
    """Random float64 values in [low, high), kept ``gap`` away from the kinks in ``avoid``.

    Values come from a seed (hypothesis shrinks the shape and the seed), so they never tie
    and never sit on a kink, where a central difference would straddle two slopes.
    """
    x = np.random.default_rng(seed).uniform(low, high, size=tuple(shape))
    for kink in avoid:
        near = np.abs(x - kink) < gap
        x = np.where(near, kink + np.where(x >= kink, gap, -gap), x)
    return x


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """NumPy reference for undoing broadcasting."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _grads(fn: Callable, arrays: Sequence[np.ndarray], upstream: np.ndarray) -> list:
    xs = [ld.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    out = fn(*xs)
    out.backward(ld.tensor(upstream, dtype="float64"))
    return [np.zeros_like(a) if x.grad is None else x.grad.numpy() for a, x in zip(arrays, xs)]


def check_op(
    fn: Callable[..., ld.Tensor],
    ref: Callable[..., np.ndarray],
    *arrays: np.ndarray,
    atol: float = 1e-7,
    rtol: float = 1e-7,
    grad: bool = True,
    float32: bool = True,
    broadcast: bool = True,
) -> None:
    """Check ``fn`` (on tensors) against ``ref`` (on arrays) forward, backward and broadcasting.

    Args:
        fn: the learndl op, called with one float tensor per array.
        ref: the NumPy reference, called with the float64 arrays.
        *arrays: the inputs, float64.
        atol, rtol: tolerance of the float64 forward (float32 is checked at 1e-4).
        grad: check the backward with ``ld.gradcheck``.
        float32: also run in float32 and check that the result stays float32.
        broadcast: check gradients against explicitly broadcast inputs (elementwise ops:
            turn it off for ops like cat and matmul whose inputs do not broadcast).
    """
    arrays = tuple(np.asarray(a, dtype=np.float64) for a in arrays)
    expected = np.asarray(ref(*arrays))
    xs = [ld.tensor(a, dtype="float64", requires_grad=grad) for a in arrays]
    out = fn(*xs)
    assert isinstance(out, ld.Tensor)
    assert out.shape == expected.shape, f"shape {out.shape}, NumPy says {expected.shape}"
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), expected, atol=atol, rtol=rtol)
    if float32:
        out32 = fn(*[ld.tensor(a, dtype="float32") for a in arrays])
        assert out32.dtype == np.float32, f"float32 inputs gave {out32.dtype}"
        np.testing.assert_allclose(out32.numpy(), expected, atol=1e-4, rtol=1e-4)
    if not grad:
        return
    result = ld.gradcheck(fn, *xs, report=True)
    assert result, f"gradcheck failed:\n{result}"

    upstream = np.random.default_rng(1).standard_normal(expected.shape)
    grads = _grads(fn, arrays, upstream)
    for a, g in zip(arrays, grads):
        assert g.shape == a.shape, f"gradient shape {g.shape} for an input of shape {a.shape}"
    if broadcast and len(arrays) > 1 and len({a.shape for a in arrays}) > 1:
        full = np.broadcast_shapes(*(a.shape for a in arrays))
        wide = [np.broadcast_to(a, full).copy() for a in arrays]
        wide_grads = _grads(fn, wide, upstream)
        for a, g, wg in zip(arrays, grads, wide_grads):
            np.testing.assert_allclose(g, _sum_to(wg, a.shape), atol=1e-10, rtol=1e-10)


def grad(y: ld.Tensor, *xs: ld.Tensor) -> tuple[ld.Tensor, ...]:
    """The gradients of ``y`` with respect to ``xs``, as graphs (``create_graph=True``).

    Like ``torch.autograd.grad``: every ``.grad`` is left as it was, so it can be used inside
    a function that ``ld.gradcheck`` differentiates again. Runs with grad mode on, because
    gradcheck evaluates its function under ``no_grad`` for the central differences.
    """
    saved = [x.grad for x in xs]
    for x in xs:
        x.grad = None
    with ld.enable_grad():
        y.backward(create_graph=True)
    out = tuple(ld.zeros_like(x) if x.grad is None else x.grad for x in xs)
    for x, g in zip(xs, saved):
        x.grad = g
    return out
