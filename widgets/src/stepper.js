// The backward-pass stepper: the computation graph on the left, and on the right what
// one step of backpropagation does at the highlighted node — the gradient arriving from
// above, the local derivatives, and what is passed down to each input.
//
// The frames come from Python (learndl.viz.frames); their shape is documented in
// widgets/README.md. All decisions about which frame to show live in stepper_logic.js;
// this file only builds elements and wires events.
import * as logic from "./stepper_logic.js";
import { parseSvg, groupsByTitle, edgeTitle } from "./svg.js";

/**
 * anywidget view for kind "stepper". `renderDot` turns DOT into SVG (given by the live
 * bundle, which has Graphviz); without it the data must carry a pre-rendered `svg`.
 */
export function renderStepper({ model, el, renderDot }) {
  const data = model.get("data");
  const frames = data.frames ?? [];
  const labels = new Map((data.nodes ?? []).map((n) => [n.id, n.label ?? n.id]));
  const labelOf = (id) => labels.get(id) ?? id;
  let state = logic.initialState(frames.length, model.get("frame") ?? 0);
  let timer = null;
  let svg = null;

  el.classList.add("ld-widget", "ld-stepper");
  el.tabIndex = 0; // so the arrow keys work once the learner clicks the widget
  const ui = buildControls();
  const graphPane = div("ld-graph-pane");
  const panel = div("ld-panel");
  const body = div("ld-body");
  body.append(graphPane, panel);
  el.replaceChildren(ui.bar, body);

  // --- the graph: use the SVG as sent, or ask Graphviz to draw the DOT ---
  const ready = data.svg
    ? Promise.resolve(parseSvg(data.svg))
    : renderDot
      ? renderDot(data.dot)
      : Promise.reject(new Error("this page has no Graphviz; send `svg` instead of `dot`"));
  ready.then(
    (element) => {
      svg = element;
      graphPane.replaceChildren(svg);
      highlight();
    },
    (err) => graphPane.replaceChildren(text("pre", `could not draw the graph: ${err.message}`, "ld-error")),
  );

  // --- state changes: every control goes through update() ---
  function update(nextState) {
    const moved = nextState.index !== state.index;
    state = nextState;
    if (moved && model.get("frame") !== state.index) {
      model.set("frame", state.index); // lets Python read which step is shown
      model.save_changes?.();
    }
    schedule();
    draw();
  }

  // Playback is a chain of timeouts, so a speed change applies from the next tick.
  function schedule() {
    clearTimeout(timer);
    timer = state.playing ? setTimeout(() => update(logic.tick(state)), logic.intervalFor(state.speed)) : null;
  }

  function draw() {
    ui.play.textContent = state.playing ? "❚❚ pause" : "▶ play";
    ui.prev.disabled = state.index === 0;
    ui.next.disabled = state.index >= state.count - 1;
    ui.slider.value = String(state.index);
    ui.counter.textContent = frames.length ? `step ${state.index + 1} / ${state.count}` : "no steps";
    drawPanel(frames[state.index]);
    highlight();
  }

  // Mark the current node, the nodes it passes gradients to, the edges between them,
  // and every node whose gradient is known by now.
  function highlight() {
    if (!svg) return;
    const frame = frames[state.index] ?? {};
    const nodes = groupsByTitle(svg, "node");
    const edges = groupsByTitle(svg, "edge");
    for (const g of svg.querySelectorAll(".ld-current, .ld-target, .ld-done, .ld-flow")) {
      g.classList.remove("ld-current", "ld-target", "ld-done", "ld-flow");
    }
    for (const id of Object.keys(frame.grads ?? {})) nodes.get(id)?.classList.add("ld-done");
    for (const pass of frame.passes ?? []) {
      nodes.get(pass.to)?.classList.add("ld-target");
      for (const t of edgeTitle(pass.to, frame.node)) edges.get(t)?.classList.add("ld-flow");
    }
    nodes.get(frame.node)?.classList.add("ld-current");
  }

  function drawPanel(frame) {
    if (!frame) return panel.replaceChildren(text("p", "No backward steps to show."));
    const parts = [text("h3", frame.title ?? `${frame.op ?? "node"} ${labelOf(frame.node)}`)];
    if (frame.upstream !== undefined) {
      parts.push(text("h4", "gradient arriving from above (upstream)"), valueView(frame.upstream));
    }
    if (frame.local?.length) {
      const list = document.createElement("ul");
      list.className = "ld-local";
      for (const line of frame.local) list.append(text("li", line));
      parts.push(text("h4", "local derivatives"), list);
    }
    if (frame.passes?.length) {
      parts.push(text("h4", "passed down to each input (upstream × local)"));
      for (const pass of frame.passes) {
        const row = div("ld-pass");
        row.append(text("div", `→ ${labelOf(pass.to)}`, "ld-pass-to"), valueView(pass.value));
        const note = text("div", logic.describePass(pass, labelOf(pass.to)), "ld-pass-note");
        if (pass.accumulated !== null && pass.accumulated !== undefined) note.classList.add("ld-accumulated");
        row.append(note);
        parts.push(row);
      }
    }
    parts.push(gradsTable(frame.grads ?? {}));
    panel.replaceChildren(...parts);
  }

  // The state of every gradient after this step, folded away under a summary line.
  function gradsTable(grads) {
    const box = document.createElement("details");
    box.className = "ld-grads";
    box.append(text("summary", `gradients known so far (${Object.keys(grads).length})`));
    for (const [id, value] of Object.entries(grads)) {
      const row = div("ld-grad-row");
      row.append(text("span", `${labelOf(id)}.grad`, "ld-grad-name"), valueView(value));
      box.append(row);
    }
    return box;
  }

  function buildControls() {
    const bar = div("ld-controls");
    const prev = button("◀ back", () => update(logic.prev(state)));
    const play = button("▶ play", () => update(logic.togglePlay(state)));
    const next = button("next ▶", () => update(logic.next(state)));
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: "0", max: String(Math.max(frames.length - 1, 0)), step: "1" });
    slider.setAttribute("aria-label", "backward step");
    slider.addEventListener("input", () => update(logic.seek(state, Number(slider.value))));
    const counter = text("span", "", "ld-counter");
    const speed = document.createElement("select");
    speed.setAttribute("aria-label", "playback speed");
    for (const s of logic.SPEEDS) speed.append(new Option(`${s}×`, String(s), s === 1, s === 1));
    speed.addEventListener("change", () => update(logic.setSpeed(state, speed.value)));
    bar.append(prev, play, next, slider, counter, speed);
    return { bar, prev, play, next, slider, counter };
  }

  const onKey = (event) => {
    if (event.key === "ArrowRight") update(logic.next(state));
    else if (event.key === "ArrowLeft") update(logic.prev(state));
    else if (event.key === " ") update(logic.togglePlay(state));
    else return;
    event.preventDefault();
  };
  el.addEventListener("keydown", onKey);
  // Python may set `frame` too (stepper.frame = 3); our own model.set echoes here.
  const onFrame = () => {
    const index = logic.clamp(model.get("frame"), state.count);
    if (index !== state.index) update(logic.seek(state, index));
  };
  model.on("change:frame", onFrame);

  draw();
  return () => {
    clearTimeout(timer);
    el.removeEventListener("keydown", onKey);
    model.off?.("change:frame", onFrame);
  };
}

/** A number as text, or a small array as a heat-map table (blue < 0 < red). */
export function valueView(value) {
  const { shape, rows, summary } = logic.toTable(value);
  if (shape.length === 0) return text("span", logic.formatNumber(rows[0][0]), "ld-num");
  const box = div("ld-array");
  box.append(text("div", `shape ${logic.formatShape(shape)}`, "ld-shape"));
  if (rows) {
    const scale = logic.maxAbs(rows);
    const table = document.createElement("table");
    table.className = "ld-heat";
    for (const row of rows) {
      const tr = table.insertRow();
      for (const v of row) {
        const td = tr.insertCell();
        td.textContent = logic.formatNumber(v, 3);
        Object.assign(td.style, logic.heatColor(v, scale));
      }
    }
    box.append(table);
  }
  if (summary) {
    const stats = Object.entries(summary).map(([k, v]) => `${k} ${logic.formatNumber(v)}`);
    box.append(text("div", stats.join(" · "), "ld-summary"));
  }
  return box;
}

function div(className) {
  const d = document.createElement("div");
  d.className = className;
  return d;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}
