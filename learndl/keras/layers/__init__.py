"""``keras.layers``: the layers, by Keras' names.

Example:
    >>> from learndl import keras
    >>> keras.layers.Dense(10, activation="softmax").units
    10
"""

from learndl.keras.layers.convolutional import AveragePooling2D, Conv2D, MaxPooling2D
from learndl.keras.layers.core import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    ReLU,
    Softmax,
)
from learndl.keras.layers.input_layer import Input, InputLayer, KerasTensor
from learndl.keras.layers.layer import Layer, Variable
from learndl.keras.layers.normalization import BatchNormalization

# Layer classes by name, for load_model (custom ones come through custom_objects).
BY_NAME = {
    cls.__name__: cls
    for cls in (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Embedding,
        Flatten,
        InputLayer,
        MaxPooling2D,
        ReLU,
        Softmax,
    )
}
# Keras' short aliases.
MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D
