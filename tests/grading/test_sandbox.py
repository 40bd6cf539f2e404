"""The bubblewrap command line: what is hidden, and what is mounted back."""

from __future__ import annotations

from learndl.grading import sandbox


def test_python_and_learndl_under_tmp_are_mounted_back(monkeypatch):
    # CI clones the project into a temporary folder: /tmp is emptied inside the sandbox,
    # so the interpreter and learndl living there must be bound back read-only.
    keep = ["/tmp/clone/.venv", "/tmp/clone", "/usr/lib/python3"]
    monkeypatch.setattr(sandbox, "needed_paths", lambda: keep)
    args = sandbox.bwrap_args("/tmp/learndl-grade-x", hidden=[], user_ns=False)
    binds = {args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"}
    assert {"/tmp/clone/.venv", "/tmp/clone"} <= binds
    assert "/usr/lib/python3" not in binds  # already visible through the read-only root
    assert args.index("--tmpfs") < args.index("--ro-bind", 3)  # binds come after the emptying


def test_hidden_folders_are_emptied_but_keep_what_python_needs(monkeypatch, tmp_path):
    home = tmp_path / "home"
    (home / ".pyenv").mkdir(parents=True)
    monkeypatch.setattr(sandbox, "needed_paths", lambda: [str(home / ".pyenv")])
    args = sandbox.bwrap_args("/work/run", hidden=[str(home)], user_ns=False)
    tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    binds = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
    assert str(home) in tmpfs and str(home / ".pyenv") in binds
