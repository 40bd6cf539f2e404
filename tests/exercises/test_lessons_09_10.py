"""Checkers of lessons 09-10 that live in learndl/exercises/builtin/lessons_09_10.py."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import keras
from learndl.exercises import exercises, run_checker

IDS = ("keras_twin", "traced_train_step", "int8_quantize", "onnx_predict")


def test_registered_with_a_contract():
    found = exercises()
    for exercise in IDS:
        assert "Lesson 09" in found[exercise] or "Lesson 10" in found[exercise]


def _to_keras(model, transpose=True, relu=True):
    linears = [m for m in model if isinstance(m, ld.nn.Linear)]
    layers = [keras.Input((linears[0].in_features,))]
    for i, lin in enumerate(linears):
        act = "relu" if relu and i < len(linears) - 1 else None
        dense = keras.layers.Dense(lin.out_features, activation=act)
        layers.append(dense)
    twin = keras.Sequential(layers)
    for dense, lin in zip(twin.layers, linears):
        w = lin.weight.numpy()
        dense.set_weights([w.T if transpose else w.reshape(w.shape[::-1]), lin.bias.numpy()])
    return twin


def test_keras_twin_right_and_wrong():
    right = run_checker("keras_twin", {"to_keras": _to_keras})
    assert right.line() == "✓ keras_twin: 4/4 checks passed"
    reshaped = run_checker("keras_twin", {"to_keras": lambda m: _to_keras(m, transpose=False)})
    assert not reshaped.ok and "weight.numpy().T" in reshaped.line()
    no_relu = run_checker("keras_twin", {"to_keras": lambda m: _to_keras(m, relu=False)})
    assert no_relu.line().startswith("✗ keras_twin: 3/4")


def _make_train_step(model, optimizer, traced=True, update=True):
    def step(x, y):
        optimizer.zero_grad()
        loss = ld.cross_entropy(model(x), y)
        loss.backward()
        if update:
            optimizer.step()
        return loss

    return ld.function(step) if traced else step


def test_traced_train_step_right_and_wrong():
    right = run_checker("traced_train_step", {"make_train_step": _make_train_step})
    assert right.line() == "✓ traced_train_step: 4/4 checks passed"
    eager = run_checker(
        "traced_train_step", {"make_train_step": lambda m, o: _make_train_step(m, o, False)}
    )
    assert eager.line().startswith("✗ traced_train_step: 2/4 — hint: put @ld.function")
    no_step = run_checker(
        "traced_train_step",
        {"make_train_step": lambda m, o: _make_train_step(m, o, update=False)},
    )
    assert no_step.line().startswith("✗ traced_train_step: 3/4") and "step" in no_step.line()


def _quantize(w, rounding=np.round):
    scale = np.abs(w).max() / 127
    return rounding(w / scale).astype(np.int8), scale


def test_int8_quantize_right_and_wrong():
    dequantize = lambda q, s: (q * s).astype(np.float32)  # noqa: E731
    right = run_checker("int8_quantize", {"quantize": _quantize, "dequantize": dequantize})
    assert right.line() == "✓ int8_quantize: 4/4 checks passed"
    truncated = run_checker(
        "int8_quantize",
        {"quantize": lambda w: _quantize(w, np.trunc), "dequantize": dequantize},
    )
    assert truncated.line().startswith("✗ int8_quantize: 3/4") and "np.round" in truncated.line()
    missing = run_checker("int8_quantize", {"quantize": _quantize})
    assert "`dequantize`" in missing.line()


def test_onnx_predict_right_and_wrong():
    ort = pytest.importorskip("onnxruntime")

    def onnx_predict(path, images, argmax=True):
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        (out,) = session.run(None, {session.get_inputs()[0].name: images})
        return out.argmax(axis=1) if argmax else out

    right = run_checker("onnx_predict", {"onnx_predict": onnx_predict})
    assert right.line() == "✓ onnx_predict: 3/3 checks passed"
    raw = run_checker("onnx_predict", {"onnx_predict": lambda p, i: onnx_predict(p, i, False)})
    assert raw.line().startswith("✗ onnx_predict: 0/3")
