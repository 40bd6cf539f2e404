"""Leaving learndl: export a trained model to ONNX, the exchange format runtimes serve.

``ld.export.onnx(model, example_input, path)`` writes a ``.onnx`` file that
``onnxruntime`` (or TensorRT, OpenVINO, a phone) runs without Python or learndl.

Example:
    >>> import learndl as ld, tempfile, os
    >>> model = ld.nn.Sequential(ld.nn.Linear(4, 3), ld.nn.ReLU())
    >>> path = os.path.join(tempfile.mkdtemp(), "m.onnx")
    >>> ld.export.onnx(model, ld.randn(2, 4), path)  # doctest: +ELLIPSIS
    '...m.onnx'
"""

from __future__ import annotations

from learndl.export.onnx import ExportError, onnx

__all__ = ["ExportError", "onnx"]
