"""learndl on the GPU: an MLP step and a CNN step on CuPy, against PyTorch CUDA and the CPU.

Prints, measured in the same run and interleaved:
- the 784-256-128-10 MLP training step (batch 1024, float32, ReLU, cross-entropy, SGD);
- a small CNN step (conv 1->8->16 3x3 + ReLU + 2x2 max-pool, linear to 10; batch 256, 28x28)

each for learndl on CUDA (with its kernels), PyTorch on CUDA (target: learndl within 1.5x)
and learndl on the CPU. The GPU model is printed with the figures. Every GPU variant
synchronizes before its timer stops. Where no GPU exists it says so and exits (status 0,
so ``make bench`` goes on).

Run: ``.venv/bin/python benchmarks/gpu.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved, report  # noqa: E402  (sets thread counts first)

# isort: split

import numpy as np  # noqa: E402

import learndl as ld  # noqa: E402

BATCH_MLP, BATCH_CNN, LR = 1024, 256, 0.01


def learndl_models():
    mlp = ld.nn.Sequential(
        ld.nn.Linear(784, 256), ld.nn.ReLU(), ld.nn.Linear(256, 128), ld.nn.ReLU(),
        ld.nn.Linear(128, 10),
    )  # fmt: skip
    cnn = ld.nn.Sequential(
        ld.nn.Conv2d(1, 8, 3, padding=1), ld.nn.ReLU(), ld.nn.MaxPool2d(2),
        ld.nn.Conv2d(8, 16, 3, padding=1), ld.nn.ReLU(), ld.nn.MaxPool2d(2),
        ld.nn.Flatten(), ld.nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip
    return mlp, cnn


def torch_models(torch):
    nn = torch.nn
    mlp = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip
    return mlp, cnn


def learndl_step(model, device, x, y):
    """One SGD step as a closure, with its data already on ``device``."""
    model = model.to(device)
    opt = ld.optim.SGD(model.parameters(), lr=LR)
    x, y = ld.tensor(x).to(device), ld.tensor(y).to(device)

    def step(sync=True):
        opt.zero_grad()
        ld.cross_entropy(model(x), y).backward()
        opt.step()
        if sync:
            ld.cuda.synchronize()

    return step


def torch_step(torch, model, x, y):
    model = model.cuda()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        torch.cuda.synchronize()

    return step


def torch_cuda_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def main() -> None:
    if not ld.cuda.is_available():
        print("benchmarks/gpu.py: no CUDA GPU here (CuPy missing or it sees no device); nothing")
        print("to measure. On a machine with an NVIDIA GPU: pip install 'learndl[gpu]' and rerun.")
        return
    torch = torch_cuda_or_none()
    rng = np.random.default_rng(0)
    data = {
        "MLP": (rng.normal(size=(BATCH_MLP, 784)).astype(np.float32), BATCH_MLP),
        "CNN": (rng.normal(size=(BATCH_CNN, 1, 28, 28)).astype(np.float32), BATCH_CNN),
    }
    print(f"learndl {ld.__version__}, GPU: {ld.cuda.get_device_name()}")
    print(f"pytorch: {torch.__version__ + ' CUDA' if torch else 'no CUDA build; skipped'}")
    ld.manual_seed(0)
    models = dict(zip(("MLP", "CNN"), zip(learndl_models(), learndl_models(), strict=True)))
    tmodels = dict(zip(("MLP", "CNN"), torch_models(torch))) if torch else {}
    for name, (x, batch) in data.items():
        y = rng.integers(0, 10, batch)
        gpu_model, cpu_model = models[name]
        variants = {"learndl cuda": learndl_step(gpu_model, "cuda", x, y)}
        if torch:
            variants["pytorch cuda"] = torch_step(torch, tmodels[name], x, y)
        variants["learndl cpu"] = learndl_step(cpu_model, "cpu", x, y)
        times = interleaved(variants, number=3, rounds=5)
        title = f"{name} step, batch {batch}, float32" + (
            " (784-256-128-10)" if name == "MLP" else " (conv 1-8-16, 28x28)"
        )
        base = "pytorch cuda" if torch else "learndl cuda"
        report(title, times, base, 1e-3)
        if torch:
            ratio = times["learndl cuda"] / times["pytorch cuda"]
            print(f"  learndl cuda / pytorch cuda: {ratio:.2f}x  (target <= 1.5)")
        print(f"  learndl cpu / learndl cuda: {times['learndl cpu'] / times['learndl cuda']:.1f}x")
        where_time_goes(variants["learndl cuda"])


def where_time_goes(step) -> None:
    """How much of a CUDA step is the host's: the time to *issue* it (Python, CuPy, kernel
    launches; the GPU runs behind), against the whole step. When the two are about equal,
    the GPU waits for Python, and fewer, larger ops are what would help."""
    import time

    issue = []
    for _ in range(20):
        ld.cuda.synchronize()
        start = time.perf_counter()
        step(sync=False)
        issue.append(time.perf_counter() - start)
    ld.cuda.synchronize()
    print(f"  learndl cuda: the host issues a step in {np.median(issue) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
