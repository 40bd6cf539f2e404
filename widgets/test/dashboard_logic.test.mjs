// Scales, ticks and texts of the training dashboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as d from "../src/dashboard_logic.js";

test("pairMetrics puts each metric with its validation twin", () => {
  const charts = d.pairMetrics({ loss: [1], val_loss: [2], accuracy: [0.5], val_top5: [0.9] });
  assert.deepEqual(charts, [
    { name: "loss", train: [1], val: [2] },
    { name: "accuracy", train: [0.5], val: null },
    { name: "top5", train: null, val: [0.9] },
  ]);
  assert.deepEqual(d.pairMetrics(undefined), []);
});

test("extent ignores gaps and widens flat data", () => {
  assert.deepEqual(d.extent([3, null, 1], [NaN, 5]), [1, 5]);
  assert.deepEqual(d.extent([2, 2]), [1, 3]);
  assert.deepEqual(d.extent([], null), [0, 1]);
});

test("linear maps a domain onto pixels, flipped axes included", () => {
  const y = d.linear([0, 10], [100, 0]);
  assert.equal(y(0), 100);
  assert.equal(y(10), 0);
  assert.equal(y(2.5), 75);
});

test("niceTicks picks round steps", () => {
  assert.deepEqual(d.niceTicks(0.13, 2.4), [0.5, 1, 1.5, 2]);
  assert.deepEqual(d.niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(d.niceTicks(1, 8, 5), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(d.niceTicks(1, 100, 5), [20, 40, 60, 80, 100]);
  assert.deepEqual(d.niceTicks(3, 3), [3]);
});

test("linePath lifts the pen over missing values", () => {
  const id = (v) => v;
  assert.equal(d.linePath([1, 2, null, 4, 5], id, id), "M0,1L1,2M3,4L4,5");
  assert.equal(d.linePath([], id, id), "");
});

test("durations read like a clock", () => {
  assert.equal(d.formatDuration(5), "0:05");
  assert.equal(d.formatDuration(125), "2:05");
  assert.equal(d.formatDuration(3725), "1:02:05");
  assert.equal(d.formatDuration(NaN), "—");
});

test("progress counts epochs from 1 and steps done within the epoch", () => {
  assert.equal(d.progressFraction({ epoch: 1, epochs: 4, step: 0, steps: 10 }), 0);
  assert.equal(d.progressFraction({ epoch: 2, epochs: 4, step: 5, steps: 10 }), 0.375);
  assert.equal(d.progressFraction({ epoch: 4, epochs: 4, step: 10, steps: 10 }), 1);
  assert.equal(
    d.progressText({ epoch: 3, epochs: 10, step: 120, steps: 469, rate: 85.24, eta: 42 }),
    "epoch 3/10 · step 120/469 · 85.2 steps/s · ETA 0:42",
  );
});

test("gradient norm bars switch to a log scale when layers differ a lot", () => {
  const lin = d.normBars({ a: 1, b: 2 });
  assert.equal(lin.log, false);
  assert.deepEqual(lin.bars.map((b) => b.fraction), [0.5, 1]);
  const log = d.normBars({ first: 1e-4, mid: 1e-2, last: 1 });
  assert.equal(log.log, true);
  const [f0, f1, f2] = log.bars.map((b) => b.fraction);
  assert.ok(Math.abs(f0 - 0.05) < 1e-9 && f2 === 1 && f1 > f0 && f1 < f2);
  assert.equal(d.normBars({ dead: 0, x: NaN }).bars.length, 1);
});

test("histogram bins are fractions of the drawing", () => {
  const bins = d.histogramBins({ edges: [-1, 0, 1], counts: [5, 10] });
  assert.deepEqual(bins, [{ x0: 0, x1: 0.5, height: 0.5 }, { x0: 0.5, x1: 1, height: 1 }]);
});

test("the snapshot scrubber follows new snapshots only from the latest one", () => {
  assert.equal(d.followIndex(0, 0, 3), 2);
  assert.equal(d.followIndex(2, 3, 5), 4);
  assert.equal(d.followIndex(1, 3, 5), 1);
  assert.equal(d.followIndex(4, 5, 0), 0);
});
