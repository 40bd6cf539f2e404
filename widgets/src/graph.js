// Draw a DOT graph with Graphviz compiled to WebAssembly (@viz-js/viz), bundled into
// widgets.js so nothing is fetched from the network. Module boxes (Graphviz clusters)
// fold into one node and unfold again on click; graph_logic.js picks the DOT to draw.
import { instance } from "@viz-js/viz";
import { groupsByTitle, fitToWidth } from "./svg.js";
import { toggleCluster, foldable } from "./graph_logic.js";

// Starting Graphviz decodes ~1.5 MB of WebAssembly: do it once per page and share it
// between every widget, however many cells draw graphs.
let vizPromise = null;

function getViz() {
  vizPromise ??= instance();
  return vizPromise;
}

/** Render DOT text to an <svg> element (a Promise, since Graphviz loads lazily). */
export async function renderDot(dot) {
  const viz = await getViz();
  return fitToWidth(viz.renderSVGElement(dot));
}

/** anywidget view for kind "graph": data = { dot, dot_collapsed? }. */
export function renderGraph({ model, el }) {
  el.classList.add("ld-widget", "ld-graph");
  let collapsed = new Set();
  let drawing = 0; // guards against an older, slower render finishing last

  async function draw(dot) {
    const ticket = ++drawing;
    let svg;
    try {
      svg = await renderDot(dot);
    } catch (err) {
      el.replaceChildren(errorBox(err));
      return;
    }
    if (ticket !== drawing) return;
    wireClusters(svg, model.get("data"));
    el.replaceChildren(svg);
  }

  // Clicking a module box folds it; clicking a folded node unfolds it.
  function wireClusters(svg, data) {
    const canFold = foldable(data);
    const onClick = (name) => () => {
      const next = toggleCluster(data, collapsed, name);
      collapsed = next.collapsed;
      draw(next.dot);
    };
    for (const [name, g] of groupsByTitle(svg, "cluster")) {
      if (!canFold.has(name)) continue;
      g.classList.add("ld-foldable");
      g.addEventListener("click", onClick(name));
    }
    for (const [name, g] of groupsByTitle(svg, "node")) {
      if (!collapsed.has(name)) continue;
      g.classList.add("ld-folded");
      g.addEventListener("click", onClick(name));
    }
  }

  const onData = () => {
    collapsed = new Set();
    draw(model.get("data").dot);
  };
  model.on("change:data", onData);
  onData();
  return () => model.off?.("change:data", onData);
}

export function errorBox(err) {
  const box = document.createElement("pre");
  box.className = "ld-error";
  box.textContent = `learndl could not draw this graph:\n${err?.message ?? err}`;
  return box;
}
