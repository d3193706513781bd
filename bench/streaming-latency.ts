/**
 * `npx tsx bench/streaming-latency.ts [--events N] [--gap MS] [--no-fsync]`
 *
 * Latency of the micro-batch engine with the default trigger (a batch as soon as the previous one
 * ends), not a test (timings are never asserted):
 *
 * 1. memory stream → projection + filter → foreachBatch: time from `addData` returning to the row
 *    reaching the foreachBatch function, one event at a time at a low rate (the previous event
 *    delivered, then a short pause), p50 / p90 / p99 / max;
 * 2. json file source → same query: time from a file being renamed into the watched directory to
 *    its row reaching foreachBatch;
 * 3. the fixed per-batch cost of the trigger loop at an empty batch (`addData([])`): wall time per
 *    batch and the progress durations (walCommit = offsets/N, commitOffsets = commits/N).
 *
 * All with a checkpoint on the local disk (os.tmpdir()), with its fsyncs unless `--no-fsync`
 * (sluice.sql.streaming.checkpoint.fsync=false: still exactly-once across kill -9, not across a
 * power loss). `--gap` is the pause after an event is delivered before the next (default 20 ms).
 *
 * Latency under a sustained input rate (a stateful query at half of its maximum sustainable rate,
 * issue 6's target) is bench/yahoo/latency.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Session, col } from "../src/index.js";
import type { StreamingQuery } from "../src/api/streaming-query.js";
import { percentile } from "./nexmark/measure.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const EVENTS = flag("--events", 500);
const GAP_MS = flag("--gap", 20);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-latency-"));
const spark = Session.builder().appName("streaming-latency").getOrCreate();
if (args.includes("--no-fsync")) spark.conf.set("sluice.sql.streaming.checkpoint.fsync", false);

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentiles(samples: number[]): string {
  const at = (p: number): string => percentile(samples, p).toFixed(2);
  return `n=${samples.length}  p50 ${at(50)} ms  p90 ${at(90)} ms  p99 ${at(99)} ms  max ${at(100)} ms`;
}

/** Runs `events` one at a time: `emit(i)` makes event i available; resolves with latencies (ms). */
async function measure(events: number, start: (onRow: (id: number) => void) => Promise<StreamingQuery>, emit: (i: number) => void): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let waiting: { id: number; resolve: () => void } | null = null;
  const q = await start((id) => {
    const t0 = sentAt.get(id);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
    if (waiting && waiting.id === id) waiting.resolve();
  });
  // Warm-up: the first events compile code and fill caches.
  const warm = 20;
  for (let i = 0; i < events + warm; i++) {
    const delivered = new Promise<void>((resolve) => (waiting = { id: i, resolve }));
    if (i === warm) latencies.length = 0;
    sentAt.set(i, performance.now());
    emit(i);
    await delivered;
    await pause(GAP_MS);
  }
  await q.stop();
  return latencies;
}

async function memoryLatency(): Promise<number[]> {
  const input = spark.memoryStream("id INT, v DOUBLE");
  return measure(
    EVENTS,
    (onRow) =>
      input
        .toDF()
        .where(col("v").gt(0))
        .select(col("id"), col("v").multiply(2).alias("w"))
        .writeStream.option("checkpointLocation", path.join(root, "ckpt-memory"))
        .foreachBatch(async (df) => {
          for (const r of await df.collect()) onRow(r["id"] as number);
        })
        .start(),
    (i) => void input.addData([{ id: i, v: 1.5 }]),
  );
}

async function fileLatency(events: number): Promise<number[]> {
  const dir = path.join(root, "in");
  fs.mkdirSync(dir);
  return measure(
    events,
    (onRow) =>
      spark.readStream
        .format("json")
        .schema("id INT, v DOUBLE")
        .load(dir)
        .where(col("v").gt(0))
        .select(col("id"), col("v").multiply(2).alias("w"))
        .writeStream.option("checkpointLocation", path.join(root, "ckpt-files"))
        .foreachBatch(async (df) => {
          for (const r of await df.collect()) onRow(r["id"] as number);
        })
        .start(),
    (i) => {
      const tmp = path.join(dir, `.e-${i}.json.tmp`);
      fs.writeFileSync(tmp, JSON.stringify({ id: i, v: 1.5 }) + "\n");
      fs.renameSync(tmp, path.join(dir, `e-${String(i).padStart(6, "0")}.json`));
    },
  );
}

async function emptyBatchOverhead(batches: number): Promise<void> {
  const input = spark.memoryStream("id INT");
  const q = await input.toDF().writeStream.option("checkpointLocation", path.join(root, "ckpt-empty")).foreachBatch(() => undefined).start();
  for (let i = 0; i < 20; i++) {
    input.addData([]);
    await q.processAllAvailable();
  }
  const before = q.lastProgress!.batchId;
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    input.addData([]);
    await q.processAllAvailable();
  }
  const wall = (performance.now() - t0) / batches;
  const progress = q.recentProgress.filter((p) => p.batchId > before);
  await q.stop();
  const avg = (k: string): string => (progress.reduce((n, p) => n + (p.durationMs[k] ?? 0), 0) / progress.length).toFixed(2);
  console.log(`empty batch: ${batches} batches (progress of the last ${progress.length}), wall ${wall.toFixed(2)} ms/batch (addData → processAllAvailable resolved)`);
  console.log(`  progress averages: triggerExecution ${avg("triggerExecution")} ms, walCommit ${avg("walCommit")} ms, commitOffsets ${avg("commitOffsets")} ms, addBatch ${avg("addBatch")} ms, latestOffset ${avg("latestOffset")} ms, queryPlanning ${avg("queryPlanning")} ms`);
}

try {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, checkpoint in ${root}, fsync ${args.includes("--no-fsync") ? "off" : "on"}, gap ${GAP_MS} ms`);
  console.log(`memory stream → foreachBatch, default trigger: ${percentiles(await memoryLatency())}`);
  console.log(`json file source → foreachBatch, default trigger: ${percentiles(await fileLatency(Math.min(EVENTS, 200)))}`);
  await emptyBatchOverhead(200);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
