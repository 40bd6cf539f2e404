"""Lessons 05 (nn.Module, MLPs), 06 (optimizers) and 07 (training deep nets well)."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl.exercises.builtin._helpers import array, close, grad_matches, hidden_rng, t64
from learndl.exercises.core import Check, checker, need


@checker("linear_layer", total=5)
def linear_layer(ns):
    """Lesson 05. The cell defines ``class MyLinear(nn.Module)`` with
    ``__init__(self, in_features, out_features)`` creating ``nn.Parameter``s ``weight``
    ``(out_features, in_features)`` and ``bias`` ``(out_features,)``, both drawn uniformly
    from ±1/sqrt(in_features), and ``forward(self, x)`` returning ``x @ weight.T + bias``."""
    from learndl import nn

    my_linear = need(ns, "MyLinear", nn.Module, "a subclass of nn.Module")
    layer = my_linear(30, 4)
    names = dict(layer.named_parameters())
    yield Check(
        "parameters", set(names) == {"weight", "bias"}, "assign nn.Parameter to self.weight/bias"
    )
    w, b = names.get("weight"), names.get("bias")
    yield Check(
        "shapes",
        w is not None and b is not None and w.shape == (4, 30) and b.shape == (4,),
        "weight is (out_features, in_features), as PyTorch's",
    )
    bound = 1 / np.sqrt(30)
    spread = w is not None and 0.5 * bound < np.abs(array(w)).max() <= bound + 1e-6
    yield Check("init scale", spread, "draw from uniform(-1/sqrt(in), 1/sqrt(in))")
    x = hidden_rng().standard_normal((5, 30))
    layer = layer.double()
    out = layer(t64(x, grad=False))
    yield Check(
        "forward",
        close(out, x @ array(layer.weight).T + array(layer.bias)),
        "return x @ self.weight.T + self.bias",
    )
    out.sum().backward()
    yield Check(
        "gradients reach weight and bias",
        layer.weight.grad is not None and layer.bias.grad is not None,
        "use learndl ops in forward",
        failing_node=out,
    )


@checker("mlp_module", total=5)
def mlp_module(ns):
    """Lesson 05. The cell defines ``class MLP(nn.Module)`` with ``__init__(self, sizes)``
    (e.g. ``MLP([2, 16, 16, 3])``) built from ``nn.Linear`` layers in order, a ReLU after
    every layer but the last, and ``forward(self, x)`` returning the logits."""
    from learndl import nn

    mlp = need(ns, "MLP", nn.Module, "a subclass of nn.Module")
    rng = hidden_rng()
    sizes = [int(rng.integers(2, 5)), 7, 5, int(rng.integers(2, 4))]
    model = mlp(sizes).double()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    shapes = [(m.in_features, m.out_features) for m in linears]
    yield Check(
        "layers", shapes == list(zip(sizes[:-1], sizes[1:])), "one nn.Linear per pair of sizes"
    )
    if linears:  # make logit 0 surely negative, so a ReLU after the last layer shows
        linears[-1].bias.data[0] -= 100.0
    x = rng.standard_normal((8, sizes[0]))
    out = model(t64(x, grad=False))
    yield Check("output shape", tuple(out.shape) == (8, sizes[-1]), "return the last layer's out")
    h = x
    for i, m in enumerate(linears):
        h = h @ array(m.weight).T + array(m.bias)
        h = np.maximum(h, 0) if i < len(linears) - 1 else h
    yield Check("forward", close(out, h), "ReLU between layers, in the order of sizes")
    yield Check("no ReLU at the end", bool((array(out) < 0).any()), "logits can be negative")
    out.sum().backward()
    yield Check(
        "gradients reach every layer",
        all(p.grad is not None for p in model.parameters()),
        "register the layers as attributes or in nn.ModuleList",
        failing_node=out,
    )


@checker("momentum_step", total=4)
def momentum_step(ns):
    """Lesson 06. The cell defines ``momentum_step(params, velocities, lr, momentum)``:
    for each parameter tensor ``p`` (with ``.grad``) and its velocity tensor ``v`` (same
    shape), set ``v = momentum * v + p.grad`` and ``p -= lr * v`` in place, under
    ``ld.no_grad()`` (PyTorch's SGD with momentum)."""
    step = need(ns, "momentum_step")
    rng = hidden_rng()
    p0 = rng.standard_normal((3,))
    p, v = t64(p0), ld.zeros(3, dtype=ld.float64)
    g1, g2 = rng.standard_normal((3,)), rng.standard_normal((3,))
    p.grad = ld.tensor(g1, dtype=ld.float64)
    step([p], [v], 0.1, 0.9)
    p1 = p0 - 0.1 * g1
    yield Check("first step is SGD", close(p, p1), "v starts at 0, so step one is p -= lr * g")
    p.grad = ld.tensor(g2, dtype=ld.float64)
    step([p], [v], 0.1, 0.9)
    v2 = 0.9 * g1 + g2
    yield Check("velocity", close(v, v2), "v = momentum * v + grad, stored in v in place")
    yield Check("second step", close(p, p1 - 0.1 * v2), "p -= lr * v")
    yield Check("still a leaf", p.is_leaf and p.requires_grad, "update under ld.no_grad()")


@checker("adam_step", total=4)
def adam_step(ns):
    """Lesson 06. The cell defines ``adam_update(p, grad, m, v, t, lr, beta1, beta2, eps)``
    on NumPy arrays, step ``t`` counted from 1, returning ``(new_p, new_m, new_v)``:
    m, v are the moving averages of grad and grad**2, bias-corrected by 1 - beta**t."""
    adam = need(ns, "adam_update")
    rng = hidden_rng()
    p, m, v = rng.standard_normal(4), np.zeros(4), np.zeros(4)
    ref_p, ref_m, ref_v = p.copy(), m.copy(), v.copy()
    oks = []
    for t in range(1, 11):
        g = rng.standard_normal(4)
        out = adam(p, g, m, v, t, 0.01, 0.9, 0.999, 1e-8)
        ref_m = 0.9 * ref_m + 0.1 * g
        ref_v = 0.999 * ref_v + 0.001 * g * g
        mhat, vhat = ref_m / (1 - 0.9**t), ref_v / (1 - 0.999**t)
        ref_p = ref_p - 0.01 * mhat / (np.sqrt(vhat) + 1e-8)
        p, m, v = out
        oks.append((close(p, ref_p, 1e-6), close(m, ref_m, 1e-6), close(v, ref_v, 1e-6)))
    yield Check("first moment", all(o[1] for o in oks), "m = beta1 * m + (1 - beta1) * grad")
    yield Check("second moment", all(o[2] for o in oks), "v = beta2 * v + (1 - beta2) * grad**2")
    yield Check("first step", oks[0][0], "bias-correct: m / (1 - beta1**t), v / (1 - beta2**t)")
    yield Check("ten steps", all(o[0] for o in oks), "p -= lr * m_hat / (sqrt(v_hat) + eps)")


@checker("init_scale", total=4)
def init_scale(ns):
    """Lesson 07. The cell defines ``init_weights(fan_in, fan_out)``: a ``(fan_out,
    fan_in)`` array or tensor of He (Kaiming) normal weights for ReLU layers: mean 0, std
    sqrt(2 / fan_in)."""
    init_weights = need(ns, "init_weights")
    fan_in = int(hidden_rng().integers(200, 400))
    w = array(init_weights(fan_in, 300))
    yield Check("shape", w.shape == (300, fan_in), "shape (fan_out, fan_in), as nn.Linear")
    std = w.std() if w.size else 0.0
    yield Check("std", abs(std / np.sqrt(2 / fan_in) - 1) < 0.1, "std = sqrt(2 / fan_in)")
    yield Check("mean", abs(w.mean()) < 0.1 * np.sqrt(2 / fan_in), "centre it on 0")
    h = hidden_rng().standard_normal((64, 256))
    for _ in range(10):
        h = np.maximum(h @ array(init_weights(h.shape[1], 256)).T, 0)
    scale = np.sqrt((h**2).mean()) if h.size else 0.0
    yield Check("keeps activations alive", 0.3 < scale < 3.0, "ReLU halves the variance: x2")


@checker("batchnorm_forward", total=4)
def batchnorm_forward(ns):
    """Lesson 07. The cell defines ``batchnorm(x, gamma, beta, eps=1e-5)``: training-mode
    batch normalization of an ``(N, C)`` tensor with the batch mean and biased variance of
    each feature, then ``* gamma + beta`` (both ``(C,)``), in learndl ops."""
    batchnorm = need(ns, "batchnorm")
    rng = hidden_rng()
    x = rng.standard_normal((16, 5)) * 3 + 2
    g, b = rng.uniform(0.5, 2, 5), rng.standard_normal(5)
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) * g + b
    out = batchnorm(t64(x, False), t64(np.ones(5), False), t64(np.zeros(5), False))
    normed = array(out)
    yield Check(
        "normalizes each feature",
        close(normed.mean(0), np.zeros(5)) and close(normed.std(0), np.ones(5), 1e-3),
        "statistics over the batch axis (dim 0), biased variance",
    )
    yield Check(
        "gamma and beta",
        close(batchnorm(t64(x, False), t64(g, False), t64(b, False)), want),
        "scale by gamma, then shift by beta",
    )
    yield Check(
        "eps inside the square root",
        close(
            batchnorm(t64(np.ones((4, 5)), False), t64(g, False), t64(b, False)), np.tile(b, (4, 1))
        ),
        "divide by sqrt(var + eps)",
    )
    ok, node = grad_matches(lambda a, c, d: batchnorm(a, c, d), t64(x), t64(g), t64(b))
    yield Check("gradcheck", ok, "use learndl ops only, so backward works", node)
