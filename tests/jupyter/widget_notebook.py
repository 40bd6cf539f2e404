"""A small notebook that shows each widget: graph, stepper and the %%train dashboard.

Shared by the nbclient test (tests/jupyter/test_notebook_execution.py) and the JupyterLab
browser test (tests/browser/test_jupyterlab.py). L = a*b + a at a=2, b=3: the graph has 4
nodes (a, b, mul_1, L); the stepper's second step shows d(a * b)/da = b = 3.0.
"""

from __future__ import annotations

SOURCES = [
    "%load_ext learndl\n"
    "import learndl as ld\n"
    "a = ld.tensor(2.0, requires_grad=True)\n"
    "b = ld.tensor(3.0, requires_grad=True)\n"
    "L = a * b + a\n"
    'names = {"a": a, "b": b, "L": L}',
    "ld.viz.graph(L, names=names)",
    "ld.viz.BackwardStepper(L, names=names)",
    "from learndl import nn\n"
    "ld.manual_seed(0)\n"
    "X, y = ld.data.datasets.moons(64, seed=0)\n"
    "model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))\n"
    "optimizer = ld.optim.SGD(model.parameters(), lr=0.5)",
    "%%train --epochs 2 --data (X,y) --batch-size 32 --metrics accuracy\n"
    "logits = model(xb)\n"
    "loss = ld.cross_entropy(logits, yb)",
]
KINDS = {1: "graph", 2: "stepper", 4: "dashboard"}  # cell index -> widget kind
GRAPH_NODES = 4


def make_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in SOURCES]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb
