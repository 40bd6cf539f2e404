"""``ld.nn``: PyTorch-style layers, losses and the ``Module`` they are built on.

Names, arguments, defaults and initializations follow ``torch.nn``, so code written here
runs there with ``import torch.nn as nn`` (and the other way round, for these layers).

Example:
    >>> import learndl as ld
    >>> from learndl import nn
    >>> _ = ld.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    >>> loss = nn.CrossEntropyLoss()(model(ld.randn(8, 4)), ld.randint(0, 3, (8,)))
    >>> loss.backward()
    >>> model[0].weight.grad.shape
    (16, 4)
"""

from learndl.nn import functional, init, utils
from learndl.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from learndl.nn.container import ModuleDict, ModuleList, Sequential
from learndl.nn.conv import Conv2d
from learndl.nn.dropout import Dropout
from learndl.nn.flatten import Flatten
from learndl.nn.linear import Identity, Linear
from learndl.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from learndl.nn.module import IncompatibleKeys, Module, RemovableHandle, StateDictError
from learndl.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from learndl.nn.parameter import Parameter
from learndl.nn.pooling import AvgPool2d, MaxPool2d
from learndl.nn.sparse import Embedding
