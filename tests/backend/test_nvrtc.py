"""Every CUDA kernel of learndl compiles with NVRTC for a fixed architecture, without a GPU.

Runs wherever ``cupy-cuda12x`` and ``nvidia-cuda-nvrtc-cu12`` install (``make test``
installs the ``gpu`` extra); a syntax error in a kernel fails here, not on the first GPU.
"""

from __future__ import annotations

import pytest

from learndl.backend.cuda_kernels import elementwise, nvrtc


def _nvrtc_or_skip() -> None:
    try:
        from cupy_backends.cuda.libs import nvrtc as lib
    except ImportError as e:
        pytest.skip(f"needs cupy for its NVRTC binding (pip install 'learndl[gpu]'): {e}")
    try:
        lib.getVersion()
    except Exception as e:  # the libnvrtc shared library itself is missing
        pytest.skip(f"needs the NVRTC library (pip install nvidia-cuda-nvrtc-cu12): {e}")


SOURCES = nvrtc.all_kernel_sources()


@pytest.mark.parametrize("label", sorted(SOURCES))
def test_kernel_compiles_for_a_fixed_architecture(label):
    _nvrtc_or_skip()
    ptx = nvrtc.compile_to_ptx(SOURCES[label], f"{label}.cu")
    assert ".target sm_80" in ptx
    name = label.split("[")[0]
    entries = [spec[3] for key, spec in elementwise.ALL.items() if key == name] or [
        "softmax_ce_forward",
        "im2col",
        "max_pool_forward",
        "matmul_tiled",
    ]
    assert any(f".entry {entry}" in ptx for entry in entries), ptx[:500]


def test_every_kernel_is_compiled_in_both_float_types():
    names = {label.split("[")[0] for label in SOURCES}
    assert names == set(elementwise.ALL) | {"softmax_ce", "im2col", "pool", "matmul"}
    assert sum(label.endswith("[float]") for label in SOURCES) == len(names)
    assert sum(label.endswith("[double]") for label in SOURCES) == len(names)


def test_elementwise_wrapper_mirrors_cupys_generated_kernel():
    src = nvrtc.elementwise_source(elementwise.RELU_BACKWARD, "double")
    assert src.startswith("typedef double T;")
    assert 'extern "C" __global__ void learndl_relu_backward(' in src
    assert "const T grad = _raw_grad[i];" in src and "T &dx = _raw_dx[i];" in src


def test_a_broken_kernel_fails_with_nvrtcs_log():
    _nvrtc_or_skip()
    bad = 'extern "C" __global__ void k(float* x) { x[0] = undefined_name; }'
    with pytest.raises(nvrtc.CompileError, match="undefined_name"):
        nvrtc.compile_to_ptx(bad, "bad.cu")
