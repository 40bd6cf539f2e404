"""learndl: a readable deep-learning toolkit for learning, on NumPy.

The engine (tensors, autograd, ops) loads with NumPy alone; ``nn``, ``optim``, ``data``,
``keras``, ``viz`` and the Jupyter integration load when first used.

Example:
    >>> import learndl as ld
    >>> x = ld.tensor(3.0, requires_grad=True)
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> x.grad.item()
    8.0
"""

from __future__ import annotations

import importlib
from typing import Any

# The Tensor class comes first: loading it attaches its operators, which loads the ops.
from learndl.tensor import Tensor

# isort: split
from learndl import ops
from learndl.autograd import (
    BackwardEvent,
    Function,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from learndl.creation import (
    arange,
    bool_,
    eye,
    float16,
    float32,
    float64,
    full,
    int8,
    int32,
    int64,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    uint8,
    zeros,
    zeros_like,
)
from learndl.errors import (
    AnomalyError,
    DeviceError,
    DTypeError,
    GradError,
    InplaceError,
    LearnDLError,
    ShapeError,
)
from learndl.functional import (
    argmax,
    argmin,
    binary_cross_entropy_with_logits,
    cross_entropy,
    dropout,
    flatten,
    gelu,
    leaky_relu,
    linear,
    log_softmax,
    logsumexp,
    mse_loss,
    nll_loss,
    softmax,
    std,
    var,
)
from learndl.gradcheck import gradcheck
from learndl.ops import (
    abs,
    add,
    avg_pool2d,
    cat,
    clip,
    conv2d,
    div,
    erf,
    exp,
    expand,
    log,
    matmul,
    max,
    max_pool2d,
    maximum,
    mean,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)
from learndl.random import manual_seed

__version__ = "0.1.0"

# Sub-packages that pull in more than NumPy load on first use: `ld.nn`, `ld.viz`, ...
_LAZY = {
    "nn",
    "optim",
    "data",
    "keras",
    "viz",
    "jupyter",
    "static",
    "export",
    "exercises",
    "grading",
    "cuda",
    "serialization",
}
_LAZY_FUNCTIONS = {"save": "serialization", "load": "serialization", "function": "static"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"learndl.{name}")
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f"learndl.{_LAZY_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module 'learndl' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext learndl``: register the magics (%%train, %%trace, %%exercise)."""
    from learndl.jupyter import load_ipython_extension as load

    load(ipython)
