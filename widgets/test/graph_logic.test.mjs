// Folding module boxes (clusters) of the graph view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { collapsedKey, toggleCluster, foldable } from "../src/graph_logic.js";

const data = JSON.parse(readFileSync(new URL("fixtures/graph_sample.json", import.meta.url)));

test("keys are the folded cluster names, sorted and joined by commas", () => {
  assert.equal(collapsedKey(new Set(["cluster_fc2", "cluster_fc1"])), "cluster_fc1,cluster_fc2");
  assert.deepEqual([...foldable(data)], ["cluster_fc1", "cluster_fc2"]);
});

test("folding and unfolding walks through the DOT texts Python sent", () => {
  let s = toggleCluster(data, new Set(), "cluster_fc1");
  assert.deepEqual([...s.collapsed], ["cluster_fc1"]);
  assert.equal(s.dot, data.dot_collapsed.cluster_fc1);
  s = toggleCluster(data, s.collapsed, "cluster_fc2");
  assert.equal(s.dot, data.dot_collapsed["cluster_fc1,cluster_fc2"]);
  s = toggleCluster(data, s.collapsed, "cluster_fc1");
  assert.equal(s.dot, data.dot_collapsed.cluster_fc2);
  s = toggleCluster(data, s.collapsed, "cluster_fc2");
  assert.deepEqual([s.collapsed.size, s.dot], [0, data.dot]);
});

test("a combination that was not sent folds only the clicked cluster", () => {
  const singles = { dot: "full", dot_collapsed: { cluster_a: "A", cluster_b: "B" } };
  const s = toggleCluster(singles, new Set(["cluster_a"]), "cluster_b");
  assert.deepEqual([[...s.collapsed], s.dot], [["cluster_b"], "B"]);
});
