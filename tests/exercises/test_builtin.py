"""Every built-in checker passes a right answer and fails a wrong one with a safe hint."""

from __future__ import annotations

import re

import pytest

from learndl.exercises import exercises, registry, run_checker
from tests.exercises.answers import ANSWERS


def test_every_builtin_has_answers_and_a_contract():
    ids = set(exercises())  # loads the built-in checkers
    mine = ("calculus", "regression", "networks", "convolution", "attention")
    builtin = {k for k in ids if registry[k].fn.__module__.rsplit(".", 1)[-1] in mine}
    assert builtin == set(ANSWERS)
    assert len(builtin) >= 18
    for name in builtin:
        assert "The cell defines" in registry[name].contract, name


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_right_answer_passes(name):
    result = run_checker(name, dict(ANSWERS[name][0]))
    assert result.ok, result.line()
    assert result.line() == f"✓ {name}: {result.total}/{result.total} checks passed"
    assert len(result.checks) == registry[name].total


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_wrong_answer_fails_with_a_hint_that_hides_the_cases(name):
    lines = {run_checker(name, dict(ANSWERS[name][1])).line() for _ in range(2)}
    # hidden inputs are drawn afresh each run: a hint that showed them would differ
    assert len(lines) == 1, lines
    (line,) = lines
    assert re.fullmatch(rf"✗ {name}: \d+/\d+ — hint: .+", line), line
    assert not re.search(r"\d\.\d{3,}", line), line  # no hidden values in the hint


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_empty_cell_names_what_to_define(name):
    line = run_checker(name, {}).line()
    assert line.startswith(f"✗ {name}: 0/") and "the cell must define" in line
