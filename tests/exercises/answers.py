"""Right and wrong answers for every built-in checker: ID -> (right namespace, wrong one)."""

from __future__ import annotations

import numpy as np

import learndl as ld
from learndl import nn


class ReLU(ld.Function):
    name = "relu"

    def forward(self, x):
        self.save_for_backward(self.inputs[0])
        return np.maximum(x, 0)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (x > 0),)


class LeakyGradReLU(ReLU):
    def backward(self, grad):
        return (grad,)


class Sigmoid(ld.Function):
    name = "sigmoid"

    def forward(self, x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, grad):
        s = self.saved_output
        return (grad * s * (1 - s),)


class NaiveSigmoid(Sigmoid):
    def forward(self, x):
        return 1 / (1 + np.exp(-x))


class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        bound = 1 / np.sqrt(in_features)
        self.weight = nn.Parameter(ld.rand(out_features, in_features) * 2 * bound - bound)
        self.bias = nn.Parameter(ld.rand(out_features) * 2 * bound - bound)

    def forward(self, x):
        return x @ self.weight.T + self.bias


class NoBiasLinear(MyLinear):
    def forward(self, x):
        return x @ self.weight.T


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = x.relu()
        return x


class ReluEverywhereMLP(MLP):
    def forward(self, x):
        for layer in self.layers:
            x = layer(x).relu()
        return x


def grad_of(f, x):
    t = ld.tensor(x, dtype=ld.float64, requires_grad=True)
    f(t).backward()
    return t.grad.item()


def unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def sgd_step(params, lr):
    with ld.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def sgd_copy(params, lr):
    for p in params:
        p = p - lr * p.grad


def fit(x, y, steps, lr):
    w = ld.tensor(0.0, requires_grad=True)
    b = ld.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        sgd_step([w, b], lr)
    return w, b


def softmax(z, dim=-1):
    e = (z - z.max(axis=dim, keepdims=True)).exp()
    return e / e.sum(axis=dim, keepdims=True)


def cross_entropy(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True).detach()
    logp = z - z.exp().sum(axis=1, keepdims=True).log()
    return -logp[ld.arange(len(labels)), labels].mean()


def momentum_step(params, velocities, lr, momentum):
    with ld.no_grad():
        for p, v in zip(params, velocities):
            v.mul_(momentum).add_(p.grad)
            p -= lr * v


def adam_update(p, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    mhat, vhat = m / (1 - beta1**t), v / (1 - beta2**t)
    return p - lr * mhat / (np.sqrt(vhat) + eps), m, v


def _centred(w):
    return w - w.mean()


def batchnorm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=0, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=0, keepdims=True)
    return (x - mean) / (var + eps).sqrt() * gamma + beta


def conv2d(x, w):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.tensordot(
                x[:, :, i : i + kh, j : j + kw], w, ([1, 2, 3], [1, 2, 3])
            )
    return out


def maxpool2d(x, k):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // k, k, w // k, k).max(axis=(3, 5))


def attention(q, k, v):
    scores = q @ k.transpose(-1, -2) / np.sqrt(q.shape[-1])
    return softmax(scores) @ v


def causal_mask(t):
    return np.where(np.triu(np.ones((t, t)), k=1) > 0, -np.inf, 0.0)


ANSWERS = {
    "chain_rule_by_hand": (
        {"df_dx": lambda x: 30 * (2 * x + 1) ** 2},
        {"df_dx": lambda x: 15 * (2 * x + 1) ** 2},
    ),
    "grad_of_expression": (
        {"grad_of": grad_of},
        {"grad_of": lambda f, x: f(ld.tensor(x, dtype=ld.float64)).item()},
    ),
    "broadcast_grad_shape": (
        {"unbroadcast": unbroadcast},
        {"unbroadcast": lambda g, s: g.sum(axis=0)},
    ),
    "relu_backward": ({"ReLU": ReLU}, {"ReLU": LeakyGradReLU}),
    "sigmoid_op": ({"Sigmoid": Sigmoid}, {"Sigmoid": NaiveSigmoid}),
    "mse_by_hand": (
        {"mse": lambda p, t: ((p - t) ** 2).mean()},
        {"mse": lambda p, t: ((p - t) ** 2).sum()},
    ),
    "gradient_descent_step": ({"sgd_step": sgd_step}, {"sgd_step": sgd_copy}),
    "linear_regression_fit": (
        {"fit": fit},
        {"fit": lambda x, y, s, lr: fit(x, y - y.mean(), s, lr)},
    ),
    "softmax_stable": (
        {"softmax": softmax},
        {"softmax": lambda z, dim=-1: z.exp() / z.exp().sum(axis=dim, keepdims=True)},
    ),
    "cross_entropy_from_scratch": (
        {"cross_entropy": cross_entropy},
        {"cross_entropy": lambda z, y: -z.softmax(axis=1)[ld.arange(len(y)), y].log().sum()},
    ),
    "linear_layer": ({"MyLinear": MyLinear}, {"MyLinear": NoBiasLinear}),
    "mlp_module": ({"MLP": MLP}, {"MLP": ReluEverywhereMLP}),
    "momentum_step": (
        {"momentum_step": momentum_step},
        {"momentum_step": lambda ps, vs, lr, m: sgd_step(ps, lr)},
    ),
    "adam_step": (
        {"adam_update": adam_update},
        {
            "adam_update": lambda p, g, m, v, t, lr, b1, b2, e: adam_update(
                p, g, m, v, 1, lr, b1, b2, e
            )
        },
    ),
    "init_scale": (
        {
            "init_weights": lambda i, o: (
                np.random.default_rng().standard_normal((o, i)) * np.sqrt(2 / i)
            )
        },
        # std 1 (the mistake) but centred exactly, so it fails the same checks every run
        {"init_weights": lambda i, o: _centred(np.random.default_rng().standard_normal((o, i)))},
    ),
    "batchnorm_forward": (
        {"batchnorm": batchnorm},
        {"batchnorm": lambda x, g, b, eps=1e-5: (x - x.mean(axis=0)) * g + b},
    ),
    "conv_output_size": (
        {"conv_output_size": lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1},
        {"conv_output_size": lambda n, k, stride=1, padding=0: n - k + 1},
    ),
    "conv2d_by_hand": ({"conv2d": conv2d}, {"conv2d": lambda x, w: conv2d(x, w[:, :, ::-1, ::-1])}),
    "maxpool_by_hand": ({"maxpool2d": maxpool2d}, {"maxpool2d": lambda x, k: x[:, :, ::k, ::k]}),
    "attention_scores": (
        {"attention": attention},
        {"attention": lambda q, k, v: softmax(q @ k.transpose(-1, -2)) @ v},
    ),
    "causal_mask": ({"causal_mask": causal_mask}, {"causal_mask": lambda t: causal_mask(t).T}),
}
