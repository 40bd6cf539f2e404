"""A notebook executed with nbclient: stored widget state and every output's three forms."""

from __future__ import annotations

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("anywidget")
from tests.jupyter.widget_notebook import GRAPH_NODES, KINDS, make_notebook  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient

    nb = make_notebook()
    path = tmp_path_factory.mktemp("nb")
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path)}}
    ).execute()
    return nb


def widget_output(nb, cell: int) -> dict:
    outs = [o for o in nb.cells[cell].outputs if WIDGET_VIEW in o.get("data", {})]
    assert outs, f"cell {cell} shows no widget: {nb.cells[cell].outputs}"
    return outs[-1]


def test_outputs_carry_the_live_view_html_and_text(executed):
    for cell in KINDS:
        data = widget_output(executed, cell)["data"]
        assert {"text/html", "text/plain"} <= set(data), (cell, set(data))
    graph = widget_output(executed, 1)["data"]
    assert graph["text/html"].count('class="node"') == GRAPH_NODES
    assert graph["text/plain"].startswith("L = ")
    stepper = widget_output(executed, 2)["data"]
    assert '<script type="module">' in stepper["text/html"]
    dash = widget_output(executed, 4)["data"]["text/plain"].splitlines()
    assert dash[0].startswith("epoch 1/2 - loss ") and dash[1].startswith("epoch 2/2")


def test_widget_state_is_stored_for_each_view(executed):
    state = executed.metadata["widgets"][WIDGET_STATE]["state"]
    for cell, kind in KINDS.items():
        model_id = widget_output(executed, cell)["data"][WIDGET_VIEW]["model_id"]
        assert model_id in state, (cell, kind)
        model = state[model_id]["state"]
        assert model["kind"] == kind and model["data"]
    dash_id = widget_output(executed, 4)["data"][WIDGET_VIEW]["model_id"]
    history = state[dash_id]["state"]["data"]["history"]
    assert len(history["loss"]) == 2 and len(history["accuracy"]) == 2  # the final state
    steps = state[widget_output(executed, 2)["data"][WIDGET_VIEW]["model_id"]]["state"]
    assert len(steps["data"]["frames"]) == 2  # the stepper: one frame per backward node


def test_stripping_keeps_html_and_text(executed):
    import copy

    from scripts.execute_lessons import strip_widget_state

    nb = copy.deepcopy(executed)
    strip_widget_state(nb)
    assert "widgets" not in nb.metadata
    for cell in KINDS:
        for out in nb.cells[cell].outputs:
            if "data" in out:
                assert WIDGET_VIEW not in out["data"]
                assert {"text/html", "text/plain"} <= set(out["data"])
