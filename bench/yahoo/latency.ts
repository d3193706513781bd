/**
 * `tsx bench/yahoo/latency.ts [--quick] [--max-rate R] [--start R] [--step-seconds S] [--seconds S]
 *  [--bisect N] [--tick MS] [--conf K=V] [--no-fsync] [--help]`
 *
 * End-to-end latency of the Yahoo streaming benchmark query at half of the maximum sustainable
 * rate (issue 6's target: p99 under 20 ms). Not a test: nothing is asserted.
 *
 * The query is bench/yahoo/run.ts's: keep `view` events, project (ad_id, event_time), broadcast
 * join ad_id to its campaign, count per campaign per 10-second tumbling event-time window, with a
 * 10-second watermark, update mode, the default trigger (a batch as soon as the previous one
 * ends), the checkpoint on the local disk (os.tmpdir()) with fsync on, and a foreachBatch sink
 * that collects each batch's rows and notes when they arrived.
 *
 * The input is a timed source (TimedAdEvents below): event i *arrives* at t0 + i / R (R events
 * per second, t0 the query's start), as if an outside producer wrote it to a broker at that
 * moment whatever the engine is doing. `latestOffset` returns every event arrived by now, and
 * `getBatch` generates them (the Yahoo generator's columnar batches, event_time = the arrival
 * time on the wall clock, so the watermark and the windows move in real time). A timer every
 * `--tick` ms (default 1) wakes an idle query when events have arrived. An event's latency is
 * the time from its arrival to the moment the foreachBatch function has collected the output of
 * the batch that contains it. Since arrival times are the schedule, not the moment a timer ran,
 * time the engine spends blocking the event loop counts in full (no coordinated omission).
 *
 * Steps:
 * 1. the maximum sustainable rate: one query per step, each running at a fixed rate for
 *    `--step-seconds` (the first quarter is warm-up). The query keeps up when every event
 *    arrived during the step is delivered within a second and the lag (age of the oldest event
 *    not yet delivered, sampled at each delivery) in the last third of the step is at most
 *    1.5 x its mean in the first third + 10 ms. Rates double from `--start` until one fails,
 *    then `--bisect` steps halve the interval between the last rate that kept up and the first
 *    that did not. A rate fails only when two steps in a row fail (a stall of a busy machine
 *    fails a single step; with `--quick` one step decides). `--max-rate R` skips the search.
 * 2. a run at half of that rate for `--seconds` (after a warm-up of 1/5 of it): latency of every
 *    event arrived after the warm-up (p50 / p90 / p99 / max, histogram bins of 0.01 ms), batch
 *    durations (triggerExecution of batches with input) and the average of each phase;
 * 3. (unless --no-fsync) the same run with fsync off: Spark writes a local checkpoint's files
 *    through a temp file and a rename, without fsync, so this is the figure to set beside Spark's
 *    (a file survives the process being killed, not a power loss); fsync on is Sluice's default.
 *
 * Writes bench/results.json under "yahooLatency" (other keys kept). The machine's load average is
 * printed and stored: on a loaded machine the figures are not comparable with an idle one's.
 * A CPU profile of the final run: `node --cpu-prof --import tsx bench/yahoo/latency.ts --max-rate R`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { type DataFrame, type Offset, type Source, type StreamingQueryProgress, Session, col, functions as F, registerStreamSource, window } from "../../src/index.js";
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { AD_EVENT_SCHEMA, DEFAULT_YAHOO_CONFIG, type YahooConfig, generateAdEventBatch, generateAdEventCodes } from "../../src/connectors/yahoo/yahoo-generator.js";
import { machine, mergeResults } from "../nexmark/measure.js";

const USAGE = `Usage: tsx bench/yahoo/latency.ts [options]

End-to-end latency of the Yahoo streaming benchmark query (update mode, watermark, default
trigger, fsync'd checkpoint) at half of its maximum sustainable rate.

  --quick            short steps (1.6 s), no second try of a failed step, 2 bisection steps,
                     a 5 s final run (npm run bench -- --quick)
  --max-rate R       skip the search: take R events/s as the maximum sustainable rate
  --start R          first rate of the doubling search (default 50000; quick 100000)
  --step-seconds S   length of one search step (default 4)
  --seconds S        length of the final run at R/2 (default 20)
  --bisect N         bisection steps after the doubling (default 4)
  --tick MS          how often the source wakes an idle query (default 1)
  --conf K=V         set a session conf before the run (repeatable), e.g. --conf sluice.sql.shuffle.partitions=1
  --no-fsync         checkpoint files without fsync (sluice.sql.streaming.checkpoint.fsync=false):
                     the search and the final run; without it, a second final run at the same
                     rate has fsync off (as Spark writes checkpoints to a local disk: renamed
                     into place, not fsync'ed)
  --help             this text
`;

class UsageError extends Error {}

interface Options {
  quick: boolean;
  maxRate: number | null;
  start: number;
  stepSeconds: number;
  seconds: number;
  bisect: number;
  tickMs: number;
  fsync: boolean;
  conf: [string, string][];
}

function parseArgs(argv: readonly string[]): Options | null {
  const o: Options = { quick: false, maxRate: null, start: 50_000, stepSeconds: 4, seconds: 20, bisect: 4, tickMs: 1, fsync: true, conf: [] };
  const set: Partial<Options> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${a} needs a positive number`);
      return v;
    };
    if (a === "--help" || a === "-h") return null;
    else if (a === "--quick") o.quick = true;
    else if (a === "--max-rate") set.maxRate = num();
    else if (a === "--start") set.start = num();
    else if (a === "--step-seconds") set.stepSeconds = num();
    else if (a === "--seconds") set.seconds = num();
    else if (a === "--bisect") set.bisect = Math.floor(num());
    else if (a === "--tick") set.tickMs = num();
    else if (a === "--no-fsync") set.fsync = false;
    else if (a === "--conf") {
      const kv = argv[++i] ?? "", eq = kv.indexOf("=");
      if (eq <= 0) throw new UsageError("--conf needs key=value");
      o.conf.push([kv.slice(0, eq), kv.slice(eq + 1)]);
    }
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (o.quick) Object.assign(o, { start: 100_000, stepSeconds: 1.6, seconds: 5, bisect: 2 });
  return Object.assign(o, set);
}

/** bench/yahoo/run.ts's query (kept in step with it). */
function yahooQuery(events: DataFrame, campaigns: DataFrame): DataFrame {
  return events.filter(col("event_type").eq("view"))
    .select(col("ad_id"), col("event_time"))
    .join(F.broadcast(campaigns), "ad_id")
    .groupBy(col("campaign_id"), window(col("event_time"), "10 seconds"))
    .agg(F.count("*").alias("n"));
}

