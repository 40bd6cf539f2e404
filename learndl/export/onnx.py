"""``onnx(model, example_input, path)``: layer by layer, each ``ld.nn`` layer to ONNX nodes.

Why layers and not the traced graph: the traced IR holds learndl's primitives (a batch
norm there is a handful of means, subtractions and products; a traced training step holds
its backward too), and turning those back into ONNX nodes would need pattern matching over
the graph. A layer already *is* the unit ONNX knows (Linear is Gemm, Conv2d is Conv, BatchNorm2d is
BatchNormalization), so each layer maps to a few nodes, read in ``LAYERS`` below. The
example input runs through the model alongside, which gives every layer its input shape.

The batch axis is left symbolic ("N"), so the file serves any batch size.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from learndl.autograd import no_grad
from learndl.errors import LearnDLError
from learndl.tensor import Tensor

OPSET = 17


class ExportError(LearnDLError, ValueError):
    """The model holds something the exporter cannot write as ONNX."""


class _Builder:
    """Collects nodes and weights (initializers) with unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.weights: list[Any] = []
        self.count = 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def weight(self, hint: str, array: Any) -> str:
        name = self.name(hint)
        self.weights.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], **attrs: Any) -> str:
        out = self.name(op.lower())
        self.nodes.append(self.helper.make_node(op, inputs, [out], **attrs))
        return out


def _pair(v: Any) -> list[int]:
    return [v, v] if isinstance(v, int) else list(v)


