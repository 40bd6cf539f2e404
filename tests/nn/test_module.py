"""Module: registration, traversal, modes, state_dict, hooks, to/double, repr, module paths."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import learndl as ld
from learndl import nn
from learndl.nn import module as module_mod


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8))
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.block(self.act(self.fc1(x))))


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "fc1.weight",
        "fc1.bias",
        "block.0.weight",
        "block.0.bias",
        "block.1.weight",
        "block.1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "block", "fc2"]
    assert [n for n, _ in net.named_modules()] == [
        "",
        "fc1",
        "act",
        "block",
        "block.0",
        "block.1",
        "fc2",
    ]
    assert len(list(net.modules())) == 7
    assert [n for n, _ in net.named_buffers()] == [
        "block.1.running_mean",
        "block.1.running_var",
        "block.1.num_batches_tracked",
    ]
    assert net.num_parameters() == 4 * 8 + 8 + 8 * 8 + 8 + 8 + 8 + 8 * 3 + 3
    assert nn.utils.count_parameters(net) == net.num_parameters()
    assert net.get_submodule("block.0") is net.block[0]


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(ld.zeros(2))
    m.plain = ld.zeros(2)  # a plain tensor is not a parameter
    assert [n for n, _ in m.named_parameters()] == ["w"]
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.w = ld.ones(2)
    m.w = None
    assert list(m.parameters()) == []
    del m.plain
    assert not hasattr(m, "plain")

    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super"):
        Forgot()


def test_shared_parameters_listed_once():
    fc = nn.Linear(3, 3)
    model = nn.Sequential(fc, nn.ReLU(), fc)
    assert len(list(model.parameters())) == 2
    assert model.num_parameters() == 12


def test_train_eval_and_apply():
    net = Net()
    assert net.training and net.block[1].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_zero_grad():
    net = Net()
    net(ld.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum().item()) == 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip():
    a, b = Net(), Net()
    a(ld.randn(6, 4))  # moves a's running statistics
    state = a.state_dict()
    assert list(state) == [
        "fc1.weight",
        "fc1.bias",
        "block.0.weight",
        "block.0.bias",
        "block.1.weight",
        "block.1.bias",
        "block.1.running_mean",
        "block.1.running_var",
        "block.1.num_batches_tracked",
        "fc2.weight",
        "fc2.bias",
    ]
    assert "block.1.running_mean" in state and "block.1.num_batches_tracked" in state
    assert not any(t.requires_grad for t in state.values())
    result = b.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
    x = ld.randn(3, 4)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_state_dict_shares_memory():
    fc = nn.Linear(2, 2)
    state = fc.state_dict()
    with ld.no_grad():
        fc.weight.fill_(3.0)
    assert float(state["weight"].numpy()[0, 0]) == 3.0


def test_load_state_dict_errors_name_each_problem():
    net = Net()
    state = net.state_dict()
    del state["fc1.bias"]
    state["extra.weight"] = ld.zeros(1)
    state["fc2.weight"] = ld.zeros(5, 8)
    with pytest.raises(nn.StateDictError) as info:
        net.load_state_dict(state)
    msg = str(info.value)
    assert "'fc1.bias'" in msg and "missing" in msg
    assert "'extra.weight'" in msg and "unexpected" in msg
    assert "fc2.weight: checkpoint (5, 8), model (3, 8)" in msg
    assert isinstance(info.value, KeyError) and isinstance(info.value, ld.ShapeError)
    assert isinstance(info.value, ld.LearnDLError)
    assert not msg.startswith("'")  # not KeyError's quoted form


def test_load_state_dict_non_strict():
    net = Net()
    state = net.state_dict()
    del state["fc1.bias"]
    state["extra"] = ld.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc1.bias"] and result.unexpected_keys == ["extra"]
    state["fc2.bias"] = ld.zeros(4)
    with pytest.raises(ld.ShapeError, match="fc2.bias"):  # shapes are checked even then
        net.load_state_dict(state, strict=False)


def test_load_state_dict_keeps_parameter_identity():
    fc = nn.Linear(2, 2)
    w = fc.weight
    fc.load_state_dict({"weight": np.ones((2, 2)), "bias": [1.0, 2.0]})
    assert fc.weight is w and w.dtype == np.float32
    assert fc.bias.tolist() == [1.0, 2.0]


def test_forward_hooks():
    fc = nn.Linear(2, 2)
    calls = []
    handle = fc.register_forward_hook(
        lambda m, inp, out: calls.append((m, inp[0].shape, out.shape))
    )
    fc(ld.randn(3, 2))
    assert calls == [(fc, (3, 2), (3, 2))]
    handle.remove()
    fc(ld.randn(3, 2))
    assert len(calls) == 1
    with fc.register_forward_hook(lambda m, inp, out: out * 0):
        assert float(fc(ld.randn(3, 2)).abs().sum().item()) == 0.0
    pre = fc.register_forward_pre_hook(lambda m, inp: (inp[0] * 0,))
    np.testing.assert_allclose(fc(ld.ones(1, 2)).numpy()[0], fc.bias.numpy())
    pre.remove()


def test_to_double_float_keep_identity():
    net = Net()
    params = list(net.parameters())
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert net.block[1].running_mean.dtype == np.float64
    assert net.block[1].num_batches_tracked.dtype == np.int64  # integers stay
    assert net(ld.randn(3, 4, dtype="float64")).dtype == np.float64
    net.to(ld.float32)
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.to("cpu") is net
    assert net.float() is net


def test_deepcopy():
    net = Net()
    twin = copy.deepcopy(net)
    assert isinstance(twin.fc1.weight, nn.Parameter)
    with ld.no_grad():
        twin.fc1.weight.fill_(0.0)
    assert float(net.fc1.weight.abs().sum().item()) > 0


def test_repr_nested():
    net = Net()
    expected = """Net(
  (fc1): Linear(in_features=4, out_features=8, bias=True)
  (act): ReLU()
  (block): Sequential(
    (0): Linear(in_features=8, out_features=8, bias=True)
    (1): BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
  (fc2): Linear(in_features=8, out_features=3, bias=True)
)"""
    assert repr(net) == expected


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def build(n):
        return n.Sequential(
            n.Conv2d(1, 4, 3, padding=1),
            n.BatchNorm2d(4),
            n.ReLU(),
            n.MaxPool2d(2),
            n.Flatten(),
            n.Dropout(0.25),
            n.Linear(4 * 4 * 4, 10),
            n.ModuleList([n.Tanh(), n.Tanh(), n.GELU()]),
            n.LayerNorm(10),
            n.Embedding(5, 3, padding_idx=0),
            n.LeakyReLU(0.2),
            n.Softmax(dim=1),
            n.AvgPool2d(2),
            n.Identity(),
        )

    assert repr(build(nn)) == repr(build(tnn))
    assert repr(nn.Parameter(ld.zeros(2))).startswith("Parameter containing:\ntensor(")


def test_module_path_on_nodes():
    net = Net()
    out = net(ld.randn(3, 4))
    assert out.grad_fn.module == "fc2"
    order = ld.autograd.topological_order(out.grad_fn)
    paths = {getattr(node, "module", None) for node in order}
    assert {"fc1", "act", "block.0", "block.1", "fc2"} <= paths
    assert module_mod._running == [] and ld.autograd._layer_name is None  # only while running
    with ld.no_grad():
        assert net(ld.randn(3, 4)).grad_fn is None
    x = ld.randn(3, 4, requires_grad=True)
    assert not hasattr((x * 2).grad_fn, "module")  # made outside any layer: no name


def test_module_path_follows_a_layer_that_moved():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = nn.Linear(2, 2), nn.Linear(2, 2)

        def forward(self, x):
            return self.second(self.first(x))

    m = Two()
    was_first = m.first
    assert m(ld.randn(1, 2)).grad_fn.module == "second"  # paths are remembered from here on
    m.first, m.second = m.second, m.first
    out = m(ld.randn(1, 2))
    assert m.second is was_first and out.grad_fn.module == "second"
    assert nn.Sequential(m)(ld.randn(1, 2)).grad_fn.module == "0.second"


def test_module_path_cleared_after_error():
    net = nn.Sequential(nn.Linear(4, 2))
    with pytest.raises(ld.ShapeError):
        net(ld.randn(3, 5))
    assert module_mod._running == [] and ld.autograd._layer_name is None


def test_module_without_forward():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(ld.zeros(1))


def test_load_torch_state_dict_directly():
    torch = pytest.importorskip("torch")

    def build(n):
        return n.Sequential(n.Conv2d(1, 2, 3), n.BatchNorm2d(2), n.Flatten(), n.Linear(8, 3))

    ours, theirs = build(nn), build(torch.nn)
    theirs.train()(torch.randn(4, 1, 4, 4))  # running stats away from their defaults
    ours.load_state_dict(theirs.state_dict())  # torch tensors are accepted as they are
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(ld.tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-5
    )


def test_module_path_of_deeper_and_unregistered_modules():
    helper = nn.Tanh()  # not registered anywhere

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Sequential(nn.Linear(2, 2))

        def forward(self, x):
            return helper(self.inner[0](x))  # skips the Sequential's own forward

    out = Outer()(ld.randn(1, 2))
    assert out.grad_fn.module == "Tanh"
    assert out.grad_fn.inputs[0].grad_fn.module == "inner.0"


def test_register_buffer_and_parameter_checks():
    m = nn.Module()
    m.register_buffer("steps", ld.tensor(0))
    m.register_buffer("scratch", ld.zeros(2), persistent=False)
    assert list(m.state_dict()) == ["steps"]
    assert [n for n, _ in m.named_buffers()] == ["steps", "scratch"]
    m.steps = ld.tensor(5)  # reassigning a buffer keeps it a buffer
    assert m.state_dict()["steps"].item() == 5
    with pytest.raises(TypeError, match="Tensor"):
        m.register_buffer("bad", [1, 2])
