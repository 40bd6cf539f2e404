"""``model.summary()``: the table Keras 3 prints, drawn with box characters.

Keras draws it with the ``rich`` library; this module draws the same characters
without it. Widths follow Keras: the line is ``min(88, terminal columns - 4)`` wide
(76 where there is no terminal), split at 45% and 80%, then narrowed to fit the borders
the way ``rich`` does. Sizes count 4 bytes per float32 weight, in B, KB, MB, ...
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable


def readable_size(nbytes: float) -> str:
    for unit in ["B", "KB", "MB", "GB", "TB"]:
        if nbytes / 1024 < 1:
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} PB"


def column_widths(line_length: int, positions=(0.45, 0.80, 1.0)) -> list[int]:
    """Inner widths (text plus one space each side) of the three columns."""
    wanted, current = [], 0
    for pos in positions:
        wanted.append(int(pos * line_length) - current + 2)
        current += wanted[-1] - 2
    # rich shrinks the columns evenly (rounding half to even) to fit line_length.
    excess, ratio, out = sum(wanted) - (line_length - len(positions) - 1), len(wanted), []
    for w in wanted:
        cut = min(w, round(excess / ratio)) if excess > 0 else 0
        out.append(w - cut)
        excess, ratio = excess - cut, ratio - 1
    return out


def _shape(layer) -> str:
    shape = layer._output_shape
    return "?" if shape is None else "(" + ", ".join(str(d) for d in shape) + ")"


def _params(layer) -> str:
    return f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"


def _row(cells: list[str], widths: list[int], aligns: str) -> list[str]:
    wrapped = [textwrap.wrap(c, w - 2) or [""] for c, w in zip(cells, widths)]
    lines = []
    for i in range(max(len(w) for w in wrapped)):
        parts = []
        for text, w, a in zip(wrapped, widths, aligns):
            t = text[i] if i < len(text) else ""
            parts.append(" " + (t.rjust(w - 2) if a == "r" else t.ljust(w - 2)) + " ")
        lines.append("│" + "│".join(parts) + "│")
    return lines


def _rule(widths: list[int], left: str, mid: str, right: str, fill: str) -> str:
    return left + mid.join(fill * w for w in widths) + right


def summary_lines(model, line_length: int | None = None) -> list[str]:
    if line_length is None:
        line_length = min(88, shutil.get_terminal_size().columns - 4)
    widths = column_widths(line_length)
    head = _row(["Layer (type)", "Output Shape", "Param #"], widths, "llr")
    lines = [f'Model: "{model.name}"', _rule(widths, "┏", "┳", "┓", "━")]
    lines += [h.replace("│", "┃") for h in head]
    lines.append(_rule(widths, "┡", "╇", "┩", "━"))
    for i, layer in enumerate(model.layers):
        if i:
            lines.append(_rule(widths, "├", "┼", "┤", "─"))
        name = f"{layer.name} ({type(layer).__name__})"
        lines += _row([name, _shape(layer), _params(layer)], widths, "llr")
    lines.append(_rule(widths, "└", "┴", "┘", "─"))
    groups = [model.trainable_weights, model.non_trainable_weights]
    counts = [sum(w.numel() for w in g) for g in groups]
    sizes = [sum(w.numel() * w.dtype.itemsize for w in g) for g in groups]
    for label, count, size in [
        ("Total", sum(counts), sum(sizes)),
        ("Trainable", counts[0], sizes[0]),
        ("Non-trainable", counts[1], sizes[1]),
    ]:
        lines.append(f" {label} params: {count:,} ({readable_size(size)})")
    return lines


def print_summary(model, line_length: int | None = None, print_fn: Callable | None = None):
    (print_fn or print)("\n".join(summary_lines(model, line_length)))
