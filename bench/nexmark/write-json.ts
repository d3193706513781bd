/**
 * `tsx bench/nexmark/write-json.ts <dir> [--events N] [--seed S] [--rate R]`
 *
 * Writes the Nexmark tables over events [0, N) as JSON lines: <dir>/person.json, auction.json,
 * bid.json (one flat object per line; see src/connectors/nexmark/nexmark-json.ts). Read them back
 * with `spark.read.schema(NEXMARK_DDL.bid).json("<dir>/bid.json")`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type NexmarkConfig, type NexmarkTable, nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { nexmarkJsonLines } from "../../src/connectors/nexmark/nexmark-json.js";

/** Writes the tables; returns each file's path and size in bytes. */
export function writeNexmarkJson(dir: string, cfg: NexmarkConfig, events: number, tables: readonly NexmarkTable[] = ["person", "auction", "bid"]): Record<string, { path: string; bytes: number }> {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, { path: string; bytes: number }> = {};
  for (const table of tables) {
    const path = join(dir, `${table}.json`);
    const fd = openSync(path, "w");
    let bytes = 0;
    for (let s = 0; s < events; s += 65536) {
      const buf = nexmarkJsonLines(cfg, table, s, Math.min(events, s + 65536));
      writeSync(fd, buf);
      bytes += buf.length;
    }
    closeSync(fd);
    out[table] = { path, bytes };
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (!dir) throw new Error("usage: write-json.ts <dir> [--events N] [--seed S] [--rate R]");
  const num = (flag: string, d: number): number => {
    const i = args.indexOf(flag);
    return i < 0 ? d : Number(args[i + 1]);
  };
  const cfg = nexmarkConfig({ seed: num("--seed", 0), eventsPerSecond: num("--rate", 10_000) });
  const files = writeNexmarkJson(dir, cfg, num("--events", 1_000_000));
  for (const [t, f] of Object.entries(files)) process.stdout.write(`${t}: ${f.path} (${(f.bytes / 1e6).toFixed(1)} MB)\n`);
}
