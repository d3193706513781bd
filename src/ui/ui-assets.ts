import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type * as Esbuild from "esbuild";
import { SluiceError } from "../errors/errors.js";

/** The browser side of the UI: one JavaScript bundle (Preact + uPlot + the app) and one stylesheet. */
export interface UiAssets {
  readonly js: string;
  readonly css: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where `npm run build` (scripts/build-ui.mjs) writes the prebuilt bundle: next to this module. */
export const PREBUILT_DIR = path.join(here, "assets");

/** The client's entry: `client/main.ts` from source (tsx), `client/main.js` from dist. */
function clientEntry(): string | null {
  for (const f of ["main.ts", "main.js"]) {
    const p = path.join(here, "client", f);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

let cached: Promise<UiAssets> | null = null;

/**
 * The UI's assets. A prebuilt bundle (`assets/app.js`, `assets/app.css` next to this module, as
 * `npm run build` writes into dist/ui) is used when present; otherwise the client is bundled in
 * memory with esbuild (a dev dependency, ~50 ms, once per process), so the UI also works when
 * running from source with tsx. Without both, a clear error says to run `npm run build`.
 */
export function loadUiAssets(): Promise<UiAssets> {
  cached ??= load().catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}

async function load(): Promise<UiAssets> {
  const js = path.join(PREBUILT_DIR, "app.js"), css = path.join(PREBUILT_DIR, "app.css");
  if (fs.existsSync(js) && fs.existsSync(css)) return { js: fs.readFileSync(js, "utf8"), css: fs.readFileSync(css, "utf8") };
  return bundleUi();
}

/** Bundles the client with esbuild (used by the server from source and by scripts/build-ui.mjs). */
export async function bundleUi(options: { minify?: boolean } = {}): Promise<UiAssets> {
  const entry = clientEntry();
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new SluiceError("UI_BUNDLE_MISSING", `The web UI bundle is not built (no ${path.join(PREBUILT_DIR, "app.js")}) and esbuild is not installed to build it; run \`npm run build\` in the Sluice package.`);
  }
  if (entry === null) throw new SluiceError("UI_BUNDLE_MISSING", `The web UI's client sources are missing under ${path.join(here, "client")}; run \`npm run build\`.`);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: options.minify ?? true,
    legalComments: "none",
    logLevel: "silent",
  });
  const js = result.outputFiles[0]!.text;
  return { js, css: uplotCss() + "\n" + APP_CSS };
}

function uplotCss(): string {
  const require = createRequire(import.meta.url);
  return fs.readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
}

/** The app's own styles (uPlot's stylesheet comes first). */
export const APP_CSS = `
:root { color-scheme: light; --fg: #1d2733; --muted: #66717e; --line: #dde3ea; --bg: #f6f8fa; --accent: #2563eb; --bad: #c62828; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 10px 20px; background: #14202e; color: #fff; }
header a { color: #fff; text-decoration: none; font-weight: 600; font-size: 16px; }
header .sub { color: #9fb0c3; font-size: 12px; }
header .conn { margin-left: auto; font-size: 12px; color: #9fb0c3; }
main { padding: 16px 20px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 18px; margin: 4px 0 12px; }
h2 { font-size: 15px; margin: 20px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { background: #eef2f6; font-weight: 600; font-size: 12px; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err { white-space: normal; color: var(--bad); max-width: 420px; }
a { color: var(--accent); }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.status.active { background: #e3f2e5; color: var(--ok); }
.status.finished { background: #e8ecf1; color: var(--muted); }
.status.failed { background: #fdecea; color: var(--bad); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; margin-bottom: 8px; }
.fact { background: #fff; border: 1px solid var(--line); padding: 8px 10px; }
.fact .k { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.fact .v { font-size: 15px; font-variant-numeric: tabular-nums; overflow: hidden; text-overflow: ellipsis; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { background: #fff; border: 1px solid var(--line); padding: 8px 10px 4px; min-height: 250px; }
.chart .title { display: flex; justify-content: space-between; font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.chart .latest { color: var(--muted); font-weight: 400; font-variant-numeric: tabular-nums; }
.chart .empty { color: var(--muted); font-size: 12px; padding: 70px 0; text-align: center; }
pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 420px; font-size: 12px; }
pre.exception { color: var(--bad); border-color: #f3c4c0; background: #fff8f7; }
.muted { color: var(--muted); }
`;
