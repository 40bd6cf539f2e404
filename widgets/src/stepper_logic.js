// Pure logic of the backward-pass stepper: no DOM, no timers, so `node --test` can
// check it and a learner can read it without knowing the browser's APIs.
//
// The stepper's state is a small plain object:
//   { index, count, playing, speed }
// and every control (buttons, slider, timer tick) is a function from one state to the
// next. The DOM code in stepper.js only draws the state it is given.

/** Speeds offered in the speed select, as multipliers of the base pace. */
export const SPEEDS = [0.5, 1, 2, 4];

/** Milliseconds between two frames at speed 1. */
export const BASE_INTERVAL_MS = 1200;

/** Keep a frame index inside [0, count - 1] (0 when there are no frames). */
export function clamp(index, count) {
  if (count <= 0 || !Number.isFinite(index)) return 0;
  return Math.min(Math.max(Math.trunc(index), 0), count - 1);
}

export function initialState(count, index = 0) {
  return { index: clamp(index, count), count, playing: false, speed: 1 };
}

/** Go to a frame (the slider); moving by hand pauses playback. */
export function seek(state, index) {
  return { ...state, index: clamp(index, state.count), playing: false };
}

export function next(state) {
  return seek(state, state.index + 1);
}

export function prev(state) {
  return seek(state, state.index - 1);
}

/** Play/pause. Pressing play on the last frame starts again from the first. */
export function togglePlay(state) {
  if (state.playing) return { ...state, playing: false };
  if (state.count <= 1) return state;
  const atEnd = state.index >= state.count - 1;
  return { ...state, index: atEnd ? 0 : state.index, playing: true };
}

/** One timer tick while playing: advance, and stop on the last frame. */
export function tick(state) {
  if (!state.playing) return state;
  const index = clamp(state.index + 1, state.count);
  return { ...state, index, playing: index < state.count - 1 };
}

export function setSpeed(state, speed) {
  const s = Number(speed);
  return { ...state, speed: s > 0 ? s : 1 };
}

/** Delay between ticks for a speed multiplier (2 means twice as fast). */
export function intervalFor(speed) {
  return Math.round(BASE_INTERVAL_MS / (speed > 0 ? speed : 1));
}

/**
 * Format a number for a learner: integers as they are, others with up to 4
 * significant digits, very small or large ones in exponent form.
 *   formatNumber(3) -> "3"   formatNumber(0.333333) -> "0.3333"
 *   formatNumber(1.5e-7) -> "1.5e-7"   formatNumber(-0) -> "0"
 */
export function formatNumber(x, digits = 4) {
  if (x === null || x === undefined) return "—";
  if (typeof x !== "number") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const abs = Math.abs(x);
  if (abs < 1e-3 || abs >= 1e6) {
    // toExponential gives "1.500e-7"; drop the trailing zeros of the mantissa.
    const [mantissa, exp] = x.toExponential(digits - 1).split("e");
    return `${trimZeros(mantissa)}e${Number(exp)}`;
  }
  // toPrecision would switch to "1.235e+5" for 123456.7; a rounded integer reads better.
  if (abs >= 10 ** digits) return String(Math.round(x));
  return trimZeros(x.toPrecision(digits));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * Normalize a value of the frame contract into { shape, rows } for drawing:
 *   3.0                          -> { shape: [], rows: [[3]] }
 *   {shape: [3], values: [..]}   -> one row
 *   {shape: [2, 2], values: [[..], [..]]} -> two rows
 *   a bare (nested) array is accepted too; its shape is inferred.
 * Arrays of 3 or more dimensions, and summaries sent instead of values, come back
 * with rows = null: the panel then shows the shape and the summary only.
 */
export function toTable(value) {
  if (typeof value === "number" || value === null || value === undefined) {
    return { shape: [], rows: [[value ?? null]], summary: null };
  }
  if (Array.isArray(value)) value = { shape: inferShape(value), values: value };
  const shape = value.shape ?? inferShape(value.values ?? []);
  const summary = value.summary ?? null;
  const values = value.values;
  if (values === undefined || values === null || shape.length > 2) {
    return { shape, rows: null, summary };
  }
  if (shape.length === 0) return { shape, rows: [[values]], summary };
  if (shape.length === 1) return { shape, rows: [values], summary };
  return { shape, rows: values, summary };
}

function inferShape(values) {
  const shape = [];
  let v = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** Text for a shape, as NumPy prints it: (), (3,), (2, 3). */
export function formatShape(shape) {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/** Largest absolute value in a table, the half-width of its color scale. */
export function maxAbs(rows) {
  let m = 0;
  for (const row of rows) for (const v of row) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Diverging heat-map color: negative blue, zero white, positive red, the intensity
 * proportional to |v| / scale. Returns the background and a text color that stays
 * readable on it.
 */
export function heatColor(v, scale) {
  if (!Number.isFinite(v)) return { background: "rgb(200, 200, 200)", color: "black" };
  const t = scale > 0 ? Math.min(Math.abs(v) / scale, 1) : 0;
  // Blend white (255) toward a strong blue (33, 102, 172) or red (178, 24, 43).
  const target = v < 0 ? [33, 102, 172] : [178, 24, 43];
  const [r, g, b] = target.map((c) => Math.round(255 + (c - 255) * t));
  return { background: `rgb(${r}, ${g}, ${b})`, color: t > 0.55 ? "white" : "black" };
}

/**
 * What a pass did to the gradient it landed in, as a sentence for the panel.
 * `accumulated` is the gradient of the receiving node after the pass; when it is not
 * null the value fanned out and was added (+=) to what was already there.
 */
export function describePass(pass, label) {
  const name = label ?? pass.to;
  if (pass.accumulated === null || pass.accumulated === undefined) {
    return `${name}.grad = this value`;
  }
  if (typeof pass.value === "number" && typeof pass.accumulated === "number") {
    const before = pass.accumulated - pass.value;
    return (
      `${name}.grad += ${formatNumber(pass.value)}: ` +
      `${formatNumber(before)} + ${formatNumber(pass.value)} = ${formatNumber(pass.accumulated)}`
    );
  }
  return `${name}.grad += this value (it is used more than once; gradients add up)`;
}
