// "No kernel" mode: run the same views in a plain HTML page (the published book, an
// exported notebook) where there is no Python behind the widget. A fake model answers
// `get` from a fixed object and ignores everything else, so the views cannot tell.
//
// This file is the entry of the small bundle static.js, which Python inlines into
// `text/html` outputs. It leaves out Graphviz (~1.5 MB): the stepper gets its graph as
// ready-made `svg`.
import { renderStepper } from "./stepper.js";
import { renderDashboard } from "./dashboard.js";

/** A stand-in for anywidget's model: traitlets frozen at the values given. */
export function staticModel(traits) {
  const values = { ...traits };
  return {
    get: (name) => values[name],
    set: (name, value) => {
      values[name] = value; // kept so get() stays consistent; nobody is listening
    },
    on: () => {},
    off: () => {},
    save_changes: () => {},
    send: () => {},
  };
}

/**
 * Make a renderStatic for a set of views. `extra` is passed to every view; the live
 * bundle passes { renderDot } so its renderStatic can draw DOT too.
 */
export function makeRenderStatic(views, extra = {}) {
  return function renderStatic(el, kind, data) {
    const view = views[kind];
    if (!view) {
      el.textContent = `learndl: no "${kind}" view here (known: ${Object.keys(views).join(", ")})`;
      return undefined;
    }
    return view({ model: staticModel({ kind, data, frame: 0 }), el, ...extra });
  };
}

/**
 * Draw a widget into `el` without a kernel.
 *   renderStatic(document.getElementById("ld-1"), "stepper", {svg, nodes, frames})
 * The bundle is built as an IIFE named `learndlWidgets`, so inlined code calls
 * learndlWidgets.renderStatic(...).
 */
export const renderStatic = makeRenderStatic({ stepper: renderStepper, dashboard: renderDashboard });
