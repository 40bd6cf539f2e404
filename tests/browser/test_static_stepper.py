"""The stepper's kernel-free text/html, opened as a plain file in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

import learndl as ld

pytestmark = pytest.mark.browser
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking"]  # fmt: skip


@pytest.mark.parametrize("renderer", ["graphviz", "own layout"])
def test_static_stepper_steps_without_a_kernel(tmp_path: Path, monkeypatch, renderer: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    if renderer == "own layout":
        monkeypatch.setattr("learndl.viz.drawing.render_svg", lambda dot: None)
    a = ld.tensor(2.0, requires_grad=True)
    b = ld.tensor(3.0, requires_grad=True)
    L = a * b + a
    html = ld.viz.BackwardStepper(L, names={"a": a, "b": b, "L": L})._repr_mimebundle_()
    page_file = tmp_path / "stepper.html"
    page_file.write_text(f"<!doctype html><meta charset=utf-8><body>{html['text/html']}</body>")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_selector("g.node.ld-current")
        current = "g.node.ld-current > title"
        assert page.text_content(current).strip() == "L"
        assert "step 1 / 2" in page.text_content(".ld-counter")
        page.get_by_role("button", name="next ▶").click()
        assert page.text_content(current).strip() == "mul_1"
        panel = page.text_content(".ld-panel")
        assert "d(a * b)/da = b = 3.0" in panel
        assert "a.grad += 3: 1 + 3 = 4" in panel  # a fans out: its gradients add up
        targets = sorted(
            t.strip() for t in page.locator("g.node.ld-target > title").all_text_contents()
        )
        assert targets == ["a", "b"]
        page.screenshot(path=str(tmp_path / "stepper.png"))
        browser.close()
    assert not errors