/**
 * Ad events arriving at a fixed rate from `t0` (performance.now() time): event i arrives at
 * t0 + i * 1000 / rate ms. Offsets are event counts; (start, end] holds events [start, end).
 * Every batch read is noted in `reads` until the sink takes it.
 */
class TimedAdEvents implements Source {
  readonly schema = AD_EVENT_SCHEMA;
  readonly description: string;
  /** Event ranges [from, to) read by getBatch and not yet delivered to the sink. */
  readonly reads: [number, number][] = [];
  private readonly cfg: YahooConfig;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private announced = 0;

  constructor(readonly rate: number, readonly t0: number, epochMs: number, private readonly tickMs: number) {
    this.description = `TimedAdEvents[${rate} events/s]`;
    // The generator's event i has event_time epochMs + floor(i * 1000 / rate): its arrival on the wall clock.
    this.cfg = { ...DEFAULT_YAHOO_CONFIG, eventsNum: Number.MAX_SAFE_INTEGER, eventsPerSecond: rate, firstEventTimeMs: epochMs };
  }

  /** How many events have arrived by performance time `t`. */
  arrivedBy(t: number): number {
    return t < this.t0 ? 0 : Math.floor(((t - this.t0) * this.rate) / 1000) + 1;
  }
  /** When event i arrives (performance time). */
  arrival(i: number): number {
    return this.t0 + (i * 1000) / this.rate;
  }

