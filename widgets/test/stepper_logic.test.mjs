// Frame logic of the backward-pass stepper: run with `npm test` (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../src/stepper_logic.js";

test("clamp keeps an index inside the frames", () => {
  assert.equal(s.clamp(-3, 5), 0);
  assert.equal(s.clamp(2, 5), 2);
  assert.equal(s.clamp(9, 5), 4);
  assert.equal(s.clamp(2.7, 5), 2);
  assert.equal(s.clamp(3, 0), 0);
  assert.equal(s.clamp(NaN, 5), 0);
  assert.equal(s.clamp(undefined, 5), 0);
});

test("next and prev stop at the ends and pause playback", () => {
  let st = s.initialState(3);
  st = s.next(s.next(s.next(st)));
  assert.equal(st.index, 2);
  st = s.prev(s.prev(s.prev({ ...st, playing: true })));
  assert.deepEqual([st.index, st.playing], [0, false]);
});

test("seek moves to a frame and pauses", () => {
  const st = s.seek({ ...s.initialState(10), playing: true }, 7);
  assert.deepEqual([st.index, st.playing], [7, false]);
});

test("play runs to the last frame, then stops; play again restarts", () => {
  let st = s.togglePlay(s.initialState(3));
  assert.equal(st.playing, true);
  st = s.tick(st);
  assert.deepEqual([st.index, st.playing], [1, true]);
  st = s.tick(st);
  assert.deepEqual([st.index, st.playing], [2, false]);
  assert.equal(s.tick(st).index, 2, "a paused stepper ignores ticks");
  st = s.togglePlay(st);
  assert.deepEqual([st.index, st.playing], [0, true]);
  assert.equal(s.togglePlay(st).playing, false);
});

test("a single frame cannot play", () => {
  assert.equal(s.togglePlay(s.initialState(1)).playing, false);
});

test("speed sets the timer interval", () => {
  assert.equal(s.intervalFor(1), s.BASE_INTERVAL_MS);
  assert.equal(s.intervalFor(2), s.BASE_INTERVAL_MS / 2);
  assert.equal(s.intervalFor(0), s.BASE_INTERVAL_MS);
  assert.equal(s.setSpeed(s.initialState(2), "4").speed, 4);
  assert.equal(s.setSpeed(s.initialState(2), "nope").speed, 1);
});

test("formatNumber writes numbers for learners", () => {
  const cases = [
    [3, "3"], [-2, "-2"], [0, "0"], [-0, "0"], [0.5, "0.5"], [1 / 3, "0.3333"],
    [-42.75, "-42.75"], [64.125, "64.13"], [1.5e-7, "1.5e-7"], [2e9, "2e9"],
    [123456.7, "123457"], [NaN, "nan"], [Infinity, "inf"], [-Infinity, "-inf"],
    [null, "—"], [0.1 + 0.2, "0.3"],
  ];
  for (const [x, want] of cases) assert.equal(s.formatNumber(x), want, `formatNumber(${x})`);
  assert.equal(s.formatNumber(2 / 3, 3), "0.667");
});

test("toTable normalizes scalars, vectors, matrices and summaries", () => {
  assert.deepEqual(s.toTable(2.5), { shape: [], rows: [[2.5]], summary: null });
  assert.deepEqual(s.toTable({ shape: [3], values: [1, 2, 3] }).rows, [[1, 2, 3]]);
  assert.deepEqual(s.toTable({ shape: [2, 2], values: [[1, 2], [3, 4]] }).rows, [[1, 2], [3, 4]]);
  assert.deepEqual(s.toTable([[1, 2, 3]]).shape, [1, 3], "bare arrays get their shape inferred");
  const big = s.toTable({ shape: [128, 784], summary: { min: -1, max: 1 } });
  assert.deepEqual([big.rows, big.summary.max], [null, 1]);
  assert.equal(s.toTable({ shape: [2, 2, 2], values: [[[1]]] }).rows, null, "3-D is not tabled");
});

test("formatShape prints shapes as NumPy does", () => {
  assert.equal(s.formatShape([]), "()");
  assert.equal(s.formatShape([3]), "(3,)");
  assert.equal(s.formatShape([2, 3]), "(2, 3)");
});

test("heat colors: white at zero, red positive, blue negative, readable text", () => {
  assert.equal(s.heatColor(0, 5).background, "rgb(255, 255, 255)");
  assert.equal(s.heatColor(5, 5).background, "rgb(178, 24, 43)");
  assert.equal(s.heatColor(-5, 5).background, "rgb(33, 102, 172)");
  assert.equal(s.heatColor(5, 5).color, "white");
  assert.equal(s.heatColor(1, 5).color, "black");
  assert.equal(s.heatColor(3, 0).background, "rgb(255, 255, 255)", "all-zero table");
  assert.equal(s.heatColor(NaN, 1).background, "rgb(200, 200, 200)");
  assert.equal(s.maxAbs([[1, -7], [3, NaN]]), 7);
});

test("describePass explains plain passes and accumulation", () => {
  assert.equal(s.describePass({ to: "a", value: 2, accumulated: null }, "a"), "a.grad = this value");
  assert.equal(
    s.describePass({ to: "b", value: -21.375, accumulated: -64.125 }, "b"),
    "b.grad += -21.38: -42.75 + -21.38 = -64.13",
  );
  assert.match(s.describePass({ to: "w", value: [1, 2], accumulated: [3, 4] }), /w\.grad \+=/);
});
