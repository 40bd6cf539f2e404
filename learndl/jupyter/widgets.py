"""The one anywidget class behind every learndl widget, and the rich output it goes in.

``LearndlWidget`` carries three traitlets, as ``widgets/README.md`` describes: ``kind``
(``"stepper"``, ``"graph"`` or ``"dashboard"``), ``data`` (that kind's JSON) and ``frame``
(the stepper's shown step, synced both ways). Its browser side is ``static/widgets.js``.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"


class LearndlWidget(anywidget.AnyWidget):
    """A live learndl view: a stepper, a graph or a training dashboard."""

    _esm = STATIC / "widgets.js"
    _css = STATIC / "widgets.css"
    kind = traitlets.Unicode().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
