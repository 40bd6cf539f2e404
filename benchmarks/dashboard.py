"""The TrainingDashboard's cost on the digits MLP (target: at most 5% of the training time).

Headless: no browser runs here. What is measured is the dashboard's Python side, the
part that runs in the kernel and slows training: ``step()`` after every optimizer step
(throttled: it reads gradient norms and builds the JSON state at most every 0.25 s,
histograms every 2 s), ``end_epoch()`` with its forced snapshot, and each update
assigned to a live ``LearndlWidget`` (traitlets validation and the comm message, sent to
no frontend). Drawing in the browser happens in another process and is not counted.

Variants, timed interleaved in one process: one epoch of the PyTorch-style loop
(ld.nn + ld.optim + DataLoader, batch 32) with and without the dashboard.

Run: ``.venv/bin/python benchmarks/dashboard.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved  # noqa: E402  (sets thread counts first)

# isort: split

import learndl as ld  # noqa: E402
from learndl import nn  # noqa: E402
from learndl.data import DataLoader, TensorDataset, datasets  # noqa: E402
from learndl.viz import TrainingDashboard  # noqa: E402


def setup():
    (X, y), _ = datasets.digits(test_size=0.2)
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = ld.optim.SGD(model.parameters(), lr=0.05)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    return model, opt, loader


def epoch(model, opt, loader, dash=None, number=[0]):  # noqa: B006  (a counter)
    number[0] += 1
    total = 0.0
    for step, (xb, yb) in enumerate(loader, 1):
        loss = ld.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        if dash is not None:
            dash.step(number[0], step, len(loader), loss)
    if dash is not None:
        dash.end_epoch({"loss": total / len(loader)})


def main() -> None:
    plain = setup()
    watched = setup()
    dash = TrainingDashboard(watched[0], epochs=None, live=True)
    try:
        dash._repr_mimebundle_()  # what display() does: makes the live widget it updates
        widget = "a live LearndlWidget (anywidget, no frontend attached)"
    except ImportError:
        widget = "no widget (anywidget not installed): the data only"
    times = interleaved(
        {
            "without dashboard": lambda: epoch(*plain),
            "with dashboard": lambda: epoch(*watched, dash),
        },
        number=1,
        rounds=15,
        warmup=2,
    )
    base, with_dash = times["without dashboard"], times["with dashboard"]
    overhead = with_dash / base - 1
    steps = len(plain[2])
    print("TrainingDashboard overhead, digits MLP 64-128-10, one epoch =", steps, "steps")
    print("  headless: the dashboard's Python side (throttled state updates, grad norms,")
    print(f"  histograms) measured without a browser; updates went to {widget}")
    print(f"  without dashboard   {base * 1e3:8.1f} ms / epoch")
    print(f"  with dashboard      {with_dash * 1e3:8.1f} ms / epoch")
    verdict = "met" if overhead <= 0.05 else "MISSED"
    print(f"  overhead: {overhead:+.1%}  (target <= 5%: {verdict})")
    print(f"  updates sent: {dash.total_steps} steps recorded, {len(dash.snapshots)} snapshots")


if __name__ == "__main__":
    main()
