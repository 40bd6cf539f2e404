"""``learndl.keras``: Keras' API — ``Sequential``, layers, ``compile``/``fit`` — on learndl.

Keras' conventions hold: images are channels last ``(N, H, W, C)``, a ``Dense`` kernel is
``(in, units)``, cross-entropies take probabilities unless ``from_logits=True``, labels
may be one-hot or integers, kernels start ``glorot_uniform`` and biases at zero.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> from learndl.data import datasets
    >>> _ = ld.manual_seed(0)
    >>> X, y = datasets.digits()
    >>> model = keras.Sequential([
    ...     keras.Input((64,)),
    ...     keras.layers.Dense(32, activation="relu"),
    ...     keras.layers.Dense(10, activation="softmax"),
    ... ])
    >>> model.compile(optimizer=keras.optimizers.Adam(0.01),
    ...               loss="sparse_categorical_crossentropy",
    ...               metrics=["accuracy"])
    >>> history = model.fit(X, y, epochs=5, verbose=0)
    >>> bool(history.history["accuracy"][-1] > 0.85)
    True
"""

from learndl.keras import (
    activations,
    backend,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
)
from learndl.keras.layers import Input, Layer
from learndl.keras.models import Model, Sequential
from learndl.keras.models.saving import load_model
