"""``model.save(path)`` / ``keras.models.load_model(path)``: one zip file, no pickle.

Like Keras' ``.keras`` format, the file is a zip archive holding ``config.json`` (the
architecture: each layer's class name and ``get_config()``; the compile settings) and
``model.weights.npz`` (the weights, in ``model.weights`` order, as plain numpy arrays
read back with ``allow_pickle=False``). Custom layers load through ``custom_objects``.

Example:
    >>> import os, tempfile
    >>> from learndl import keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> model.save(path)
    >>> clone = keras.models.load_model(path)
    >>> bool((clone.get_weights()[0] == model.get_weights()[0]).all())
    True
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np

from learndl.keras import layers as layers_module
from learndl.keras import losses, optimizers

FORMAT = "learndl.keras/1"


def _weights_bytes(model) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{f"{i:04d}": w for i, w in enumerate(model.get_weights())})
    return buffer.getvalue()


def _read_weights(data: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return [f[k] for k in sorted(f.files)]


def _compile_config(model) -> dict | None:
    if not model.compiled:
        return None
    loss = model.loss
    if isinstance(loss, losses.Loss):
        loss = {"class_name": type(loss).__name__, "config": loss.get_config()}
    elif not isinstance(loss, (str, type(None))):
        loss = None  # a plain function cannot be stored; compile again after loading
    opt = model.optimizer
    return {
        "optimizer": {"class_name": type(opt).__name__, "config": opt.get_config()},
        "loss": loss,
        "metrics": [m for m in model._metric_ids if isinstance(m, str)],
    }


def save_model(model, filepath: str) -> None:
    from learndl.keras.models.sequential import Sequential

    if not isinstance(model, Sequential):
        raise NotImplementedError(
            "save() stores Sequential models; for a subclassed model use save_weights()."
        )
    config = {
        "format": FORMAT,
        "class_name": "Sequential",
        "config": model.get_config(),
        "compile_config": _compile_config(model),
    }
    with zipfile.ZipFile(filepath, "w") as zf:
        zf.writestr("config.json", json.dumps(config, indent=2))
        zf.writestr("model.weights.npz", _weights_bytes(model))


def _layer(spec: dict, custom_objects: dict) -> Any:
    name = spec["class_name"]
    cls = custom_objects.get(name) or layers_module.BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"Unknown layer class {name!r}; pass it in custom_objects={{...}}.")
    return cls.from_config(spec["config"])


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True):  # noqa: A002
    """Rebuild a model saved by ``model.save`` — architecture, weights, compile settings."""
    from learndl.keras.models.sequential import Sequential

    custom_objects = custom_objects or {}
    with zipfile.ZipFile(filepath) as zf:
        config = json.loads(zf.read("config.json"))
        weights = _read_weights(zf.read("model.weights.npz"))
    if config.get("format") != FORMAT:
        raise ValueError(f"{filepath} is not a learndl.keras model file.")
    cfg = config["config"]
    model = Sequential(
        [_layer(s, custom_objects) for s in cfg["layers"]],
        trainable=cfg["trainable"],
        name=cfg["name"],
    )
    if not model.built:
        raise ValueError("The saved model has no Input, so its weights cannot be placed.")
    model.set_weights(weights)
    compiled = config.get("compile_config")
    if compile and compiled:
        opt = compiled["optimizer"]
        loss = compiled["loss"]
        if isinstance(loss, dict):
            loss = losses.get(loss["class_name"]).__class__(**loss["config"])
        model.compile(
            optimizer=optimizers.get(opt["class_name"].lower()).from_config(opt["config"]),
            loss=loss,
            metrics=compiled["metrics"],
        )
    return model


def save_weights(model, filepath: str) -> None:
    """Only the weights, as an ``.npz`` archive of arrays in ``model.weights`` order."""
    with open(filepath, "wb") as f:
        f.write(_weights_bytes(model))


def load_weights(model, filepath: str) -> None:
    with open(filepath, "rb") as f:
        model.set_weights(_read_weights(f.read()))
