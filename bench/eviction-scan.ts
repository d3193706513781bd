/**
 * `tsx bench/eviction-scan.ts [--keys N]`
 *
 * A streaming count per (word, 1-hour window), update mode, 1-second watermark: a first batch puts
 * N keys (default 100,000) in state, then 30 batches of 1,000 rows keep the watermark inside the
 * window. Each batch looks for the windows behind the watermark; with the key first in the state
 * key, Spark reads every key to find them. Prints the small batches' triggerExecution (p50, max)
 * and the wall time of processAllAvailable around each. Not a test: nothing is asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Session, col, functions as F, window } from "../src/index.js";

const argv = process.argv.slice(2);
const at = argv.indexOf("--keys");
const N = at >= 0 ? Number(argv[at + 1]) : 100_000;
if (!Number.isInteger(N) || N < 1000) throw new Error("--keys needs an integer >= 1000");

const spark = Session.builder().config("sluice.executor.threads", 1).config("sluice.sql.streaming.checkpoint.fsync", "false").getOrCreate();
const input = spark.memoryStream("w STRING, t TIMESTAMP");
const counts = input.toDF().withWatermark("t", "1 second").groupBy(col("w"), window(col("t"), "1 hour")).agg(F.count("*").alias("n"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-eviction-scan-"));
try {
  const q = await counts.writeStream.format("memory").queryName("eviction_scan").outputMode("update").option("checkpointLocation", dir).start();
  const t0 = Date.UTC(2026, 0, 1);
  input.addData(Array.from({ length: N }, (_, i) => ({ w: `word${i}`, t: new Date(t0 + (i % 1000)) })));
  await q.processAllAvailable();
  const wall: number[] = [];
  for (let b = 0; b < 30; b++) {
    input.addData(Array.from({ length: 1000 }, (_, i) => ({ w: `word${(b * 1000 + i * 97) % N}`, t: new Date(t0 + 10_000 + b * 1000 + i) })));
    const s = performance.now();
    await q.processAllAvailable();
    wall.push(performance.now() - s);
  }
  await q.stop();
  const exec = q.recentProgress.filter((p) => p.numInputRows > 0).slice(-30).map((p) => p.durationMs["triggerExecution"] ?? 0).sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  console.log(`${N.toLocaleString("en-US")} keys in state (${String(q.lastProgress?.stateOperators[0]?.numRowsTotal)} rows); 30 batches of 1,000 rows:`);
  console.log(`  triggerExecution p50 ${exec[15]} ms, max ${exec.at(-1)} ms; processAllAvailable p50 ${wall[15]!.toFixed(1)} ms, max ${wall.at(-1)!.toFixed(1)} ms`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
