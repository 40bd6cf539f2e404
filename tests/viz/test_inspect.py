"""ld.viz.activations and ld.viz.decision_boundary: data, text and inline SVG."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld

nn = pytest.importorskip("learndl.nn")


def model_and_data():
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]], dtype="float32")
    return model, X, np.array([0, 1, 0, 1])


def test_activations_per_layer_with_dead_relus_and_grad_norms():
    model, X, y = model_and_data()
    ld.cross_entropy(model(ld.tensor(X)), ld.tensor(y)).backward()
    acts = ld.viz.activations(model, ld.tensor(X))
    names = [(r["name"], r["type"], r["shape"]) for r in acts.layers]
    assert names == [("0", "Linear", [4, 16]), ("1", "ReLU", [4, 16]), ("2", "Linear", [4, 2])]
    relu = acts.layers[1]
    assert 0.0 <= relu["dead"] <= 1.0 and acts.layers[0]["dead"] is None
    assert acts.layers[0]["grad_norm"] > 0 and relu["grad_norm"] is None
    assert sum(relu["hist"]["counts"]) == 64
    bundle = acts._repr_mimebundle_()
    assert bundle["text/plain"].splitlines()[1].startswith("1            ReLU")
    assert bundle["text/html"].count("<svg") == 3


def test_decision_boundary_grid_and_svg():
    model, X, y = model_and_data()
    db = ld.viz.decision_boundary(model, X, y, resolution=10)
    assert db.grid.shape == (10, 10) and set(np.unique(db.grid)) <= {0, 1}
    svg = db._repr_mimebundle_()["text/html"]
    assert svg.count("<rect") == 100 and svg.count("<circle") == 4
    assert db.text().startswith("decision regions on a 10x10 grid")


def test_activations_draw_feature_maps_of_image_layers_as_pngs():
    import base64
    import zlib

    ld.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten())
    acts = ld.viz.activations(model, ld.rand(2, 1, 6, 5))
    conv, relu, flat = acts.layers
    assert np.asarray(conv["maps"]).shape == (3, 6, 5) and flat["maps"] is None
    assert np.min(relu["maps"]) >= 0.0 and np.max(conv["maps"]) == 1.0
    html = acts._repr_mimebundle_()["text/html"]
    assert html.count('class="ld-feature-map"') == 6  # conv and relu: 3 channels each
    url = ld.viz.inspect.png_data_url(np.array([[0.0, 1.0], [0.5, 0.25]]))
    png = base64.b64decode(url.split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    idat = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    assert zlib.decompress(idat) == bytes([0, 0, 255, 0, 128, 64])


def test_activations_draw_dense_layers_as_heat_maps():
    import base64
    import re
    import struct

    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 70), nn.ReLU(), nn.Linear(70, 5))
    acts = ld.viz.activations(model, ld.randn(20, 3))
    lin, relu, out = acts.layers
    assert np.asarray(lin["heatmap"]).shape == (16, 64) and np.asarray(out["heatmap"]).shape == (
        16,
        5,
    )
    assert np.min(relu["heatmap"]) >= 0.0
    assert acts.text().splitlines()[0].endswith("heat map: 16×64")
    html = acts._repr_mimebundle_()["text/html"]
    assert html.count('class="ld-heatmap"') == 3
    url = re.search(r'class="ld-heatmap"[^>]* src="([^"]+)"', html).group(1)
    png = base64.b64decode(url.split(",", 1)[1])
    assert struct.unpack(">IIBB", png[16:26]) == (64, 16, 8, 2)  # width, height, 8-bit RGB