  initialOffset(): Offset {
    return 0;
  }
  latestOffset(start: Offset): Offset {
    return Math.max(Number(start), this.arrivedBy(performance.now()));
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const from = Number(start), to = Number(end);
    const out: RecordBatch[] = [];
    for (let s = from; s < to; s += this.cfg.batchSize) out.push(generateAdEventBatch(this.cfg, s, Math.min(to, s + this.cfg.batchSize)));
    this.reads.push([from, to]);
    return out;
  }
  commit(): void {}
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
  onDataAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => {
      const n = this.arrivedBy(performance.now());
      if (n > this.announced) {
        this.announced = n;
        for (const l of [...this.listeners]) l();
      }
    }, this.tickMs);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** The views among events [from, to) (the answer's total count), recomputed by the generator. */
  views(from: number, to: number): number {
    let n = 0;
    for (let s = from; s < to; s += 65536) {
      const c = generateAdEventCodes(this.cfg, s, Math.min(to, s + 65536));
      for (let k = 0; k < c.numRows; k++) if (c.eventType[k] === 0) n++;
    }
    return n;
  }
}

/** One batch's output reaching the sink: events [from, to) delivered at `at` (performance time). */
interface Delivery {
  batchId: number;
  at: number;
  from: number;
  to: number;
}

interface Step {
  rate: number;
  seconds: number;
  keptUp: boolean;
  /** Why the step did not keep up (empty when it did). */
  reason: string;
  /** Mean lag (ms) over the first and the last third of the measured part. */
  lagFirstMs: number;
  lagLastMs: number;
  deliveries: Delivery[];
  progress: StreamingQueryProgress[];
  source: TimedAdEvents;
  /** Events arrived in the measured part: [from, to). */
  measured: [number, number];
  /** Sum of the sink's latest count per (campaign, window): every view delivered. */
  countSum: number;
  sinkRows: number;
  /** Process CPU time (user + system) and wall time of the step, start to stop. */
  cpuSeconds: number;
  wallSeconds: number;
}

const MAX_LAG_MS = 1000;
/** The source of each run, by the `run` option of its load(); created when the query starts. */
const runs = new Map<string, () => TimedAdEvents>();
let nextRun = 0;
registerStreamSource({
  name: "timed-yahoo",
  resolve(req) {
    const make = runs.get(req.options["run"] ?? "");
    if (!make) throw new Error("timed-yahoo: unknown run");
    return { kind: "StreamingSourceProvider", name: "timed-yahoo", schema: AD_EVENT_SCHEMA, createSource: make };
  },
});

/**
 * Runs the query at `rate` events/s for `seconds`, the first `warmSeconds` not measured, then
 * until every event arrived in that time is delivered (or the lag passes MAX_LAG_MS).
 */
