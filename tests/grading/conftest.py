"""The fixture lesson (2 exercises), executed for real so nbval accepts it as a reference."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "lesson.ipynb"


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Path:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("nbval")
    folder = tmp_path_factory.mktemp("reference")
    nb = nbformat.read(FIXTURE, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    path = folder / "lesson.ipynb"
    nbformat.write(nb, path)
    (folder / "data.txt").write_text("shipped with the lesson\n")
    return path
