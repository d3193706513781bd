/**
 * `npx tsx bench/state-store.ts [--keys N]`
 *
 * A windowed count's state traffic over N distinct keys (default 1,000,000): key = (window start
 * in microseconds, word), value = { count }. For each provider (memory, lmdb), in one process:
 * - batch 1 inserts every key (get + put), batch 2 updates every key (get + put of count + 1):
 *   state updates per second, encodeKey included, and commit time (delta file + fsync);
 * - bytes per state row: snapshot file, delta file, heap (memory) / LMDB file;
 * - eviction: a range scan of the oldest half of the windows and a remove of each key;
 * - restore: a fresh provider loading the latest version from the checkpoint (memory: snapshot
 *   plus delta; lmdb: live environment with file verification, and a rebuild without it).
 * The reference is a hand-written loop on a plain Map<string, number> with string keys.
 * Not a test: timings are printed, never asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { LmdbStateStoreProvider } from "../src/state/lmdb-state-store.js";
import { MemoryStateStoreProvider } from "../src/state/memory-state-store.js";
import { encodeKey, type StateStoreConf, type StateStoreProvider } from "../src/state/state-store.js";

const argKeys = process.argv.indexOf("--keys");
const N = argKeys > 0 ? Number(process.argv[argKeys + 1]) : 1_000_000;
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
    const batch = (version: number): { perSec: number; commitMs: number } => {
      const s = p.getStore<{ count: number }>(version);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const k = encodeKey([windowOf(i), wordOf(i)]);
        const old = s.get(k);
        s.put(k, { count: (old?.count ?? 0) + 1 });
      }
      const t1 = performance.now();
      s.commit();
      return { perSec: N / ((t1 - t0) / 1000), commitMs: s.metrics().commitTimeMs };
    };
    const b1 = batch(0);
    const b2 = batch(1);
    const residentBytes = name === "memory" ? heap() - h0 : fileBytes(path.join(dir, "_lmdb/data.mdb"));
    const tSnap = performance.now();
    p.maintenance(); // writes 2.snapshot
    const snapshotWriteMs = performance.now() - tSnap;
    const snapshotBytes = fileBytes(path.join(dir, "2.snapshot"));
    const deltaBytes = fileBytes(path.join(dir, "2.delta"));

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

const id = (ck: string) => ({ checkpointLocation: ck, operatorId: 0, partitionId: 0 });
const ref = handLoop();
const rows = [
  await run("memory", (ck, conf) => new MemoryStateStoreProvider(id(ck), conf)),
  await run("lmdb", (ck, conf) => new LmdbStateStoreProvider(id(ck), conf)),
];
console.log(`state store, ${N.toLocaleString("en-US")} distinct keys (window start micros, word); value { count }${gc ? "" : " (run with --expose-gc for exact heap bytes)"}`);
console.log(`hand-written Map<string, number> loop: ${Math.round(ref).toLocaleString("en-US")} updates/s`);
console.table(rows.map((r) => ({ ...r, "update ratio vs hand loop": +(r.updateUpdatesPerSec / ref).toFixed(2) })));
