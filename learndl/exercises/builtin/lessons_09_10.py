"""Lessons 09 (three styles, one model) and 10 (deployment)."""

from __future__ import annotations

import os
import tempfile

import numpy as np

import learndl as ld
from learndl.exercises.builtin._helpers import array, close, hidden_rng
from learndl.exercises.core import Check, checker, need


def _hidden_mlp(rng: np.random.Generator, sizes: list[int]):
    from learndl import nn

    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    with ld.no_grad():
        for p in model.parameters():
            p.copy_(ld.tensor(rng.standard_normal(p.shape).astype("float32") * 0.5))
    return model


@checker("keras_twin", total=4)
def keras_twin(ns):
    """Lesson 09. The cell defines ``to_keras(model)``: given an ``nn.Sequential`` of
    ``nn.Linear`` and ``nn.ReLU`` layers, it returns a ``keras.Sequential`` (starting with
    ``keras.Input``) that computes the same logits — one ``Dense`` per ``Linear``, with
    ``kernel = weight.T`` (Keras stores ``(in, out)``, PyTorch ``(out, in)``) and the same
    bias, and ``activation="relu"`` where a ReLU follows."""
    from learndl import keras

    to_keras = need(ns, "to_keras")
    rng = hidden_rng()
    sizes = [int(rng.integers(3, 7)), int(rng.integers(4, 9)), int(rng.integers(2, 5))]
    model = _hidden_mlp(rng, sizes)
    twin = to_keras(model)
    yield Check(
        "a keras.Sequential", isinstance(twin, keras.Sequential), "return keras.Sequential([...])"
    )
    dense = [la for la in twin.layers if isinstance(la, keras.layers.Dense)]
    yield Check(
        "one Dense per Linear",
        [d.units for d in dense] == sizes[1:],
        "Dense(units=linear.out_features) for each nn.Linear, in order",
    )
    x = rng.standard_normal((5, sizes[0])).astype("float32")
    with ld.no_grad():
        want = model(ld.tensor(x)).numpy()
    got = twin.predict(x, verbose=0)
    kernels_ok = all(
        close(d.kernel, array(lin.weight).T)
        for d, lin in zip(dense, [m for m in model if isinstance(m, ld.nn.Linear)])
    )
    yield Check("kernels are weight.T", kernels_ok, "set_weights([linear.weight.numpy().T, ...])")
    yield Check("same logits", close(got, want), "relu after every Dense but the last")


@checker("traced_train_step", total=4)
def traced_train_step(ns):
    """Lesson 09. The cell defines ``make_train_step(model, optimizer)`` returning a function
    decorated with ``@ld.function`` that takes ``(x, y)`` (a batch and its integer labels),
    zeroes the gradients, computes ``ld.cross_entropy(model(x), y)``, runs ``backward``
    and ``optimizer.step()``, and returns the loss."""
    make = need(ns, "make_train_step")
    rng = hidden_rng()
    sizes = [6, 8, 3]
    x = ld.tensor(rng.standard_normal((16, 6)).astype("float32"))
    y = ld.tensor(rng.integers(0, 3, 16))
    state = rng.integers(2**31)
    models = []
    for _ in range(2):  # the same start for the eager reference and the learner's step
        model = _hidden_mlp(np.random.default_rng(state), sizes)
        models.append((model, ld.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)))
    model, opt = models[0]
    want = []
    for _ in range(3):
        opt.zero_grad()
        loss = ld.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        want.append(loss.item())
    model, opt = models[1]
    step = make(model, opt)
    yield Check(
        "decorated with @ld.function",
        isinstance(step, ld.static.StaticFunction),
        "put @ld.function above the inner def (or return ld.function(step))",
    )
    got = [float(step(x, y).item()) for _ in range(3)]
    yield Check("returns the loss", np.allclose(got[0], want[0], rtol=1e-5), "return the loss")
    yield Check(
        "trains like the eager loop",
        np.allclose(got, want, rtol=1e-4)
        and all(close(a, b) for a, b in zip(models[0][0].parameters(), model.parameters())),
        "zero_grad, loss, backward, step — in that order, on every call",
    )
    traces = getattr(step, "traces", [])
    yield Check("traced once", len(traces) == 1, "decorate once, outside the call")


@checker("int8_quantize", total=4)
def int8_quantize(ns):
    """Lesson 10. The cell defines ``quantize(w)`` and ``dequantize(q, scale)``, NumPy in and
    out: ``quantize`` returns ``(q, scale)`` with ``scale = max|w| / 127`` and
    ``q = round(w / scale)`` as ``int8`` (symmetric, per tensor, as TF Lite's weight
    quantization); ``dequantize`` returns ``q * scale`` as ``float32``."""
    quantize, dequantize = need(ns, "quantize"), need(ns, "dequantize")
    w = hidden_rng().standard_normal((20, 7)).astype("float32")
    q, scale = quantize(w)
    q = np.asarray(q)
    yield Check("int8", q.dtype == np.int8 and q.shape == w.shape, "q.astype(np.int8)")
    want = float(np.abs(w).max()) / 127
    yield Check("scale", np.isclose(float(scale), want, rtol=1e-5), "scale = max|w| / 127")
    back = np.asarray(dequantize(q, scale))
    yield Check("float32 back", back.dtype == np.float32, "(q * scale).astype(np.float32)")
    yield Check(
        "error within half a step",
        back.shape == w.shape and float(np.abs(back - w).max()) <= want / 2 + 1e-6,
        "round to the nearest integer (np.round), do not truncate",
    )


@checker("onnx_predict", total=3)
def onnx_predict(ns):
    """Lesson 10. The cell defines ``onnx_predict(path, images)``: it opens the ONNX file
    at ``path`` in an ``onnxruntime.InferenceSession`` (CPU), feeds ``images`` (float32,
    ``(N, 8, 8, 1)``) to the model's input and returns the predicted classes, an integer
    array of shape ``(N,)`` (the argmax of the output)."""
    from learndl import keras

    predict = need(ns, "onnx_predict")
    rng = hidden_rng()
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.layers[1].kernel.assign(rng.standard_normal((64, 10)).astype("float32"))
    images = rng.random((7, 8, 8, 1)).astype("float32")
    want = model.predict(images, verbose=0).argmax(axis=1)
    with tempfile.TemporaryDirectory() as folder:
        path = ld.export.onnx(model, images[:1], os.path.join(folder, "hidden.onnx"))
        got = np.asarray(predict(path, images))
    yield Check("shape (N,)", got.shape == want.shape, "one class per image: argmax(axis=1)")
    yield Check("integers", got.dtype.kind in "iu", "argmax returns integers")
    yield Check(
        "same classes as the model",
        got.shape == want.shape and bool((got == want).all()),
        "session.run(None, {session.get_inputs()[0].name: images})[0]",
    )
