"""Leave thebe (live code through a remote Jupyter server) out of every page.

Jupyter Book always loads the ``sphinx_thebe`` extension. With launch buttons off the
book never starts thebe, yet each page still carries its configuration script, which
names thebe's CDN address and, in this Jupyter Book, is added twice (a page error:
"Identifier 'THEBE_JS_URL' has already been declared"). This drops those scripts.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    scripts = context.get("script_files")
    if scripts is None:
        return
    context["script_files"] = [
        js
        for js in scripts
        if "thebe" not in f"{getattr(js, 'filename', js)} {getattr(js, 'attributes', {})}"
    ]


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
