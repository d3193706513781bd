#!/usr/bin/env node
// Bundles the web UI's client (Preact + uPlot + src/ui/client, compiled by tsc into dist/ui/client)
// into dist/ui/assets/app.js and app.css with esbuild, so an installed Sluice serves its UI
// without esbuild (a dev dependency). Run after `tsc -p tsconfig.build.json`:
//   node scripts/build-ui.mjs [distDir]        (default: dist)
// When dist/ui/assets is missing (running from source with tsx), the server bundles in memory.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const dist = path.resolve(process.argv[2] ?? "dist");
const assetsModule = path.join(dist, "ui", "ui-assets.js");
if (!fs.existsSync(assetsModule)) {
  console.error(`build-ui: ${assetsModule} is missing; run \`tsc -p tsconfig.build.json\` first.`);
  process.exit(1);
}
const { bundleUi, PREBUILT_DIR } = await import(pathToFileURL(assetsModule).href);
const started = Date.now();
const { js, css } = await bundleUi({ minify: true });
fs.mkdirSync(PREBUILT_DIR, { recursive: true });
fs.writeFileSync(path.join(PREBUILT_DIR, "app.js"), js);
fs.writeFileSync(path.join(PREBUILT_DIR, "app.css"), css);
console.log(`build-ui: ${path.relative(process.cwd(), PREBUILT_DIR)}/app.js (${(js.length / 1024).toFixed(0)} KiB), app.css in ${Date.now() - started} ms`);
