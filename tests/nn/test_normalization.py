from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from tests.nn.helpers import gradcheck_module, torch_twin


def _run_both(layer, build, batches, train=True):
    """Run learndl and PyTorch twins through the same batches; compare every output."""
    torch = pytest.importorskip("torch")
    layer.double()
    twin = torch_twin(layer, build)
    layer.train(train)
    twin.train(train)
    for x in batches:
        got = layer(ld.tensor(x, dtype="float64")).numpy()
        want = twin(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(got, want, atol=1e-10)
    return twin


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm2d_running_stats_as_torch(momentum):
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 3, 5, 5)) * 2 + 1 for _ in range(3)]
    bn = nn.BatchNorm2d(3, momentum=momentum)
    twin = _run_both(bn, lambda n: n.BatchNorm2d(3, momentum=momentum), batches)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(bn, name).numpy(), getattr(twin, name).numpy())
    # eval mode uses the running statistics
    bn.eval()
    twin.eval()
    x = batches[0][:1]
    np.testing.assert_allclose(
        bn(ld.tensor(x, dtype="float64")).numpy(),
        twin(pytest.importorskip("torch").from_numpy(x)).detach().numpy(),
        atol=1e-10,
    )


def test_batchnorm1d_both_layouts_and_options():
    rng = np.random.default_rng(1)
    for shape in [(6, 4), (3, 4, 5)]:
        batches = [rng.standard_normal(shape) for _ in range(2)]
        _run_both(nn.BatchNorm1d(4), lambda n: n.BatchNorm1d(4), batches)
    batches = [rng.standard_normal((6, 4))]
    _run_both(nn.BatchNorm1d(4, affine=False), lambda n: n.BatchNorm1d(4, affine=False), batches)
    bn = nn.BatchNorm1d(4, track_running_stats=False)
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()
    _run_both(bn, lambda n: n.BatchNorm1d(4, track_running_stats=False), batches, train=False)


def test_batchnorm_state_dict_and_modes():
    bn = nn.BatchNorm2d(2)
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    x = ld.randn(8, 2, 3, 3) * 3 + 5
    bn.eval()
    before = bn.running_mean.numpy().copy()
    bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)  # eval: no update
    bn.train()
    y = bn(x)
    assert np.abs(y.numpy().mean(axis=(0, 2, 3))).max() < 1e-5
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_errors():
    with pytest.raises(ld.ShapeError, match=r"BatchNorm2d\(3.*\(N, C, H, W\) with C=3"):
        nn.BatchNorm2d(3)(ld.randn(2, 4, 5, 5))
    with pytest.raises(ld.ShapeError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ld.randn(1, 3))
    nn.BatchNorm1d(3).eval()(ld.randn(1, 3))  # fine in eval mode


def test_batchnorm_gradients():
    gradcheck_module(nn.BatchNorm1d(3), ld.randn(5, 3, requires_grad=True))
    gradcheck_module(nn.BatchNorm2d(2), ld.randn(3, 2, 2, 2, requires_grad=True))
    gradcheck_module(nn.BatchNorm1d(3).eval(), ld.randn(4, 3, requires_grad=True))


def test_layernorm():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5))
    ln = nn.LayerNorm(5)
    with ld.no_grad():
        ln.weight.copy_(rng.standard_normal(5))
        ln.bias.copy_(rng.standard_normal(5))
    _run_both(ln, lambda n: n.LayerNorm(5), [x])
    _run_both(nn.LayerNorm((4, 5)), lambda n: n.LayerNorm((4, 5)), [x])
    plain = nn.LayerNorm(5, elementwise_affine=False)
    assert list(plain.parameters()) == []
    _run_both(plain, lambda n: n.LayerNorm(5, elementwise_affine=False), [x])
    assert repr(ln) == "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"
    gradcheck_module(nn.LayerNorm(4), ld.randn(2, 4, requires_grad=True))
    with pytest.raises(ld.ShapeError, match=r"\(5,\)"):
        ln(ld.randn(2, 4))
