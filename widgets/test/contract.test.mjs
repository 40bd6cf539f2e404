// The sample files in test/fixtures are the contract examples of widgets/README.md.
// Check that they follow the contract, and that Graphviz (viz-js, run here in Node)
// draws their DOT with one `g.node` per node id, which the stepper's highlight needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { instance } from "@viz-js/viz";

const load = (name) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const stepper = load("stepper_sample.json");

function isValue(v) {
  if (typeof v === "number") return true;
  return v !== null && typeof v === "object" && Array.isArray(v.shape) && ("values" in v || "summary" in v);
}

test("stepper frames follow the contract", () => {
  const ids = new Set(stepper.nodes.map((n) => n.id));
  assert.ok(typeof stepper.dot === "string" || typeof stepper.svg === "string");
  assert.ok(stepper.frames.length > 0);
  for (const [i, f] of stepper.frames.entries()) {
    const where = `frame ${i}`;
    assert.ok(f.node === null || ids.has(f.node), `${where}: unknown node ${f.node}`);
    assert.equal(typeof f.op, "string", where);
    assert.equal(typeof f.title, "string", where);
    assert.ok(isValue(f.upstream), `${where}: upstream`);
    assert.ok(f.local.every((line) => typeof line === "string"), `${where}: local`);
    for (const p of f.passes) {
      assert.ok(ids.has(p.to), `${where}: pass to unknown node ${p.to}`);
      assert.ok(isValue(p.value), `${where}: pass value`);
      assert.ok(p.accumulated === null || isValue(p.accumulated), `${where}: accumulated`);
      // after the step, grads[to] is what the input holds: the pass, or the sum
      assert.deepEqual(f.grads[p.to], p.accumulated ?? p.value, `${where}: grads of ${p.to}`);
    }
    for (const id of Object.keys(f.grads)) assert.ok(ids.has(id), `${where}: grads of unknown ${id}`);
  }
});

test("Graphviz draws every node id as a g.node titled with the id", async () => {
  const viz = await instance();
  const svg = viz.renderString(stepper.dot, { format: "svg" });
  for (const { id } of stepper.nodes) assert.match(svg, new RegExp(`<title>${id}</title>`));
  // edges are titled "from->to" (escaped in the SVG text), which the highlight uses
  assert.match(svg, /<title>b&#45;&gt;d<\/title>/);
});

test("folded graphs name the folded node like its cluster", async () => {
  const graph = load("graph_sample.json");
  const viz = await instance();
  const full = viz.renderString(graph.dot, { format: "svg" });
  assert.match(full, /<g id="clust\d+" class="cluster">\s*<title>cluster_fc1<\/title>/);
  const folded = viz.renderString(graph.dot_collapsed.cluster_fc1, { format: "svg" });
  assert.match(folded, /class="node ld(-|&#45;)collapsed">\s*<title>cluster_fc1<\/title>/);
});

test("dashboard sample has the documented keys", () => {
  const dash = load("dashboard_sample.json");
  assert.deepEqual(Object.keys(dash).sort(), ["grad_norms", "history", "progress", "snapshots"]);
  for (const snap of dash.snapshots) {
    for (const h of Object.values(snap.hist)) assert.equal(h.edges.length, h.counts.length + 1);
  }
});
