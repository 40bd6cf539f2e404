from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 4))
LABELS = np.array([0, 3, 1, 1, 2, 3])
PRED = RNG.standard_normal((5, 3))
TARGET = RNG.standard_normal((5, 3)) * 2


def _torch():
    return pytest.importorskip("torch")


def _compare(ld_loss, torch_loss, inputs, atol=1e-10):
    """Same value and same input gradient as PyTorch, for float64 inputs (labels stay ints)."""
    torch = _torch()
    ld_in = [ld.tensor(a, dtype=a.dtype, requires_grad=(i == 0)) for i, a in enumerate(inputs)]
    t_in = [torch.tensor(a, requires_grad=(i == 0)) for i, a in enumerate(inputs)]
    got, want = ld_loss(*ld_in), torch_loss(*t_in)
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), atol=atol)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(ld_in[0].grad.numpy(), t_in[0].grad.numpy(), atol=atol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(reduction):
    tnn = _torch().nn
    _compare(nn.MSELoss(reduction=reduction), tnn.MSELoss(reduction=reduction), [PRED, TARGET])
    _compare(nn.L1Loss(reduction=reduction), tnn.L1Loss(reduction=reduction), [PRED, TARGET])
    for delta in (1.0, 0.5, 3.0):
        _compare(
            nn.HuberLoss(reduction=reduction, delta=delta),
            tnn.HuberLoss(reduction=reduction, delta=delta),
            [PRED, TARGET],
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy(reduction, smoothing):
    torch = _torch()
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    _compare(nn.CrossEntropyLoss(**kw), torch.nn.CrossEntropyLoss(**kw), [LOGITS, LABELS])
    weight = np.array([1.0, 2.0, 0.5, 3.0])
    _compare(
        nn.CrossEntropyLoss(weight=ld.tensor(weight, dtype="float64"), **kw),
        torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), **kw),
        [LOGITS, LABELS],
    )
    ignored = np.where(LABELS == 1, -100, LABELS)
    _compare(nn.CrossEntropyLoss(**kw), torch.nn.CrossEntropyLoss(**kw), [LOGITS, ignored])
    probs = RNG.dirichlet(np.ones(4), size=6)
    _compare(nn.CrossEntropyLoss(**kw), torch.nn.CrossEntropyLoss(**kw), [LOGITS, probs])


def test_cross_entropy_spatial():
    torch = _torch()
    logits = RNG.standard_normal((2, 3, 4, 5))
    labels = RNG.integers(0, 3, (2, 4, 5))
    for reduction in ("mean", "none"):
        _compare(
            nn.CrossEntropyLoss(reduction=reduction),
            torch.nn.CrossEntropyLoss(reduction=reduction),
            [logits, labels],
        )


def test_nll_loss():
    torch = _torch()
    log_probs = np.log(RNG.dirichlet(np.ones(4), size=6))
    _compare(nn.NLLLoss(), torch.nn.NLLLoss(), [log_probs, LABELS])
    _compare(nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum"), [log_probs, LABELS])
    weight = np.array([1.0, 2.0, 0.5, 3.0])
    _compare(
        nn.NLLLoss(weight=ld.tensor(weight, dtype="float64"), ignore_index=2),
        torch.nn.NLLLoss(weight=torch.tensor(weight), ignore_index=2),
        [log_probs, LABELS],
    )


def test_bce_with_logits():
    torch = _torch()
    y = (RNG.random((5, 3)) > 0.5).astype(np.float64)
    _compare(nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), [PRED * 10, y])
    pw, w = np.array([1.0, 3.0, 0.5]), RNG.random((5, 3))
    _compare(
        nn.BCEWithLogitsLoss(pos_weight=ld.tensor(pw, dtype="float64")),
        torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw)),
        [PRED, y],
    )
    _compare(
        nn.BCEWithLogitsLoss(weight=ld.tensor(w, dtype="float64"), reduction="sum"),
        torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), reduction="sum"),
        [PRED, y],
    )
    probs = 1 / (1 + np.exp(-PRED))
    _compare(nn.BCELoss(), torch.nn.BCELoss(), [probs, y])


def test_gradcheck_losses():
    x = ld.tensor(PRED, dtype="float64", requires_grad=True)
    t = ld.tensor(TARGET, dtype="float64")
    labels = ld.tensor([0, 2, 1, 1, 0])
    for fn in (
        lambda x: nn.HuberLoss(delta=0.7)(x, t),
        lambda x: nn.CrossEntropyLoss(label_smoothing=0.1)(x, labels),
        lambda x: nn.CrossEntropyLoss(weight=ld.tensor([1.0, 2.0, 3.0], dtype="float64"))(
            x, labels
        ),
    ):
        assert ld.gradcheck(fn, x)


def test_repr_and_errors():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.HuberLoss()) == "HuberLoss()"
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ld.ShapeError, match="reshape"):
        nn.L1Loss()(ld.zeros(4, 1), ld.zeros(4))
    with pytest.raises(ld.ShapeError, match=r"\[0, 3\]"):
        nn.CrossEntropyLoss()(ld.zeros(2, 4), ld.tensor([0, 4]))


def test_legacy_size_average_and_reduce_are_honoured_as_pytorch():
    # PyTorch's deprecated arguments: reduce=False -> "none", size_average=False -> "sum".
    # Ignoring them would silently give a mean where old code expects one loss per row.
    torch = _torch()
    labels = LABELS
    for kw in ({"reduce": False}, {"size_average": False}, {"size_average": True}):
        with pytest.warns(UserWarning, match="reduction="):
            got = nn.CrossEntropyLoss(**kw)(ld.tensor(LOGITS), ld.tensor(labels))
        with pytest.warns(UserWarning):
            want = torch.nn.CrossEntropyLoss(**kw)(torch.tensor(LOGITS), torch.tensor(labels))
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)
    with pytest.warns(UserWarning, match="reduction="):
        got = ld.nn.functional.nll_loss(ld.tensor(LOGITS), ld.tensor(labels), reduce=False)
    np.testing.assert_allclose(got.numpy(), -LOGITS[np.arange(6), labels], atol=1e-12)
