"""``%%exercise``: runs the cell in the user namespace and prints the checker's one line."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")


@pytest.fixture
def shell():
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "learndl")
    yield ip
    ip.user_ns.pop("mse", None)


def run(shell, cell, capsys):
    shell.run_cell(cell)
    return capsys.readouterr().out


def test_right_answer_prints_one_check_line(shell, capsys):
    out = run(
        shell, "%%exercise mse_by_hand\ndef mse(p, t):\n    return ((p - t) ** 2).mean()", capsys
    )
    assert out == "✓ mse_by_hand: 4/4 checks passed\n"
    assert "mse" in shell.user_ns  # what the cell defined stays defined


def test_stub_reports_not_implemented_with_the_line(shell, capsys):
    cell = '%%exercise mse_by_hand\ndef mse(p, t):\n    raise NotImplementedError("mse_by_hand")'
    out = run(shell, cell, capsys)
    assert out.startswith("✗ mse_by_hand: 0/4 — hint: your code raised NotImplementedError")
    assert 'line 2: raise NotImplementedError("mse_by_hand")' in out
    assert "Traceback" not in out


def test_error_in_the_cell_body(shell, capsys):
    out = run(shell, "%%exercise mse_by_hand\n1 / 0", capsys)
    assert out.startswith("✗ mse_by_hand: 0/4 — hint: your code raised ZeroDivisionError")
    assert "(line 1: 1 / 0)" in out


def test_missing_id(shell, capsys):
    assert "needs an exercise ID" in run(shell, "%%exercise\nx = 1", capsys)
