/**
 * Measuring one engine run: wall time, process CPU time (all threads: DuckDB's workers count),
 * and peak RSS sampled every 10 ms while the run yields to the event loop (plus before and after;
 * a run that never yields — a hand loop — is seen at its end only). Shared by the Nexmark and
 * Yahoo suites, which also share the table printer and the results.json merge.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type Digest, compareDigest } from "./digest.js";

export interface RunMeasure {
  seconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * Idle time before every measured run. Engines take turns in one process, and V8 finishes a
 * run's garbage collection after it returns: concurrent marking and sweeping on its helper
 * threads, finalized by tasks on the event loop. Without the pause that work lands in the next
 * engine's measured run, on the cores that run's worker threads need: Nexmark q5 on two threads
 * took 115-123 ms right after its one-thread run and 92-98 ms after a 100-200 ms pause (the same
 * after a pause alone). The pause gives each run the quiet process it would have on its own.
 */
const SETTLE_MS = 150;

export async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; m: RunMeasure }> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  try {
    const value = await fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, m: { seconds, cpuSeconds: (c.user + c.system) / 1e6, peakRssBytes: peak } };
  } finally {
    clearInterval(timer);
  }
}

/** The median run (by wall time) of several. */
export function medianRun(runs: readonly RunMeasure[]): RunMeasure {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface ResultRow {
  benchmark: string;
  engine: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds / wall seconds over the run: how many cores the engine kept busy. */
  coresUsed: number;
  eventsPerSecondPerCore: number;
  peakRssMB: number;
  ratioVsHandLoop: number | null;
  ratioVsDuckDB: number | null;
  /** Null: agrees with the reference engine (or nothing to compare with); else what differs. */
  mismatch: string | null;
  /** For streaming runs: micro-batch latency percentiles (trigger execution, ms). */
  batchLatencyMs?: { p50: number; p99: number; batches: number };
  /** For a run on several executor threads: events/s over the same engine's 1-thread run. */
  speedupVs1Thread?: number;
  /** Each paired round's ratio (speedupVs1Thread is their median): how far this VM's noise spread them. */
  speedupRounds?: number[];
  note?: string;
}

/** A warm-up run (whose value is kept, to check results), then `runs` measured runs. */
export async function timed<T>(runs: number, fn: () => Promise<T> | T): Promise<Timed<T>> {
  const warm = await fn();
  const ms: RunMeasure[] = [];
  for (let r = 0; r < runs; r++) ms.push((await measure(fn)).m);
  return { digest: warm, runs: ms };
}

/**
 * Measures a Sluice run with `sluice.executor.threads` = 1 and = `threads` (when more than one),
 * leaving the session at `threads`, together with the reference engines in `alongside` (the hand
 * loop, the raw parse loop): `rounds.warmups` unmeasured rounds, then `rounds.runs` measured ones;
 * in each round every engine runs once in turn (1 thread, N threads, then each reference). Taking
 * turns matters on a shared VM, whose speed drifts by tens of percent over a minute: measuring one
 * engine's runs after another's put that drift into the ratios. Several warm-up rounds matter for
 * the N-thread runs: each worker thread optimizes the generated loops on its own, seeing 1/N of
 * the events per run, with no idle core left for V8's compiler (one warm-up run left q5's first
 * measured 2-thread runs twice as slow as its later ones).
 */
export async function acrossThreads<T, K extends string = never>(
  conf: { set(key: string, value: number): unknown },
  threads: number,
  rounds: { readonly warmups: number; readonly runs: number },
  fn: () => Promise<T>,
  alongside: Readonly<Partial<Record<K, () => Promise<T> | T>>> = {} as Partial<Record<K, () => Promise<T> | T>>,
): Promise<{ one: Timed<T>; many: Timed<T> | null; others: Partial<Record<K, Timed<T>>> }> {
  const at = async <R>(n: number, f: () => Promise<R>): Promise<R> => {
    conf.set("sluice.executor.threads", n);
    return f();
  };
  const refs = Object.entries(alongside) as [K, () => Promise<T> | T][];
  // The first warm-up round's values are the digests the results are checked with.
  const one: Timed<T> = { digest: await at(1, fn), runs: [] };
  const many: Timed<T> | null = threads > 1 ? { digest: await at(threads, fn), runs: [] } : null;
  const others: Partial<Record<K, Timed<T>>> = {};
  const timedRefs: [() => Promise<T> | T, Timed<T>][] = [];
  for (const [k, f] of refs) {
    const t: Timed<T> = { digest: await f(), runs: [] };
    others[k] = t;
    timedRefs.push([f, t]);
  }
  for (let r = 1; r < rounds.warmups; r++) {
    await at(1, fn);
    if (many) await at(threads, fn);
    for (const [f] of timedRefs) await f();
  }
  for (let r = 0; r < rounds.runs; r++) {
    one.runs.push(await at(1, async () => (await measure(fn)).m));
    if (many) many.runs.push(await at(threads, async () => (await measure(fn)).m));
    for (const [f, t] of timedRefs) t.runs.push((await measure(f)).m);
  }
  conf.set("sluice.executor.threads", threads);
  return { one, many, others };
}

/** An engine's warm-up value (to check results) and its measured runs. */
export interface Timed<T> {
  digest: T;
  runs: RunMeasure[];
}

/**
 * "N threads vs 1" as the median of each round's ratio (acrossThreads runs the two back to
 * back in every round). This VM's neighbours come and go within seconds, and a busy moment
 * slows a run on two cores more than one on one core; runs of one round share the moment,
 * medians taken across rounds do not (a ratio of medians swung 1.06x-1.6x between runs of
 * Nexmark q5).
 */
export function pairedSpeedup(one: readonly RunMeasure[], many: readonly RunMeasure[]): number {
  return median(pairedRatios(one, many));
}

/** Each round's 1-thread time over its N-thread time. */
export function pairedRatios(one: readonly RunMeasure[], many: readonly RunMeasure[]): number[] {
  return one.slice(0, many.length).map((r, i) => r.seconds / many[i]!.seconds);
}

/** Sets a row's speedup (median of the paired rounds) and the rounds themselves. */
function setSpeedup(row: ResultRow, one: readonly RunMeasure[], many: readonly RunMeasure[]): void {
  row.speedupVs1Thread = pairedSpeedup(one, many);
  row.speedupRounds = pairedRatios(one, many);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Rounds for the runs across threads, outside --quick: at least nine measured, so the median of
 * the paired ratios (pairedSpeedup) rides out a few busy moments (session 26, q5 in two processes,
 * 36 rounds each after warm-up: single rounds 1.54-1.95x, medians of five consecutive rounds
 * 1.69-1.84x, of nine 1.75-1.84x), after at least sixteen warm-up
 * rounds. Each worker thread compiles its own copy of the engine, seeing half the rows per run,
 * and the functions run a few times per query (operators' execute loops, planning, 2-20 ms of
 * TurboFan each) reach it one after another over the first fifteen or so runs, on helper threads
 * that a two-thread run has no idle core for. Per-thread scheduler statistics of q5's two-thread
 * runs (session 25): through round 15 the workers waited 5-30 ms per run for helper threads, then
 * 0-8 ms (1.76x over rounds 16-29); `--queries q5` 1.65x and 1.54x after eight warm-up rounds,
 * 1.79x and 1.73x after sixteen.
 */
export function threadRounds(o: { readonly warmups: number; readonly runs: number; readonly quick: boolean }): { warmups: number; runs: number } {
  return o.quick ? { warmups: o.warmups, runs: o.runs } : { warmups: Math.max(o.warmups, 16), runs: Math.max(o.runs, 9) };
}

/** Rows for an engine measured on 1 thread and on `threads` (see acrossThreads; median runs), the latter with its speedup. */
export function threadRows(benchmark: string, engine: string, events: number, threads: number, one: readonly RunMeasure[], many: readonly RunMeasure[] | null, extra: (m: RunMeasure) => Partial<ResultRow> = () => ({})): ResultRow[] {
  const m1 = medianRun(one);
  const r1 = resultRow(benchmark, `${engine}, 1 thread`, events, m1, extra(m1));
  if (!many) return [r1];
  const mn = medianRun(many);
  const rn = resultRow(benchmark, `${engine}, ${threads} threads`, events, mn, extra(mn));
  setSpeedup(rn, one, many);
  return [r1, rn];
}

/**
 * The hand loop's rows: on one thread, and (when measured) on `threads` threads (HandThreads),
 * the latter with its speedup: the practical limit for the engine's "N threads vs 1".
 */
export function handRows(benchmark: string, events: number, threads: number, one: Timed<Digest>, many: Timed<Digest> | undefined): ResultRow[] {
  const r1 = resultRow(benchmark, "hand-written JS loop", events, medianRun(one.runs));
  if (!many) return [r1];
  const rn = resultRow(benchmark, `hand-written JS loop, ${threads} threads`, events, medianRun(many.runs), { mismatch: compareDigest(one.digest, many.digest) });
  setSpeedup(rn, one.runs, many.runs);
  return [r1, rn];
}

export function resultRow(benchmark: string, engine: string, events: number, m: RunMeasure, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    benchmark, engine, events,
    seconds: m.seconds,
    eventsPerSecond: events / m.seconds,
    coresUsed: m.cpuSeconds / m.seconds,
    eventsPerSecondPerCore: m.cpuSeconds > 0 ? events / m.cpuSeconds : events / m.seconds,
    peakRssMB: m.peakRssBytes / 1048576,
    ratioVsHandLoop: null, ratioVsDuckDB: null, mismatch: null,
    ...extra,
  };
}

/** Fills in ratios (events/s of each row over the hand loop's / DuckDB's of the same benchmark). */
export function addRatios(rows: ResultRow[], isHand: (r: ResultRow) => boolean, isDuck: (r: ResultRow) => boolean): void {
  for (const r of rows) {
    const hand = rows.find((x) => x.benchmark === r.benchmark && isHand(x));
    const duck = rows.find((x) => x.benchmark === r.benchmark && isDuck(x));
    r.ratioVsHandLoop = hand ? r.eventsPerSecond / hand.eventsPerSecond : null;
    r.ratioVsDuckDB = duck ? r.eventsPerSecond / duck.eventsPerSecond : null;
  }
}

export function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(0)} k`;
}

export function printTable(rows: readonly ResultRow[]): string {
  const header = ["benchmark", "engine", "events", "s", "events/s", "cores", "ev/s/core", "RSS MB", "vs hand", "vs DuckDB", "vs 1 thread", "p50/p99 ms", "check"];
  const body = rows.map((r) => [
    r.benchmark, r.engine, r.events.toLocaleString("en-US"), r.seconds.toFixed(3), fmtRate(r.eventsPerSecond), r.coresUsed.toFixed(2), fmtRate(r.eventsPerSecondPerCore),
    r.peakRssMB.toFixed(0), r.ratioVsHandLoop === null ? "" : r.ratioVsHandLoop.toFixed(2), r.ratioVsDuckDB === null ? "" : r.ratioVsDuckDB.toFixed(2),
    r.speedupVs1Thread === undefined ? "" : `${r.speedupVs1Thread.toFixed(2)}x`,
    r.batchLatencyMs ? `${r.batchLatencyMs.p50.toFixed(0)}/${r.batchLatencyMs.p99.toFixed(0)}` : "", r.mismatch === null ? "ok" : `DIFFERS: ${r.mismatch}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((s, c) => (c <= 1 || c === cells.length - 1 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n") + "\n";
}

/** Writes `value` under `key` in bench/results.json, keeping every other key. */
export function mergeResults(key: string, value: unknown): string {
  const path = join(dirname(fileURLToPath(import.meta.url)), "..", "results.json");
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    existing = {};
  }
  existing[key] = value;
  writeFileSync(path, JSON.stringify(existing, null, 2) + "\n");
  return path;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function machine(): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString() };
}

