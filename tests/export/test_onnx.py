"""ONNX export: every supported ld.nn layer round-trips through onnxruntime within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import nn

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

DENSE = {
    "linear": lambda: nn.Linear(8, 5),
    "relu": lambda: nn.Sequential(nn.Linear(8, 5), nn.ReLU()),
    "tanh": lambda: nn.Sequential(nn.Linear(8, 5), nn.Tanh()),
    "sigmoid": lambda: nn.Sequential(nn.Linear(8, 5), nn.Sigmoid()),
    "gelu": lambda: nn.Sequential(nn.Linear(8, 5), nn.GELU()),
    "gelu_tanh": lambda: nn.Sequential(nn.Linear(8, 5), nn.GELU(approximate="tanh")),
    "leaky_relu": lambda: nn.Sequential(nn.Linear(8, 5), nn.LeakyReLU(0.2)),
    "softmax": lambda: nn.Sequential(nn.Linear(8, 5), nn.Softmax(dim=1)),
    "log_softmax": lambda: nn.Sequential(nn.Linear(8, 5), nn.LogSoftmax(dim=1)),
    "dropout": lambda: nn.Sequential(nn.Linear(8, 5), nn.Dropout(0.5)),
    "batchnorm1d": lambda: nn.Sequential(nn.Linear(8, 5), nn.BatchNorm1d(5)),
    "mlp": lambda: nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)),
}
IMAGES = {
    "conv2d": lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1),
    "maxpool": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.MaxPool2d(2)),
    "avgpool": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.AvgPool2d(2)),
    "batchnorm2d": lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)),
    "cnn": lambda: nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 3)
    ),
}


def _trained_stats(model, x):
    """Give batch norms non-trivial running statistics, then switch to eval mode."""
    with ld.no_grad():
        for _ in range(3):
            model(x * 2.0 + 1.0)
    return model.eval()


@pytest.mark.parametrize("name", sorted(DENSE) + sorted(IMAGES))
def test_round_trip_through_onnxruntime(name, tmp_path):
    ld.manual_seed(0)
    x = ld.randn(4, 2, 6, 6) if name in IMAGES else ld.randn(4, 8)
    model = _trained_stats((DENSE.get(name) or IMAGES[name])(), x)
    path = ld.export.onnx(model, x, str(tmp_path / "model.onnx"))
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for batch in (x, x[:1] * 3.0):  # the batch axis is symbolic
        (got,) = session.run(None, {"input": batch.numpy()})
        with ld.no_grad():
            np.testing.assert_allclose(got, model(batch).numpy(), atol=1e-5, rtol=1e-5)


def test_a_layer_without_onnx_equivalent_is_named():
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
    with pytest.raises(ld.export.ExportError, match="LayerNorm"):
        ld.export.onnx(model, ld.randn(2, 4), "unused.onnx")


def test_batch_norm_in_training_mode_is_refused(tmp_path):
    with pytest.raises(ld.export.ExportError, match="eval"):
        ld.export.onnx(nn.BatchNorm1d(3), ld.randn(4, 3), str(tmp_path / "m.onnx"))


def test_import_learndl_does_not_import_onnx():
    import subprocess
    import sys

    code = "import sys, learndl; learndl.export; print('onnx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"
