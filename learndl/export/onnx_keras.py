"""``learndl.keras`` layers to ONNX nodes, registered in ``onnx.LAYERS`` as ``"keras.<Name>"``.

Keras images are channels last, ``(N, H, W, C)``, and so are the exported model's input
and every tensor between layers — a Keras user feeds the ONNX file the arrays they gave
``predict``. ONNX's ``Conv``, pools and ``BatchNormalization`` want channels first, so
each of those layers is wrapped in two ``Transpose`` nodes: NHWC -> NCHW, the op, back to
NHWC. Two image layers in a row leave a back-and-forth pair between them; runtimes remove
such pairs when they load the model (onnxruntime's transpose optimizer does).

Keras' conventions kept on the way:

- a ``Dense`` kernel is ``(in, units)`` (no transpose needed, unlike ``Linear``), a
  ``Conv2D`` kernel ``(kh, kw, in, out)`` becomes ONNX's ``(out, in, kh, kw)``;
- ``padding="same"`` pads the odd pixel at the bottom/right (TensorFlow's rule), written
  as explicit ``pads`` since the image size is known from the example input;
- ``AveragePooling2D(padding="same")`` leaves the padding out of the mean;
- ``Flatten`` flattens ``(H, W, C)`` in that order, so the Dense after it needs no change;
- ``BatchNormalization`` exports its moving statistics (inference), on any ``axis``;
- activations given by name (``Dense(10, activation="softmax")``) become ONNX ops.

Example:
    >>> import learndl as ld, tempfile, os
    >>> from learndl import keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu")])
    >>> path = os.path.join(tempfile.mkdtemp(), "k.onnx")
    >>> ld.export.onnx(model, ld.randn(2, 4), path)  # doctest: +ELLIPSIS
    '...k.onnx'
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from learndl.export.onnx import LAYERS, ExportError, _Builder, _gelu

TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _same_pads(size: int, k: int, s: int) -> tuple[int, int]:
    total = max((-(-size // s) - 1) * s + k - size, 0)  # as keras: the odd pixel at the end
    return total // 2, total - total // 2


def _pads(layer: Any, shape: tuple, kernel: tuple) -> list[int]:
    """ONNX ``pads`` ``[top, left, bottom, right]`` for an NHWC input of ``shape``."""
    if layer.padding == "valid":
        return [0, 0, 0, 0]
    (top, bottom), (left, right) = (
        _same_pads(n, k, s) for n, k, s in zip(shape[1:3], kernel, layer.strides)
    )
    return [top, left, bottom, right]


def activation(b: _Builder, fn: Any, x: str, where: str) -> str:
    """The nodes of a Keras activation given by name (``keras.activations``)."""
    name = getattr(fn, "__name__", None)
    if getattr(fn, "__module__", None) != "learndl.keras.activations":
        name = None
    if name == "linear":
        return x
    if name in ("relu", "sigmoid", "tanh"):
        return b.node(name.capitalize(), [x])
    if name == "softmax":
        return b.node("Softmax", [x], axis=-1)
    if name == "gelu":
        return _gelu(b, SimpleNamespace(approximate="none"), x, ())
    raise ExportError(
        f"export.onnx: {where}: the activation {fn!r} has no ONNX equivalent here; "
        "exportable: linear, relu, sigmoid, tanh, softmax, gelu (given by name)."
    )


def _dense(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    kernel = b.weight("kernel", layer.kernel.numpy())
    bias = [b.weight("bias", layer.bias.numpy())] if layer.bias is not None else []
    if len(shape) == 2:
        y = b.node("Gemm", [x, kernel, *bias])
    else:  # (N, ..., in): MatMul broadcasts over the middle axes
        y = b.node("MatMul", [x, kernel])
        y = b.node("Add", [y, *bias]) if bias else y
    return activation(b, layer.activation, y, layer.name)


def _conv(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    weight = layer.kernel.numpy().transpose(3, 2, 0, 1)  # (kh, kw, in, out) -> (out, in, kh, kw)
    ins = [b.node("Transpose", [x], perm=TO_NCHW), b.weight("kernel", weight)]
    if layer.bias is not None:
        ins.append(b.weight("bias", layer.bias.numpy()))
    y = b.node(
        "Conv", ins, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
        pads=_pads(layer, shape, layer.kernel_size),
    )  # fmt: skip
    y = b.node("Transpose", [y], perm=TO_NHWC)
    return activation(b, layer.activation, y, layer.name)  # channels last, as Keras applies it


def _pool(op: str):
    def convert(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
        attrs = {"kernel_shape": list(layer.pool_size), "strides": list(layer.strides)}
        attrs["pads"] = _pads(layer, shape, layer.pool_size)
        if op == "AveragePool":
            attrs["count_include_pad"] = 0  # Keras' "same" averages only the real pixels
        y = b.node(op, [b.node("Transpose", [x], perm=TO_NCHW)], **attrs)
        return b.node("Transpose", [y], perm=TO_NHWC)

    return convert


def _batch_norm(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    axis = layer.axis % len(shape)
    if axis == 0:
        raise ExportError(f"export.onnx: {layer.name}: BatchNormalization over the batch axis.")
    c = shape[axis]
    gamma = layer.gamma.numpy() if layer.gamma is not None else np.ones(c, np.float32)
    beta = layer.beta.numpy() if layer.beta is not None else np.zeros(c, np.float32)
    stats = [gamma, beta, layer.moving_mean.numpy(), layer.moving_variance.numpy()]
    weights = [b.weight(n, a) for n, a in zip(("gamma", "beta", "mean", "var"), stats)]
    # ONNX normalizes axis 1: move the feature axis there and back (nothing to do for (N, C)).
    perm = [0, axis] + [i for i in range(1, len(shape)) if i != axis]
    moved = perm != list(range(len(shape)))
    y = b.node("Transpose", [x], perm=perm) if moved else x
    y = b.node("BatchNormalization", [y, *weights], epsilon=float(layer.epsilon))
    return b.node("Transpose", [y], perm=list(np.argsort(perm))) if moved else y


def _relu(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    slope, threshold = float(layer.negative_slope), float(layer.threshold)
    if threshold != 0.0:  # x >= t ? x : slope * (x - t)
        t = b.weight("threshold", np.float32(threshold))
        below = b.node("Mul", [b.node("Sub", [x, t]), b.weight("slope", np.float32(slope))])
        y = b.node("Where", [b.node("GreaterOrEqual", [x, t]), x, below])
    else:
        y = b.node("LeakyRelu", [x], alpha=slope) if slope else b.node("Relu", [x])
    if layer.max_value is not None:
        y = b.node("Min", [y, b.weight("max_value", np.float32(layer.max_value))])
    return y


KERAS_LAYERS = {
    "Dense": _dense,
    "Conv2D": _conv,
    "MaxPooling2D": _pool("MaxPool"),
    "AveragePooling2D": _pool("AveragePool"),
    "BatchNormalization": _batch_norm,
    "Activation": lambda b, layer, x, shape: activation(b, layer.activation, x, layer.name),
    "ReLU": _relu,
    "Softmax": lambda b, layer, x, shape: b.node("Softmax", [x], axis=int(layer.axis)),
    "Flatten": lambda b, layer, x, shape: b.node("Flatten", [x], axis=1),
    "Dropout": lambda b, layer, x, shape: x,  # inference: the identity
}

LAYERS.update({f"keras.{name}": convert for name, convert in KERAS_LAYERS.items()})
