"""``learndl grade`` on crafted submissions: right, partly wrong, a loop, a kernel crash,
file deletion, malformed JSON — one CSV row each, and the instructor's files intact."""

from __future__ import annotations

import copy
import csv

import pytest

from learndl.cli import main
from learndl.grading import sandbox

nbformat = pytest.importorskip("nbformat")

MSE = "%%exercise mse_by_hand\n"
CONV = "%%exercise conv_output_size\n"
RIGHT_CONV = (
    "def conv_output_size(n, k, stride=1, padding=0):\n    return (n + 2*padding - k) // stride + 1"
)


def submissions(reference, folder, precious, home_file):
    ref = nbformat.read(reference, as_version=4)
    folder.mkdir()

    def write(name, mse, conv=RIGHT_CONV):
        nb = copy.deepcopy(ref)
        nb.cells[2].source, nb.cells[4].source = MSE + mse, CONV + conv
        nbformat.write(nb, folder / f"{name}.ipynb")

    write("alice", "def mse(p, t):\n    return ((p - t) ** 2).mean()")
    write("bob", "def mse(p, t):\n    return ((p - t) ** 2).sum()")
    write("carol", "while True:\n    pass")
    write("dave", "import os\nos._exit(1)")
    write(
        "erin",
        "import ctypes\nctypes.string_at(0)",  # segfault: the kernel dies
        conv=f"import shutil, os\nshutil.rmtree({str(precious.parent)!r}, ignore_errors=True)\n"
        f"shutil.rmtree({str(reference.parent)!r}, ignore_errors=True)\n"
        f"try:\n    os.remove({str(home_file)!r})\nexcept OSError:\n    pass\n" + RIGHT_CONV,
    )
    (folder / "frank.ipynb").write_text('{"cells": [')
    return folder


def test_grade_crafted_submissions(reference, tmp_path, monkeypatch, capsys):
    if not sandbox.bwrap_mode()[0]:
        pytest.skip(f"bubblewrap sandbox unavailable: {sandbox.bwrap_mode()[2]}")
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("instructor's")
    monkeypatch.setenv("HOME", str(home))
    precious = tmp_path / "instructor" / "answers.txt"
    precious.parent.mkdir()
    precious.write_text("keep me")
    folder = submissions(reference, tmp_path / "subs", precious, home / "notes.txt")
    out = tmp_path / "grades.csv"
    argv = ["grade", str(reference), str(folder), "--out", str(out), "--isolation", "bwrap"]
    assert main([*argv, "--cell-timeout", "4", "--timeout", "60", "--jobs", "6"]) == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    got = {s: (r["mse_by_hand"], r["conv_output_size"], r["total"]) for s, r in rows.items()}
    assert got == {
        "alice": ("1", "1", "2"),
        "bob": ("0", "1", "1"),
        "carol": ("0", "1", "1"),  # the loop hit the cell limit; the next exercise still counts
        "dave": ("0", "1", "1"),  # os._exit killed the kernel
        "erin": ("0", "1", "1"),  # segfault, then deletion attempts
        "frank": ("0", "0", "0"),  # malformed JSON
    }
    assert "not a notebook" in rows["frank"]["note"]
    assert precious.read_text() == "keep me" and reference.exists()
    assert (home / "notes.txt").exists()
    assert "bwrap isolation" in capsys.readouterr().out


def test_plain_mode_warns_and_grades(reference, tmp_path, capsys):
    folder = tmp_path / "subs"
    folder.mkdir()
    nb = nbformat.read(reference, as_version=4)
    nb.cells[2].source = MSE + "def mse(p, t):\n    return (p - t).abs().mean()"
    nbformat.write(nb, folder / "gina.ipynb")
    out = tmp_path / "grades.csv"
    main(["grade", str(reference), str(folder), "--out", str(out), "--isolation", "plain"])
    assert out.read_text().splitlines()[1] == "gina,0,1,1,"
    assert "plain isolation" in capsys.readouterr().out
