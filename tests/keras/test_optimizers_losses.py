"""Optimizers follow Keras' update rules and defaults; losses and metrics Keras' formulas."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import keras

GRADS = [np.array([0.5, -1.0, 1e-4]), np.array([0.3, 0.2, -2e-4]), np.array([-0.7, 0.1, 0.0])]


def _run(opt, w0=(1.0, -2.0, 0.5)):
    w = ld.tensor(np.array(w0), dtype="float64", requires_grad=True)
    for g in GRADS:
        opt.apply([ld.tensor(g, dtype="float64")], [w])
    return w.numpy()


def _keras_adam(lr, b1, b2, eps, wd=0.0):
    w, m, v = np.array([1.0, -2.0, 0.5]), 0.0, 0.0
    for t, g in enumerate(GRADS, 1):
        w = w - lr * wd * w
        m, v = m + (g - m) * (1 - b1), v + (g * g - v) * (1 - b2)
        w = w - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    return w


def test_adam_and_adamw_match_keras_formula_exactly():
    np.testing.assert_allclose(_run(keras.optimizers.Adam()), _keras_adam(1e-3, 0.9, 0.999, 1e-7))
    opt = keras.optimizers.Adam(0.1, epsilon=0.01)  # a large eps shows where it is added
    np.testing.assert_allclose(_run(opt), _keras_adam(0.1, 0.9, 0.999, 0.01), rtol=1e-12)
    opt = keras.optimizers.AdamW(0.1)
    assert opt.weight_decay == 0.004
    np.testing.assert_allclose(_run(opt), _keras_adam(0.1, 0.9, 0.999, 1e-7, wd=0.004))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_keras(nesterov):
    w, v, lr, mu = np.array([1.0, -2.0, 0.5]), 0.0, 0.1, 0.9
    for g in GRADS:
        v = mu * v - lr * g
        w = w + (mu * v - lr * g if nesterov else v)
    opt = keras.optimizers.SGD(lr, momentum=mu, nesterov=nesterov)
    np.testing.assert_allclose(_run(opt), w, rtol=1e-12)
    assert keras.optimizers.SGD().learning_rate == 0.01


def test_rmsprop_and_adagrad_defaults_and_documented_epsilon():
    opt = keras.optimizers.get("rmsprop")
    assert (opt.learning_rate, opt.rho, opt.epsilon) == (0.001, 0.9, 1e-7)
    w, v = np.array([1.0, -2.0, 0.5]), 0.0
    for g in GRADS:  # as learndl.optim (PyTorch): eps outside the sqrt — see optimizers.py
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.01 * g / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(_run(keras.optimizers.RMSprop(0.01)), w, rtol=1e-10)
    opt = keras.optimizers.get("adagrad")
    assert (opt.learning_rate, opt.initial_accumulator_value) == (0.001, 0.1)
    w, acc = np.array([1.0, -2.0, 0.5]), 0.1
    for g in GRADS:
        acc = acc + g * g
        w = w - 0.01 * g / (np.sqrt(acc) + 1e-7)
    np.testing.assert_allclose(_run(keras.optimizers.Adagrad(0.01)), w, rtol=1e-10)


def test_optimizer_names_schedules_and_clipping():
    for name in ["sgd", "adam", "rmsprop", "adamw", "adagrad"]:
        assert keras.optimizers.get(name).name == name
    with pytest.raises(ValueError, match="Unknown optimizer"):
        keras.optimizers.get("adamax")
    opt = keras.optimizers.SGD(lambda step: 1.0 / (step + 1))
    assert opt.learning_rate == 1.0
    _run(opt)
    assert opt.iterations == 3 and opt.learning_rate == 0.25
    w = _run(keras.optimizers.SGD(1.0, clipvalue=0.1), (0.0, 0.0, 0.0))
    np.testing.assert_allclose(w, [-0.1, -0.1, 1e-4], atol=1e-12)  # grads clipped to ±0.1


def _np(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def test_losses_match_keras_formulas():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([0, 3, 1, 1, 2, 0])
    onehot = np.eye(4, dtype="float32")[labels]
    ce = -np.log(probs[np.arange(6), labels]).mean()
    L = keras.losses
    for loss, y, p in [
        (L.SparseCategoricalCrossentropy(), labels, probs),
        (L.SparseCategoricalCrossentropy(from_logits=True), labels, logits),
        (L.CategoricalCrossentropy(), onehot, probs),
        (L.CategoricalCrossentropy(from_logits=True), onehot, logits),
        (L.get("sparse_categorical_crossentropy"), labels.reshape(-1, 1), probs),
    ]:
        np.testing.assert_allclose(loss(y, ld.tensor(p)).item(), ce, rtol=1e-5)
    smooth = onehot * 0.9 + 0.1 / 4
    expected = -(smooth * np.log(probs)).sum(1).mean()
    got = L.CategoricalCrossentropy(label_smoothing=0.1)(onehot, ld.tensor(probs)).item()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    # Probabilities are clipped to [1e-7, 1 - 1e-7]: a confident wrong answer costs log(1e7).
    got = L.BinaryCrossentropy()(np.array([1.0]), ld.tensor([0.0])).item()
    np.testing.assert_allclose(got, -np.log(1e-7), rtol=1e-4)
    x, t = rng.normal(size=(5, 1)), rng.integers(0, 2, size=5)
    sig = 1 / (1 + np.exp(-x))
    bce = -(t[:, None] * np.log(sig) + (1 - t[:, None]) * np.log(1 - sig)).mean()
    np.testing.assert_allclose(L.BinaryCrossentropy(from_logits=True)(t, ld.tensor(x)).item(), bce)
    np.testing.assert_allclose(L.get("binary_crossentropy")(t, ld.tensor(sig)).item(), bce)
    y, p = rng.normal(size=(5,)), rng.normal(size=(5, 1))
    np.testing.assert_allclose(L.get("mse")(y, ld.tensor(p)).item(), ((p[:, 0] - y) ** 2).mean())
    np.testing.assert_allclose(L.get("mae")(y, ld.tensor(p)).item(), np.abs(p[:, 0] - y).mean())
    with pytest.raises(ValueError, match="Unknown loss"):
        L.get("hinge")


def test_loss_gradient_float64():
    labels = np.array([0, 2, 1])
    loss = keras.losses.SparseCategoricalCrossentropy()
    x = ld.tensor(np.random.default_rng(1).normal(size=(3, 4)), requires_grad=True)
    assert ld.gradcheck(lambda z: loss(labels, ld.softmax(z, axis=-1)), x)


def test_metrics_are_running_means():
    acc = keras.metrics.get("accuracy", np.zeros(4), np.zeros((4, 3)))
    acc.update_state(np.array([0, 1]), np.array([[0.9, 0.1, 0], [0.8, 0.1, 0.1]]))
    acc.update_state(np.array([2]), np.array([[0, 0, 1.0]]))
    assert acc.result() == pytest.approx(2 / 3) and acc.name == "accuracy"
    acc.reset_state()
    assert acc.result() == 0.0
    mae = keras.metrics.MeanAbsoluteError()
    mae.update_state(np.array([[1.0], [2.0]]), np.array([[0.0], [4.0]]))
    assert mae.result() == 1.5 and mae.name == "mean_absolute_error"
    binary = keras.metrics.BinaryAccuracy()
    binary.update_state(np.array([1, 0, 1]), np.array([[0.7], [0.6], [0.2]]))
    assert binary.result() == pytest.approx(1 / 3)
