"""Compile CUDA source to PTX with NVRTC alone: no GPU, no driver, no CuPy device calls.

CuPy compiles a kernel the first time it is launched, which needs a GPU. To catch a typo in
a kernel on a laptop or in CI, we call NVRTC (NVIDIA's runtime compiler, shipped in the
``nvidia-cuda-nvrtc-cu12`` wheel) directly, for a fixed architecture.

An ``ElementwiseKernel`` is only a body; ``elementwise_source`` wraps it in a complete
``__global__`` function the way CuPy's code generator does (one thread per element, each
input read into a local, each output bound by reference), so the body is checked with the
same names and types it will have.
"""

from __future__ import annotations

ARCH = "compute_80"  # a fixed virtual architecture (Ampere): PTX, so no GPU is needed


class CompileError(RuntimeError):
    """NVRTC rejected a kernel; the message holds its log (line numbers and errors)."""


def elementwise_source(spec: tuple[str, str, str, str], ctype: str) -> str:
    """A complete kernel equivalent to the one CuPy generates for an ElementwiseKernel spec."""
    in_params, out_params, body, name = spec
    params, loads = [], []
    for text, is_input in ((in_params, True), (out_params, False)):
        for param in filter(None, (p.strip() for p in text.split(","))):
            _, var = param.split()  # "T x": every learndl kernel uses the type T
            if is_input:
                params.append(f"const T* _raw_{var}")
                loads.append(f"const T {var} = _raw_{var}[i];")
            else:
                params.append(f"T* _raw_{var}")
                loads.append(f"T &{var} = _raw_{var}[i];")
    return (
        f"typedef {ctype} T;\n"
        f'extern "C" __global__ void {name}({", ".join(params)}, long long _n) {{\n'
        "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < _n;\n"
        "       i += (long long)blockDim.x * gridDim.x) {\n"
        + "".join(f"    {line}\n" for line in loads)
        + f"    {body.strip()};\n  }}\n}}\n"
    )


def compile_to_ptx(source: str, name: str = "kernel.cu", arch: str = ARCH) -> str:
    """Compile ``source`` with NVRTC and return the PTX text, or raise ``CompileError``.

    Needs ``cupy`` (for its NVRTC binding) and ``nvidia-cuda-nvrtc-cu12``; no GPU.
    """
    from cupy_backends.cuda.libs import nvrtc

    prog = nvrtc.createProgram(source, name, [], [])
    try:
        try:
            nvrtc.compileProgram(prog, [f"-arch={arch}", "-std=c++14"])
        except nvrtc.NVRTCError as e:
            log = nvrtc.getProgramLog(prog)
            raise CompileError(f"{name} does not compile for {arch}:\n{log}") from e
        ptx = nvrtc.getPTX(prog)
        return ptx.decode() if isinstance(ptx, bytes) else ptx
    finally:
        nvrtc.destroyProgram(prog)


def all_kernel_sources() -> dict[str, str]:
    """Every learndl kernel as complete CUDA source, once per dtype: ``{label: source}``."""
    from learndl.backend.cuda_kernels import CTYPES, RAW_MODULES, elementwise, typed

    out = {}
    for ctype in CTYPES.values():
        for name, spec in elementwise.ALL.items():
            out[f"{name}[{ctype}]"] = elementwise_source(spec, ctype)
        for module in RAW_MODULES:
            out[f"{module.__name__.rsplit('.', 1)[1]}[{ctype}]"] = typed(module.SOURCE, ctype)
    return out
