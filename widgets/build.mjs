// Build the browser side of learndl's widgets into learndl/jupyter/static/:
//   widgets.js   ES module for anywidget's `_esm` (all views + Graphviz/WebAssembly)
//   static.js    small IIFE `learndlWidgets` for kernel-free HTML (no Graphviz)
//   widgets.css  the styles, for anywidget's `_css` and for inlining
// Run with `npm run build`; it needs only node_modules, no network.
import * as esbuild from "esbuild";
import { readFileSync, statSync } from "node:fs";

const out = new URL("../learndl/jupyter/static/", import.meta.url).pathname;
const common = { bundle: true, minify: true, legalComments: "eof", logLevel: "warning" };

await esbuild.build({
  ...common,
  entryPoints: ["src/index.js"],
  outfile: `${out}widgets.js`,
  format: "esm",
  target: "es2022",
});

await esbuild.build({
  ...common,
  entryPoints: ["src/static.js"],
  outfile: `${out}static.js`,
  format: "iife",
  globalName: "learndlWidgets",
  target: "es2020", // runs in any browser a book reader is likely to have
});

await esbuild.build({ ...common, entryPoints: ["src/widgets.css"], outfile: `${out}widgets.css` });

// static.js is pasted inside <script> tags: it must not close the tag early, and it
// must stay small because every kernel-free output carries a copy.
const staticJs = readFileSync(`${out}static.js`, "utf8");
if (/<\/script/i.test(staticJs)) throw new Error("static.js contains '</script'");
if (staticJs.includes("WebAssembly")) throw new Error("static.js must not bundle Graphviz");

for (const name of ["widgets.js", "static.js", "widgets.css"]) {
  const kb = (statSync(`${out}${name}`).size / 1024).toFixed(1);
  console.log(`${name.padEnd(12)} ${kb.padStart(8)} KiB`);
}
