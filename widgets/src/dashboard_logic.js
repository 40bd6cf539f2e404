// Pure logic of the training dashboard: scales, ticks, paths and texts, no DOM.
// Tested in test/dashboard_logic.test.mjs.

/**
 * Group a Keras-style history into charts: "loss" with "val_loss", "accuracy" with
 * "val_accuracy", ... in the order the metrics first appear.
 *   pairMetrics({loss: [..], val_loss: [..]}) -> [{name: "loss", train: [..], val: [..]}]
 */
export function pairMetrics(history) {
  const names = [];
  for (const key of Object.keys(history ?? {})) {
    const name = key.startsWith("val_") ? key.slice(4) : key;
    if (!names.includes(name)) names.push(name);
  }
  return names.map((name) => ({
    name,
    train: history[name] ?? null,
    val: history[`val_${name}`] ?? null,
  }));
}

/** [min, max] of the finite numbers in some arrays, widened when they are all equal. */
export function extent(...arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (const v of values ?? []) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.5, hi + (Math.abs(hi) || 1) * 0.5];
  return [lo, hi];
}

/** A linear map from a domain [d0, d1] onto a range [r0, r1] of pixels. */
export function linear([d0, d1], [r0, r1]) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 times a
 * power of ten, as people draw axes by hand.  niceTicks(0.13, 2.4) -> [0.5, 1, 1.5, 2]
 */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  // Round raw/power (1..10) to the nearest of 1, 2, 5, 10 on a log scale, as d3 does.
  const ratio = raw / power;
  const step = power * (ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.sqrt(2) ? 2 : 1);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12))); // 0.30000000000000004 -> 0.3
  }
  return ticks;
}

/**
 * SVG path through the points (x(i), y(v)); a missing value (null, NaN) lifts the pen,
 * so a gap in the history shows as a gap in the line.
 */
export function linePath(values, x, y) {
  let d = "";
  let penDown = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      penDown = false;
      return;
    }
    d += `${penDown ? "L" : "M"}${round(x(i))},${round(y(v))}`;
    penDown = true;
  });
  return d;
}

function round(v) {
  return Math.round(v * 10) / 10;
}

/** Seconds as a clock: 5 -> "0:05", 125 -> "2:05", 3725 -> "1:02:05". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** How much of training is done, 0..1. `epoch` counts from 1, `step` is steps done in it. */
export function progressFraction({ epoch = 1, epochs = 1, step = 0, steps = 1 } = {}) {
  const done = (epoch - 1) * steps + step;
  const total = epochs * steps;
  return total > 0 ? Math.min(Math.max(done / total, 0), 1) : 0;
}

/** "epoch 3/10 · step 120/469 · 85.2 steps/s · ETA 0:42" */
export function progressText(p = {}) {
  const parts = [];
  if (p.epochs) parts.push(`epoch ${p.epoch ?? 1}/${p.epochs}`);
  if (p.steps) parts.push(`step ${p.step ?? 0}/${p.steps}`);
  if (Number.isFinite(p.rate)) parts.push(`${p.rate.toFixed(1)} steps/s`);
  if (p.eta !== undefined && p.eta !== null) parts.push(`ETA ${formatDuration(p.eta)}`);
  return parts.join(" · ");
}

/**
 * Bar lengths (0..1) for per-layer gradient norms. Norms of different layers often
 * differ by powers of ten (that is what "vanishing gradients" look like), so when the
 * largest is over 100× the smallest the bars use a log scale.
 */
export function normBars(norms) {
  const entries = Object.entries(norms ?? {}).filter(([, v]) => Number.isFinite(v));
  const positive = entries.map(([, v]) => v).filter((v) => v > 0);
  const hi = Math.max(...positive, 0);
  const lo = Math.min(...positive, hi);
  const log = lo > 0 && hi / lo > 100;
  // On the log scale the smallest norm gets 5% of the width, so its bar stays visible.
  const decades = Math.log10(hi / lo);
  const logFraction = (v) => 0.05 + (0.95 * Math.log10(v / lo)) / decades;
  const bars = entries.map(([name, value]) => {
    let fraction = 0;
    if (value > 0) fraction = log ? logFraction(value) : value / hi;
    return { name, value, fraction };
  });
  return { bars, log };
}

/** Histogram bins as fractions of the drawing: [{x0, x1, height}] all in 0..1. */
export function histogramBins({ edges = [], counts = [] } = {}) {
  const [lo, hi] = [edges[0], edges[edges.length - 1]];
  const top = Math.max(...counts, 0);
  const x = linear([lo, hi], [0, 1]);
  return counts.map((c, i) => ({
    x0: x(edges[i]),
    x1: x(edges[i + 1]),
    height: top > 0 ? c / top : 0,
  }));
}

/**
 * Which snapshot the scrubber shows after new snapshots arrive: if the learner was
 * watching the latest one, follow along; otherwise stay where they put it.
 */
export function followIndex(index, oldCount, newCount) {
  if (newCount <= 0) return 0;
  if (oldCount === 0 || index >= oldCount - 1) return newCount - 1;
  return Math.min(index, newCount - 1);
}
