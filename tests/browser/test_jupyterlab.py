"""The widgets live in a real JupyterLab, and the saved notebook's text/html with no kernel.

Starts ``jupyter lab`` from this interpreter's environment on 127.0.0.1 (a free port, a
token, a temporary root holding tests/jupyter/widget_notebook.py's notebook); Playwright
drives Debian's Chromium: run all cells, the graph widget drew its 4 nodes, "next" on the
stepper moves the highlight from L to mul_1 and shows d(a * b)/da = b = 3.0. Then the
notebook is saved, and the stepper's saved text/html output, written to a plain file, must
pass the same check without any server. Screenshots go to test-output/.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jupyter.widget_notebook import GRAPH_NODES, KINDS, make_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output"
WIDGETS_JS = ROOT / "learndl" / "jupyter" / "static" / "widgets.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not WIDGETS_JS.exists():
        pytest.skip(f"{WIDGETS_JS} is missing: build the widgets with `make widgets`")
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        pytest.skip(f"no {jupyter}: install learndl[jupyter]")
    root = tmp_path_factory.mktemp("lab")
    import nbformat

    nbformat.write(make_notebook(), root / "widgets.ipynb")
    token, port = secrets.token_hex(16), free_port()
    cmd = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--ServerApp.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.expose_app_in_browser=True"]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "lab.log", "wb")  # noqa: SIM115  (closed below)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config")}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer in 60 s:\n" + (root / "lab.log").read_text())
        if proc.poll() is not None:
            pytest.fail("jupyter lab exited:\n" + (root / "lab.log").read_text())
        yield {"url": url, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def check_stepper(scope) -> None:
    """The highlight starts on L, moves to mul_1 on "next", and shows the right gradient."""
    current = scope.locator("g.node.ld-current > title")
    current.wait_for(state="attached", timeout=30_000)  # an SVG <title> is never "visible"
    assert current.text_content().strip() == "L"
    assert "step 1 / 2" in scope.locator(".ld-counter").text_content()
    scope.get_by_role("button", name="next ▶").click()
    scope.locator(".ld-counter", has_text="step 2 / 2").wait_for(timeout=10_000)
    assert current.text_content().strip() == "mul_1"
    panel = scope.locator(".ld-panel").text_content()
    assert "d(a * b)/da = b = 3.0" in panel
    assert "a.grad += 3: 1 + 3 = 4" in panel


KERNEL_READY = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext && widget.sessionContext.session;
    const kernel = session && session.kernel;
    return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def run_all(page, cells) -> None:
    """Run every cell with JupyterLab's "Run All Cells" command, and wait until each ran.

    NOTE: the status bar can say "Idle" before the notebook's kernel connection is open, and
    a run asked for then is dropped (or answered by a "Select Kernel" dialog). So first wait
    until the session's kernel itself reports connected and idle.
    """
    page.wait_for_function(KERNEL_READY, timeout=120_000)
    # not awaited: the command's promise settles only when every cell has run
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    last = cells.nth(cells.count() - 1).locator(".jp-InputPrompt")
    page.wait_for_function(
        "el => /\\[\\d+\\]/.test(el.textContent)", arg=last.element_handle(), timeout=120_000
    )


@contextlib.contextmanager
def chromium_page(errors: list[str], failure_png: str) -> Iterator[tuple[Any, Any]]:
    """Chromium and a tall page whose JavaScript errors go to ``errors``; if the test fails,
    a full-page screenshot is saved to test-output/``failure_png``. Yields (browser, page)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1600})
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield browser, page
        except Exception:
            page.screenshot(path=str(OUT / failure_png), full_page=True)
            raise
        finally:
            browser.close()


