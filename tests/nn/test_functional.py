from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
import learndl.nn.functional as F

NAMES = [
    "relu",
    "gelu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "dropout",
    "linear",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "batch_norm",
    "layer_norm",
    "embedding",
    "l1_loss",
    "huber_loss",
    "flatten",
    "pad",
    "one_hot",
    "binary_cross_entropy",
]


def test_exports():
    missing = [n for n in NAMES if not callable(getattr(F, n, None))]
    assert missing == []


def test_pad():
    x = ld.arange(6.0).reshape(1, 2, 3)
    y = F.pad(x, (1, 2), value=-1.0)
    assert y.shape == (1, 2, 6) and y.tolist()[0][0] == [-1.0, 0.0, 1.0, 2.0, -1.0, -1.0]
    assert F.pad(x, (0, 0, 1, 0)).shape == (1, 3, 3)
    x = ld.randn(2, 3, requires_grad=True)
    assert ld.gradcheck(lambda x: F.pad(x, (1, 1, 2, 0)), x)


def test_huber_and_l1_values():
    x, t = ld.tensor([0.5, -3.0]), ld.zeros(2)
    assert F.huber_loss(x, t, reduction="none").tolist() == [0.125, 2.5]
    assert F.huber_loss(x, t, reduction="none", delta=2.0).tolist() == [0.125, 4.0]
    assert F.l1_loss(x, t).item() == 1.75


def test_batch_norm_functional_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 3, 2))
    rm, rv = np.zeros(3), np.ones(3)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    lrm, lrv = ld.tensor(rm, dtype="float64"), ld.tensor(rv, dtype="float64")
    got = F.batch_norm(ld.tensor(x, dtype="float64"), lrm, lrv, training=True, momentum=0.3)
    want = torch.nn.functional.batch_norm(
        torch.from_numpy(x), trm, trv, training=True, momentum=0.3
    )
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)
    np.testing.assert_allclose(lrv.numpy(), trv.numpy())
    np.testing.assert_allclose(lrm.numpy(), trm.numpy())


def test_one_hot():
    assert F.one_hot(ld.tensor([0, 2])).tolist() == [[1, 0, 0], [0, 0, 1]]
    assert F.one_hot(ld.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]


def test_unsupported_settings_say_so():
    with pytest.raises(ValueError, match="dilation"):
        F.conv2d(ld.zeros(1, 1, 4, 4), ld.zeros(1, 1, 2, 2), dilation=2)
    with pytest.raises(ValueError, match="ceil_mode"):
        F.max_pool2d(ld.zeros(1, 1, 4, 4), 2, ceil_mode=True)


def test_one_hot_and_pad_refuse_what_they_would_get_wrong():
    # A label >= num_classes would be an all-zero row, a negative pad (PyTorch crops) a no-op.
    with pytest.raises(ValueError, match=r"one_hot: labels must lie in \[0, 2\]"):
        F.one_hot(ld.tensor([0, 5]), num_classes=3)
    with pytest.raises(ValueError, match="one_hot: labels must lie"):
        F.one_hot(ld.tensor([-1, 1]))
    with pytest.raises(ValueError, match=r"pad: negative sizes .* x\[\.\.\., 1:\]"):
        F.pad(ld.ones(2, 4), (-1, 0))