async function runAt(spark: Session, root: string, rate: number, seconds: number, warmSeconds: number, tickMs: number): Promise<Step> {
  const runId = String(nextRun++);
  let source: TimedAdEvents | null = null;
  runs.set(runId, () => (source = new TimedAdEvents(rate, performance.now(), Date.now(), tickMs)));
  const campaigns = spark.read.format("yahoo").option("table", "campaigns").load();
  const events = spark.readStream.format("timed-yahoo").option("run", runId).load().withWatermark("event_time", "10 seconds");
  const deliveries: Delivery[] = [];
  const progress: StreamingQueryProgress[] = [];
  const latest = new Map<string, number>();
  const listener = { onQueryProgress: (e: { progress: StreamingQueryProgress }) => void progress.push(e.progress) };
  spark.streams.addListener(listener);
  let finish!: (reason: string) => void;
  const finished = new Promise<string>((resolve) => (finish = resolve));
  let endAt = Infinity, target = Infinity, warmEnd = Infinity;
  const c0 = process.cpuUsage(), w0 = performance.now();
  const query = await yahooQuery(events, campaigns).writeStream
    .outputMode("update")
    .option("checkpointLocation", fs.mkdtempSync(path.join(root, "ckpt-")))
    .foreachBatch(async (df, batchId) => {
      const rows = await df.collect();
      const at = performance.now();
      for (const r of rows) latest.set(`${String(r["campaign_id"])}|${(r["window"] as { start: Date }).start.getTime()}`, Number(r["n"]));
      const src = source!;
      for (const [from, to] of src.reads.splice(0)) deliveries.push({ batchId, at, from, to });
      const done = deliveries.length ? deliveries[deliveries.length - 1]!.to : 0;
      const waiting = src.arrivedBy(at) > done;
      if (waiting && at > warmEnd && at - src.arrival(done) > MAX_LAG_MS) finish(`lag over ${MAX_LAG_MS} ms`);
      else if (at >= endAt && done >= target) finish("");
    })
    .start();
  const src = source! as TimedAdEvents;
  endAt = src.t0 + seconds * 1000;
  warmEnd = src.t0 + warmSeconds * 1000;
  target = src.arrivedBy(endAt);
  const timeout = setTimeout(() => finish(`events not delivered ${MAX_LAG_MS} ms after the step`), seconds * 1000 + MAX_LAG_MS);
  let reason = await finished;
  clearTimeout(timeout);
  await query.stop();
  const cpu = process.cpuUsage(c0), wallSeconds = (performance.now() - w0) / 1000;
  spark.streams.removeListener(listener);
  runs.delete(runId);
  const failure = query.exception();
  if (failure) throw failure;

  // Lag (age of the oldest event not delivered) at each delivery of the measured part.
  const measuredFrom = src.t0 + warmSeconds * 1000;
  const lags: [number, number][] = [];
  for (const d of deliveries) if (d.at >= measuredFrom && d.at <= endAt) lags.push([d.at, src.arrivedBy(d.at) > d.to ? d.at - src.arrival(d.to) : 0]);
  const third = (endAt - measuredFrom) / 3;
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = lags.filter(([t]) => t < measuredFrom + third).map(([, l]) => l), last = lags.filter(([t]) => t >= endAt - third).map(([, l]) => l);
  const lagFirstMs = first.length ? mean(first) : NaN, lagLastMs = last.length ? mean(last) : NaN;
  if (!reason && (!first.length || !last.length)) reason = "no delivery in the first or last third";
  if (!reason && lagLastMs > 1.5 * lagFirstMs + 10) reason = "lag grows";
  let countSum = 0;
  for (const n of latest.values()) countSum += n;
  return { rate, seconds, keptUp: !reason, reason, lagFirstMs, lagLastMs, deliveries, progress, source: src, measured: [src.arrivedBy(measuredFrom), target], countSum, sinkRows: latest.size, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

/** Latency (ms) of every event in step.measured: its batch's delivery minus its arrival. */
function eventLatencies(step: Step): { events: number; undelivered: number; p: (q: number) => number; max: number; mean: number } {
  const BIN = 0.01, bins = new Uint32Array(1_000_000); // 0.01 ms bins up to 10 s
  const [lo, hi] = step.measured;
  let events = 0, max = 0, sum = 0, over = 0;
  for (const d of step.deliveries) {
    for (let i = Math.max(lo, d.from); i < Math.min(hi, d.to); i++) {
      const l = d.at - step.source.arrival(i);
      events++;
      sum += l;
      if (l > max) max = l;
      const b = Math.floor(l / BIN);
      if (b < bins.length) bins[b]!++;
      else over++;
    }
  }
  const p = (q: number): number => {
    const rank = Math.ceil(q * events);
    let seen = 0;
    for (let b = 0; b < bins.length; b++) if ((seen += bins[b]!) >= rank) return (b + 1) * BIN;
    return over ? max : 0;
  };
  return { events, undelivered: hi - lo - events, p, max, mean: events ? sum / events : 0 };
}

function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const fmtRate = (r: number): string => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(1)} k`);
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "-");

async function main(): Promise<void> {
  let o: Options | null;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!o) {
    process.stdout.write(USAGE);
    return;
  }
  const load0 = os.loadavg();
  const spark = Session.builder().appName("yahoo-latency").getOrCreate();
  spark.conf.set("spark.sql.session.timeZone", "UTC");
  spark.conf.set("sluice.sql.streaming.checkpoint.fsync", o.fsync);
  for (const [k, v] of o.conf) spark.conf.set(k, v);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-yahoo-latency-"));
  const t0 = performance.now();
  process.stdout.write(`Yahoo query, end-to-end latency at half of the maximum sustainable rate; node ${process.version}, ${os.cpus().length} cores, load average ${load0.map((l) => l.toFixed(2)).join(" ")}, fsync ${o.fsync ? "on" : "off"}${o.conf.map(([k, v]) => `, ${k}=${v}`).join("")}, checkpoint in ${root}\n`);
  const steps: Step[] = [];
  const run = async (rate: number, retry: boolean): Promise<boolean> => {
    const s = await runAt(spark, root, Math.round(rate), o.stepSeconds, o.stepSeconds / 4, o.tickMs);
    steps.push(s);
    const batches = s.progress.filter((p) => p.numInputRows > 0).length;
    process.stdout.write(`  ${fmtRate(s.rate).padStart(9)} events/s: ${s.keptUp ? "keeps up " : "falls behind"}  lag ${ms(s.lagFirstMs)} -> ${ms(s.lagLastMs)} ms, ${batches} batches${s.reason ? ` (${s.reason})` : ""}${retry ? " (second try)" : ""}\n`);
    return s.keptUp;
  };
  // A rate falls behind only when two steps in a row do (one stall of a busy machine fails a
  // step); with --quick, one step decides.
  const keepsUp = async (rate: number): Promise<boolean> => (await run(rate, false)) || (!o.quick && run(rate, true));
  try {
    let maxRate = o.maxRate;
    // Warm-up: the first batches of the process compile the query's code and JIT it (a second or more).
    await runAt(spark, root, o.maxRate === null ? o.start : o.maxRate / 4, 1, 0, o.tickMs);
    if (maxRate === null) {
      process.stdout.write(`Searching the maximum sustainable rate (steps of ${o.stepSeconds} s, the first quarter warm-up):\n`);
      let good = 0, bad = Infinity, r = o.start;
      while (await keepsUp(r)) {
        good = r;
        r *= 2;
      }
      bad = r;
      while (good === 0 && bad > 1000) {
        r = bad / 2;
        if (await keepsUp(r)) good = r;
        else bad = r;
      }
      for (let i = 0; i < o.bisect && good > 0; i++) {
        r = (good + bad) / 2;
        if (await keepsUp(r)) good = r;
        else bad = r;
      }
      maxRate = Math.round(good);
    }
    const rate = Math.round(maxRate / 2);
    process.stdout.write(`Maximum sustainable rate ${fmtRate(maxRate)} events/s${o.maxRate === null ? "" : " (given)"}; running at ${fmtRate(rate)} events/s for ${o.seconds} s (first ${o.seconds / 5} s warm-up)\n`);
    const fin = await finalRun(spark, root, rate, o, o.fsync);
    // The same rate with fsync off: what a power loss may take is then what Spark's local checkpoints risk.
    const noFsync = o.fsync ? await finalRun(spark, root, rate, o, false) : null;
    spark.conf.set("sluice.sql.streaming.checkpoint.fsync", o.fsync);
    const load1 = os.loadavg();
    process.stdout.write(`load average ${load1.map((l) => l.toFixed(2)).join(" ")} at the end; ${((performance.now() - t0) / 1000).toFixed(1)} s in all\n`);
    const out = mergeResults("yahooLatency", {
      ...machine(), cores: os.cpus().length, loadAverage: { start: load0, end: load1 }, quick: o.quick, fsync: o.fsync, conf: Object.fromEntries(o.conf),
      query: "yahoo: filter view, broadcast join campaigns, 10 s tumbling window count, 10 s watermark, update mode, default trigger, foreachBatch",
      search: steps.map((s) => ({ rate: s.rate, seconds: s.seconds, keptUp: s.keptUp, reason: s.reason, lagFirstMs: s.lagFirstMs, lagLastMs: s.lagLastMs })),
      maxSustainableRate: maxRate, maxRateGiven: o.maxRate !== null, rate, seconds: o.seconds,
      ...fin.record,
      ...(noFsync ? { withoutFsync: noFsync.record } : {}),
    });
    process.stdout.write(`Wrote ${out} (key "yahooLatency")\n`);
    if (fin.check || noFsync?.check) process.exitCode = 1;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A run at `rate` for `o.seconds` (the first fifth warm-up) with fsync on or off: printed, and its record for results.json. */
async function finalRun(spark: Session, root: string, rate: number, o: Options, fsync: boolean): Promise<{ record: Record<string, unknown>; check: string | null }> {
  spark.conf.set("sluice.sql.streaming.checkpoint.fsync", fsync);
  const fin = await runAt(spark, root, rate, o.seconds, o.seconds / 5, o.tickMs);
  const lat = eventLatencies(fin);
  // Batches delivered after the warm-up.
  const measuredFrom = fin.source.t0 + (o.seconds / 5) * 1000;
  const measuredIds = new Set(fin.deliveries.filter((d) => d.at >= measuredFrom).map((d) => d.batchId));
  const inRange = fin.progress.filter((p) => p.numInputRows > 0 && measuredIds.has(p.batchId));
  const trig = inRange.map((p) => p.durationMs["triggerExecution"] ?? 0);
  const phases = ["latestOffset", "getBatch", "walCommit", "queryPlanning", "addBatch", "commitOffsets"];
  const phaseAverages = (batches: typeof inRange): Record<string, number> =>
    Object.fromEntries(phases.map((k) => [k, batches.reduce((n, p) => n + (p.durationMs[k] ?? 0), 0) / Math.max(1, batches.length)]));
  const phaseAvg = phaseAverages(inRange);
  // Where the tail goes: the same averages over the slowest 1% of batches.
  const slowest = [...inRange].sort((a, b) => (b.durationMs["triggerExecution"] ?? 0) - (a.durationMs["triggerExecution"] ?? 0)).slice(0, Math.max(1, Math.ceil(inRange.length / 100)));
  const slowAvg = phaseAverages(slowest);
  const noData = fin.progress.filter((p) => p.numInputRows === 0).length;
  const rowsPerBatch = quantile(inRange.map((p) => p.numInputRows), 0.5);
  const delivered = fin.deliveries.length ? fin.deliveries[fin.deliveries.length - 1]!.to : 0;
  const views = fin.source.views(0, delivered);
  const check = views === fin.countSum ? null : `sink counts sum to ${fin.countSum}, expected ${views} views`;
  const p99 = lat.p(0.99);
  // Undelivered events have no latency to count: the run then fails the target whatever the percentiles say.
  const met = lat.events > 0 && lat.undelivered === 0 && p99 < 20;
  process.stdout.write(
    `\nfsync ${fsync ? "on" : "off"}: end-to-end latency (arrival -> batch output collected in foreachBatch), ${lat.events.toLocaleString("en-US")} events` +
      `${lat.undelivered ? ` (${lat.undelivered} undelivered)` : ""}:\n` +
      `  p50 ${ms(lat.p(0.5))} ms  p90 ${ms(lat.p(0.9))} ms  p99 ${ms(p99)} ms  max ${ms(lat.max)} ms  (target p99 < 20 ms: ${met ? "met" : "NOT met"})\n` +
      `${fin.keptUp ? "" : `  the query did NOT keep up at this rate: ${fin.reason} (lag ${ms(fin.lagFirstMs)} -> ${ms(fin.lagLastMs)} ms)\n`}` +
      `batches with input: ${trig.length} (median ${rowsPerBatch} events), triggerExecution p50 ${ms(quantile(trig, 0.5))} ms  p90 ${ms(quantile(trig, 0.9))} ms  p99 ${ms(quantile(trig, 0.99))} ms  max ${ms(quantile(trig, 1))} ms; ${noData} no-data batches\n` +
      `  process CPU ${fin.cpuSeconds.toFixed(1)} s over ${fin.wallSeconds.toFixed(1)} s (${(fin.cpuSeconds / fin.wallSeconds).toFixed(2)} cores; ${((fin.cpuSeconds * 1000) / Math.max(1, fin.progress.length)).toFixed(1)} ms per batch)\n` +
      `  phase averages: ${phases.map((k) => `${k} ${phaseAvg[k]!.toFixed(2)}`).join(", ")} ms\n` +
      `  slowest 1% (${slowest.length} batches): ${phases.map((k) => `${k} ${slowAvg[k]!.toFixed(2)}`).join(", ")} ms\n` +
      `  ${check ? `RESULT DIFFERS: ${check}` : `sink checked: ${fin.sinkRows} (campaign, window) rows, counts sum to the ${views.toLocaleString("en-US")} views delivered`}\n`,
  );
  return {
    check,
    record: {
      fsync,
      cpu: { seconds: fin.cpuSeconds, wallSeconds: fin.wallSeconds, perBatchMs: (fin.cpuSeconds * 1000) / Math.max(1, fin.progress.length) },
      latencyMs: { events: lat.events, undelivered: lat.undelivered, p50: lat.p(0.5), p90: lat.p(0.9), p99, max: lat.max, mean: lat.mean },
      target: { p99Ms: 20, met }, keptUp: fin.keptUp, reason: fin.reason,
      batches: { withInput: trig.length, noData, medianEvents: rowsPerBatch, triggerExecutionMs: { p50: quantile(trig, 0.5), p90: quantile(trig, 0.9), p99: quantile(trig, 0.99), max: quantile(trig, 1) }, phaseAvgMs: phaseAvg, slowestPercentPhaseAvgMs: slowAvg },
      mismatch: check,
    },
  };
}

await main();
