"""Rich output that renders three ways: live widget, kernel-free HTML, and text.

``bundle(kind, data, text)`` returns one MIME bundle holding

- ``application/vnd.jupyter.widget-view+json``: the live anywidget (JupyterLab, VS Code);
- ``text/html``: a self-contained page fragment, ``static.js`` and the CSS inlined and the
  data as JSON, so the book and exported notebooks still step with no kernel;
- ``text/plain``: the text form, for terminals and nbval.
"""

from __future__ import annotations

import functools
import itertools
import json
import secrets
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
_ids = itertools.count(1)


@functools.cache
def _asset(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: build the widget bundles with `make widgets` "
            "(or `cd widgets && npm ci && npm run build`)."
        )
    return path.read_text(encoding="utf-8")


def to_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: ``</`` cannot close the tag."""
    return json.dumps(data, allow_nan=False).replace("</", "<\\/")


def static_html(kind: str, data: dict[str, Any]) -> str:
    """The kernel-free HTML of a widget: ``static.js`` + CSS + the data, all inline."""
    if kind == "graph":  # static.js has no Graphviz: show the server-rendered picture
        return f'<div class="ld-graph-static">{data["svg"]}</div>'
    el = f"ld-{next(_ids)}-{secrets.token_hex(3)}"
    return (
        f"<style>{_asset('widgets.css')}</style>\n"
        f'<div id="{el}" class="ld-static"></div>\n'
        f'<script type="module">{_asset("static.js")}\n'
        f'learndlWidgets.renderStatic(document.getElementById("{el}"), "{kind}", '
        f"{to_json(data)});\n</script>"
    )


def make_widget(kind: str, data: dict[str, Any], frame: int = 0) -> Any:
    """A live ``LearndlWidget``, or ``None`` when anywidget is not installed."""
    try:
        from learndl.jupyter.widgets import LearndlWidget
    except ImportError:
        return None
    return LearndlWidget(kind=kind, data=data, frame=frame)


def bundle(
    kind: str, data: dict[str, Any], text: str, html: str | None = None, widget: Any = None
) -> dict[str, Any]:
    """One MIME bundle with the live view (when possible), ``text/html`` and ``text/plain``.

    For kind ``"graph"`` the live data is ``{dot, dot_collapsed}`` and ``html`` is given.
    """
    out: dict[str, Any] = {}
    widget = widget if widget is not None else make_widget(kind, data)
    if widget is not None:
        view = widget._repr_mimebundle_()
        view = view[0] if isinstance(view, tuple) else view
        out.update({k: v for k, v in view.items() if k != "text/plain"})
    try:
        out["text/html"] = html if html is not None else static_html(kind, data)
    except FileNotFoundError as e:  # no built bundles: say so, keep the other forms
        out["text/html"] = f"<pre>{e}</pre>"
    out["text/plain"] = text
    return out


def in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook), False in a terminal, script or test."""
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
