"""%%train and %%trace driven through IPython's own shell: options, errors, interrupt."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("IPython")
pytest.importorskip("learndl.nn")
pytest.importorskip("learndl.optim")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

SETUP = """
import numpy as np
import learndl as ld
from learndl import nn
ld.manual_seed(0)
rng = np.random.default_rng(0)
X = rng.normal(size=(96, 2)).astype("float32")
y = (X[:, 0] + X[:, 1] > 0).astype("int64")
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = ld.optim.SGD(model.parameters(), lr=0.5)
"""
STEP = "logits = model(xb)\nloss = ld.cross_entropy(logits, yb)\n"


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "learndl")
    sh.user_ns.clear()
    assert sh.run_cell(SETUP).success
    return sh


def test_train_runs_epochs_and_leaves_history(shell, capsys):
    r = shell.run_cell(
        f"%%train --epochs 3 --data (X,y) --val (X,y) --batch-size 32 --metrics accuracy\n{STEP}"
    )
    assert r.success, r.error_in_exec
    h = shell.user_ns["history"]
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(h["loss"]) == 3 and h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] > 0.8
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("epoch 1/3 - loss ") and "val_accuracy" in lines[0]


def test_train_options_no_step_lr_and_names(shell):
    shell.user_ns.pop("optimizer")
    r = shell.run_cell(
        "%%train --data (X,y) --lr 0.1 --optimizer opt --batch a,b --loss L --output o\n"
        "o = model(a)\nL = ld.cross_entropy(o, b)\n"
    )
    assert r.success, r.error_in_exec
    assert type(shell.user_ns["opt"]).__name__ == "SGD"
    r = shell.run_cell(
        "%%train --data (X,y) --no-step --epochs 2\n"
        "opt.zero_grad()\nloss = ld.cross_entropy(model(xb), yb)\n"
        "loss.backward()\nopt.step()\nsteps = globals().get('steps', 0) + 1\n"
    )
    assert r.success, r.error_in_exec
    assert shell.user_ns["steps"] == 6 and len(shell.user_ns["history"]["loss"]) == 2


def test_train_error_shows_op_shapes_and_the_cell_line(shell):
    r = shell.run_cell("%%train --data (X,y)\nh = model(xb)\nloss = (h @ ld.ones(3, 1)).sum()\n")
    assert not r.success
    msg = str(r.error_in_exec)
    assert type(r.error_in_exec).__name__ == "TrainStepError"
    assert "epoch 1, batch 1" in msg
    assert "cell line 2: loss = (h @ ld.ones(3, 1)).sum()" in msg
    assert "(32, 2)" in msg and "(3, 1)" in msg and "matmul" in msg
    rendered = r.error_in_exec._render_traceback_()
    assert not any("site-packages" in s or "learndl/" in s for s in rendered)


def test_train_reports_missing_pieces(shell):
    r = shell.run_cell("%%train --data nothing\nloss = 1\n")
    assert "name 'nothing' is not defined (given as --data nothing)" in str(r.error_in_exec)
    r = shell.run_cell("%%train --data (X,y) --metrics f1\nloss = 1\n")
    assert "unknown metric" in str(r.error_in_exec)


def test_interrupt_on_the_third_step_keeps_model_optimizer_history(shell, capsys):
    before = [p.numpy().copy() for p in shell.user_ns["model"].parameters()]
    r = shell.run_cell(
        "%%train --data (X,y) --epochs 5\n"
        "n = globals().get('n', 0) + 1\n"
        "if n == 3:\n    raise KeyboardInterrupt\n" + STEP
    )
    assert r.success
    assert shell.user_ns["n"] == 3
    h = shell.user_ns["history"]
    assert len(h["loss"]) == 1  # the partial epoch of two finished steps
    after = [p.numpy() for p in shell.user_ns["model"].parameters()]
    assert any(not np.array_equal(x, y) for x, y in zip(before, after))
    assert shell.user_ns["optimizer"] is not None
    assert "interrupted after epoch 1, batch 3" in capsys.readouterr().out


def test_trace_shows_graph_and_stepper_of_the_last_scalar(shell, capsys):
    r = shell.run_cell(
        "%%trace\na = ld.tensor(2.0, requires_grad=True)\nb = ld.tensor(3.0, requires_grad=True)\n"
        "L = a * b + a\n"
    )
    assert r.success
    out = capsys.readouterr().out
    assert "L = mul_1 + a  value 8.0" in out
    assert "step 1/2: L = mul_1 + a: start with dL/dL = 1" in out
    assert shell.user_ns["a"].grad is None
    r = shell.run_cell("%%trace\nz = 1 + 1\n")
    assert "computed no scalar" in capsys.readouterr().out


def test_train_help_lists_the_options(shell):
    from learndl.jupyter.magics import LearndlMagics

    doc = LearndlMagics.train.__doc__
    for option in ("--epochs", "--data", "--val", "--model", "--optimizer", "--lr", "--no-step"):
        assert option in doc
