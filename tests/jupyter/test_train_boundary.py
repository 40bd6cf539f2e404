"""%%train --boundary (X,y): decision regions redrawn in place while the cell trains."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
from IPython.core.displaypub import CapturingDisplayPublisher  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from learndl.jupyter import display  # noqa: E402

SETUP = """
import learndl as ld
from learndl import nn
ld.manual_seed(0)
X, y = ld.data.datasets.moons(96, seed=0)
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = ld.optim.SGD(model.parameters(), lr=0.5)
"""
STEP = "logits = model(xb)\nloss = ld.cross_entropy(logits, yb)\n"


def test_train_boundary_option_updates_the_picture(monkeypatch):
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "learndl")
    sh.user_ns.clear()
    assert sh.run_cell(SETUP).success
    monkeypatch.setattr(display, "in_kernel", lambda: True)
    captured = CapturingDisplayPublisher()
    monkeypatch.setattr(sh, "display_pub", captured)
    r = sh.run_cell(
        "%%train --epochs 2 --data (X,y) --batch-size 32 --boundary (X,y) --boundary-every 2\n"
        + STEP
    )
    assert r.success, r.error_in_exec
    boundary = [o for o in captured.outputs if "decision regions" in o["data"]["text/plain"]]
    first, *updates = boundary
    assert not first.get("update") and all(u["update"] for u in updates)
    # 6 steps: redraws after steps 2, 4, 6 (if the 0.5 s clock allows) and the final one
    assert 1 <= len(updates) <= 4
    assert updates[-1]["data"]["text/html"].startswith("<svg")
