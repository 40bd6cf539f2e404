"""Rich output: the widget view, self-contained text/html and text/plain, in one bundle."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import learndl as ld

pytest.importorskip("anywidget")
from learndl.jupyter.display import static_html, to_json  # noqa: E402
from learndl.jupyter.widgets import LearndlWidget  # noqa: E402

VIEW = "application/vnd.jupyter.widget-view+json"


def stepper():
    a = ld.tensor(2.0, requires_grad=True)
    b = ld.tensor(3.0, requires_grad=True)
    L = a * b + a
    return ld.viz.BackwardStepper(L, names={"a": a, "b": b, "L": L})


def test_stepper_bundle_has_widget_html_and_text():
    s = stepper()
    bundle = s._repr_mimebundle_()
    assert set(bundle) == {VIEW, "text/html", "text/plain"}
    assert bundle[VIEW]["model_id"] == s.widget().model_id
    assert bundle["text/plain"].startswith("step 1/2: L = mul_1 + a")
    html = bundle["text/html"]
    assert html.startswith("<style>") and '<script type="module">' in html
    assert "learndlWidgets.renderStatic(document.getElementById(" in html and '"stepper"' in html
    assert html.count("</script>") == 1  # the inlined JSON cannot close the tag
    data = json.loads(
        re.search(r'"stepper", (\{.*\})\);\n</script>', html, re.S)[1].replace("<\\/", "</")
    )
    assert data["frames"][1]["passes"][0] == {"to": "a", "value": 3.0, "accumulated": 4.0}
    assert data["svg"].startswith("<svg")


def test_widget_traitlets_and_frame_sync():
    s = stepper()
    w = s.widget()
    assert isinstance(w, LearndlWidget) and w.kind == "stepper" and w.data["frames"]
    assert str(w._esm).endswith("widgets.js") or "export" in str(w._esm)
    s.frame = 1
    assert w.frame == 1
    w.frame = 0  # the browser moved it
    assert s.frame == 0 and s.text().startswith("step 1/2")


def test_json_in_script_is_escaped():
    assert to_json({"svg": "</script><b>"}) == '{"svg": "<\\/script><b>"}'
    html = static_html("dashboard", {"history": {"loss": [1.0]}, "x": "</script>"})
    assert "</script>" not in html.split('<script type="module">')[1][:-9]


def test_graph_bundle_has_live_dot_and_static_svg():
    a = ld.tensor(2.0, requires_grad=True)
    g = ld.viz.graph(a * a + 1.0)
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {VIEW, "text/html", "text/plain"}
    assert "<svg" in bundle["text/html"] and "<script" not in bundle["text/html"]


def test_dashboard_bundle_keeps_the_final_state():
    dash = ld.viz.TrainingDashboard(epochs=2, live=False)
    dash.end_epoch({"loss": 1.0, "val_loss": 1.2})
    dash.end_epoch({"loss": 0.5, "val_loss": 0.7})
    bundle = dash._repr_mimebundle_()
    assert '"history": {"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]}' in bundle["text/html"]
    assert bundle["text/plain"].splitlines()[-1] == "epoch 2/2 - loss 0.5 - val_loss 0.7"


def test_viz_imports_no_jupyter():
    code = (
        "import sys, learndl as ld; ld.viz.BackwardStepper; ld.viz.TrainingDashboard;"
        "a = ld.tensor(2.0, requires_grad=True); print(ld.viz.BackwardStepper(a * a).text());"
        "print(sorted(m for m in ('IPython', 'ipywidgets', 'anywidget') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
