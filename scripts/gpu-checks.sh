#!/usr/bin/env bash
# learndl's checks that need an NVIDIA GPU, in one run (issue #8's "shown by"):
#   1. the gpu-marked tests and every other test of the device code,
#   2. benchmarks/gpu.py (MLP and CNN steps: learndl CUDA vs PyTorch CUDA vs learndl CPU),
#   3. scripts/record_gpu_timings.py (lesson 11's stored GPU timings).
# Usage: bash scripts/gpu-checks.sh [OUTDIR]  — with a Python that has numpy, cupy, pytest,
# hypothesis, pytest-timeout and (optionally) torch with CUDA. learndl is used from this
# checkout (PYTHONPATH), not installed. Logs and gpu_timings.json land in OUTDIR.
set -u
out=${1:-gpu-checks-out}
mkdir -p "$out"
py=${PYTHON:-python3}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
status=0
{
  nvidia-smi -L
  $py -c "import sys, numpy, cupy; print(sys.version.split()[0], 'numpy', numpy.__version__, 'cupy', cupy.__version__)"
  $py -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())" || true
} 2>&1 | tee "$out/versions.txt"

echo "== tests: the gpu marker, then the same files' CPU cases =="
timeout 200 $py -m pytest -q -p no:cacheprovider -m gpu tests/gpu tests/test_cuda.py \
  tests/backend tests/exercises/test_lesson_11.py 2>&1 | tee "$out/tests_gpu.log"
status=$((status | PIPESTATUS[0]))
timeout 100 $py -m pytest -q -p no:cacheprovider -m 'not gpu' tests/gpu tests/test_cuda.py tests/backend \
  tests/exercises/test_lesson_11.py 2>&1 | tail -n 30 | tee "$out/tests_device_files.log"

echo "== benchmarks/gpu.py =="
timeout 120 $py benchmarks/gpu.py 2>&1 | tee "$out/bench_gpu.log"
status=$((status | PIPESTATUS[0]))

echo "== scripts/record_gpu_timings.py =="
timeout 120 $py scripts/record_gpu_timings.py --out "$out/gpu_timings.json" 2>&1 \
  | tee "$out/record_gpu_timings.log"
status=$((status | PIPESTATUS[0]))
exit $status
