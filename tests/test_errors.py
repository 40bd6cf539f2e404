"""Every error learndl raises on purpose: of its own type, with a message naming the op,
the shapes and the fix -- and leaving the tensors as they were."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import backend


def snapshot(*tensors):
    return [(t.numpy().copy(), t._version, t.grad, t.requires_grad) for t in tensors]


def assert_unchanged(before, *tensors):
    for (data, version, grad, requires_grad), t in zip(before, tensors):
        np.testing.assert_array_equal(t.numpy(), data)
        assert (t._version, t.grad, t.requires_grad) == (version, grad, requires_grad)


def test_error_types():
    for error, base in [
        (ld.ShapeError, ValueError),
        (ld.DTypeError, TypeError),
        (ld.DeviceError, RuntimeError),
        (ld.GradError, RuntimeError),
        (ld.InplaceError, ld.GradError),
        (ld.AnomalyError, FloatingPointError),
    ]:
        assert issubclass(error, ld.LearnDLError) and issubclass(error, base)
    assert len({ld.ShapeError, ld.DTypeError, ld.DeviceError, ld.GradError}) == 4


def test_matmul_shape_error():
    a = ld.randn(32, 784, requires_grad=True)
    b = ld.randn(100, 10, requires_grad=True)
    before = snapshot(a, b)
    with pytest.raises(ld.ShapeError, match=r"^matmul: \(32, 784\) @ \(100, 10\): inner sizes "):
        a @ b
    with pytest.raises(ld.ShapeError, match="inner sizes 784 and 100 differ"):
        ld.matmul(a, b)
    assert_unchanged(before, a, b)


def test_backward_on_a_non_scalar_without_grad():
    x = ld.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(ld.GradError, match=r"shape \(3,\).*loss.sum\(\).*grad=ld.ones_like"):
        y.backward()
    assert x.grad is None


def test_backward_on_a_tensor_that_does_not_require_grad():
    x = ld.ones(3)
    with pytest.raises(ld.GradError, match="does not require grad.*requires_grad=True"):
        (x * 2).sum().backward()
    with ld.no_grad():
        y = (ld.ones(3, requires_grad=True) * 2).sum()
    with pytest.raises(ld.GradError, match="ld.no_grad"):
        y.backward()


def test_second_backward_through_a_freed_graph():
    x = ld.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    before = snapshot(x)
    with pytest.raises(ld.GradError, match="already freed.*retain_graph=True"):
        y.backward()
    assert_unchanged(before, x)


@pytest.mark.parametrize(
    "op", [ld.add, ld.sub, ld.mul, ld.div, ld.maximum, ld.minimum, ld.matmul], ids=str
)
def test_mixing_float32_and_float64(op):
    a = ld.ones(2, 2, requires_grad=True)
    b = ld.ones(2, 2, dtype="float64", requires_grad=True)
    before = snapshot(a, b)
    with pytest.raises(ld.DTypeError, match="operands have dtypes float32 and float64.*\\.to\\("):
        op(a, b)
    assert_unchanged(before, a, b)


def test_mixing_float_dtypes_in_where():
    with pytest.raises(ld.DTypeError, match="where"):
        ld.where(ld.tensor([True]), ld.ones(1), ld.ones(1, dtype="float64"))


def test_non_integer_labels_to_cross_entropy():
    logits = ld.randn(2, 3, requires_grad=True)
    before = snapshot(logits)
    with pytest.raises(ld.DTypeError, match="cross_entropy: target must hold integer class"):
        ld.cross_entropy(logits, ld.tensor([0.0, 1.0]))
    with pytest.raises(ld.DTypeError, match="nll_loss"):
        ld.nll_loss(logits, ld.tensor([0.0, 1.0]))
    assert_unchanged(before, logits)


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_labels_out_of_range(labels):
    logits = ld.randn(2, 3, requires_grad=True)
    before = snapshot(logits)
    with pytest.raises(ld.ShapeError, match=r"labels must lie in \[0, 2\] for 3 classes"):
        ld.cross_entropy(logits, ld.tensor(labels))
    assert_unchanged(before, logits)


def test_reshape_of_the_wrong_size():
    x = ld.ones(2, 3, requires_grad=True)
    with pytest.raises(ld.ShapeError, match=r"reshape: .* \(2, 3\) \(6 elements\) as \(5,\)"):
        x.reshape(5)
    assert x.shape == (2, 3) and x._version == 0


def test_conv2d_channel_mismatch():
    x, w = ld.randn(2, 3, 8, 8), ld.randn(4, 1, 3, 3, requires_grad=True)
    before = snapshot(x, w)
    with pytest.raises(ld.ShapeError, match=r"conv2d: input has 3 channels .* expects 1"):
        ld.conv2d(x, w)
    assert_unchanged(before, x, w)


def test_broadcast_error():
    with pytest.raises(ld.ShapeError, match=r"add: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        ld.ones(2, 3) + ld.ones(2)


def test_in_place_error():
    a = ld.ones(2, requires_grad=True)
    y = (a * a).sum()
    with ld.no_grad():
        a.mul_(3)
    with pytest.raises(ld.InplaceError, match=r"mul: its saved input 0 .*version 0 -> 1"):
        y.backward()
    assert a.grad is None and a.tolist() == [3.0, 3.0]


class FakeCupyArray:
    """Stands in for a cupy.ndarray: only its module name matters to the backend."""

    __module__ = "cupy._core.core"


def test_mixing_devices():
    assert backend.device_of(FakeCupyArray()) == "cuda"
    with pytest.raises(ld.DeviceError, match="different devices: cpu and cuda.*\\.to\\('cpu'\\)"):
        backend.xp(np.ones(2), FakeCupyArray())
    with pytest.raises(ld.DeviceError, match="cuda and cpu"):
        backend.xp(FakeCupyArray(), np.ones(2))
    assert backend.xp(np.ones(2), np.float32(1.0)) is np
