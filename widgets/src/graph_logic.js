// Which DOT text to draw when the learner folds module boxes (clusters) in and out.
// Pure functions, tested in test/graph_logic.test.mjs.
//
// Python sends the graph with every cluster expanded as `dot`, and folded versions in
// `dot_collapsed`, keyed by the cluster names that are folded, sorted and joined by ",":
//   { "dot": "...",
//     "dot_collapsed": { "cluster_fc1": "...", "cluster_fc2": "...",
//                        "cluster_fc1,cluster_fc2": "..." } }
// Single names are required; combinations are optional. When the combination the
// learner asks for was not sent, only the clicked cluster is folded.

/** The dot_collapsed key for a set of folded cluster names. */
export function collapsedKey(names) {
  return [...names].sort().join(",");
}

/**
 * Fold or unfold one cluster. Returns the new set of folded names and the DOT to draw.
 *   toggleCluster(data, new Set(), "cluster_fc1") -> { collapsed: {cluster_fc1}, dot: ... }
 */
export function toggleCluster(data, collapsed, name) {
  const options = data.dot_collapsed ?? {};
  const wanted = new Set(collapsed);
  if (wanted.has(name)) wanted.delete(name);
  else wanted.add(name);
  return chooseDot(options, wanted, name, data.dot);
}

function chooseDot(options, wanted, clicked, fullDot) {
  if (wanted.size === 0) return { collapsed: wanted, dot: fullDot };
  const key = collapsedKey(wanted);
  if (key in options) return { collapsed: wanted, dot: options[key] };
  // The combination was not sent: fall back to folding only the clicked cluster.
  if (wanted.has(clicked) && clicked in options) {
    return { collapsed: new Set([clicked]), dot: options[clicked] };
  }
  return { collapsed: new Set(), dot: fullDot };
}

/** Names of clusters that can be folded (those with a single-name entry). */
export function foldable(data) {
  return new Set(Object.keys(data.dot_collapsed ?? {}).filter((k) => !k.includes(",")));
}
