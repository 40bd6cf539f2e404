"""learndl's primitive ops: each a ``Function`` with forward and backward, and its wrapper.

Example:
    >>> import learndl as ld
    >>> ld.ops.exp(ld.zeros(2)).tolist()
    [1.0, 1.0]
"""

from learndl.ops._util import constant, sum_to
from learndl.ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub, add, div, mul, neg, pow, sub
from learndl.ops.compare import Maximum, Minimum, Where, maximum, minimum, where
from learndl.ops.conv import Conv, Fold, Unfold, conv2d, fold, unfold
from learndl.ops.indexing import GetItem, ScatterAdd, SetItem, getitem
from learndl.ops.linalg import Linear, MatMul, linear, matmul
from learndl.ops.pool import AvgPool, MaxPool, avg_pool2d, max_pool2d
from learndl.ops.reduce import ArgMax, ArgMin, Max, Mean, Sum, max, mean, sum
from learndl.ops.shape import (
    Cast,
    Cat,
    Copy,
    Expand,
    Permute,
    Reshape,
    broadcast_to,
    cat,
    expand,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from learndl.ops.softmax import CrossEntropy, CrossEntropyGrad, LogSoftmax, Softmax
from learndl.ops.unary import (
    Abs,
    Clip,
    Erf,
    Exp,
    Log,
    Relu,
    Sigmoid,
    Sqrt,
    Tanh,
    abs,
    clip,
    erf,
    exp,
    log,
    relu,
    sigmoid,
    sqrt,
    tanh,
)

__all__ = [name for name in dir() if not name.startswith("_")]