def test_widgets_in_jupyterlab_then_the_saved_html_without_a_kernel(lab):
    errors: list[str] = []
    with chromium_page(errors, "jupyterlab_failure.png") as (browser, page):
        page.goto(f"{lab['url']}/lab/tree/widgets.ipynb?token={lab['token']}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        run_all(page, cells)
        graph = cells.nth(1).locator(".ld-graph svg g.node")
        graph.nth(GRAPH_NODES - 1).wait_for(timeout=60_000)
        assert graph.count() == GRAPH_NODES
        check_stepper(cells.nth(2))
        # the %%train cell ends with its dashboard in the output
        cells.nth(4).locator(".ld-widget").first.wait_for(timeout=60_000)
        page.screenshot(path=str(OUT / "jupyterlab_widgets.png"), full_page=True)
        page.keyboard.press("Control+s")
        saved = lab["root"] / "widgets.ipynb"
        for _ in range(40):
            nb = json.loads(saved.read_text())
            if nb["cells"][2].get("outputs"):
                break
            time.sleep(0.5)
        outputs = [o for o in nb["cells"][2]["outputs"] if "text/html" in o.get("data", {})]
        assert outputs, "the saved stepper output has no text/html"
        html = outputs[-1]["data"]["text/html"]
        html = "".join(html) if isinstance(html, list) else html
        plain = lab["root"] / "stepper_output.html"
        plain.write_text(f"<!doctype html><meta charset=utf-8><body>{html}</body>")
        static = browser.new_page()
        static.on("pageerror", lambda e: errors.append(str(e)))
        static.goto(plain.as_uri())
        check_stepper(static)
        static.screenshot(path=str(OUT / "jupyterlab_saved_stepper.png"))
    assert not errors, errors
    assert set(KINDS) == {1, 2, 4}


NOTEBOOK_JSON = "() => window.jupyterapp.shell.currentWidget.content.model.toJSON()"
# every code cell ran, or one failed (then the cells after it never run)
ALL_RAN = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.toJSON().cells;
    const code = cells.filter(c => c.cell_type === "code");
    return code.every(c => c.execution_count !== null)
        || code.some(c => c.outputs.some(o => o.output_type === "error"));
}"""


def stream_text(cell: dict, name: str) -> str:
    outputs = [o for o in cell.get("outputs", []) if o.get("name") == name]
    texts = (o["text"] for o in outputs)
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


def test_lesson_01_runs_top_to_bottom_in_jupyterlab_with_its_widgets_drawn(lab):
    """What a new user does: open lesson 01 in JupyterLab and run it all.

    The lesson is copied as it is shipped (with its saved outputs); those are cleared in the
    browser first, so that everything checked below comes from this run: every code cell ran,
    no cell has an error output or a traceback, every ``%%exercise`` line says "✓", a graph
    widget drew its nodes and a backward stepper shows its "next ▶" button.
    """
    shutil.copy(ROOT / "lessons" / "01_derivatives.ipynb", lab["root"] / "01_derivatives.ipynb")
    errors: list[str] = []
    with chromium_page(errors, "jupyterlab_lesson01_failure.png") as (browser, page):
        # a workspace of its own: only the lesson open, as on a new user's first `make lab`
        # (the default workspace restores widgets.ipynb from the test above)
        page.goto(
            f"{lab['url']}/lab/workspaces/lesson01/tree/01_derivatives.ipynb?token={lab['token']}"
        )
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return !!(w && w.content && w.content.model); }",
            timeout=60_000,
        )
        # the saved outputs and prompts would pass every check below without a kernel
        page.evaluate(
            "async () => {"
            " await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs'); }"
        )
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.content.model.toJSON().cells"
            ".every(c => c.cell_type !== 'code'"
            " || (c.outputs.length === 0 && c.execution_count === null))",
            timeout=10_000,
        )
        # NOTE: JupyterLab renders only the cells near the viewport (windowing), so
        # run_all's "last cell" is the last one drawn: wait on the model for the rest
        run_all(page, page.locator(".jp-Notebook .jp-CodeCell"))
        page.wait_for_function(ALL_RAN, timeout=90_000)

        nb = page.evaluate(NOTEBOOK_JSON)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        for i, cell in enumerate(code):
            failed = [o for o in cell["outputs"] if o["output_type"] == "error"]
            assert not failed, f"code cell {i} has an error output: {failed}"
            stderr = stream_text(cell, "stderr")
            assert "Traceback" not in stderr and "Error" not in stderr, (i, stderr)
        not_run = [i for i, c in enumerate(code) if c["execution_count"] is None]
        assert not not_run, f"code cells that did not run: {not_run}"

        exercises = [c for c in code if "".join(c["source"]).startswith("%%exercise")]
        assert len(exercises) == 2
        for cell in exercises:
            lines = [line for line in stream_text(cell, "stdout").splitlines() if line]
            assert lines, f"no output from {''.join(cell['source']).splitlines()[0]}"
            assert all(line.startswith("✓") for line in lines), lines

        # the graph cell comes just before the stepper cell: bring both into view
        sources = ["".join(c["source"]) for c in nb["cells"]]
        index = next(i for i, s in enumerate(sources) if "BackwardStepper(f_val)" in s)
        page.evaluate(
            "async i => { await window.jupyterapp.shell.currentWidget.content"
            ".scrollToItem(i, 'center'); }",
            index,
        )
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert panel.count() == 1
        nodes = panel.locator(".ld-graph svg g.node")
        nodes.first.wait_for(state="attached", timeout=30_000)
        assert nodes.count() > 0
        stepper = panel.get_by_role("button", name="next ▶").first
        stepper.wait_for(state="attached", timeout=30_000)
        stepper.scroll_into_view_if_needed()
        stepper.wait_for(state="visible", timeout=10_000)
        assert panel.locator(".jp-OutputArea-output").count() > 0
        assert panel.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
        page.screenshot(path=str(OUT / "jupyterlab_lesson01.png"))
    assert not errors, errors
