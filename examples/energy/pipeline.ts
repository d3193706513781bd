/**
 * The energy waste checker: a streaming Sluice pipeline over smart-meter readings, in two
 * chained streaming queries that meet in a Parquet table of 1-minute readings:
 *
 *   query energy_clean:  smart-meter stream (10-second readings; gaps, duplicates, late readings)
 *     → clean (SQL: drop glitches: null, negative, absurd watts)
 *     → watermark 5 minutes, dropDuplicates(home, ts)              (state: the last minutes' keys)
 *     → 1-minute windows per home: avg watts, readings (append mode: each window once, when final)
 *     → Parquet file sink (minutes/)
 *   query energy_cycles: minutes/ as a file stream (one file per trigger)
 *     → groupByKey(home).flatMapGroupsWithState: the segmenter   (state: baseline, open segment)
 *     → foreachBatch: closed segments → features (energy, duration, peak, heating phases),
 *       appliance, peers, industry reference, flags (batch SQL with window functions);
 *       cycles appended to Parquet (cycles/); flagged cycles printed as alerts
 *
 * With availableNow the first query runs to the end, then the second; in follow mode both run
 * side by side with 2-second processing-time triggers.
 *
 * The segmenter (per home, in checkpointed user state, so a restart from the checkpoint
 * continues exactly where it stopped):
 * - the home's baseline is the lowest 10th percentile of its minute power over the batches so far;
 * - a minute is active when it is more than 100 W above the baseline; consecutive active minutes
 *   less than 10 minutes apart form one segment;
 * - a segment whose last active minute is within 10 minutes of the home's newest minute may still
 *   grow: its active minutes stay in state (the carry-over) and are prepended to the home's next
 *   minutes; closed segments are emitted (their active minutes);
 * - at the end of the stream, the open segments left in the checkpoint's state (read with
 *   `format("state")`) are closed.
 * Per batch, the closed segments become cycles: a segment of at least 20 minutes and 0.3 kWh
 * above the baseline (kettles and other short loads are not cycles); its appliance is read from
 * the shape: mostly above 1.5 kW → boiler, four or more heating phases → a thermostat (an oven:
 * not a cycle), two or three → dishwasher, else washing machine.
 * Flags: energy above the industry reference maximum for the appliance, a boiler running too
 * long or started in the 17:00–20:00 peak, or a dishwasher/washing machine run again within
 * 16 hours (half-empty frequent runs; the earlier run of such a pair, already written, is
 * flagged by a correction row in corrections/, applied when the results are read:
 * detectedCycles()). Each cycle also gets its percentile among the peers' cycles of the same
 * appliance so far (the history is read back from cycles/ when a run resumes).
 *
 * Each batch's cycles and corrections go to a directory of their own (`batch_id=N`), overwritten
 * when the batch runs again after a crash, so no cycle is written twice.
 *
 * Limits: overlapping cycles of two appliances in one home are one segment
 * (one of the two is missed); a home whose first finalized hour is all appliance load gets a high
 * baseline until a quieter batch lowers it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type DataFrame, type GroupState, type Session, type StreamingQuery, col, functions as F } from "../../src/index.js";

export interface EnergyOptions {
  readonly homes: number;
  readonly days: number;
  readonly seed?: number;
  /** Where results (Parquet) and the checkpoint go; emptied first. */
  readonly outDir: string;
  /** Follow mode: meter time runs `rate` times real time and the query runs until stopped. */
  readonly follow?: { readonly rate: number; readonly signal?: AbortSignal };
  /** Alerts printed per batch (0: none). */
  readonly alertsPerBatch?: number;
  readonly log?: (line: string) => void;
  /** 10-second ticks per micro-batch (default 360: one hour of meter time). */
  readonly ticksPerBatch?: number;
  /** Continue from the checkpoint and results in `outDir` instead of starting over. */
  readonly resume?: boolean;
  /** Stop the cycle query after this many micro-batches (to test a restart in the middle). */
  readonly stopCyclesAfterBatches?: number;
}

