"""The built book in Debian's Chromium: its widgets work with no kernel and no network.

The book (``book/_build/html``, built by ``make book``; built here if missing) is served on
127.0.0.1. Each page is opened with every request watched: a console error, a page error,
a failed request, an HTTP error, or any request to a host other than 127.0.0.1 fails the
test (such requests are aborted, so nothing leaves the machine). Screenshots go to
``test-output/book/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "book" / "_build" / "html"
SHOTS = ROOT / "test-output" / "book"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking"]  # fmt: skip


def shot(name: str) -> str:
    """Where a screenshot goes: test-output/book/NAME."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / name)


def lesson_page(number: str) -> str:
    """The built page of lesson ``number`` ("01"), or skip while the lesson is not written."""
    found = sorted((ROOT / "lessons").glob(f"{number}_*.ipynb"))
    if not found:
        pytest.skip(f"lessons/{number}_*.ipynb does not exist yet, so the book has no such page")
    page = HTML / "lessons" / f"{found[0].stem}.html"
    assert page.exists(), f"{page} is missing: rebuild the book (make book)"
    return f"lessons/{page.name}"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The book served on 127.0.0.1 (a free port) from a thread."""
    if not (HTML / "index.html").exists():  # `make test` builds it first (step test-book)
        subprocess.run(["bash", str(ROOT / "book" / "build.sh")], check=True, cwd=ROOT)
    handler = functools.partial(Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, failed and outside requests are written down."""

    def __init__(self, browser, site: str):
        self.problems: list[str] = []
        self.site = site
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}")
        )
        self.page.on("response", self._response)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} ({msg.location.get('url')})")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, path: str):
        self.page.goto(self.site + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self, name: str):
        self.page.screenshot(path=shot(f"{name}-page.png"))
        self.page.close()
        assert not self.problems, "\n".join(self.problems)


def test_intro_and_reference_pages_fetch_nothing_outside(browser, site):
    for path in ["intro.html", "frameworks.html", "design.html", "api/core.html"]:
        watched = Watched(browser, site)
        page = watched.open(path)
        assert page.locator("main h1").count() >= 1, path
        watched.close(Path(path).stem)


def test_chain_rule_lesson_steps_backward_without_a_kernel(browser, site):
    path = lesson_page("01")
    watched = Watched(browser, site)
    page = watched.open(path)
    stepper = page.locator(".ld-stepper").first
    stepper.wait_for()
    stepper.scroll_into_view_if_needed()
    current = stepper.locator("g.node.ld-current > title")
    counter = stepper.locator(".ld-counter")
    panel = stepper.locator(".ld-panel")

    def state():
        return current.text_content().strip(), counter.text_content(), panel.text_content()

    first = state()
    assert re.search(r"step 1 / \d+", first[1]), first[1]
    stepper.screenshot(path=shot("01-stepper-step1.png"))
    stepper.get_by_role("button", name="next ▶").click()
    second = state()
    assert re.search(r"step 2 / \d+", second[1]), second[1]
    assert second[0] != first[0], f"the highlight stayed on {first[0]}"
    assert second[2] != first[2], "the shown gradients did not change"
    assert "upstream" in second[2], second[2]  # the gradient arriving at the new node
    stepper.screenshot(path=shot("01-stepper-step2.png"))
    stepper.get_by_role("button", name="◀ back").click()
    assert state() == first, "stepping back should show step 1 again"
    watched.close("01")


def test_cnn_lesson_shows_feature_maps_and_the_final_dashboard(browser, site):
    path = lesson_page("08")
    watched = Watched(browser, site)
    page = watched.open(path)
    # Feature maps and kernels are pictures in the cell outputs: each must have loaded.
    images = page.locator(".cell_output img")
    assert images.count() >= 2, f"expected feature-map images, found {images.count()}"
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 0 for w in widths), f"images that did not load: {widths}"
    # The %%train dashboard, left in its final state: every epoch done, curves drawn.
    dash = page.locator(".ld-dashboard").first
    dash.wait_for()
    dash.scroll_into_view_if_needed()
    progress = dash.locator(".ld-progress-text").text_content()
    done = re.search(r"epoch (\d+)/(\d+)", progress)
    assert done and done.group(1) == done.group(2), f"dashboard not at its end: {progress!r}"
    epochs = int(done.group(2))
    charts = dash.locator("svg.ld-chart")
    assert charts.count() >= 2, "expected a loss chart and an accuracy chart"
    titles = charts.locator(".ld-chart-title").all_text_contents()
    assert "loss" in titles, titles
    for k in range(charts.count()):  # one point per epoch on the training curve
        assert charts.nth(k).locator("circle.ld-train").count() == epochs
    legends = " ".join(dash.locator(".ld-legend").all_text_contents())
    assert "train" in legends and "validation" in legends, legends
    dash.screenshot(path=shot("08-dashboard.png"))
    images.first.scroll_into_view_if_needed()
    images.first.screenshot(path=shot("08-feature-maps.png"))
    watched.close("08")
