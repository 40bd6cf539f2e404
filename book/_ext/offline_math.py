"""Math drawn at build time: each formula becomes an SVG picture, so pages need no MathJax.

Sphinx's default math renderer loads MathJax from a CDN when a reader opens a page, which
an offline book cannot do. Here Matplotlib's mathtext (the TeX subset Matplotlib knows:
fractions, sub- and superscripts, Greek, ``\\partial``, ``\\sum``, ``\\sqrt``, accents,
``\\mathbf``, ...) draws each formula as SVG with its glyphs as paths, inlined as a data
URL with the TeX as alt text. ``aligned``/``align`` blocks are drawn one line at a time;
brace-less arguments (``\\frac12``, ``\\sqrt n``) are braced and two-row matrices become
``\\genfrac``, which mathtext has.
A formula mathtext cannot parse is shown as its TeX source, and Sphinx warns (so ``-W``
fails the build and names the page).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import re
from html import escape

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
FONT_PT = 10.0  # drawn at this size, shown 1/FONT_PT em per point: Computer Modern looks
SCALE = 1.2  # small beside the page's sans-serif text, so it is shown a little larger
# TeX that mathtext lacks, rewritten to what it has.
SUBSTITUTE = {r"\tfrac": r"\frac", r"\dfrac": r"\frac", r"\lVert": r"\Vert", r"\rVert": r"\Vert"}
# Commands whose arguments TeX lets go without braces (\frac12, \sqrt n, \hat y);
# mathtext wants them braced.
ARGS = {"frac": 2, "sqrt": 1, "hat": 1, "bar": 1, "tilde": 1, "vec": 1, "dot": 1}
MATRIX = re.compile(r"\\begin\{([pbv]?)matrix\}(.*?)\\end\{\1matrix\}", re.S)
ENVS = re.compile(r"\\(begin|end)\{(aligned|align\*?|gathered|equation\*?|split)\}")


@functools.lru_cache(maxsize=4096)
def tex_to_svg(tex: str) -> tuple[str, float, float, float]:
    """SVG text, width, height and depth (in em) of one line of TeX math."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import figure, font_manager, mathtext, rc_context

    with rc_context({"mathtext.fontset": "cm", "svg.fonttype": "path", "svg.hashsalt": "learndl"}):
        prop = font_manager.FontProperties(size=FONT_PT)
        width, height, depth, _, _ = mathtext.MathTextParser("path").parse(
            f"${tex}$", dpi=72, prop=prop
        )
        fig = figure.Figure(figsize=(width / 72, height / 72))
        fig.text(0, depth / height, f"${tex}$", fontproperties=prop)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None})
    em = FONT_PT / SCALE
    return buf.getvalue().decode(), width / em, height / em, depth / em


def _argument(tex: str, i: int) -> tuple[str, int]:
    """The TeX argument starting at ``tex[i]`` (after spaces): a {group}, \\command or char."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        depth = 0
        for j in range(i, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            if depth == 0:
                return tex[i + 1 : j], j + 1
        return tex[i + 1 :], len(tex)
    if tex[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
        return m.group(0), i + len(m.group(0))
    return tex[i], i + 1


def _matrix(m: re.Match) -> str:  # two rows: mathtext's \genfrac with no rule
    rows = [r.replace("&", r"\quad ") for r in re.split(r"\\\\", m.group(2)) if r.strip()]
    if len(rows) != 2:
        return m.group(0)
    left, right = {"p": "()", "b": "[]", "v": "||", "": ".."}[m.group(1)]
    left, right = ("", "") if left == "." else (left, right)
    return rf"\genfrac{{{left}}}{{{right}}}{{0}}{{}}{{{rows[0]}}}{{{rows[1]}}}"


def normalize(tex: str) -> str:
    """Rewrite common TeX that mathtext cannot parse into an equivalent it can."""
    for old, new in SUBSTITUTE.items():
        tex = tex.replace(old, new)
    tex = re.sub(r"\\(le|ge)(?![A-Za-z])", r"\\\1q", tex)  # \le is \leq
    tex = re.sub(r"\\[Bb]ig{1,2}[lr]?(?![A-Za-z])", "", tex)  # sized delimiters: plain size
    tex = MATRIX.sub(_matrix, tex)
    out, i = [], 0
    while i < len(tex):
        m = re.match(r"\\([A-Za-z]+)", tex[i:])
        if not m:
            out.append(tex[i])
            i += 1
            continue
        out.append(m.group(0))
        i += len(m.group(0))
        if m.group(1) == "sqrt" and tex[i : i + 1] == "[":  # \sqrt[3]{x}: keep the index
            j = tex.index("]", i) + 1 if "]" in tex[i:] else len(tex)
            out.append(tex[i:j])
            i = j
        for _ in range(ARGS.get(m.group(1), 0)):
            arg, i = _argument(tex, i)
            out.append("{" + normalize(arg) + "}")
    return "".join(out)


def _lines(tex: str) -> list[str]:
    """Split a display block into lines: ``\\\\`` breaks, ``&`` alignment marks dropped."""
    body = ENVS.sub("", MATRIX.sub(_matrix, tex))
    lines = [ln.replace("&", "").strip() for ln in re.split(r"\\\\", body)]
    return [" ".join(ln.split()) for ln in lines if ln.strip()]


def render(tex: str, node: nodes.Element) -> str:
    """One ``<img>`` for the formula; TeX in a ``<code>`` when mathtext cannot draw it."""
    tex = " ".join(tex.split())
    try:
        svg, w, h, d = tex_to_svg(normalize(tex))
    except Exception as e:  # mathtext raises ValueError and friends with the parse error
        logger.warning(f"math not drawn ({type(e).__name__}): {tex!r}", location=node)
        return f'<code class="ld-math-tex">{escape(tex)}</code>'
    data = base64.b64encode(svg.encode()).decode()
    return (
        f'<img class="ld-math" alt="{escape(tex)}" src="data:image/svg+xml;base64,{data}" '
        f'style="width:{w:.3f}em;height:{h:.3f}em;vertical-align:-{d:.3f}em">'
    )


def visit_inline(self, node: nodes.math) -> None:
    self.body.append(render(node.astext(), node))
    raise nodes.SkipNode


def visit_block(self, node: nodes.math_block) -> None:
    # The theme lays div.math out as a reversed flex row (the number first): the lines go
    # in one growing, centred box.
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    self.body.append('<div style="flex-grow:1;text-align:center">')
    for line in _lines(node.astext()):
        self.body.append(f'<div style="margin:.3em 0">{render(line, node)}</div>')
    self.body.append("</div></div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    with contextlib.suppress(ExtensionError):  # registered already: a second build, one process
        app.add_html_math_renderer("offline_math", (visit_inline, None), (visit_block, None))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