export interface EnergySummary {
  homes: number;
  rawReadings: number;
  cleanReadings: number;
  droppedLate: number;
  /** Readings inside the finalized minutes (what the detector saw). */
  minuteReadings: number;
  minutes: number;
  batches: number;
  cycles: number;
  flagged: number;
  shareFlagged: number;
  byAppliance: Record<string, number>;
  truthCycles: number;
  truthFlagged: number;
  precision: number;
  recall: number;
  flagPrecision: number;
  flagRecall: number;
  seconds: number;
  /** Of which: stage 1 (clean, dedup, Parquet) and cycle detection inside foreachBatch. */
  stage1Seconds: number;
  detectSeconds: number;
  cyclesPath: string;
}

const ACTIVE_W = 100;
const GAP_MIN = 10;
const MIN_CYCLE_MIN = 20;
const MIN_CYCLE_KWH = 0.3;
const HEAT_W = 1500;
/** Heating phases from which a segment is a thermostat (an oven cooking), not an appliance cycle. */
const THERMOSTAT_PHASES = 4;

/** Industry reference per appliance (typical and maximum energy per cycle, longest normal cycle). */
export const REFERENCE = [
  { appliance: "dishwasher", typical_kwh: 1.1, max_kwh: 1.6, max_minutes: 160 },
  { appliance: "washing_machine", typical_kwh: 0.8, max_kwh: 1.3, max_minutes: 160 },
  { appliance: "boiler", typical_kwh: 3.75, max_kwh: 5.5, max_minutes: 130 },
];

/** The segmenter's state per home: baseline (W) and the open segment's active minutes as [minute ms, watts above baseline] pairs, flattened. */
export interface SegmenterState {
  base: number;
  carry: number[];
}

/** A closed segment's active minute (what the segmenter emits). */
const SEGMENT_SCHEMA = "home INT, seg_start TIMESTAMP, minute TIMESTAMP, w DOUBLE";
type SegmentRow = { home: number; seg_start: Date; minute: Date; w: number };

/** The 10th percentile as percentile_approx gives it (the smallest value with at least 10% of values <= it). */
function p10(values: number[]): number {
  values.sort((x, y) => x - y);
  return values[Math.max(0, Math.ceil(0.1 * values.length) - 1)]!;
}

