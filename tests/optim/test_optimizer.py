"""The shared machinery: parameter groups, zero_grad, closures, state dicts, errors."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from tests.optim.helpers import assert_same, gradient, run_learndl, run_torch, start_weights

OPTIMIZERS = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True),
    "Adam": dict(lr=0.05, amsgrad=True),
    "AdamW": dict(lr=0.05),
    "RMSprop": dict(lr=0.01, momentum=0.9, centered=True),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
}


def test_param_groups_with_their_own_lrs_match_torch():
    def groups(ps):
        return [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5, "momentum": 0.5}]

    ours = run_learndl(lambda ps: ld.optim.SGD(groups(ps), lr=0.1, momentum=0.9), steps=5)
    torch = pytest.importorskip("torch")
    assert_same(ours, run_torch(lambda ps: torch.optim.SGD(groups(ps), lr=0.1, momentum=0.9), 5))


def test_groups_take_defaults_and_add_param_group():
    a, b, c = (ld.tensor([1.0], requires_grad=True) for _ in range(3))
    opt = ld.optim.Adam([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    opt.add_param_group({"params": [c], "betas": (0.5, 0.6)})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5, 0.1]
    assert opt.param_groups[2]["betas"] == (0.5, 0.6)
    assert opt.param_groups[1]["params"] == [b]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_bad_params_are_refused():
    w = ld.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        ld.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        ld.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        ld.optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        ld.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="duplicate"):
        ld.optim.SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        ld.optim.SGD([{"params": {w}}], lr=0.1)


def test_zero_grad_sets_to_none_or_fills_zeros():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    opt = ld.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad()
    assert w.grad is None
    (w * w).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and w.grad.tolist() == [0.0, 0.0]


def test_step_skips_params_without_grad_and_returns_closure_loss():
    a = ld.tensor([1.0], requires_grad=True)
    b = ld.tensor([1.0], requires_grad=True)
    opt = ld.optim.SGD([a, b], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with ld.no_grad():  # the closure still records its graph
        loss = opt.step(closure)
    assert loss.item() == 1.0
    assert a.item() == 0.0 and b.item() == 1.0


def test_step_counts_as_inplace_change_for_autograd():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()  # saves w for backward
    w.grad = ld.tensor([1.0, 1.0])
    ld.optim.SGD([w], lr=0.1).step()
    with pytest.raises(ld.InplaceError):
        y.backward()


def test_state_dict_has_pytorch_structure():
    a = ld.tensor([1.0], requires_grad=True)
    b = ld.tensor([1.0, 2.0], requires_grad=True)
    c = ld.tensor([3.0], requires_grad=True)
    opt = ld.optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, c):  # b gets no gradient, so no state
        p.grad = ld.tensor([1.0])
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 2]
    assert isinstance(sd["state"][0]["momentum_buffer"], ld.Tensor)
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][1]["momentum"] == 0.9
    # a snapshot: later steps do not change it
    before = sd["state"][0]["momentum_buffer"].tolist()
    opt.step()
    assert sd["state"][0]["momentum_buffer"].tolist() == before


def test_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")
    for name, kw in OPTIMIZERS.items():
        ours_p = [ld.tensor(w, dtype=ld.float64, requires_grad=True) for w in start_weights()]
        theirs_p = [torch.tensor(w, requires_grad=True) for w in start_weights()]
        ours = getattr(ld.optim, name)(ours_p, **kw)
        theirs = getattr(torch.optim, name)(theirs_p, **kw)
        for p, q in zip(ours_p, theirs_p):
            p.grad = ld.ones_like(p)
            q.grad = torch.ones_like(q)
        ours.step()
        theirs.step()
        a, b = ours.state_dict(), theirs.state_dict()
        assert a["state"].keys() == b["state"].keys()
        assert a["state"][0].keys() == b["state"][0].keys(), name
        assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]]
        assert set(a["param_groups"][0]) <= set(b["param_groups"][0]), name


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    kw = OPTIMIZERS[name]
    make = getattr(ld.optim, name)
    steps, split = 7, 3
    straight = run_learndl(lambda ps: make(ps, **kw), steps)

    params = [ld.tensor(w, dtype=ld.float64, requires_grad=True) for w in start_weights()]
    opt = make(params, **kw)
    for t in range(steps):
        if t == split:  # hand everything over to a fresh optimizer on fresh tensors
            saved = opt.state_dict()
            params = [ld.tensor(p.numpy(), dtype=ld.float64, requires_grad=True) for p in params]
            opt = make(params, lr=123.0)
            opt.load_state_dict(saved)
            assert opt.param_groups[0]["lr"] == kw["lr"]
        for p in params:
            p.grad = ld.tensor(gradient(p.numpy(), t), dtype=ld.float64)
        opt.step()
    for p, w in zip(params, straight[-1]):
        np.testing.assert_array_equal(p.numpy(), w)


def test_load_state_dict_checks_groups():
    a = ld.tensor([1.0], requires_grad=True)
    b = ld.tensor([1.0], requires_grad=True)
    sd = ld.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        ld.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        ld.optim.SGD([a], lr=0.1).load_state_dict(sd)


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    w64 = ld.tensor([1.0, 2.0], dtype=ld.float64, requires_grad=True)
    opt = ld.optim.Adam([w64], lr=0.1)
    w64.grad = ld.tensor([1.0, 1.0], dtype=ld.float64)
    opt.step()
    w32 = ld.tensor([1.0, 2.0], requires_grad=True)
    opt32 = ld.optim.Adam([w32], lr=0.1)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[w32]["exp_avg"].dtype == np.float32
    assert opt32.state[w32]["step"] == 1


def test_repr_lists_groups():
    w = ld.tensor([1.0], requires_grad=True)
    text = repr(ld.optim.SGD([w], lr=0.1))
    assert text.startswith("SGD (") and "lr: 0.1" in text


def test_state_of_a_parameter_without_steps_reads_empty():
    w = ld.tensor([1.0], requires_grad=True)
    assert ld.optim.Adam([w]).state[w] == {}


def test_zero_grad_replaces_a_read_only_gradient():
    w = ld.tensor([1.0, 2.0], requires_grad=True)
    w.grad = ld.Tensor._make(np.broadcast_to(np.ones(1, np.float32), (2,)), False, None)
    ld.optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
