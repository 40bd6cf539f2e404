"""Checkers of lesson 11 (GPU): kernels compiled by NVRTC and run by a CPU interpreter of C."""

from __future__ import annotations

import re

import numpy as np
import pytest

from learndl.exercises import exercises, run_checker
from learndl.exercises.builtin import lesson_11
from learndl.exercises.builtin.lesson_11 import OutOfBounds, Unsupported, launch, run_elementwise

IDS = ("leaky_relu_kernel", "saxpy_kernel")


def _nvrtc_or_skip() -> None:
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception as e:  # no cupy, or no libnvrtc
        pytest.skip(f"needs NVRTC (pip install 'learndl[gpu]'): {e}")


LEAKY = ("T x", "T y", "y = x > (T)0 ? x : (T)0.01 * x", "leaky_relu")
SAXPY = r"""
extern "C" __global__ void saxpy(float a, const float* x, float* y, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = a * x[i] + y[i];
}
"""
ONE_THREAD_EACH = SAXPY.replace("for (int i", "int i").replace(
    "; i < n; i += blockDim.x * gridDim.x)", "; if (i < n)"
)


def test_registered_with_a_contract():
    found = exercises()
    for exercise in IDS:
        assert "Lesson 11" in found[exercise] and "without a GPU" in found[exercise]


@pytest.mark.parametrize(
    "body",
    [
        LEAKY[2],
        "y = x > 0 ? x : 0.01 * x",
        "y = max(x, (T)0.01 * x)",
        "T slope = x > (T)0 ? (T)1 : (T)0.01;\n y = slope * x",
    ],
)
def test_leaky_relu_right_answers(body):
    _nvrtc_or_skip()
    result = run_checker("leaky_relu_kernel", {"LEAKY_RELU": ("T x", "T y", body, "leaky")})
    assert result.line() == "✓ leaky_relu_kernel: 5/5 checks passed"


@pytest.mark.parametrize(
    ("spec", "start", "hint"),
    [
        (("T x", "T y", "y = x > (T)0 ? x : (T)0", "k"), "4/5", "(T)0.01 * x where x <= 0"),
        (("T x", "T y", "y = x > (T)0 ? x : (T)0.01 * z", "k"), "1/5", 'identifier "z"'),
        (("T x", "T out", "out = x", "k"), "0/5", "LEAKY_RELU = ('T x', 'T y'"),
        (("T x", "T y", "y = x < (T)0 ? x : (T)0.01 * x", "k"), "3/5", "x where x > (T)0"),
    ],
)
def test_leaky_relu_wrong_answers(spec, start, hint):
    _nvrtc_or_skip()
    lines = {run_checker("leaky_relu_kernel", {"LEAKY_RELU": spec}).line() for _ in range(2)}
    assert len(lines) == 1, lines  # hidden inputs change each run; the hint must not
    (line,) = lines
    assert line.startswith(f"✗ leaky_relu_kernel: {start} — hint: ") and hint in line, line
    assert not re.search(r"\d\.\d{3,}", line)


def test_saxpy_right_answers():
    _nvrtc_or_skip()
    assert run_checker("saxpy_kernel", {"SAXPY": SAXPY}).ok
    early_return = SAXPY.replace(
        "{\n", "{\n    if (blockIdx.x * blockDim.x + threadIdx.x >= n) return;\n"
    )
    assert run_checker("saxpy_kernel", {"SAXPY": early_return}).ok


@pytest.mark.parametrize(
    ("source", "start", "hint"),
    [
        (ONE_THREAD_EACH, "4/5", "a grid-stride loop"),
        (ONE_THREAD_EACH.replace("if (i < n)", ""), "2/5", "past the end of an array"),
        (SAXPY.replace("int i = blockIdx.x * blockDim.x + ", "int i = "), "3/5", "once"),
        (SAXPY.replace("a * x[i]", "a a * x[i]"), "1/5", 'NVRTC says: error: expected a ";"'),
        (SAXPY.replace("int n", "long n"), "4/5", "void saxpy(float a, const float* x"),
        (SAXPY.replace("gridDim.x)", "gridDim.x)\n  { __syncthreads();")
         .replace("y[i];", "y[i]; }"), "2/5", "does not simulate `__syncthreads`"),
    ],
)  # fmt: skip
def test_saxpy_wrong_answers(source, start, hint):
    _nvrtc_or_skip()
    line = run_checker("saxpy_kernel", {"SAXPY": source}).line()
    assert line.startswith(f"✗ saxpy_kernel: {start} — hint: ") and hint in line, line


def test_empty_cells_name_what_to_define():
    for exercise in IDS:
        line = run_checker(exercise, {}).line()
        assert line.startswith(f"✗ {exercise}: 0/5") and "the cell must define" in line


def test_without_nvrtc_the_compile_check_fails_and_says_why(monkeypatch):
    def missing(source, name="kernel.cu"):
        raise ImportError("No module named 'cupy_backends'")

    monkeypatch.setattr("learndl.backend.cuda_kernels.nvrtc.compile_to_ptx", missing)
    result = run_checker("leaky_relu_kernel", {"LEAKY_RELU": LEAKY})
    assert result.line() == (
        "✗ leaky_relu_kernel: 3/5 — hint: NVRTC is not installed: "
        "pip install 'learndl[gpu]' (no GPU needed)"
    )
    assert [c.passed for c in result.checks] == [True, False, False, True, True]


def test_interpreter_follows_c_arithmetic():
    x = np.array([-7.0, 7.0])
    assert run_elementwise("int q = (int)x / 2; y = q", x).tolist() == [-3, 3]  # truncation
    assert run_elementwise("int r = (int)x % 4; y = r", x).tolist() == [-3, 3]
    assert run_elementwise("y = 1 / 2 + x * 0", x).tolist() == [0, 0]  # integer division
    assert run_elementwise("y = x > 0 && x < 10 ? expf(0) : -fabsf(x) / 7", x).tolist() == [-1, 1]
    assert run_elementwise("y = 0.1f", x)[0] == np.float32(0.1)  # T = float rounds


def test_simulated_launch_counts_writes_and_catches_strays():
    x, y = np.arange(5, dtype=np.float32), np.zeros(5, dtype=np.float32)
    a, x_buf, y_buf, n = launch(SAXPY, 1, 2, 2.0, x, y, 5)
    assert y_buf.values.tolist() == [0, 2, 4, 6, 8] and y_buf.writes.tolist() == [1] * 5
    assert y.tolist() == [0] * 5  # the caller's arrays are copies, left alone
    with pytest.raises(OutOfBounds):
        launch(ONE_THREAD_EACH.replace("if (i < n)", ""), 2, 4, 1.0, x, y, 5)
    with pytest.raises(Unsupported, match="never finished"):
        launch(SAXPY.replace("i += blockDim.x * gridDim.x", "i += 0"), 1, 1, 1.0, x, y, 5)
    with pytest.raises(Unsupported, match="4 arguments, not 3"):
        launch(SAXPY, 1, 1, 1.0, x, y)


def test_the_lessons_kernels_compile_check_uses_nvrtc():
    _nvrtc_or_skip()
    assert lesson_11.nvrtc_hint(SAXPY) is None
    assert lesson_11.nvrtc_hint("this is not C").startswith("NVRTC says: ")
