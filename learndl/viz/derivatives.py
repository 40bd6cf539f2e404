"""Each op's local derivatives, written out the way a learner works them by hand.

``TABLE[op]`` holds how the op reads as an expression and, per input, the derivative of
the output with respect to that input: a formula over the input names and, when it is
a number to show, how to compute it from the inputs ``x`` and the output ``out``.
A value is only printed for scalars; for tensors the formula is the lesson.

Example:
    >>> import learndl as ld
    >>> a, b = ld.tensor(2.0, requires_grad=True), ld.tensor(3.0, requires_grad=True)
    >>> c = a * b
    >>> local_derivatives(c.grad_fn, ["a", "b"])
    ['d(a * b)/da = b = 3.0', 'd(a * b)/db = a = 2.0']
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from learndl.viz.values import as_numpy, fmt

Rule = tuple[str, Callable[..., Any] | None]  # (formula, value from (x, out, node)) per input


def _same(text: str) -> Rule:
    return (text, None)


TABLE: dict[str, tuple[str, list[Rule]]] = {
    "add": ("{0} + {1}", [_same("1"), _same("1")]),
    "sub": ("{0} - {1}", [_same("1"), _same("-1")]),
    "mul": ("{0} * {1}", [("{1}", lambda x, o, n: x[1]), ("{0}", lambda x, o, n: x[0])]),
    "div": (
        "{0} / {1}",
        [("1/{1}", lambda x, o, n: 1 / x[1]), ("-{0}/{1}²", lambda x, o, n: -x[0] / x[1] ** 2)],
    ),
    "neg": ("-{0}", [_same("-1")]),
    "pow": (
        "{0} ** {exponent}",
        [
            (
                "{exponent} * {0} ** ({exponent} - 1)",
                lambda x, o, n: n.exponent * x[0] ** (n.exponent - 1),
            )
        ],
    ),
    "exp": ("exp({0})", [("exp({0})", lambda x, o, n: o)]),
    "log": ("log({0})", [("1/{0}", lambda x, o, n: 1 / x[0])]),
    "sqrt": ("sqrt({0})", [("1/(2 * sqrt({0}))", lambda x, o, n: 0.5 / o)]),
    "abs": ("abs({0})", [("sign({0})", lambda x, o, n: np.sign(x[0]))]),
    "tanh": ("tanh({0})", [("1 - tanh({0})²", lambda x, o, n: 1 - o * o)]),
    "sigmoid": ("sigmoid({0})", [("σ({0}) * (1 - σ({0}))", lambda x, o, n: o * (1 - o))]),
    "relu": ("relu({0})", [("1 if {0} > 0 else 0", lambda x, o, n: (x[0] > 0) * 1.0)]),
    "clip": ("clip({0}, {low}, {high})", [_same("1 inside [{low}, {high}], 0 outside")]),
    "erf": (
        "erf({0})",
        [("2/√π * exp(-{0}²)", lambda x, o, n: 2 / math.sqrt(math.pi) * np.exp(-(x[0] ** 2)))],
    ),
    "maximum": (
        "maximum({0}, {1})",
        [_same("1 where {0} is larger, ½ on ties"), _same("1 where {1} is larger, ½ on ties")],
    ),
    "minimum": (
        "minimum({0}, {1})",
        [_same("1 where {0} is smaller, ½ on ties"), _same("1 where {1} is smaller, ½ on ties")],
    ),
    "where": ("where({0}, {1}, {2})", [_same("0"), _same("1 where {0}"), _same("1 where not {0}")]),
    "sum": ("{0}.sum({axis})", [_same("1 for every element")]),
    "mean": ("{0}.mean({axis})", [_same("1/{count} for every element")]),
    "max": ("{0}.max({axis})", [_same("1 at the largest element (shared on ties), 0 elsewhere")]),
    "matmul": ("{0} @ {1}", [_same("upstream @ {1}ᵀ"), _same("{0}ᵀ @ upstream")]),
    "reshape": ("{0}.reshape{shape}", [_same("the gradient reshaped back to {0}'s shape")]),
    "permute": ("{0}.permute{dims}", [_same("the gradient permuted back")]),
    "expand": ("{0}.expand{shape}", [_same("the gradient summed over the copies")]),
    "getitem": ("{0}[...]", [_same("the gradient put back at the picked places, 0 elsewhere")]),
    "linear": (
        "{0} @ {1}ᵀ + {2}",
        [
            _same("upstream @ {1}"),
            _same("upstreamᵀ @ {0}"),
            _same("upstream summed over the batch"),
        ],
    ),
    "softmax": (
        "softmax({0}, {axis})",
        [_same("y * (upstream - (upstream * y).sum({axis})), with y = softmax({0})")],
    ),
    "log_softmax": (
        "log_softmax({0}, {axis})",
        [_same("upstream - softmax({0}) * upstream.sum({axis})")],
    ),
    "cross_entropy": (
        "cross_entropy({0}, {1})",
        [_same("(softmax({0}) - onehot({1})) * upstream, / N for the mean")],
    ),
    "clone": ("{0}.clone()", [_same("1")]),
    "cast": ("{0}.to({dtype})", [_same("1 (cast back)")]),
}
GENERIC = "the gradient passes back through {op}"
SHAPE_RULES = {"matmul", "reshape", "permute", "expand", "getitem", "linear"}  # no d(..)/dx form
SHAPE_RULES |= {"softmax", "log_softmax", "cross_entropy"}  # whole-tensor rules, likewise


def _settings(node: Any) -> dict[str, str]:
    out = {}
    for key, value in vars(node).items():
        if key.startswith("_") or key in ("inputs", "module"):
            continue
        if key == "axis":
            value = "" if value is None else f"axis={value[0] if len(value) == 1 else value}"
        elif isinstance(value, float | np.floating):
            value = fmt(value)
        out[key] = str(value)
    for key in ("axis", "low", "high", "exponent", "shape", "dims", "dtype", "count"):
        out.setdefault(key, "" if key == "axis" else "?")
    return out


def expression(node: Any, names: list[str]) -> str:
    """How the op reads with its inputs named: ``a * b``, ``relu(h)``, ``f.sum()``."""
    generic = node.name + "(" + ", ".join(f"{{{i}}}" for i in range(len(names))) + ")"
    template = TABLE.get(node.name, (generic, []))[0]
    try:
        return template.format(*names, **_settings(node))
    except (IndexError, KeyError):
        return f"{node.name}({', '.join(names)})"


def local_derivatives(node: Any, names: list[str]) -> list[str]:
    """One line per input that takes a gradient, e.g. ``d(a * b)/da = b = 3.0``."""
    entry = TABLE.get(node.name)
    expr = expression(node, names)
    lines = []
    for i, (inp, name) in enumerate(zip(node.inputs, names)):
        if not getattr(inp, "requires_grad", False):
            continue
        if entry is None or i >= len(entry[1]):
            lines.append(GENERIC.format(op=node.name))
            continue
        formula, value_of = entry[1][i]
        with contextlib.suppress(IndexError, KeyError):
            formula = formula.format(*names, **_settings(node))
        if node.name in SHAPE_RULES:
            lines.append(f"dL/d{name} = {formula}")
            continue
        line = f"d({expr})/d{name} = {formula}"
        value = _scalar_value(node, value_of)
        if value is not None and formula != value:
            line += f" = {value}"
        lines.append(line)
    return lines


def _scalar_value(node: Any, value_of: Callable[..., Any] | None) -> str | None:
    if value_of is None:
        return None
    xs = [as_numpy(t).astype(np.float64) for t in node.inputs]
    out = node.output
    if any(x.size != 1 for x in xs) or out is None:
        return None
    with np.errstate(all="ignore"):
        value = value_of([x.reshape(()) for x in xs], as_numpy(out).astype(np.float64), node)
    return fmt(value)
