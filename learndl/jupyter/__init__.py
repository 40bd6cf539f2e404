"""learndl in Jupyter: the widget classes, rich display and the magics.

This is the only part of learndl that imports IPython, ipywidgets and anywidget, and it
does so when a piece is used: importing ``learndl.jupyter`` itself costs nothing.
``%load_ext learndl`` calls ``load_ipython_extension`` below.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%train`` and ``%%trace`` with an IPython shell, and let Keras' ``fit``
    show the live dashboard when a notebook frontend is attached."""
    from learndl.jupyter import exercise_magic, keras_progress
    from learndl.jupyter.magics import LearndlMagics

    ipython.register_magics(LearndlMagics)
    exercise_magic.register(ipython)
    keras_progress.install()
