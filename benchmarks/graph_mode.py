"""Graph mode against eager mode: one training step of an MLP, traced vs. run op by op.

Prints, measured in the same run (interleaved rounds, medians):
- the digits MLP 64-128-10 (batch 64 and 128, SGD) — target: traced <= 0.6x eager;
- the MNIST-sized MLP 784-256-128-10 (batch 128, SGD);
- inference of the digits MLP in onnxruntime against learndl, when onnx/onnxruntime exist.

Run: ``.venv/bin/python benchmarks/graph_mode.py``
"""

from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from _timing import interleaved, report  # noqa: E402  (sets BLAS threads before numpy loads)

# isort: split

import numpy as np  # noqa: E402

import learndl as ld  # noqa: E402


def mlp(sizes: list[int]):
    from learndl import nn

    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers)


def training_step(model):
    opt = ld.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = ld.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def compare_training(sizes: list[int], batch: int, number: int) -> float:
    rng = np.random.default_rng(0)
    x = ld.tensor(rng.normal(size=(batch, sizes[0])).astype(np.float32))
    y = ld.tensor(rng.integers(0, sizes[-1], batch))
    ld.manual_seed(0)
    eager = training_step(mlp(sizes))
    ld.manual_seed(0)
    traced = ld.function(training_step(mlp(sizes)))
    times = interleaved({"eager": lambda: eager(x, y), "traced": lambda: traced(x, y)}, number)
    name = "-".join(map(str, sizes))
    report(f"training step, MLP {name}, batch {batch}, SGD", times, "eager")
    return times["traced"] / times["eager"]


def compare_inference(sizes: list[int], batch: int, number: int) -> None:
    try:
        import onnxruntime as ort
    except ImportError:
        print("\n(onnxruntime not installed: inference comparison skipped)")
        return
    ld.manual_seed(0)
    model = mlp(sizes).eval()
    x = ld.randn(batch, sizes[0])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mlp.onnx")
        ld.export.onnx(model, x, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: x.numpy()}
        with ld.no_grad():
            times = interleaved(
                {"learndl eager": lambda: model(x), "onnxruntime": lambda: session.run(None, feed)},
                number,
            )
    report(f"inference, MLP {'-'.join(map(str, sizes))}, batch {batch}", times, "learndl eager")


def main() -> None:
    ratios = {
        "digits 64-128-10, batch 64": compare_training([64, 128, 10], 64, 200),
        "digits 64-128-10, batch 128": compare_training([64, 128, 10], 128, 200),
        "784-256-128-10, batch 128": compare_training([784, 256, 128, 10], 128, 50),
    }
    print("\ntraced / eager (target for the digits MLP: <= 0.60)")
    for name, r in ratios.items():
        print(f"  {name:<30} {r:.2f}x")
    compare_inference([64, 128, 10], 64, 500)


if __name__ == "__main__":
    main()
