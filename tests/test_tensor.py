"""The Tensor class: what it is, how it leaves learndl, in-place changes and conversions."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld


def test_properties():
    x = ld.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.dim() == 2 and len(x) == 2
    assert x.dtype == np.float32 and x.device == "cpu" and x.xp is np
    assert x.size() == (2, 3) and x.size(1) == 3 and x.numel() == 6
    assert x.is_leaf and x.grad is None and x.grad_fn is None and x._version == 0
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    y = x * 2
    assert not y.is_leaf and y.grad_fn.name == "mul" and y.requires_grad


def test_leaving_learndl():
    x = ld.tensor([[1.5, 2.0]])
    assert isinstance(x.numpy(), np.ndarray) and x.tolist() == [[1.5, 2.0]]
    assert np.asarray(x).dtype == np.float32 and np.asarray(x, dtype=np.float64).dtype == np.float64
    assert ld.tensor(2.5).item() == 2.5 and float(ld.tensor([2.5])) == 2.5
    assert int(ld.tensor(3)) == 3 and bool(ld.tensor(1.0))
    with pytest.raises(ValueError, match="item: the tensor has 2 elements, not 1"):
        x.item()
    with pytest.raises(ValueError, match=r"truth value of a tensor of shape \(1, 2\)"):
        bool(x)
    with pytest.raises(TypeError, match="len"):
        len(ld.tensor(1.0))
    assert [t.tolist() for t in ld.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]


def test_repr():
    assert repr(ld.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ld.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(ld.tensor([1.0], dtype="float64")) == "tensor([1.], dtype=float64)"
    assert repr(ld.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<mul>)"
    assert repr(ld.tensor([1, 2])) == "tensor([1, 2])"


def test_tensor_constructor_and_hash():
    t = ld.Tensor([1.0, 2.0], requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad
    assert ld.Tensor([1, 2], dtype="float64").dtype == np.float64
    assert len({t, t}) == 1  # tensors hash by identity (== is elementwise)


def test_only_float_tensors_require_grad():
    with pytest.raises(ld.DTypeError, match="only floating-point tensors can require gradients"):
        ld.tensor([1, 2], requires_grad=True)
    with pytest.raises(ld.DTypeError, match="requires_grad_"):
        ld.tensor([1, 2]).requires_grad_()


def test_requires_grad_():
    x = ld.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(ld.GradError, match="only leaf tensors"):
        (ld.ones(2, requires_grad=True) * 2).requires_grad_(False)


def test_backward_errors_leave_the_tensors_unchanged():
    x = ld.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(ld.GradError, match=r"backward: the tensor has shape \(2,\), not a single"):
        y.backward()
    assert x.grad is None
    with pytest.raises(ld.GradError, match="does not require grad"):
        ld.ones(1).backward()
    y.sum().backward()  # the graph was not consumed by the failed call
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "method, args, expected",
    [
        ("zero_", (), [0.0, 0.0]),
        ("fill_", (7.0,), [7.0, 7.0]),
        ("copy_", (ld.tensor([5.0, 6.0]),), [5.0, 6.0]),
        ("add_", (ld.tensor([1.0, 1.0]),), [2.0, 3.0]),
        ("sub_", (1.0,), [0.0, 1.0]),
        ("mul_", (3.0,), [3.0, 6.0]),
        ("div_", (ld.tensor([2.0, 4.0]),), [0.5, 0.5]),
    ],
)
def test_in_place_methods_bump_the_version(method, args, expected):
    x = ld.tensor([1.0, 2.0])
    assert getattr(x, method)(*args) is x
    assert x.tolist() == expected and x._version == 1


def test_in_place_operators_and_setitem():
    x = ld.tensor([1.0, 2.0, 3.0])
    x += 1
    x -= 0.5
    x *= 2
    x /= 3
    np.testing.assert_allclose(x.numpy(), [1.0, 5 / 3, 7 / 3], rtol=1e-6)
    x[0] = 10.0
    x[1:] = ld.tensor([0.0, 0.0])
    assert x.tolist() == [10.0, 0.0, 0.0] and x._version == 6
    y = ld.ones(3)
    y.add_(ld.tensor([1.0, 2.0, 3.0]), alpha=0.5)
    y.sub_(ld.ones(3), alpha=2)
    assert y.tolist() == [-0.5, 0.0, 0.5]
    z = ld.tensor([1, 2])
    z += 1
    assert z.dtype == np.int64 and z.tolist() == [2, 3]


def test_in_place_change_of_a_broadcast_view_gets_its_own_memory():
    base = ld.tensor([1.0, 2.0])
    view = base.expand(3, 2)
    view += 1
    assert base.tolist() == [1.0, 2.0] and view.tolist() == [[2.0, 3.0]] * 3


def test_in_place_change_of_a_0d_reduction():
    s = ld.tensor([1.0, 2.0]).sum()
    s += 1
    s.mul_(2)
    assert s.item() == 8.0


def test_in_place_on_a_tensor_requiring_grad_is_refused_while_recording():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    for change in (lambda: w.add_(1), lambda: w.__setitem__(0, 5.0), lambda: w.zero_()):
        with pytest.raises(ld.GradError, match="in-place change .* requires grad"):
            change()
    assert w.tolist() == [1.0, 2.0] and w._version == 0
    with ld.no_grad():
        w -= 0.5  # an optimizer step
    assert w.tolist() == [0.5, 1.5] and w.requires_grad and w.is_leaf


def test_conversions():
    x = ld.tensor([1.7, -2.2], requires_grad=True)
    assert x.double().dtype == np.float64 and x.float() is x
    assert x.long().tolist() == [1, -2] and x.long().dtype == np.int64
    assert x.int().dtype == np.int32 and x.bool().tolist() == [True, True]
    assert x.to("float64").dtype == np.float64 and x.to(ld.float64).dtype == np.float64
    assert x.to(dtype="float16").dtype == np.float16
    assert x.to("cpu") is x and x.cpu() is x
    assert x.double().requires_grad and not x.long().requires_grad


def test_cuda_without_cupy_is_a_device_error():
    pytest.importorskip("numpy")
    try:
        import cupy  # noqa: F401

        pytest.skip("cupy is installed")
    except ImportError:
        pass
    with pytest.raises(ld.DeviceError, match="needs CuPy"):
        ld.ones(2).cuda()
