// The training dashboard: a progress bar, one chart per metric (train solid, validation
// dashed), per-layer gradient norms as bars, and weight/activation histograms with a
// scrubber over the snapshots taken during training. Python updates `data` as training
// runs (the contract is in widgets/README.md); every update redraws the dashboard.
import * as logic from "./dashboard_logic.js";
import { formatNumber } from "./stepper_logic.js";

const SVG = "http://www.w3.org/2000/svg";

/** anywidget view for kind "dashboard". */
export function renderDashboard({ model, el }) {
  el.classList.add("ld-widget", "ld-dashboard");
  let snapshot = 0;
  let snapshotCount = 0;

  function draw() {
    const data = model.get("data") ?? {};
    const snapshots = data.snapshots ?? [];
    snapshot = logic.followIndex(snapshot, snapshotCount, snapshots.length);
    snapshotCount = snapshots.length;
    const parts = [];
    if (data.progress) parts.push(progressBar(data.progress));
    const charts = logic.pairMetrics(data.history).map(lineChart);
    if (charts.length) parts.push(section("ld-charts", charts));
    if (data.grad_norms && Object.keys(data.grad_norms).length) parts.push(gradNorms(data.grad_norms));
    if (snapshots.length) parts.push(histograms(snapshots));
    el.replaceChildren(...parts);
  }

  // The scrubber redraws only the histograms, so it keeps focus while dragging.
  function histograms(snapshots) {
    const box = node("div", "ld-hists");
    const grid = node("div", "ld-hist-grid");
    const label = node("span", "ld-counter");
    const slider = Object.assign(document.createElement("input"), {
      type: "range", min: "0", max: String(snapshots.length - 1), step: "1", value: String(snapshot),
    });
    slider.setAttribute("aria-label", "snapshot");
    const show = () => {
      const snap = snapshots[snapshot];
      label.textContent = `step ${snap.step} (snapshot ${snapshot + 1}/${snapshots.length})`;
      grid.replaceChildren(...Object.entries(snap.hist ?? {}).map(([name, h]) => histogram(name, h)));
    };
    slider.addEventListener("input", () => {
      snapshot = Number(slider.value);
      show();
    });
    const bar = node("div", "ld-controls");
    bar.append(node("span", "ld-heading", "histograms"), slider, label);
    box.append(bar, grid);
    show();
    return box;
  }

  model.on("change:data", draw);
  draw();
  return () => model.off?.("change:data", draw);
}

function progressBar(progress) {
  const box = node("div", "ld-progress");
  const track = node("div", "ld-progress-track");
  const fill = node("div", "ld-progress-fill");
  fill.style.width = `${(logic.progressFraction(progress) * 100).toFixed(1)}%`;
  track.append(fill);
  box.append(track, node("div", "ld-progress-text", logic.progressText(progress)));
  return box;
}

/** One metric over epochs: train as a solid line, validation dashed. */
function lineChart({ name, train, val }) {
  // Title and legend sit in the top margin, above the plot, so lines never cover them.
  const [w, h, m] = [300, 180, { left: 44, right: 10, top: 34, bottom: 26 }];
  const n = Math.max(train?.length ?? 0, val?.length ?? 0);
  const [lo, hi] = logic.extent(train, val);
  const x = logic.linear([0, Math.max(n - 1, 1)], [m.left, w - m.right]);
  const y = logic.linear([lo, hi], [h - m.bottom, m.top]);
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, class: "ld-chart", role: "img" });
  svg.append(svgEl("text", { x: m.left, y: 14, class: "ld-chart-title" }, name));
  for (const t of logic.niceTicks(lo, hi, 4)) {
    svg.append(svgEl("line", { x1: m.left, x2: w - m.right, y1: y(t), y2: y(t), class: "ld-grid" }));
    svg.append(svgEl("text", { x: m.left - 4, y: y(t) + 3, class: "ld-tick", "text-anchor": "end" }, formatNumber(t, 3)));
  }
  // x ticks are epochs, counted from 1 as Keras prints them.
  for (const t of logic.niceTicks(1, Math.max(n, 2), 5).filter((t) => Number.isInteger(t) && t <= n)) {
    svg.append(svgEl("text", { x: x(t - 1), y: h - 8, class: "ld-tick", "text-anchor": "middle" }, String(t)));
  }
  for (const [values, cls, label] of [[train, "ld-train", "train"], [val, "ld-val", "validation"]]) {
    if (!values?.length) continue;
    svg.append(svgEl("path", { d: logic.linePath(values, x, y), class: `ld-line ${cls}` }));
    if (values.length <= 30) {
      values.forEach((v, i) => Number.isFinite(v) && svg.append(svgEl("circle", { cx: x(i), cy: y(v), r: 2.5, class: cls })));
    }
    const last = values[values.length - 1];
    const where = { x: w - m.right, y: label === "train" ? 12 : 24, class: `ld-legend ${cls}`, "text-anchor": "end" };
    svg.append(svgEl("text", where, `${label} ${formatNumber(last, 3)}`));
  }
  return svg;
}

function gradNorms(norms) {
  const { bars, log } = logic.normBars(norms);
  const box = node("div", "ld-norms");
  box.append(node("div", "ld-heading", `gradient norm per layer${log ? " (log scale)" : ""}`));
  for (const { name, value, fraction } of bars) {
    const row = node("div", "ld-norm-row");
    const track = node("div", "ld-norm-track");
    const fill = node("div", "ld-norm-fill");
    fill.style.width = `${(fraction * 100).toFixed(1)}%`;
    track.append(fill);
    row.append(node("span", "ld-norm-name", name), track, node("span", "ld-num", formatNumber(value, 3)));
    box.append(row);
  }
  return box;
}

function histogram(name, hist) {
  const [w, h] = [200, 90];
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h + 30}`, class: "ld-hist", role: "img" });
  svg.append(svgEl("text", { x: 0, y: 12, class: "ld-chart-title" }, name));
  for (const bin of logic.histogramBins(hist)) {
    const top = 18 + h * (1 - bin.height);
    svg.append(svgEl("rect", { x: bin.x0 * w, y: top, width: Math.max((bin.x1 - bin.x0) * w - 0.5, 0.5), height: 18 + h - top, class: "ld-bin" }));
  }
  const edges = hist.edges ?? [];
  svg.append(svgEl("text", { x: 0, y: h + 30, class: "ld-tick" }, formatNumber(edges[0], 3)));
  svg.append(svgEl("text", { x: w, y: h + 30, class: "ld-tick", "text-anchor": "end" }, formatNumber(edges[edges.length - 1], 3)));
  return svg;
}

function svgEl(tag, attrs, content) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (content !== undefined) e.textContent = content;
  return e;
}

function node(tag, className, content) {
  const e = document.createElement(tag);
  e.className = className;
  if (content !== undefined) e.textContent = content;
  return e;
}

function section(className, children) {
  const box = node("div", className);
  box.append(...children);
  return box;
}