/** Splits sorted active minutes ([ms, w] pairs) into segments (a gap of more than GAP_MIN minutes starts a new one). */
function segments(active: number[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < active.length; i += 2) {
    if (cur.length > 0 && active[i]! - cur[cur.length - 2]! > GAP_MIN * 60_000) {
      out.push(cur);
      cur = [];
    }
    cur.push(active[i]!, active[i + 1]!);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

const segmentRows = (home: number, seg: number[]): SegmentRow[] => {
  const rows: SegmentRow[] = [];
  for (let i = 0; i < seg.length; i += 2) rows.push({ home, seg_start: new Date(seg[0]!), minute: new Date(seg[i]!), w: seg[i + 1]! });
  return rows;
};

/**
 * The segmenter of one home for one micro-batch (the flatMapGroupsWithState function): its new
 * finalized minutes lower the baseline, active minutes join the carried-over open segment, and
 * the segments that can no longer grow are emitted.
 */
export function segmentHome(home: number, rows: Iterable<{ minute: Date; watts: number }>, state: GroupState<SegmenterState>): SegmentRow[] {
  const minutes: { t: number; watts: number }[] = [];
  for (const r of rows) minutes.push({ t: r.minute.getTime(), watts: r.watts });
  if (minutes.length === 0) return [];
  minutes.sort((x, y) => x.t - y.t);
  const prev = state.getOption();
  const batchBase = p10(minutes.map((m) => m.watts));
  const base = prev === undefined ? batchBase : Math.min(prev.base, batchBase);
  const active = prev === undefined ? [] : [...prev.carry];
  for (const m of minutes) if (m.watts - base > ACTIVE_W) active.push(m.t, m.watts - base);
  // A segment is open while its last active minute is within GAP_MIN minutes of the home's horizon.
  const openCut = minutes[minutes.length - 1]!.t + 60_000 - GAP_MIN * 60_000;
  const out: SegmentRow[] = [];
  let carry: number[] = [];
  for (const seg of segments(active)) {
    if (seg[seg.length - 2]! >= openCut) carry = carry.concat(seg);
    else out.push(...segmentRows(home, seg));
  }
  state.update({ base, carry });
  return out;
}

type CycleRow = {
  inefficient: boolean;
  home: number;
  appliance: string;
  start_ts: Date;
  end_ts: Date;
  energy_kwh: number;
};

/** Per-batch cycle features and flags over the segments the segmenter closed (see the file comment). */
export class CycleDetector {
  private history: CycleRow[] = [];
  private alertsShown = 0;
  cycles = 0;
  flagged = 0;
  /** Time spent detecting (inside foreachBatch), ms. */
  busyMs = 0;

  constructor(
    private readonly spark: Session,
    private readonly cyclesPath: string,
    private readonly correctionsPath: string,
    private readonly alertsPerBatch: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Continues from the cycles already written in `outDir` (a resumed run): they are the peers and the recent runs. */
  async resumeFrom(outDir: string, checkpoint: string): Promise<void> {
    // Output of batches the checkpoint did not commit (a crash between the sink and commits/N)
    // goes: those batches run again, and must see the history as it was before them.
    const commits = join(checkpoint, "commits");
    const committed = existsSync(commits) ? Math.max(-1, ...readdirSync(commits).filter((f) => /^\d+$/.test(f)).map(Number)) : -1;
    for (const dir of [this.cyclesPath, this.correctionsPath]) {
      if (!existsSync(dir)) continue;
      for (const d of readdirSync(dir)) {
        const m = /^batch_id=(-?\d+)$/.exec(d);
        if (m && (Number(m[1]) > committed || Number(m[1]) < 0)) rmSync(join(dir, d), { recursive: true, force: true });
      }
    }
    if (!existsSync(this.cyclesPath)) return;
    const rows = await detectedCycles(this.spark, outDir).select("inefficient", "home", "appliance", "start_ts", "end_ts", "energy_kwh").collect();
    this.history = rows.map((r) => ({ inefficient: r["inefficient"] === true, home: r["home"] as number, appliance: r["appliance"] as string, start_ts: r["start_ts"] as Date, end_ts: r["end_ts"] as Date, energy_kwh: r["energy_kwh"] as number }));
    this.cycles = this.history.length;
    this.flagged = this.history.filter((h) => h.inefficient).length;
  }

  /** One micro-batch of closed segments: (home, seg_start, minute, w). */
  async process(segmentRows: DataFrame, batchId: number): Promise<void> {
    const t0 = Date.now();
    try {
      await this.detect(segmentRows, batchId);
    } finally {
      this.busyMs += Date.now() - t0;
    }
  }

  /** End of the stream: the segments still open in the segmenter's state (read from its checkpoint) are closed. */
  async finish(segmenterCheckpoint: string): Promise<void> {
    const rows: SegmentRow[] = [];
    if (existsSync(join(segmenterCheckpoint, "state"))) {
      const open = await this.spark.read.format("state").load(segmenterCheckpoint).collect();
      for (const r of open) {
        const home = (r["key"] as Record<string, unknown>)["value"] as number;
        const st = JSON.parse((r["value"] as Record<string, unknown>)["groupState"] as string) as SegmenterState;
        for (const seg of segments(st.carry)) rows.push(...segmentRows(home, seg));
      }
    }
    await this.process(this.spark.createDataFrame(rows, SEGMENT_SCHEMA) as unknown as DataFrame, -1);
  }

  private async detect(segmentRows: DataFrame, batchId: number): Promise<void> {
    const spark = this.spark;
    segmentRows.createOrReplaceTempView("segmented_minutes");
    // Heating phases: rises above HEAT_W within a segment (after a lower or a missing minute).
    spark.sql(`
      SELECT home, seg_start, minute, w,
             CASE WHEN w > ${HEAT_W} AND (coalesce(lag(w) OVER (PARTITION BY home, seg_start ORDER BY minute), 0) <= ${HEAT_W}
                                         OR unix_timestamp(minute) - unix_timestamp(lag(minute) OVER (PARTITION BY home, seg_start ORDER BY minute)) > 60)
                  THEN 1 ELSE 0 END AS heat_start
      FROM segmented_minutes`).createOrReplaceTempView("segmented");
    const segments = spark.sql(`
      SELECT home, min(minute) AS start_ts, max(minute) + INTERVAL 1 MINUTE AS end_ts,
             (unix_timestamp(max(minute)) - unix_timestamp(min(minute))) / 60 + 1 AS duration_min,
             count(*) AS active_minutes, sum(w) / 60000 AS energy_kwh, max(w) AS peak_w,
             avg(CASE WHEN w > ${HEAT_W} THEN 1 ELSE 0 END) AS high_share, sum(heat_start) AS heat_phases
      FROM segmented
      GROUP BY home, seg_start`);
    segments.createOrReplaceTempView("segments");
    const newCycles = spark.sql(`
      SELECT home, start_ts, end_ts, duration_min, round(energy_kwh, 3) AS energy_kwh, round(peak_w, 0) AS peak_w, heat_phases,
             CASE WHEN high_share >= 0.6 THEN 'boiler' WHEN heat_phases >= 2 THEN 'dishwasher' ELSE 'washing_machine' END AS appliance
      FROM segments
      WHERE duration_min >= ${MIN_CYCLE_MIN} AND energy_kwh >= ${MIN_CYCLE_KWH} AND heat_phases < ${THERMOSTAT_PHASES}`);
    newCycles.createOrReplaceTempView("new_cycles");
    spark.createDataFrame(this.history, "inefficient BOOLEAN, home INT, appliance STRING, start_ts TIMESTAMP, end_ts TIMESTAMP, energy_kwh DOUBLE").createOrReplaceTempView("cycle_history");
    spark.createDataFrame(REFERENCE, "appliance STRING, typical_kwh DOUBLE, max_kwh DOUBLE, max_minutes DOUBLE").createOrReplaceTempView("reference");
    // Features, peers and the reference: the percentile of each new cycle's energy among all
    // cycles of the appliance so far, runs of the same appliance within 16 hours, flags.
    const flagged = await spark
      .sql(`
      WITH peers AS (
        SELECT home, appliance, start_ts, energy_kwh, 1 AS is_new FROM new_cycles
        UNION ALL SELECT home, appliance, start_ts, energy_kwh, 0 AS is_new FROM cycle_history),
      ranked AS (
        SELECT home, appliance, start_ts, is_new, percent_rank() OVER (PARTITION BY appliance ORDER BY energy_kwh) AS peer_pctl FROM peers),
      recent AS (
        SELECT c.home, c.start_ts, count(h.start_ts) AS runs_16h
        FROM new_cycles c JOIN peers h ON c.home = h.home AND c.appliance = h.appliance
             AND h.start_ts < c.start_ts AND unix_timestamp(c.start_ts) - unix_timestamp(h.start_ts) < 16 * 3600
        GROUP BY c.home, c.start_ts)
      SELECT c.home, c.appliance, c.start_ts, c.end_ts, c.duration_min, c.energy_kwh, c.peak_w, c.heat_phases,
             round(r.peer_pctl, 3) AS peer_pctl, round(c.energy_kwh / ref.typical_kwh, 2) AS vs_reference,
             c.energy_kwh > ref.max_kwh AS too_much_energy,
             c.appliance = 'boiler' AND c.duration_min > ref.max_minutes AS too_long,
             c.appliance = 'boiler' AND hour(c.start_ts) BETWEEN 17 AND 19 AS peak_time,
             c.appliance <> 'boiler' AND coalesce(x.runs_16h, 0) > 0 AS frequent
      FROM new_cycles c
      JOIN reference ref ON c.appliance = ref.appliance
      JOIN ranked r ON r.is_new = 1 AND r.home = c.home AND r.start_ts = c.start_ts
      LEFT JOIN recent x ON x.home = c.home AND x.start_ts = c.start_ts`)
      .withColumn("inefficient", col("too_much_energy").or(col("too_long")).or(col("peak_time")).or(col("frequent")))
      .withColumn(
        "reason",
        F.concat_ws(
          ",",
          F.when(col("too_much_energy"), F.lit("energy above reference")),
          F.when(col("too_long"), F.lit("too long")),
          F.when(col("peak_time"), F.lit("peak time")),
          F.when(col("frequent"), F.lit("frequent runs")),
        ),
      )
      .withColumn("batch_id", F.lit(batchId))
      .collect();
    if (flagged.length === 0) return;
    const out = spark.createDataFrame(flagged, CYCLES_SCHEMA);
    // One directory per batch, overwritten when a batch runs again after a crash: each batch's
    // cycles are in the table once (batch_id comes back from the directory name on reading).
    await out.drop("batch_id").write.mode("overwrite").parquet(join(this.cyclesPath, `batch_id=${batchId}`));
    // A run that makes a pair within 16 hours also flags the earlier run of the pair, already
    // written: a correction row (home, appliance, start) in corrections/, applied on reading.
    const corrections = await spark
      .sql(`
      SELECT DISTINCT h.home, h.appliance, h.start_ts, 'frequent runs' AS reason, ${batchId} AS batch_id
      FROM new_cycles c JOIN cycle_history h
        ON c.home = h.home AND c.appliance = h.appliance AND c.appliance <> 'boiler' AND NOT h.inefficient
       AND h.start_ts < c.start_ts AND unix_timestamp(c.start_ts) - unix_timestamp(h.start_ts) < 16 * 3600`)
      .collect();
    if (corrections.length > 0) {
      await spark.createDataFrame(corrections, "home INT, appliance STRING, start_ts TIMESTAMP, reason STRING, batch_id INT").drop("batch_id").write.mode("overwrite").parquet(join(this.correctionsPath, `batch_id=${batchId}`));
      const key = (home: unknown, appliance: unknown, start: unknown): string => `${String(home)}|${String(appliance)}|${(start as Date).getTime()}`;
      const fix = new Set(corrections.map((r) => key(r["home"], r["appliance"], r["start_ts"])));
      for (const h of this.history) if (fix.has(key(h.home, h.appliance, h.start_ts))) h.inefficient = true;
      this.flagged += corrections.length;
    }
    for (const r of flagged) this.history.push({ inefficient: r["inefficient"] === true, home: r["home"] as number, appliance: r["appliance"] as string, start_ts: r["start_ts"] as Date, end_ts: r["end_ts"] as Date, energy_kwh: r["energy_kwh"] as number });
    const alerts = flagged.filter((r) => r["inefficient"] === true);
    this.cycles += flagged.length;
    this.flagged += alerts.length;
    const shown = Math.max(0, Math.min(alerts.length, this.alertsPerBatch));
    for (const r of alerts.slice(0, shown)) {
      const start = (r["start_ts"] as Date).toISOString().slice(0, 16).replace("T", " ");
      this.log(`ALERT home ${String(r["home"]).padStart(4)} ${String(r["appliance"]).padEnd(15)} ${start}  ${(r["energy_kwh"] as number).toFixed(2)} kWh (${String(r["vs_reference"])}x reference, peer pctl ${(r["peer_pctl"] as number).toFixed(2)})  ${String(r["reason"])}`);
    }
    if (alerts.length > shown && this.alertsPerBatch > 0) this.log(`      ... and ${alerts.length - shown} more flagged cycles in this batch`);
    if (corrections.length > 0 && this.alertsPerBatch > 0) this.log(`      (and ${corrections.length} earlier runs now flagged as frequent runs)`);
    this.alertsShown += shown;
  }
}

/** Runs the pipeline (availableNow, or follow mode until the signal aborts) and checks it against the truth. */
export async function runEnergyPipeline(spark: Session, opts: EnergyOptions): Promise<EnergySummary> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const seed = opts.seed ?? 42;
  if (!opts.resume) rmSync(opts.outDir, { recursive: true, force: true });
  mkdirSync(opts.outDir, { recursive: true });
  const cyclesPath = join(opts.outDir, "cycles");
  const correctionsPath = join(opts.outDir, "corrections");
  const minutesPath = join(opts.outDir, "minutes");
  const segmenterCheckpoint = join(opts.outDir, "checkpoint", "cycles");
  const sourceOptions: Record<string, string | number> = { homes: opts.homes, days: opts.follow ? 0 : opts.days, seed, maxTicksPerTrigger: opts.ticksPerBatch ?? 360 };
  if (opts.follow) sourceOptions["rate"] = opts.follow.rate;

  // Query 1: parse and clean (SQL), drop duplicates within a 5-minute watermark, resample to
  // 1-minute windows per home (avg watts; append mode: a window is emitted once the watermark
  // passes its end) — two stateful operators chained in one query — and append to Parquet.
  spark.readStream.format("smart-meter").options(sourceOptions).load().createOrReplaceTempView("raw_readings");
  const minutes = spark
    .sql("SELECT home, ts, watts FROM raw_readings WHERE watts IS NOT NULL AND watts >= 0 AND watts < 25000")
    .withWatermark("ts", "5 minutes")
    .dropDuplicates(["home", "ts"])
    .groupBy(F.window(col("ts"), "1 minute"), col("home"))
    .agg(F.avg("watts").alias("watts"), F.count("*").alias("n"))
    .select(col("home"), col("window.start").alias("minute"), col("watts"), col("n"));

  // Query 2: per home, the segmenter in user state; the closed segments to cycles in foreachBatch.
  const detector = new CycleDetector(spark, cyclesPath, correctionsPath, opts.alertsPerBatch ?? 3, log);
  if (opts.resume) await detector.resumeFrom(opts.outDir, segmenterCheckpoint);
  let rawReadings = 0, cleanReadings = 0, droppedLate = 0, batches = 0, cycleBatches = 0, stage1Seconds = 0;
  let stopCycles: (() => void) | undefined;
  const listener = {
    onQueryProgress(e: { progress: { name: string | null; numInputRows: number; stateOperators: readonly { operatorName: string; numRowsUpdated: number; numRowsDroppedByWatermark: number }[] } }): void {
      const p = e.progress;
      if (p.name === "energy_clean") {
        rawReadings += p.numInputRows;
        batches++;
        for (const s of p.stateOperators) {
          droppedLate += s.numRowsDroppedByWatermark;
          if (s.operatorName === "dedupe") cleanReadings += s.numRowsUpdated;
        }
      } else if (p.name === "energy_cycles" && p.numInputRows > 0 && ++cycleBatches === opts.stopCyclesAfterBatches) stopCycles?.();
    },
  };
  spark.streams.addListener(listener);
  const trigger = opts.follow ? { processingTime: "2 seconds" } : { availableNow: true as const };
  const startClean = (): Promise<StreamingQuery> =>
    minutes.writeStream
      .queryName("energy_clean")
      .format("parquet")
      .outputMode("append")
      .option("checkpointLocation", join(opts.outDir, "checkpoint", "clean"))
      .trigger(trigger)
      .start(minutesPath);
  const startDetect = (): Promise<StreamingQuery> =>
    spark.readStream
      .format("parquet")
      .schema("home INT, minute TIMESTAMP, watts DOUBLE, n BIGINT")
      .option("maxFilesPerTrigger", 1)
      .load(minutesPath)
      .groupByKey((r) => r["home"] as number)
      .flatMapGroupsWithState("append", "NoTimeout", (home: number, rows, state: GroupState<SegmenterState>) => segmentHome(home, rows as Iterable<{ minute: Date; watts: number }>, state), SEGMENT_SCHEMA)
      .writeStream.queryName("energy_cycles")
      .outputMode("append")
      .option("checkpointLocation", segmenterCheckpoint)
      .trigger(trigger)
      .foreachBatch((df, batchId) => detector.process(df as unknown as DataFrame, batchId))
      .start();
  const queries: StreamingQuery[] = [];
  let stoppedEarly = false;
  try {
    if (opts.follow) {
      queries.push(await startClean(), await startDetect());
      const signal = opts.follow.signal;
      await new Promise<void>((resolve) => {
        if (!signal || signal.aborted) return resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
        for (const q of queries) void q.awaitTermination().then(() => resolve(), () => resolve());
      });
      for (const q of queries) await q.stop();
      for (const q of queries) {
        const err = q.exception();
        if (err) throw err;
      }
    } else {
      const q1 = await startClean();
      queries.push(q1);
      await q1.awaitTermination();
      stage1Seconds = (Date.now() - started) / 1000;
      const q2 = await startDetect();
      queries.push(q2);
      stopCycles = () => {
        stoppedEarly = true;
        void q2.stop();
      };
      await q2.awaitTermination();
    }
  } finally {
    spark.streams.removeListener(listener);
  }
  if (!stoppedEarly) await detector.finish(segmenterCheckpoint);

  // What the segmenter saw: the finalized minutes in minutes/.
  const seen = existsSync(minutesPath)
    ? (await spark.read.schema("home INT, minute TIMESTAMP, watts DOUBLE, n BIGINT").parquet(minutesPath).agg(F.countDistinct("home").alias("homes"), F.count("*").alias("minutes"), F.sum("n").alias("readings")).collect())[0]!
    : { homes: 0, minutes: 0, readings: 0 };

  // Check against the generator's ground truth: a detected cycle matches a true one of the same
  // home and appliance when their times overlap. True cycles starting after the last finalized
  // minute cannot have been seen and are left out.
  const results = detectedCycles(spark, opts.outDir);
  const lastMinute = (await results.agg(F.max("end_ts").alias("m")).collect())[0]?.["m"] as Date | undefined;
  const truthDays = opts.follow ? Math.max(1, Math.ceil((lastMinute ? lastMinute.getTime() - Date.UTC(2026, 0, 5) : 0) / 86_400_000)) : opts.days;
  spark.read.format("smart-meter").options({ homes: opts.homes, days: truthDays, seed, table: "truth" }).load().createOrReplaceTempView("truth_all");
  results.createOrReplaceTempView("detected");
  const horizon = Number(seen["minutes"] ?? 0) > 0 ? await maxMinute(spark) : 0;
  const q = (await spark
    .sql(`
      WITH truth AS (SELECT *, concat(home, '@', cast(start_ts AS string)) AS tid FROM truth_all WHERE start_ts < timestamp_millis(${horizon})),
      det AS (SELECT *, concat(home, '@', cast(start_ts AS string)) AS did FROM detected),
      m AS (SELECT d.did, t.tid, d.inefficient AS d_flag, t.inefficient AS t_flag
            FROM det d JOIN truth t ON d.home = t.home AND d.appliance = t.appliance AND d.start_ts < t.end_ts AND t.start_ts < d.end_ts)
      SELECT (SELECT count(*) FROM det) AS detected,
             (SELECT count(*) FROM truth) AS truth,
             (SELECT count(*) FROM truth WHERE inefficient) AS truth_flagged,
             (SELECT count(DISTINCT did) FROM m) AS matched_detected,
             (SELECT count(DISTINCT tid) FROM m) AS matched_truth,
             (SELECT count(*) FROM m WHERE d_flag AND t_flag) AS both_flagged,
             (SELECT count(*) FROM m WHERE d_flag) AS m_d_flagged,
             (SELECT count(*) FROM m WHERE t_flag) AS m_t_flagged`)
    .collect())[0]!;
  const n = (k: string): number => Number(q[k] ?? 0);
  const byApplianceRows = await spark.sql("SELECT appliance, count(*) AS n FROM detected GROUP BY appliance ORDER BY appliance").collect();
  const byAppliance: Record<string, number> = {};
  for (const r of byApplianceRows) byAppliance[r["appliance"] as string] = Number(r["n"]);
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  return {
    homes: Number(seen["homes"] ?? 0),
    rawReadings,
    cleanReadings,
    droppedLate,
    minuteReadings: Number(seen["readings"] ?? 0),
    minutes: Number(seen["minutes"] ?? 0),
    batches,
    cycles: detector.cycles,
    flagged: detector.flagged,
    shareFlagged: ratio(detector.flagged, detector.cycles),
    byAppliance,
    truthCycles: n("truth"),
    truthFlagged: n("truth_flagged"),
    precision: ratio(n("matched_detected"), n("detected")),
    recall: ratio(n("matched_truth"), n("truth")),
    flagPrecision: ratio(n("both_flagged"), n("m_d_flagged")),
    flagRecall: ratio(n("both_flagged"), n("m_t_flagged")),
    seconds: (Date.now() - started) / 1000,
    stage1Seconds,
    detectSeconds: detector.busyMs / 1000,
    cyclesPath,
  };
}

const CYCLES_SCHEMA = "home INT, appliance STRING, start_ts TIMESTAMP, end_ts TIMESTAMP, duration_min DOUBLE, energy_kwh DOUBLE, peak_w DOUBLE, heat_phases BIGINT, peer_pctl DOUBLE, vs_reference DOUBLE, too_much_energy BOOLEAN, too_long BOOLEAN, peak_time BOOLEAN, frequent BOOLEAN, inefficient BOOLEAN, reason STRING, batch_id INT";

/** The detected cycles (outDir/cycles) with the later corrections (outDir/corrections) applied. */
export function detectedCycles(spark: Session, outDir: string): DataFrame {
  const read = (dir: string, schema: string): DataFrame => (existsSync(join(outDir, dir)) ? spark.read.schema(schema).parquet(join(outDir, dir)) : spark.createDataFrame([], schema));
  read("cycles", CYCLES_SCHEMA).createOrReplaceTempView("cycles_written");
  read("corrections", "home INT, appliance STRING, start_ts TIMESTAMP, reason STRING, batch_id INT").createOrReplaceTempView("cycle_corrections");
  return spark.sql(`
    SELECT c.home, c.appliance, c.start_ts, c.end_ts, c.duration_min, c.energy_kwh, c.peak_w, c.heat_phases, c.peer_pctl, c.vs_reference,
           c.inefficient OR k.home IS NOT NULL AS inefficient,
           CASE WHEN k.home IS NULL THEN c.reason WHEN c.reason = '' THEN k.reason ELSE concat(c.reason, ',', k.reason) END AS reason
    FROM cycles_written c
    LEFT JOIN (SELECT DISTINCT home, appliance, start_ts, reason FROM cycle_corrections) k
      ON c.home = k.home AND c.appliance = k.appliance AND c.start_ts = k.start_ts`);
}

async function maxMinute(spark: Session): Promise<number> {
  const r = await spark.sql("SELECT max(end_ts) AS m FROM detected").collect();
  const d = r[0]?.["m"] as Date | null | undefined;
  return d ? d.getTime() : 0;
}

/** The peer comparison over all detected cycles: homes whose cycles use the most energy relative to their peers. */
export async function showWorstHomes(spark: Session, outDir: string, n = 10): Promise<void> {
  detectedCycles(spark, outDir).createOrReplaceTempView("detected");
  await spark
    .sql(`
      WITH per_home AS (
        SELECT home, appliance, count(*) AS cycles, round(avg(energy_kwh), 2) AS avg_kwh, sum(CASE WHEN inefficient THEN 1 ELSE 0 END) AS flagged
        FROM detected GROUP BY home, appliance),
      ranked AS (
        SELECT *, round(percent_rank() OVER (PARTITION BY appliance ORDER BY avg_kwh), 3) AS peer_pctl FROM per_home)
      SELECT r.home, r.appliance, r.cycles, r.flagged, r.avg_kwh, round(r.avg_kwh / ref.typical_kwh, 2) AS vs_reference, r.peer_pctl
      FROM ranked r JOIN reference ref ON r.appliance = ref.appliance
      WHERE r.flagged > 0
      ORDER BY r.peer_pctl DESC, r.home
      LIMIT ${n}`)
    .show(n);
}