/**
 * CPU work for a worker thread that no JIT tier changes: PBKDF2-SHA256 in Node's native crypto
 * (a JavaScript loop runs 8x faster or slower depending on whether V8 optimizes it in that
 * worker). No allocation, little memory traffic; posts its own running time.
 */
const CPU_WORK = `const { parentPort, workerData } = require("node:worker_threads");
const { pbkdf2Sync } = require("node:crypto");
pbkdf2Sync("sluice", "salt", 1000, 32, "sha256");
const t0 = performance.now();
pbkdf2Sync("sluice", "salt", workerData, 32, "sha256");
parentPort.postMessage(performance.now() - t0);`;

function cpuWork(iterations: number): Promise<number> {
  const w = new Worker(CPU_WORK, { eval: true, workerData: iterations });
  return new Promise<number>((resolve, reject) => {
    w.once("message", (ms: number) => {
      void w.terminate();
      resolve(ms);
    });
    w.once("error", reject);
  });
}

/**
 * What `threads` threads can give over one on this machine right now, before any engine cost:
 * CPU work on one worker thread, then on `threads` at once (turns, median of `rounds`);
 * the ratio is threads x (one loop's time) / (the slowest concurrent loop's time). On a VM whose
 * busy vCPUs slow each other, it is below `threads`, and it bounds every "N threads vs 1" figure.
 */