def _linear(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    w = b.weight("weight", layer.weight.numpy())
    if len(shape) == 2:
        ins = [x, w] + ([b.weight("bias", layer.bias.numpy())] if layer.bias is not None else [])
        return b.node("Gemm", ins, transB=1)
    y = b.node("MatMul", [x, b.weight("weight_t", layer.weight.numpy().T)])
    return b.node("Add", [y, b.weight("bias", layer.bias.numpy())]) if layer.bias is not None else y


def _conv(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    if getattr(layer, "padding_mode", "zeros") != "zeros" or isinstance(layer.padding, str):
        raise ExportError(f"export.onnx: {layer!r}: only numeric zero padding is exported.")
    ph, pw = _pair(layer.padding)
    ins = [x, b.weight("weight", layer.weight.numpy())]
    if layer.bias is not None:
        ins.append(b.weight("bias", layer.bias.numpy()))
    return b.node(
        "Conv", ins, kernel_shape=_pair(layer.kernel_size), strides=_pair(layer.stride),
        pads=[ph, pw, ph, pw], dilations=_pair(layer.dilation), group=layer.groups,
    )  # fmt: skip


def _pool(op: str):
    def convert(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
        p = _pair(layer.padding)
        attrs = {"kernel_shape": _pair(layer.kernel_size), "strides": _pair(layer.stride)}
        attrs.update(pads=p + p, ceil_mode=int(layer.ceil_mode))
        if op == "AveragePool":
            attrs["count_include_pad"] = int(layer.count_include_pad)
        return b.node(op, [x], **attrs)

    return convert


def _batch_norm(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    if layer.training or layer.running_mean is None:
        raise ExportError(
            f"export.onnx: {type(layer).__name__} is in training mode (or keeps no running "
            "statistics); call model.eval() before exporting."
        )
    c = layer.num_features
    scale = layer.weight.numpy() if layer.weight is not None else np.ones(c, np.float32)
    shift = layer.bias.numpy() if layer.bias is not None else np.zeros(c, np.float32)
    ins = [x] + [
        b.weight(n, a)
        for n, a in (
            ("scale", scale),
            ("shift", shift),
            ("mean", layer.running_mean.numpy()),
            ("var", layer.running_var.numpy()),
        )
    ]
    return b.node("BatchNormalization", ins, epsilon=float(layer.eps))


def _gelu(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    half = b.weight("half", np.float32(0.5))
    one = b.weight("one", np.float32(1.0))
    if layer.approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = b.node("Mul", [b.node("Mul", [x, x]), x])
        inner = b.node("Add", [x, b.node("Mul", [cube, b.weight("c", np.float32(0.044715))])])
        k = b.weight("k", np.float32(math.sqrt(2.0 / math.pi)))
        t = b.node("Tanh", [b.node("Mul", [inner, k])])
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        t = b.node("Erf", [b.node("Mul", [x, b.weight("k", np.float32(1 / math.sqrt(2.0)))])])
    return b.node("Mul", [b.node("Mul", [x, half]), b.node("Add", [t, one])])


def _flatten(b: _Builder, layer: Any, x: str, shape: tuple) -> str:
    start = layer.start_dim % len(shape)
    if layer.end_dim % len(shape) != len(shape) - 1 or start == 0:
        raise ExportError("export.onnx: Flatten is exported for end_dim=-1 and start_dim>=1.")
    return b.node("Flatten", [x], axis=start)


def _softmax(op: str):
    return lambda b, layer, x, shape: b.node(
        op, [x], axis=(layer.dim if layer.dim is not None else -1)
    )


LAYERS = {
    "Linear": _linear,
    "Conv2d": _conv,
    "MaxPool2d": _pool("MaxPool"),
    "AvgPool2d": _pool("AveragePool"),
    "BatchNorm1d": _batch_norm,
    "BatchNorm2d": _batch_norm,
    "ReLU": lambda b, layer, x, shape: b.node("Relu", [x]),
    "Tanh": lambda b, layer, x, shape: b.node("Tanh", [x]),
    "Sigmoid": lambda b, layer, x, shape: b.node("Sigmoid", [x]),
    "LeakyReLU": lambda b, layer, x, shape: b.node(
        "LeakyRelu", [x], alpha=float(layer.negative_slope)
    ),
    "GELU": _gelu,
    "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"),
    "Flatten": _flatten,
    "Dropout": lambda b, layer, x, shape: x,  # inference: the identity
    "Identity": lambda b, layer, x, shape: x,
}


def _is_keras(layer: Any) -> bool:
    return type(layer).__module__.startswith("learndl.keras")


def _key(layer: Any) -> str:
    """The ``LAYERS`` entry of a layer: its class name, ``"keras.<Name>"`` for Keras layers."""
    return ("keras." if _is_keras(layer) else "") + type(layer).__name__


def _leaves(model: Any) -> list[Any]:
    """The layers in the order they run: containers (Sequential) are opened."""
    if type(model).__name__ in ("Sequential", "ModuleList"):
        children = model.layers if _is_keras(model) else model
        return [leaf for child in children for leaf in _leaves(child)]
    return [model]


def onnx(model: Any, example_input: Tensor, path: str) -> str:
    """Write ``model`` (a chain of ld.nn layers) as an ONNX file; return ``path``.

    Args:
        model: an ``ld.nn`` layer or ``Sequential`` of them, in eval mode for BatchNorm;
            or a ``learndl.keras`` ``Sequential`` (channels last; see ``onnx_keras.py``).
        example_input: a batch of the shape the model takes (its batch size is not fixed).
        path: where to write the ``.onnx`` file.

    Raises:
        ExportError: naming the first layer that has no ONNX equivalent here.
    """
    import onnx as onnx_lib
    from onnx import TensorProto, helper

    if not isinstance(example_input, Tensor):
        example_input = Tensor._make(np.asarray(example_input, dtype=np.float32), False, None)
    b = _Builder()
    x, name = example_input, "input"
    with no_grad():
        for layer in _leaves(model):
            convert = LAYERS.get(_key(layer))
            if convert is None:
                known = [k for k in LAYERS if k.startswith("keras.") == _is_keras(layer)]
                raise ExportError(
                    f"export.onnx: layer {type(layer).__name__} ({layer!r}) has no ONNX "
                    f"equivalent in learndl's exporter. Exportable layers: {', '.join(known)}."
                )
            name = convert(b, layer, name, x.shape)
            x = layer(x)
    dtype = TensorProto.FLOAT if example_input.dtype == np.float32 else TensorProto.DOUBLE

    def spec(n: str, shape: tuple) -> Any:
        return helper.make_tensor_value_info(n, dtype, ["N", *shape[1:]])

    if name == "input":  # a model of identities only
        name = b.node("Identity", ["input"])
    graph = helper.make_graph(
        b.nodes, type(model).__name__, [spec("input", example_input.shape)],
        [spec(name, x.shape)], b.weights,
    )  # fmt: skip
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    proto.producer_name = "learndl"
    onnx_lib.checker.check_model(proto)
    onnx_lib.save(proto, path)
    return path


# Keras layers (channels last) are mapped in onnx_keras.py, registered as "keras.<Name>".
from learndl.export import onnx_keras  # noqa: E402, F401
