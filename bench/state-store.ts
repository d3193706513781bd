/**
 * `npm run bench:state [-- --quick | --keys N] [--store-only | --engine-only]` (also part of `npm run bench`)
 *
 * 1. THROUGH THE ENGINE: a streaming windowed count (`groupBy(window(ts, "10 seconds"), word)
 *    .count()`, append mode, watermark far behind so every key stays in state) over N distinct
 *    keys (default 1,000,000; --quick 100,000), fed by a MemoryStream in micro-batches of 250,000
 *    rows: pass 1 inserts every key, pass 2 updates every key. Per provider (memory, lmdb):
 *    state updates per second (the operator's numRowsUpdated over the batches' wall time, the
 *    whole micro-batch included), bytes per state row (snapshot file, and memory held or LMDB
 *    file), and the time to restore: a new query started on the checkpoint running one more
 *    one-row batch (for LMDB also after deleting the live environment: a rebuild from files).
 * 2. THE STORE ALONE: the same keys' state traffic straight on a store: key = (window start in
 *    microseconds, word), value = { count }. For each provider, in one process:
 *    - batch 1 inserts every key (get + put), batch 2 updates every key (get + put of count + 1):
 *      state updates per second, encodeKey included, and commit time (delta appended + fsync);
 *    - bytes per state row: snapshot file, delta, heap (memory) / LMDB file;
 *    - eviction: a range scan of the oldest half of the windows and a remove of each key;
 *    - restore: a fresh provider loading the latest version from the checkpoint (memory: snapshot
 *      plus delta; lmdb: live environment with file verification, and a rebuild without it).
 *    The reference is a hand-written loop on a plain Map<string, number> with string keys.
 * Results go to bench/results.json under "stateStore". Not a test: timings are printed, never asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { LmdbStateStoreProvider } from "../src/state/lmdb-state-store.js";
import { MemoryStateStoreProvider } from "../src/state/memory-state-store.js";
import { encodeKey, type StateStoreConf, type StateStoreProvider } from "../src/state/state-store.js";
import { Session, col, functions as F } from "../src/index.js";
import { mergeResults } from "./nexmark/measure.js";

const argv = process.argv.slice(2);
const argKeys = argv.indexOf("--keys");
const QUICK = argv.includes("--quick");
const N = argKeys >= 0 ? Number(argv[argKeys + 1]) : QUICK ? 100_000 : 1_000_000;
if (!Number.isInteger(N) || N < 2000 || N % 2000 !== 0) throw new Error("--keys needs a multiple of 2000");
const WINDOWS = 1000;
const BASE = 1_700_000_000_000_000; // micros
const WINDOW_US = 10_000_000;
const windowOf = (i: number): number => BASE + (i % WINDOWS) * WINDOW_US;
const wordOf = (i: number): string => `word${Math.floor(i / WINDOWS)}`;

interface Row {
  provider: string;
  insertUpdatesPerSec: number;
  updateUpdatesPerSec: number;
  commit1Ms: number;
  commit2Ms: number;
  snapshotBytesPerRow: number;
  deltaBytesPerRow: number;
  residentBytesPerRow: number;
  evictMs: number;
  snapshotWriteMs: number;
  restoreMs: number;
  restoreRebuildMs?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const fileBytes = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);

function handLoop(): number {
  const m = new Map<string, number>();
  const t0 = performance.now();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < N; i++) {
      const k = `${windowOf(i)}|${wordOf(i)}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return (2 * N) / ((performance.now() - t0) / 1000);
}

async function run(name: string, make: (ck: string, conf: StateStoreConf) => StateStoreProvider): Promise<Row> {
  const ck = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-bench-state-${name}-`));
  const conf: StateStoreConf = { providerClass: name, minDeltasForSnapshot: 2, minBatchesToRetain: 10 };
  const dir = path.join(ck, "state/0/0");
  try {
    const h0 = heap();
    const p = make(ck, conf);
    const batch = (version: number): { perSec: number; commitMs: number; deltaBytes: number } => {
      const s = p.getStore<{ count: number }>(version);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const k = encodeKey([windowOf(i), wordOf(i)]);
        const old = s.get(k);
        s.put(k, { count: (old?.count ?? 0) + 1 });
      }
      const t1 = performance.now();
      s.commit();
      const m = s.metrics();
      return { perSec: N / ((t1 - t0) / 1000), commitMs: m.commitTimeMs, deltaBytes: m.customMetrics.deltaFileBytes ?? 0 };
    };
    const b1 = batch(0);
    const b2 = batch(1);
    const residentBytes = name === "memory" ? heap() - h0 : fileBytes(path.join(dir, "_lmdb/data.mdb"));
    const tSnap = performance.now();
    p.maintenance(); // writes 2.snapshot
    const snapshotWriteMs = performance.now() - tSnap;
    const snapshotBytes = fileBytes(path.join(dir, "2.snapshot"));
    const deltaBytes = b2.deltaBytes; // the delta of version 2, a block of the store's changelog

    // Evict the older half of the windows, as append mode does once the watermark passes them.
    const s3 = p.getStore<{ count: number }>(2);
    const tEv = performance.now();
    let evicted = 0;
    for (const e of s3.rangeScan(undefined, encodeKey([windowOf(WINDOWS / 2)]))) {
      s3.remove(e.key);
      evicted++;
    }
    const evictMs = performance.now() - tEv;
    s3.abort();
    if (evicted !== N / 2) throw new Error(`evicted ${evicted}, expected ${N / 2}`);
    await p.close();

    const tR = performance.now();
    const q = make(ck, conf);
    const r = q.getStore<{ count: number }>(2);
    const check = r.get(encodeKey([windowOf(7), wordOf(7)]));
    const restoreMs = performance.now() - tR;
    if (check?.count !== 2) throw new Error(`restored count ${String(check?.count)}`);
    r.abort();
    await q.close();
    let restoreRebuildMs: number | undefined;
    if (name === "lmdb") {
      fs.rmSync(path.join(dir, "_lmdb"), { recursive: true });
      const tB = performance.now();
      const z = make(ck, conf);
      z.getStore(2).abort();
      restoreRebuildMs = performance.now() - tB;
      await z.close();
    }
    return {
      provider: name,
      insertUpdatesPerSec: Math.round(b1.perSec),
      updateUpdatesPerSec: Math.round(b2.perSec),
      commit1Ms: Math.round(b1.commitMs),
      commit2Ms: Math.round(b2.commitMs),
      snapshotBytesPerRow: +(snapshotBytes / N).toFixed(1),
      deltaBytesPerRow: +(deltaBytes / N).toFixed(1),
      residentBytesPerRow: +(residentBytes / N).toFixed(1),
      evictMs: Math.round(evictMs),
      snapshotWriteMs: Math.round(snapshotWriteMs),
      restoreMs: Math.round(restoreMs),
      ...(restoreRebuildMs !== undefined ? { restoreRebuildMs: Math.round(restoreRebuildMs) } : {}),
    };
  } finally {
    fs.rmSync(ck, { recursive: true, force: true });
  }
}

interface EngineRow {
  provider: string;
  insertUpdatesPerSec: number;
  updateUpdatesPerSec: number;
  stateRows: number;
  snapshotBytesPerRow: number;
  residentBytesPerRow: number;
  restoreMs: number;
  restoreRebuildMs?: number;
}

const ENGINE_CHUNK = 250_000;
const TS_BASE_MS = Date.UTC(2026, 0, 1);

/** The windowed count through a streaming query (see the file comment, part 1). */
async function runEngine(provider: string): Promise<EngineRow> {
  const ck = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-bench-state-engine-${provider}-`));
  const spark = Session.builder().appName(`bench-state-${provider}`).create();
  spark.conf.set("spark.sql.session.timeZone", "UTC");
  spark.conf.set("sluice.sql.streaming.stateStore.providerClass", provider);
  spark.conf.set("sluice.sql.streaming.stateStore.minDeltasForSnapshot", 2);
  const input = spark.memoryStream("ts TIMESTAMP, word STRING");
  const rowsOf = (from: number, to: number): { ts: Date; word: string }[] => {
    const r = [];
    for (let i = from; i < to; i++) r.push({ ts: new Date(TS_BASE_MS + (i % WINDOWS) * 10_000), word: `word${Math.floor(i / WINDOWS)}` });
    return r;
  };
  const start = () =>
    input
      .toDF()
      .withWatermark("ts", "3650 days")
      .groupBy(F.window(col("ts"), "10 seconds"), col("word"))
      .count()
      .writeStream.outputMode("append")
      .option("checkpointLocation", ck)
      .foreachBatch(async () => {})
      .start();
  try {
    let q = await start();
    const pass = async (): Promise<number> => {
      let ms = 0, updated = 0;
      for (let s = 0; s < N; s += ENGINE_CHUNK) {
        input.addData(rowsOf(s, Math.min(N, s + ENGINE_CHUNK)));
        const before = q.lastProgress?.batchId ?? -1;
        const t0 = performance.now();
        await q.processAllAvailable();
        ms += performance.now() - t0;
        for (const p of q.recentProgress) if (p.batchId > before) updated += p.stateOperators[0]?.numRowsUpdated ?? 0;
      }
      if (updated !== N) throw new Error(`the engine updated ${updated} state rows, expected ${N}`);
      return N / (ms / 1000);
    };
    const insert = await pass();
    const update = await pass();
    const last = q.lastProgress!.stateOperators[0]!;
    const stateRows = last.numRowsTotal;
    if (stateRows !== N) throw new Error(`state holds ${stateRows} rows, expected ${N}`);
    const dir = path.join(ck, "state/0/0");
    const snapshots = fs.readdirSync(dir).filter((f) => f.endsWith(".snapshot")).map((f) => path.join(dir, f));
    const latestSnapshot = snapshots.sort((a, b) => parseInt(path.basename(b)) - parseInt(path.basename(a)))[0];
    const snapshotBytes = latestSnapshot ? fileBytes(latestSnapshot) : 0;
    const resident = provider === "memory" ? last.memoryUsedBytes : fileBytes(path.join(dir, "_lmdb/data.mdb"));
    await q.stop();
    const restart = async (): Promise<number> => {
      const t0 = performance.now();
      q = await start();
      input.addData(rowsOf(0, 1));
      await q.processAllAvailable();
      const ms = performance.now() - t0;
      if (q.lastProgress?.stateOperators[0]?.numRowsTotal !== N) throw new Error("the restored state does not hold every key");
      await q.stop();
      return ms;
    };
    const restoreMs = await restart();
    let restoreRebuildMs: number | undefined;
    if (provider === "lmdb") {
      fs.rmSync(path.join(dir, "_lmdb"), { recursive: true, force: true });
      restoreRebuildMs = await restart();
    }
    return {
      provider,
      insertUpdatesPerSec: Math.round(insert),
      updateUpdatesPerSec: Math.round(update),
      stateRows,
      snapshotBytesPerRow: +(snapshotBytes / stateRows).toFixed(1),
      residentBytesPerRow: +(resident / stateRows).toFixed(1),
      restoreMs: Math.round(restoreMs),
      ...(restoreRebuildMs !== undefined ? { restoreRebuildMs: Math.round(restoreRebuildMs) } : {}),
    };
  } finally {
    spark.stop();
    fs.rmSync(ck, { recursive: true, force: true });
  }
}

const id = (ck: string) => ({ checkpointLocation: ck, operatorId: 0, partitionId: 0 });
const results: Record<string, unknown> = { keys: N, quick: QUICK, node: process.version, date: new Date().toISOString() };
if (!argv.includes("--store-only")) {
  const engine = [await runEngine("memory"), await runEngine("lmdb")];
  console.log(`\nstate through the engine: windowed count over ${N.toLocaleString("en-US")} distinct keys (window, word), append mode, micro-batches of ${ENGINE_CHUNK.toLocaleString("en-US")} rows`);
  console.log("updates/s = the operator's state rows updated / wall time of those micro-batches; restore = start on the checkpoint + one 1-row batch");
  console.table(engine);
  results["engine"] = engine;
}
if (!argv.includes("--engine-only")) {
  const ref = handLoop();
  const rows = [
    await run("memory", (ck, conf) => new MemoryStateStoreProvider(id(ck), conf)),
    await run("lmdb", (ck, conf) => new LmdbStateStoreProvider(id(ck), conf)),
  ];
  console.log(`\nthe store alone, ${N.toLocaleString("en-US")} distinct keys (window start micros, word); value { count }${gc ? "" : " (run with --expose-gc for exact heap bytes)"}`);
  console.log(`hand-written Map<string, number> loop: ${Math.round(ref).toLocaleString("en-US")} updates/s`);
  const table = rows.map((r) => ({ ...r, "update ratio vs hand loop": +(r.updateUpdatesPerSec / ref).toFixed(2) }));
  console.table(table);
  results["store"] = { handLoopUpdatesPerSec: Math.round(ref), providers: table };
}
console.log(`Wrote ${mergeResults("stateStore", results)}`);