export async function threadCeiling(threads: number, rounds = 5, iterations = 1_500_000): Promise<{ ratio: number; rounds: number[] }> {
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const one = await cpuWork(iterations);
    const many = Math.max(...(await Promise.all(Array.from({ length: threads }, () => cpuWork(iterations)))));
    ratios.push((threads * one) / many);
  }
  return { ratio: median(ratios), rounds: ratios };
}

/** "N threads vs 1" of Sluice's batch run and of the hand loop on a benchmark, beside the issue's target (empty when not measured). */
export function speedupLine(rows: readonly ResultRow[], benchmark: string, threads: number, engine = "Sluice batch", target: number | null = 1.7): string {
  const of = (prefix: string): string | undefined => {
    const r = rows.find((x) => x.benchmark === benchmark && x.engine.startsWith(prefix) && x.speedupVs1Thread !== undefined);
    if (r?.speedupVs1Thread === undefined) return undefined;
    const rounds = r.speedupRounds ?? [];
    const spread = rounds.length > 1 ? ` (rounds ${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)})` : "";
    return `${r.speedupVs1Thread.toFixed(2)}x${spread}`;
  };
  const sluice = of(engine), hand = of("hand-written JS loop");
  if (sluice === undefined) return "";
  return `${benchmark}, ${threads} threads vs 1: ${engine} ${sluice}${hand === undefined ? "" : `, hand loop split by hand ${hand}`}${target === null ? "" : ` (target >= ${target.toFixed(2)}x)`}\n`;
}

/** The ceiling measured before and after a suite, as the table's footnote. */
export function ceilingLine(threads: number, c: { before: { ratio: number }; after: { ratio: number } }): string {
  return `This machine's ceiling for ${threads} threads vs 1 (native CPU work on worker threads, no engine): ${c.before.ratio.toFixed(2)}x before the runs, ${c.after.ratio.toFixed(2)}x after\n`;
}
