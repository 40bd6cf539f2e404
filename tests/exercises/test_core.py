"""The runner: crashes become failed checks, one stable line, private checkers override."""

from __future__ import annotations

import textwrap

import numpy as np

import learndl as ld
from learndl.exercises import Check, checker, load_checkers, registry, run_checker


def test_crash_in_student_code_is_a_failed_check_without_library_frames():
    def mse(pred, target):
        return pred.no_such_method()

    line = run_checker("mse_by_hand", {"mse": mse}).line()
    assert line.startswith("✗ mse_by_hand: 0/4 — hint: your code raised AttributeError")
    assert "return pred.no_such_method()" in line
    assert "Traceback" not in line and "learndl/" not in line


def test_cell_error_is_reported_first_and_counts():
    result = run_checker("mse_by_hand", {}, cell_error=NotImplementedError("mse_by_hand"))
    assert result.line() == (
        "✗ mse_by_hand: 0/4 — hint: your code raised NotImplementedError: mse_by_hand"
    )


def test_checker_leaves_random_streams_and_grad_mode_alone():
    ld.manual_seed(3)
    np.random.seed(3)
    run_checker("linear_layer", {"MyLinear": ld.nn.Linear})  # draws from ld's generator
    after = ld.randn(2).numpy(), np.random.rand()
    ld.manual_seed(3)
    np.random.seed(3)
    assert np.array_equal(after[0], ld.randn(2).numpy()) and after[1] == np.random.rand()
    assert ld.is_grad_enabled()


def test_failing_node_is_handed_to_pictures():
    class Bad(ld.Function):
        def forward(self, x):
            return np.maximum(x, 0)

        def backward(self, grad):
            return (grad,)

    result = run_checker("relu_backward", {"ReLU": Bad})
    # the output of the learner's own op, whose backward let gradient through where x < 0
    assert isinstance(result.failing_node, ld.Tensor)
    assert isinstance(result.failing_node.grad_fn, Bad)
    assert result.failing_node.shape == (3, 4)


def test_unknown_exercise():
    assert "no checker is registered" in run_checker("no_such_exercise", {}).line()


def test_private_folder_overrides_builtin(tmp_path, monkeypatch):
    (tmp_path / "mine.py").write_text(
        textwrap.dedent(
            """
            from learndl.exercises import Check, checker

            @checker("mse_by_hand", total=1)
            def strict(ns):
                yield Check("secret", ns.get("secret") == 42, "read the syllabus")
            """
        )
    )
    original = registry["mse_by_hand"]
    try:
        assert load_checkers(tmp_path) == ["mse_by_hand"]
        assert registry["mse_by_hand"].source.endswith("mine.py")
        assert run_checker("mse_by_hand", {"secret": 42}).line() == (
            "✓ mse_by_hand: 1/1 checks passed"
        )
    finally:
        registry["mse_by_hand"] = original


def test_env_var_folder_is_loaded(tmp_path, monkeypatch):
    import learndl.exercises as ex

    (tmp_path / "extra.py").write_text(
        "from learndl.exercises import Check, checker\n"
        "@checker('env_only', total=1)\n"
        "def f(ns):\n    yield Check('x', True)\n"
    )
    monkeypatch.setenv("LEARNDL_CHECKERS", str(tmp_path))
    monkeypatch.setattr(ex, "_loaded", False)
    try:
        assert run_checker("env_only", {}).ok
    finally:
        registry.pop("env_only", None)


def test_checker_without_total_counts_what_it_yields():
    @checker("tmp_count")
    def _(ns):
        yield Check("a", True)
        yield Check("b", False, "b failed")

    try:
        assert run_checker("tmp_count", {}).line() == "✗ tmp_count: 1/2 — hint: b failed"
    finally:
        registry.pop("tmp_count")
