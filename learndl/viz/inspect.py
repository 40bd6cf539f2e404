"""``ld.viz.activations(model, x)`` and ``ld.viz.decision_boundary(model, X, y)``.

Both return plain data with a text form and a self-contained HTML picture (inline SVG, no
JavaScript), so they show the same in JupyterLab, the book and nbval.

Example:
    >>> import learndl as ld
    >>> from learndl import nn
    >>> _ = ld.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> acts = ld.viz.activations(model, ld.randn(8, 2))
    >>> [row["name"] for row in acts.layers]
    ['0', '1', '2']
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from learndl.viz.values import as_numpy, fmt, shape_text

PALETTE = ["#a5d8ff", "#ffc9c9", "#b2f2bb", "#ffec99", "#d0bfff", "#ffd8a8", "#99e9f2"]
MAX_MAPS = 16  # feature maps drawn per layer (channels of the first example)
HEAT_ROWS, HEAT_COLS = 16, 64  # examples x features drawn for dense (N, features) layers
BLUE, RED = np.array([0.11, 0.49, 0.84]), np.array([0.88, 0.19, 0.19])


def _maps(a: np.ndarray) -> list | None:
    """The first example's channels of an ``(N, C, H, W)`` output, each scaled to [0, 1]."""
    if a.ndim != 4 or a.shape[0] == 0:
        return None
    maps = a[0, :MAX_MAPS]
    lo, hi = maps.min(axis=(1, 2), keepdims=True), maps.max(axis=(1, 2), keepdims=True)
    return ((maps - lo) / np.where(hi > lo, hi - lo, 1.0)).round(3).tolist()


def _heatmap(a: np.ndarray) -> list | None:
    """The first 16 examples x 64 features of an ``(N, features)`` output, unscaled."""
    return a[:HEAT_ROWS, :HEAT_COLS].tolist() if a.ndim == 2 and a.size else None


def _heat_colours(values: list) -> np.ndarray:
    """RGB in [0, 1]: white to blue for outputs >= 0 (ReLU), else blue < 0 (white) < red."""
    v = np.asarray(values, dtype=np.float64)
    t = (v / (np.abs(v).max() or 1.0))[..., None]
    if (v >= 0).all():
        return 1 - t * (1 - BLUE)
    return 1 - np.clip(t, 0, 1) * (1 - RED) - np.clip(-t, 0, 1) * (1 - BLUE)


