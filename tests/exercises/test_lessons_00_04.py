"""Checkers of lessons 00-04 that live in learndl/exercises/builtin/lessons_00_04.py."""

from __future__ import annotations

import learndl as ld
from learndl.exercises import exercises, run_checker


def test_registered_with_a_contract():
    found = exercises()
    for exercise in ("standardize", "pairwise_sq_dists"):
        assert "Lesson 00" in found[exercise]


def test_standardize_right_and_wrong():
    right = run_checker("standardize", {"standardize": lambda X: (X - X.mean(0)) / X.std(0)})
    assert right.ok, right.line()
    assert right.line() == "✓ standardize: 4/4 checks passed"
    # Either std convention passes (n or n - 1 in the denominator).
    unbiased = run_checker(
        "standardize", {"standardize": lambda X: (X - X.mean(0)) / X.std(0, unbiased=True)}
    )
    assert unbiased.ok, unbiased.line()
    whole = run_checker("standardize", {"standardize": lambda X: (X - X.mean()) / X.std()})
    assert not whole.ok
    assert "X.mean(dim=0)" in whole.line()
    numpy_only = run_checker(
        "standardize",
        {"standardize": lambda X: ld.tensor((X.numpy() - X.numpy().mean(0)) / X.numpy().std(0))},
    )
    assert numpy_only.line().startswith("✗ standardize: 3/4")


def _pairwise(A, B):
    diff = A.unsqueeze(1) - B.unsqueeze(0)
    return (diff * diff).sum(dim=2)


def test_pairwise_right_and_wrong():
    assert run_checker("pairwise_sq_dists", {"pairwise_sq_dists": _pairwise}).ok
    swapped = run_checker("pairwise_sq_dists", {"pairwise_sq_dists": lambda A, B: _pairwise(B, A)})
    assert not swapped.ok
    assert "rows follow A" in swapped.line()
    not_squared = run_checker(
        "pairwise_sq_dists",
        {"pairwise_sq_dists": lambda A, B: (A.unsqueeze(1) - B.unsqueeze(0)).sum(dim=2)},
    )
    assert not not_squared.ok


def test_hints_do_not_reveal_hidden_cases():
    missing = run_checker("pairwise_sq_dists", {})
    assert missing.line() == (
        "✗ pairwise_sq_dists: 0/4 — hint: the cell must define `pairwise_sq_dists`"
    )
    # Hidden cases change every run, yet the line does not: it names the idea, not the data.
    lines = {run_checker("standardize", {"standardize": lambda X: X}).line() for _ in range(3)}
    assert len(lines) == 1
