// Entry of widgets.js, the bundle that anywidget loads as `_esm` in a live kernel.
// One widget class on the Python side sets the traitlet `kind`; this module hands the
// view to the matching renderer. Graphviz is bundled here, so `dot` can be drawn.
import { renderStepper } from "./stepper.js";
import { renderGraph, renderDot, errorBox } from "./graph.js";
import { renderDashboard } from "./dashboard.js";
import { makeRenderStatic } from "./static.js";

const VIEWS = { stepper: renderStepper, graph: renderGraph, dashboard: renderDashboard };

function render({ model, el }) {
  const kind = model.get("kind");
  const view = VIEWS[kind];
  if (!view) {
    el.replaceChildren(errorBox(new Error(`unknown widget kind "${kind}"`)));
    return undefined;
  }
  return view({ model, el, renderDot });
}

/** Same as static.js's renderStatic, but it can also draw `dot` and kind "graph". */
export const renderStatic = makeRenderStatic(VIEWS, { renderDot });

export default { render };
export { renderDot };
