// Compiles each Vega-Lite spec with the real compiler and renders it with Vega, headless.
//   node tests/vega/check.mjs SPECS.json   (a JSON list of specs)
// Prints one JSON line per spec: its title, the marks Vega drew and the size of its SVG;
// exits 1 with the compiler's or renderer's message when a spec fails.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// The packages publish --interactive copies into sites, installed by scripts/setup.sh.
const require = createRequire(new URL("../../assets/vega/package.json", import.meta.url));
const vega = require("vega");
const { compile } = require("vega-lite");

function countItems(node) {
  // A scenegraph node: marks hold items, groups hold marks.
  let n = 0;
  for (const item of node.items ?? []) {
    if (node.marktype && node.marktype !== "group" && !node.role?.startsWith("axis") && !node.role?.startsWith("legend")) n += 1;
    for (const child of item.items ?? []) n += countItems(child);
  }
  return n;
}

const specs = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failed = false;
for (const spec of specs) {
  const warnings = [];
  try {
    const logger = { level() { return this; }, error(...m) { warnings.push(m.join(" ")); return this; },
                     warn(...m) { warnings.push(m.join(" ")); return this; }, info() { return this; }, debug() { return this; } };
    const compiled = compile(spec, { logger }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: "none" });
    await view.runAsync();
    const svg = await view.toSVG();
    const marks = countItems(view.scenegraph().root);
    console.log(JSON.stringify({ title: spec.title, marks, svg_bytes: svg.length, warnings }));
    view.finalize();
  } catch (e) {
    failed = true;
    console.log(JSON.stringify({ title: spec.title, error: String(e && e.message || e) }));
  }
}
process.exit(failed ? 1 : 0);