def _heat_image(values: list) -> str:
    """A dense layer's activations as one pixelated image: rows are examples, columns features."""
    h, w = len(values), len(values[0])
    scale = max(1, min(12, 256 // w))
    return (
        f'<img class="ld-heatmap" alt="heat map {h}x{w}" width="{w * scale}" '
        f'height="{h * scale}" title="{h} examples x {w} features (white = 0)" '
        f'src="{png_data_url(_heat_colours(values))}" '
        'style="image-rendering:pixelated;border:1px solid #ced4da;margin-left:6px">'
    )


def png_data_url(pixels: Any) -> str:
    """An 8-bit PNG of ``(H, W)`` gray or ``(H, W, 3)`` RGB in [0, 1], as a ``data:`` URL."""
    import base64
    import struct
    import zlib

    img = (np.clip(np.asarray(pixels, dtype=np.float64), 0, 1) * 255).round().astype(np.uint8)
    h, w = img.shape[:2]

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + row.tobytes() for row in img)  # filter 0 on every row
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2 if img.ndim == 3 else 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _map_grid(maps: list) -> str:
    """Feature maps as a grid of small pixelated images, 8 per row."""
    h, w = len(maps[0]), len(maps[0][0])
    scale = max(1, 40 // max(h, w))
    images = "".join(
        f'<img class="ld-feature-map" alt="channel {k}" title="channel {k}" '
        f'width="{w * scale}" height="{h * scale}" src="{png_data_url(m)}" '
        f'style="image-rendering:pixelated;border:1px solid #ced4da">'
        for k, m in enumerate(maps)
    )
    return (
        '<div class="ld-feature-maps" style="display:grid;gap:2px;'
        f'grid-template-columns:repeat({min(len(maps), 8)}, max-content)">{images}</div>'
    )


class Activations:
    """Per-layer outputs for one input: shape, mean, std, dead ReLUs, histogram, grad norm.

    For image layers (outputs ``(N, C, H, W)``) ``maps`` holds the first example's feature
    maps (at most 16 channels), which the HTML form draws as a grid of images. For dense
    layers (outputs ``(N, features)``) ``heatmap`` holds the first 16 examples x 64 features,
    drawn as a heat map beside the histogram.
    """

    def __init__(self, layers: list[dict[str, Any]]):
        self.layers = layers

    def text(self) -> str:
        rows = [
            f"{r['name']:<12} {r['type']:<12} {shape_text(r['shape']):<14} mean {fmt(r['mean'], 3)}"
            f"  std {fmt(r['std'], 3)}"
            + (f"  dead {r['dead']:.0%}" if r["dead"] is not None else "")
            + (f"  grad norm {fmt(r['grad_norm'], 3)}" if r["grad_norm"] is not None else "")
            + ("  heat map: {}×{}".format(*np.shape(r["heatmap"])) if r.get("heatmap") else "")
            for r in self.layers
        ]
        return "\n".join(rows)

    __repr__ = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        cells = []
        for r in self.layers:
            counts = np.asarray(r["hist"]["counts"], dtype=float)
            bars = "".join(
                f'<rect x="{k * 6}" y="{40 - 40 * c / max(counts.max(), 1):.1f}" width="5" '
                f'height="{40 * c / max(counts.max(), 1):.1f}" fill="#1c7ed6"/>'
                for k, c in enumerate(counts)
            )
            cells.append(
                f'<div style="display:inline-block;margin:4px;font:12px sans-serif">'
                f"<b>{escape(r['name'])}</b> {escape(r['type'])} {shape_text(r['shape'])}<br>"
                f'<svg width="{6 * len(counts)}" height="40">{bars}</svg>'
                + (_heat_image(r["heatmap"]) if r.get("heatmap") else "")
                + (_map_grid(r["maps"]) if r.get("maps") else "")
                + "</div>"
            )
        return {"text/plain": self.text(), "text/html": "".join(cells)}


def activations(model: Any, x: Any) -> Activations:
    """Run ``model(x)`` and record what every direct sub-layer produced."""
    found: list[tuple[str, Any, Any]] = []
    hooks = [
        m.register_forward_hook(lambda mod, inp, out, name=name: found.append((name, mod, out)))
        for name, m in model.named_modules()
        if name and "." not in name
    ]
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()
    params = dict(model.named_parameters())
    layers = []
    for name, mod, out in found:
        a = as_numpy(out).astype(np.float64)
        counts, edges = np.histogram(a, bins=20)
        grads = [
            p.grad for k, p in params.items() if k.startswith(name + ".") and p.grad is not None
        ]
        kind = type(mod).__name__
        layers.append(
            {
                "name": name,
                "type": kind,
                "shape": list(a.shape),
                "mean": float(a.mean()),
                "std": float(a.std()),
                "dead": float((a.reshape(a.shape[0], -1) <= 0).all(axis=0).mean())
                if "relu" in kind.lower()
                else None,
                "grad_norm": float(np.sqrt(sum((as_numpy(g) ** 2).sum() for g in grads)))
                if grads
                else None,
                "hist": {"edges": edges.tolist(), "counts": counts.tolist()},
                "maps": _maps(a),
                "heatmap": _heatmap(a),
            }
        )
    return Activations(layers)


class DecisionBoundary:
    """A grid of predicted classes over the plane of a 2-D dataset, with the points."""

    def __init__(self, grid: np.ndarray, extent: tuple, X: np.ndarray, y: np.ndarray):
        self.grid, self.extent, self.X, self.y = grid, extent, X, y

    def text(self) -> str:
        classes = ", ".join(f"{c}: {(self.grid == c).mean():.0%}" for c in np.unique(self.grid))
        acc = ""
        return (
            f"decision regions on a {self.grid.shape[1]}x{self.grid.shape[0]} grid ({classes}){acc}"
        )

    __repr__ = text

    def svg(self, size: int = 240) -> str:
        ny, nx = self.grid.shape
        x0, x1, y0, y1 = self.extent
        cw, ch = size / nx, size / ny
        cells = "".join(
            f'<rect x="{i * cw:.1f}" y="{size - (j + 1) * ch:.1f}" width="{cw + 0.5:.1f}" '
            f'height="{ch + 0.5:.1f}" fill="{PALETTE[int(c) % len(PALETTE)]}"/>'
            for j, row in enumerate(self.grid)
            for i, c in enumerate(row)
        )
        px = (self.X[:, 0] - x0) / (x1 - x0) * size
        py = size - (self.X[:, 1] - y0) / (y1 - y0) * size
        dots = "".join(
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" stroke="#212529" stroke-width="0.6" '
            f'fill="{PALETTE[int(c) % len(PALETTE)]}"/>'
            for a, b, c in zip(px, py, self.y)
        )
        head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        return f"{head}{cells}{dots}</svg>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.svg()}


def decision_boundary(model: Any, X: Any, y: Any, resolution: int = 60) -> DecisionBoundary:
    """The class ``model`` predicts at each point of a grid covering ``X`` (2 features)."""
    import learndl as ld

    X, y = as_numpy(X).astype(np.float32), as_numpy(y)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    points = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    with ld.no_grad():
        out = as_numpy(model(ld.tensor(points)))
    pred = out.argmax(axis=1) if out.ndim == 2 and out.shape[1] > 1 else (out.ravel() > 0)
    grid = pred.astype(np.int64).reshape(resolution, resolution)
    return DecisionBoundary(grid, (float(x0), float(x1), float(y0), float(y1)), X, y)
