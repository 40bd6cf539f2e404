// Small helpers for the SVG that Graphviz writes. They do not need Graphviz itself, so
// the static bundle (which has no viz-js) can use them on SVG rendered by Python.
//
// Graphviz writes each node as   <g class="node"><title>NODE_ID</title> ...shapes... </g>
// each edge as                   <g class="edge"><title>A->B</title> ... </g>
// and each cluster subgraph as   <g class="cluster"><title>cluster_NAME</title> ... </g>
// so the <title> text is how we find the picture of a node by its id.

/** Turn SVG text into an element that can go in the page. */
export function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") throw new Error("learndl: the graph is not valid SVG");
  return fitToWidth(document.importNode(svg, true));
}

/** Let the drawing shrink with its container instead of overflowing it. */
export function fitToWidth(svg) {
  svg.classList.add("ld-graph-svg");
  svg.removeAttribute("height");
  svg.style.maxWidth = "100%";
  svg.style.height = "auto";
  return svg;
}

/** All `g.node` / `g.edge` / `g.cluster` groups, keyed by their <title> text. */
export function groupsByTitle(svg, kind) {
  const map = new Map();
  for (const g of svg.querySelectorAll(`g.${kind}`)) {
    const title = g.querySelector(":scope > title");
    if (title) map.set(title.textContent.trim(), g);
  }
  return map;
}

/** Graphviz writes "a->b" for digraphs and "a--b" for graphs. */
export function edgeTitle(from, to) {
  return [`${from}->${to}`, `${from}--${to}`];
}
