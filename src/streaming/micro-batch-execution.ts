import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import type { Session } from "../api/session.js";
import { type RecordBatch, keepColumns, totalRows } from "../batch/record-batch.js";
import { sourceColumnsRead } from "./source-columns.js";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import { CommitLog } from "../checkpoint/commit-log.js";
import type { PreparedFile } from "../checkpoint/atomic-file.js";
import { CHECKPOINT_FIXED_CONFS, OffsetLog, type OffsetSeqMetadata } from "../checkpoint/offset-log.js";
import { recoveryDecision } from "../checkpoint/recovery-decision.js";
import { checkOperatorMetadata, readOperatorMetadata } from "../checkpoint/operator-metadata.js";
import { readOrCreateStreamMetadata } from "../checkpoint/stream-metadata.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { fixedMicros, parseInterval } from "../types/interval.js";
import { execContext } from "../physical/query-execution.js";
import type { ExecContext } from "../physical/physical-op.js";
import { ProgressTally } from "../physical/progress-tally.js";
import { MicroBatchPlans } from "./micro-batch-plans.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import type { StatefulOperatorMetrics } from "../physical/stateful/streaming-aggregate-exec.js";
import { type StatefulOperatorInfo, statePartitionCount, statePartitioning, stateSchemaOf, statefulOperatorsOf, watermarkDelayMs, watermarkNodesOf } from "../physical/stateful/stateful-operators.js";
import { StateStoreCoordinator, resolveStateStoreProvider } from "../state/state-store-registry.js";
import { groupStateTimeoutDue } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import { stateStoreConfFrom } from "../state/state-store.js";
import type { Clock } from "./clock.js";
import { crashPoint } from "./crash-hook.js";
import { fileWriterThread } from "../checkpoint/file-writer-thread.js";
import { StateCommits } from "../physical/stateful/state-partitions.js";
import { executeIncremental, streamingSourcesOf, takesScan } from "./incremental-plan.js";
import { StatefulWorkers } from "../physical/parallel/stateful-on-workers.js";
import type { WorkerPool } from "../physical/parallel/worker-pool.js";
import { type LateRowsTarget, lateRowsBatches } from "./late-rows.js";
import { type ProgressFields, type SourceProgress, type StreamingQueryStatus, StreamingQueryProgress, rate } from "./progress.js";
import type { OutputMode, Sink } from "./sink.js";
import { capAtTarget } from "./available-now-cap.js";
import { type MicroBatchInput, type Offset, ReadLimit, type Source, type StreamingSourceProvider, sameOffset } from "./source.js";
import type { ListenerBus } from "./streaming-listener.js";
import { StreamingQueryException } from "./streaming-query-exception.js";
import { type Trigger, nextTriggerTime } from "./trigger.js";
import { type EventTimeStats, WATERMARK_POLICY_CONF, WatermarkTracker, mergeEventTimeStats, parseWatermarkPolicy } from "./watermark-tracker.js";

/** Everything a query run needs; built by DataStreamWriter.start() / StreamingQueryManager. */
export interface MicroBatchOptions {
  readonly session: Session;
  /** The analyzed plan of the streaming DataFrame. */
  readonly plan: LogicalPlan;
  readonly sink: Sink;
  /** Where the rows stateful operators drop as late go (`writeStream.lateRowsTo`), if anywhere. */
  readonly lateRows?: LateRowsTarget;
  readonly outputMode: OutputMode;
  readonly trigger: Trigger;
  readonly clock: Clock;
  readonly checkpointDir: string;
  /** A temporary checkpoint: deleted when the query stops without failure. */
  readonly deleteCheckpointOnStop: boolean;
  readonly name: string | null;
  readonly listenerBus: ListenerBus;
  /** Called when the query has terminated, before listeners hear of it (the manager's bookkeeping). */
  readonly onTerminated?: () => void;
}

/** A batch planned (its offsets logged) and not yet committed. */
interface PlannedBatch {
  readonly batchId: number;
  readonly start: readonly Offset[];
  readonly end: readonly Offset[];
  readonly metadata: OffsetSeqMetadata;
}

const IDLE_POLL_MS = 10;

/**
 * The trigger loop (Spark's MicroBatchExecution). It only sequences small units — sources, the
 * offset and commit logs, the incremental planner, the batch engine, the sink, the progress
 * reporter — in the order DESIGN.md gives:
 *
 * 1. latest offsets from each source (within its read limit); none new → no batch;
 * 2. `offsets/N` written durably;
 * 3. batch N's data fetched, its incremental plan built and run;
 * 4. the sink gets the result with batch id N;
 * 5. `commits/N` written, sources told what is committed;
 * 6. progress reported, listeners notified.
 *
 * Restart follows checkpoint/recovery-decision.ts: a batch whose offsets are logged but not
 * committed is re-run with exactly those offsets, watermark and timestamp.
 */
export class MicroBatchExecution {
  readonly id: string;
  readonly runId = randomUUID();
  readonly name: string | null;
  private readonly offsetLog: OffsetLog;
  private readonly commitLog: CommitLog;
  private readonly providers: StreamingSourceProvider[];
  /** The columns the query reads of each source (absent: all). */
  private readonly sourceColumns: ReadonlyMap<unknown, readonly string[]>;
  private sources: Source[] = [];
  /** Per source, the end offset of the last committed batch (where the next batch starts). */
  private committed: Offset[] = [];
  private pending: PlannedBatch | null = null;
  private currentBatchId = 0;
  private watermarkMs = 0;
  private fixedConf: Record<string, string> = {};
  /** The stateful operators of the plan, in operator-id order (`state/<id>`). */
  private readonly statefulOps: readonly StatefulOperatorInfo[];
  private lastStateMaintenanceMs = Number.NEGATIVE_INFINITY;
  private maintainStateThisBatch = false;
  /** Where stateful partitions run once the query's batches are large (see StatefulWorkers). */
  private statefulWorkers: StatefulWorkers | null = null;
  /** The physical plans of this run's micro-batches, planned once per shape. */
  private readonly batchPlans = new MicroBatchPlans();
  /** Per stateful operator (by id), its number of state partitions, fixed when the checkpoint first ran it. */
  private statePartitions: readonly number[] = [];
  /** Delay (ms) of each EventTimeWatermark node of the streaming plan, in the incremental planner's order. */
  private readonly watermarkDelays: readonly number[];
  private tracker: WatermarkTracker = new WatermarkTracker("min");
  private stores: StateStoreCoordinator | null = null;
  /** The last batch moved the watermark so that a stateful operator would emit or evict: run a no-data batch. */
  private noDataBatchDue = false;
  private availableNowTargets: (Offset | undefined)[] | null = null;

  private stopRequested = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  private unsubscribers: (() => void)[] = [];
  private loop: Promise<void> | null = null;
  /** Settles once every source's `open()` has resolved (or the first rejection ended the query). */
  private sourcesOpen: Promise<void> = Promise.resolve();
  private terminated = false;
  private failure: StreamingQueryException | null = null;
  private readonly terminationWaiters: (() => void)[] = [];
  private triggerSeq = 0;
  private activeTriggerSeq = 0;
  private readonly drainWaiters: { afterSeq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly batchListeners = new Set<() => void>();

  private statusValue: StreamingQueryStatus = { message: "Initializing sources", isDataAvailable: false, isTriggerActive: false };
  private readonly progressBuffer: StreamingQueryProgress[] = [];
  private lastTriggerStartMs = -1;
  private lastIdleEventMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: MicroBatchOptions) {
    this.name = opts.name;
    fs.mkdirSync(opts.checkpointDir, { recursive: true });
    this.id = readOrCreateStreamMetadata(opts.checkpointDir).id;
    this.offsetLog = new OffsetLog(opts.checkpointDir);
    this.commitLog = new CommitLog(opts.checkpointDir);
    this.offsetLog.fsync = this.commitLog.fsync = checkpointFsync(opts.session);
    // The thread that writes offsets/N beside each batch's work starts now, not in batch 0.
    fileWriterThread.warm();
    this.providers = streamingSourcesOf(opts.plan);
    this.sourceColumns = sourceColumnsRead(opts.plan);
    this.statefulOps = statefulOperatorsOf(opts.plan);
    this.watermarkDelays = watermarkNodesOf(opts.plan).map(watermarkDelayMs);
  }

  /** Whether some stateful operator emits or evicts when the watermark moves. */
  private get hasWatermarkDrivenState(): boolean {
    return this.statefulOps.some((op) => op.evictsOnWatermark) && this.opts.outputMode !== "complete";
  }

  get status(): StreamingQueryStatus {
    return this.statusValue;
  }
  get recentProgress(): StreamingQueryProgress[] {
    return [...this.progressBuffer];
  }
  get lastProgress(): StreamingQueryProgress | null {
    return this.progressBuffer[this.progressBuffer.length - 1] ?? null;
  }
  get isActive(): boolean {
    return this.loop !== null && !this.terminated;
  }
  get exception(): StreamingQueryException | null {
    return this.failure;
  }
  /** The id of the last committed batch, -1 before any. */
  get lastCommittedBatchId(): number {
    return this.pending ? this.pending.batchId - 1 : this.currentBatchId - 1;
  }
  get sink(): Sink {
    return this.opts.sink;
  }
  get plan(): LogicalPlan {
    return this.opts.plan;
  }
  get trigger(): Trigger {
    return this.opts.trigger;
  }
  get clock(): Clock {
    return this.opts.clock;
  }
  get checkpointDir(): string {
    return this.opts.checkpointDir;
  }
  describe(): string {
    return `${this.name === null ? "" : this.name + " "}[id = ${this.id}, runId = ${this.runId}]`;
  }

  /**
   * Creates the sources, reads the checkpoint and decides where to resume (synchronously, so a
   * checkpoint that does not fit the query fails start()), then starts the loop.
   */
  start(): void {
    if (this.loop) throw new IllegalArgumentError("QUERY_ALREADY_STARTED", "This query was already started.");
    if (this.opts.trigger.kind === "continuous") {
      throw new IllegalArgumentError("CONTINUOUS_TRIGGER_NOT_SUPPORTED", "Continuous processing (trigger { continuous: ... }) is not supported yet; use a processingTime, once or availableNow trigger.");
    }
    const session = this.opts.session;
    this.sources = this.providers.map((p, i) =>
      p.createSource({ session, metadataPath: path.join(this.opts.checkpointDir, "sources", String(i)), clock: this.opts.clock }),
    );
    this.recover();
    this.tracker = new WatermarkTracker(parseWatermarkPolicy(this.fixedConf[WATERMARK_POLICY_CONF]), this.watermarkMs);
    const query = { outputMode: this.opts.outputMode, operators: this.statefulOps };
    const shufflePartitions = Number(this.fixedConf["sluice.sql.shuffle.partitions"] ?? session.conf.getNumber("sluice.sql.shuffle.partitions"));
    this.statePartitions = this.statefulOps.map((op) =>
      statePartitionCount(statePartitioning(op, query), readOperatorMetadata(this.opts.checkpointDir, op.operatorId)?.numPartitions, shufflePartitions),
    );
    checkOperatorMetadata(
      this.opts.checkpointDir,
      this.statefulOps.map((op, i) => ({ ...stateSchemaOf(op, query), numPartitions: this.statePartitions[i]! })),
      checkpointFsync(session),
    );
    this.stores = new StateStoreCoordinator(stateStoreConfFrom((k) => this.fixedConf[k] ?? session.conf.getOption(k)));
    for (const s of this.sources) {
      if (s.onDataAvailable) this.unsubscribers.push(s.onDataAvailable(() => this.wake?.()));
    }
    this.opts.listenerBus.post("onQueryStarted", { id: this.id, runId: this.runId, name: this.name, timestamp: iso(this.opts.clock.getTimeMillis()) });
    let opened!: () => void;
    let failed!: (e: Error) => void;
    this.sourcesOpen = new Promise<void>((resolve, reject) => ((opened = resolve), (failed = reject)));
    this.sourcesOpen.catch(() => {}); // the failure also reaches exception() and awaitTermination()
    this.loop = this.runLoop(opened, failed);
  }

  private recover(): void {
    const lastOffsets = this.offsetLog.getLatest();
    const lastCommit = this.commitLog.getLatest();
    const decision = recoveryDecision(lastOffsets?.batchId, lastCommit?.batchId);
    const conf = this.opts.session.conf;
    this.fixedConf = Object.fromEntries(CHECKPOINT_FIXED_CONFS.map((k) => [k, conf.get(k)]));
    const initial = (): Offset[] => this.sources.map((s) => s.initialOffset());
    const check = (offsets: readonly Offset[], batchId: number): void => {
      if (offsets.length !== this.sources.length) {
        throw new CheckpointError(
          "CHECKPOINT_QUERY_MISMATCH",
          `The checkpoint at ${this.opts.checkpointDir} was written by a query with ${offsets.length} streaming source(s) (offsets/${batchId}), but this query has ${this.sources.length}. Adding or removing streaming sources is not allowed; use a new checkpoint location.`,
        );
      }
    };
    switch (decision.kind) {
      case "corrupt":
        throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint at ${this.opts.checkpointDir} is inconsistent: ${decision.reason}.`);
      case "startFresh":
        this.committed = initial();
        this.currentBatchId = 0;
        return;
      case "startNext": {
        const e = lastOffsets!.entry;
        check(e.offsets, lastOffsets!.batchId);
        this.committed = [...e.offsets];
        this.currentBatchId = decision.batchId;
        this.watermarkMs = lastCommit!.entry.nextBatchWatermarkMs;
        this.fixedConf = { ...this.fixedConf, ...pickFixed(e.metadata.conf, true) };
        // The last batch moved the watermark but the no-data batch it called for never ran.
        this.noDataBatchDue = this.hasWatermarkDrivenState && this.watermarkMs > e.metadata.batchWatermarkMs;
        this.sources.forEach((s, i) => void s.commit(this.committed[i]!));
        return;
      }
      case "rerunBatch": {
        const e = lastOffsets!.entry;
        check(e.offsets, decision.batchId);
        const prev = decision.batchId > 0 ? this.offsetLog.get(decision.batchId - 1) : undefined;
        if (decision.batchId > 0 && prev === undefined) {
          throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint at ${this.opts.checkpointDir} has offsets/${decision.batchId} to re-run but not offsets/${decision.batchId - 1} where it starts.`);
        }
        this.committed = prev ? [...prev.offsets] : initial();
        this.currentBatchId = decision.batchId;
        this.watermarkMs = e.metadata.batchWatermarkMs;
        this.fixedConf = { ...this.fixedConf, ...pickFixed(e.metadata.conf, true) };
        this.pending = { batchId: decision.batchId, start: [...this.committed], end: [...e.offsets], metadata: e.metadata };
        return;
      }
    }
  }

  // ---- the loop ----

  private async runLoop(opened: () => void, failed: (e: Error) => void): Promise<void> {
    try {
      // Only sources with an open() are awaited: without one, the first trigger still reads its
      // offsets synchronously within start(), as before (tests with a manual clock rely on it).
      for (const s of this.sources) {
        if (!s.open) continue;
        this.setStatus(`Opening ${s.description}`, false, false);
        await s.open();
      }
      opened();
      if (this.opts.trigger.kind === "availableNow") await this.prepareAvailableNow();
      const trigger = this.opts.trigger;
      const interval = trigger.kind === "processingTime" ? trigger.intervalMs : 0;
      while (!this.stopRequested) {
        const triggerStart = this.opts.clock.getTimeMillis();
        const executed = await this.runOneTrigger(triggerStart);
        if (trigger.kind === "once") break;
        if (trigger.kind === "availableNow" && !executed) break;
        if (this.stopRequested) break;
        if (interval > 0) {
          const next = nextTriggerTime(triggerStart, interval);
          if (this.opts.clock.getTimeMillis() < next) {
            this.setStatus("Waiting for next trigger", this.statusValue.isDataAvailable, false);
            await this.opts.clock.waitTillTime(next, this.abort.signal);
          }
        } else if (!executed) {
          await this.waitForData();
        }
      }
      this.setStatus("Stopped", false, false);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.failure = new StreamingQueryException(this.describe(), err, this.pending?.batchId ?? this.currentBatchId);
      this.setStatus(`Terminated with exception: ${err.message}`, false, false);
    } finally {
      await this.cleanup();
      // After cleanup: start() rejects once the query has fully terminated (sources closed).
      if (this.failure) failed(this.failure);
      else opened();
    }
  }

  /** Default trigger with no data: wait until a source signals data, stop() is called, or a short poll. */
  private waitForData(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        this.abort.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      this.wake = done;
      this.abort.signal.addEventListener("abort", done, { once: true });
    });
  }

  private async prepareAvailableNow(): Promise<void> {
    const targets: (Offset | undefined)[] = [];
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i]!;
      if (s.prepareForTriggerAvailableNow) {
        await s.prepareForTriggerAvailableNow();
        targets.push(undefined);
      } else {
        const from = this.pending ? this.pending.end[i]! : this.committed[i]!;
        targets.push(await s.latestOffset(from, ReadLimit.allAvailable()));
      }
    }
    this.availableNowTargets = targets;
  }

  /**
   * Where source i's next batch ends: its latestOffset within its read limit (all available for
   * Trigger.Once; without minRows for AvailableNow). For AvailableNow and a source without
   * prepareForTriggerAvailableNow, the limited offset is capped at the target taken at start
   * (available-now-cap.ts), or the whole target when offsets cannot be compared.
   */
  private async nextEndOffset(i: number): Promise<Offset> {
    const s = this.sources[i]!;
    const start = this.committed[i]!;
    const trigger = this.opts.trigger.kind;
    if (trigger === "once") return s.latestOffset(start, ReadLimit.allAvailable());
    const limit = s.defaultReadLimit?.() ?? ReadLimit.allAvailable();
    if (trigger !== "availableNow") return s.latestOffset(start, limit);
    const target = this.availableNowTargets?.[i];
    const bounded = ReadLimit.withoutMinRows(limit);
    if (target === undefined) return s.latestOffset(start, bounded);
    if (ReadLimit.isAllAvailable(bounded) || sameOffset(start, target)) return target;
    return capAtTarget(await s.latestOffset(start, bounded), target, start) ?? target;
  }

  /** One trigger: re-run a pending batch, or plan and run the next one if there is new data. */
  private async runOneTrigger(triggerStart: number): Promise<boolean> {
    const seq = ++this.triggerSeq;
    this.activeTriggerSeq = seq;
    const timings: Record<string, number> = {};
    const clock = this.opts.clock;
    const charge = (key: string, ms: number): void => {
      timings[key] = (timings[key] ?? 0) + ms;
    };
    const time = async <T>(key: string, fn: () => T | Promise<T>): Promise<T> => {
      const t0 = clock.getTimeMillis();
      try {
        return await fn();
      } finally {
        charge(key, clock.getTimeMillis() - t0);
      }
    };
    this.setStatus(`Getting offsets from ${this.sources.map((s) => s.description).join(", ")}`, this.statusValue.isDataAvailable, true);
    let batch = this.pending;
    let latestSeen: Offset[];
    let offsetsWritten = Promise.resolve();
    if (batch) {
      latestSeen = [...batch.end];
    } else {
      latestSeen = await time("latestOffset", async () => {
        const out: Offset[] = [];
        for (let i = 0; i < this.sources.length; i++) out.push(await this.nextEndOffset(i));
        return out;
      });
      const hasNewData = latestSeen.some((o, i) => !sameOffset(o, this.committed[i]));
      // No new data, but the watermark moved: a no-data batch (same start and end offsets) lets
      // stateful operators emit and evict what the new watermark closes (Spark 2.4+).
      const noDataBatch = !hasNewData && (this.noDataBatchDue || this.groupStateTimeoutDue(triggerStart)) && this.noDataBatchesEnabled;
      if (noDataBatch) latestSeen = [...this.committed];
      if (!hasNewData && !noDataBatch) {
        this.setStatus("Waiting for data to arrive", false, false);
        this.finishIdleTrigger(seq, triggerStart);
        return false;
      }
      const metadata: OffsetSeqMetadata = { batchWatermarkMs: this.watermarkMs, batchTimestampMs: triggerStart, conf: this.fixedConf };
      batch = { batchId: this.currentBatchId, start: [...this.committed], end: latestSeen, metadata };
      crashPoint("before-offsets-write", batch.batchId);
      // The offsets reach the disk on libuv's thread pool while the batch's data is read; the
      // batch waits for them before anything it computes is stored or emitted (runBatch).
      const b = batch;
      offsetsWritten = this.offsetLog.addAsync(b.batchId, { offsets: b.end, metadata }).then((added) => {
        if (!added) throw this.concurrentUpdate("offsets", b.batchId);
        this.pending = b;
        crashPoint("after-offsets-write", b.batchId);
      });
      // Handled here too: reading the data may fail first, and the write's failure must not go unhandled then.
      offsetsWritten.catch(() => undefined);
    }
    this.setStatus(sameOffsets(batch.start, batch.end) ? "Processing a no-data batch" : "Processing new data", true, true);
    const rows = await this.runBatch(batch, offsetsWritten, time, charge);
    this.watermarkMs = rows.nextWatermarkMs;
    this.noDataBatchDue = this.hasWatermarkDrivenState && this.watermarkMs > batch.metadata.batchWatermarkMs;
    crashPoint("after-sink-before-commit", batch.batchId);
    await time("commitOffsets", () => this.commitBatch(batch!, rows.commitEntry));
    timings["triggerExecution"] = clock.getTimeMillis() - triggerStart;
    this.reportProgress(batch, triggerStart, timings, rows, latestSeen);
    this.lastIdleEventMs = triggerStart;
    this.setStatus("Waiting for data to arrive", this.statusValue.isDataAvailable, false);
    for (const l of [...this.batchListeners]) l();
    return true;
  }

  private async runBatch(
    batch: PlannedBatch,
    offsetsWritten: Promise<void>,
    time: <T>(key: string, fn: () => T | Promise<T>) => Promise<T>,
    charge: (key: string, ms: number) => void,
  ): Promise<BatchFigures> {
    const base = this.opts.session.execSettings();
    const shuffle = Number(batch.metadata.conf["sluice.sql.shuffle.partitions"] ?? base.shufflePartitions);
    const settings = { ...base, shufflePartitions: Number.isFinite(shuffle) ? shuffle : base.shufflePartitions };
    const data = new Map<StreamingSourceProvider, MicroBatchInput>();
    // Rows per source: counted here for rows handed over, by the scans for batch scans (-1 until then).
    const perSource: number[] = [];
    try {
      await time("getBatch", async () => {
        for (let i = 0; i < this.sources.length; i++) {
          // Only the columns the query reads: a source may build just those, else they are picked here.
          const columns = this.sourceColumns.get(this.providers[i]!);
          const source = this.sources[i]!;
          const empty = sameOffset(batch.start[i], batch.end[i]);
          const scan = empty ? null : (source.batchScan?.(batch.start[i]!, batch.end[i]!) ?? null);
          if (scan !== null && takesScan(scan, this.opts.session.conf.getNumber("sluice.executor.minRowsPerTask"))) {
            data.set(this.providers[i]!, { scan, sourceIndex: i, ...(columns !== undefined ? { columns } : {}) });
            perSource.push(-1);
            continue;
          }
          const raw = empty ? [] : await source.getBatch(batch.start[i]!, batch.end[i]!, columns);
          const got = columns === undefined ? raw : raw.map((b) => keepColumns(b, columns));
          data.set(this.providers[i]!, got);
          perSource.push(totalRows(got));
        }
      });
    } catch (e) {
      // The failed run's offsets must be in place (or not) before the query ends: a restart reads them.
      await offsetsWritten.catch(() => undefined);
      throw e;
    }
    const progress = new ProgressTally(settings.progress);
    const ctx: ExecContext = { ...execContext(settings, batch.metadata.batchTimestampMs * 1000), progress };
    const conf = this.opts.session.conf;
    // What planning depends on besides the plan: a change plans the batch's plans again.
    const settingsKey = JSON.stringify([settings.timeZone, settings.ansi, settings.shufflePartitions, settings.planner ?? null, conf.get("sluice.sql.optimizer.enabled"), conf.get("sluice.sql.optimizer.windowGroupLimitThreshold")]);
    const run = (p: LogicalPlan): Promise<RecordBatch[]> => this.batchPlans.run(p, settings, ctx, settingsKey);
    // The plans run while the incremental plan is built (the stateful part) are execution, as
    // Spark reports them: their time goes to addBatch, not queryPlanning.
    let stateful = 0;
    const runStateful = async (p: LogicalPlan): Promise<RecordBatch[]> => {
      const t0 = this.opts.clock.getTimeMillis();
      try {
        return await run(p);
      } finally {
        stateful += this.opts.clock.getTimeMillis() - t0;
      }
    };
    // State snapshots and cleanup run between batches at most once per interval (Spark's
    // maintenanceInterval, 60 s), not after every batch: they list and write files.
    this.maintainStateThisBatch = this.opts.clock.getTimeMillis() - this.lastStateMaintenanceMs >= stateMaintenanceIntervalMs(this.opts.session);
    // The batch computes while its offsets are written; its state commits wait for them, and so
    // does its sink (walCommit: that wait), and commits/N waits for the state commits.
    const stateCommits = new StateCommits(offsetsWritten);
    let output = 0, lateOutput = 0;
    let commitEntry: Promise<PreparedFile> | undefined;
    try {
      // The stateful part of the batch (watermark inputs, stateful operators) runs while the
      // incremental plan is built (its time charged to addBatch); what is left is a batch plan for the sink.
      const planned = await time("queryPlanning", () =>
        executeIncremental(this.opts.plan, {
          batchId: batch.batchId,
          watermarkMs: batch.metadata.batchWatermarkMs,
          outputMode: this.opts.outputMode,
          data,
          run: runStateful,
          fctx: ctx.fctx,
          stores: this.stores!,
          checkpointDir: this.opts.checkpointDir,
          statePartitions: this.statePartitions,
          maintainState: this.maintainStateThisBatch,
          stateCommits,
          progress,
          keepLateRows: this.opts.lateRows !== undefined,
          ...(this.statefulWorkersFor(settings.workers) ? { statefulWorkers: this.statefulWorkers! } : {}),
        }),
      );
      charge("queryPlanning", -stateful);
      charge("addBatch", stateful);
      await time("walCommit", () => offsetsWritten);
      const nextWatermarkMs = this.tracker.update(planned.eventTimeStats, this.watermarkDelays);
      // With state files to wait for, commits/N (known once the batch's event times are) is written
      // and fsync'ed under a temp name while they and the sink run, and put in place after them.
      // Without, it is written after the sink on this thread: a round trip through libuv's pool
      // (a thread to wake, then this one) cost more than the fsync it would overlap (JSON file
      // source to foreachBatch, bench/streaming-latency.ts: p50 +1 to 2 ms).
      if (stateCommits.pending) {
        commitEntry = this.commitLog.prepare(batch.batchId, { nextBatchWatermarkMs: nextWatermarkMs });
        commitEntry.catch(() => undefined);
      }
      await time("addBatch", async () => {
        const result = await run(planned.plan);
        output = totalRows(result);
        // Late rows first, with the same batch id: a re-run of batch N drops the same rows again
        // (same input, state version N) and the idempotent late sink keeps them once.
        const late = this.opts.lateRows;
        if (late !== undefined) {
          const lateBatches = lateRowsBatches(late.layout, planned.lateRows);
          lateOutput = totalRows(lateBatches);
          await late.sink.addBatch(batch.batchId, lateBatches, "append");
        }
        await this.opts.sink.addBatch(batch.batchId, result, this.opts.outputMode);
      });
      // The state files' writes and fsyncs ran beside the sink; commits/N follows them.
      await time("commitOffsets", () => stateCommits.all());
      crashPoint("after-state-commit", batch.batchId);
      perSource.forEach((n, i) => (perSource[i] = n < 0 ? progress.rowsOf(i) : n));
      return { perSource, output, lateOutput, eventTimeStats: planned.eventTimeStats, stateOperators: planned.stateOperators(), nextWatermarkMs, commitEntry };
    } catch (e) {
      // Nothing of a failed batch may still be writing when the query ends (a restart reads the files).
      await offsetsWritten.catch(() => undefined);
      await stateCommits.settled();
      (await commitEntry?.catch(() => undefined))?.discard();
      throw e;
    }
  }

  /**
   * The worker threads stateful partitions may move to: with more than one executor thread and the
   * in-memory state provider (an LMDB environment stays with the thread that opened it).
   */
  private statefulWorkersFor(pool: WorkerPool | undefined): boolean {
    if (pool === undefined || this.stores === null || resolveStateStoreProvider(this.stores.conf.providerClass) !== "memory") return false;
    if (this.statefulWorkers?.pool !== pool) this.statefulWorkers = new StatefulWorkers(pool, this.opts.session.conf.getNumber("sluice.executor.minRowsPerTask"));
    return true;
  }

  /** Whether a flatMapGroupsWithState key would time out in a batch starting now (a no-data batch is then due). */
  private groupStateTimeoutDue(batchTimestampMs: number): boolean {
    if (this.stores === null || !this.statefulOps.some((op) => op.kind === "flatMapGroupsWithState")) return false;
    const idOf = (node: LogicalPlan): number => this.statefulOps.find((op) => op.node === node)?.operatorId ?? -1;
    return groupStateTimeoutDue(this.opts.plan, this.stores, this.opts.checkpointDir, this.currentBatchId, batchTimestampMs, this.watermarkMs, idOf, (id) => this.statePartitions[id] ?? 1);
  }

  /** `sluice.sql.streaming.noDataMicroBatches.enabled` (default true), read at each trigger as Spark does. */
  private get noDataBatchesEnabled(): boolean {
    return (this.opts.session.conf.getOption("sluice.sql.streaming.noDataMicroBatches.enabled") ?? "true").toLowerCase() !== "false";
  }

  private async commitBatch(batch: PlannedBatch, prepared: Promise<PreparedFile> | undefined): Promise<void> {
    const entry = { nextBatchWatermarkMs: this.watermarkMs };
    const added = prepared === undefined ? this.commitLog.add(batch.batchId, entry) : await (await prepared).publish();
    if (!added) throw this.concurrentUpdate("commits", batch.batchId);
    crashPoint("after-commit", batch.batchId);
    this.committed = [...batch.end];
    this.pending = null;
    this.currentBatchId = batch.batchId + 1;
    for (let i = 0; i < this.sources.length; i++) await this.sources[i]!.commit(batch.end[i]!);
    const retain = Math.max(1, this.opts.session.conf.getNumber("sluice.sql.streaming.minBatchesToRetain"));
    if (this.maintainStateThisBatch) {
      this.stores?.maintenance();
      this.lastStateMaintenanceMs = this.opts.clock.getTimeMillis();
    }
    const threshold = batch.batchId - retain + 1;
    if (threshold > 0) {
      this.offsetLog.purge(threshold);
      this.commitLog.purge(threshold);
    }
  }

  /** A log entry this query was to write exists already: another query writes the same checkpoint. */
  private concurrentUpdate(log: "offsets" | "commits", batchId: number): CheckpointError {
    return new CheckpointError("CONCURRENT_STREAM_LOG_UPDATE", `Concurrent update to the log: ${log}/${batchId} already exists in ${this.opts.checkpointDir}. Multiple streaming queries seem to use this checkpoint at the same time.`);
  }

  private reportProgress(batch: PlannedBatch, triggerStart: number, timings: Record<string, number>, rows: BatchFigures, latestSeen: readonly Offset[]): void {
    const sinceLast = this.lastTriggerStartMs >= 0 ? triggerStart - this.lastTriggerStartMs : 0;
    this.lastTriggerStartMs = triggerStart;
    const exec = timings["triggerExecution"] ?? 0;
    const numInputRows = rows.perSource.reduce((a, b) => a + b, 0);
    const sources: SourceProgress[] = this.sources.map((s, i) => ({
      description: s.description,
      startOffset: batch.start[i] ?? null,
      endOffset: batch.end[i] ?? null,
      latestOffset: latestSeen[i] ?? null,
      numInputRows: rows.perSource[i] ?? 0,
      inputRowsPerSecond: rate(rows.perSource[i] ?? 0, sinceLast),
      processedRowsPerSecond: rate(rows.perSource[i] ?? 0, exec),
    }));
    const durationMs: Record<string, number> = {};
    for (const k of ["addBatch", "commitOffsets", "getBatch", "latestOffset", "queryPlanning", "triggerExecution", "walCommit"]) durationMs[k] = timings[k] ?? 0;
    const fields: ProgressFields = {
      id: this.id,
      runId: this.runId,
      name: this.name,
      timestamp: iso(triggerStart),
      batchId: batch.batchId,
      batchDuration: exec,
      numInputRows,
      inputRowsPerSecond: rate(numInputRows, sinceLast),
      processedRowsPerSecond: rate(numInputRows, exec),
      durationMs,
      eventTime: this.eventTimeProgress(batch, rows.eventTimeStats),
      stateOperators: rows.stateOperators.map((m) => ({ ...m, customMetrics: { ...m.customMetrics } })),
      sources,
      sink: { description: this.opts.sink.description, numOutputRows: rows.output },
      ...(this.opts.lateRows !== undefined ? { lateRowsSink: { description: this.opts.lateRows.sink.description, numOutputRows: rows.lateOutput } } : {}),
    };
    const progress = new StreamingQueryProgress(fields);
    this.progressBuffer.push(progress);
    const keep = Number(this.opts.session.conf.getOption("sluice.sql.streaming.numRecentProgressUpdates") ?? 100);
    while (this.progressBuffer.length > keep) this.progressBuffer.shift();
    this.opts.listenerBus.post("onQueryProgress", { progress });
  }

  /** Spark's `eventTime` progress: the batch's watermark, and max/min/avg of the event times it saw. */
  private eventTimeProgress(batch: PlannedBatch, stats: readonly EventTimeStats[]): Record<string, string> {
    if (this.watermarkDelays.length === 0) return {};
    const all = stats.reduce(mergeEventTimeStats, { max: Number.NEGATIVE_INFINITY, min: Number.POSITIVE_INFINITY, sum: 0, count: 0 });
    const out: Record<string, string> = {};
    if (all.count > 0) {
      out["avg"] = iso(Math.round(all.sum / all.count));
      out["max"] = iso(all.max);
      out["min"] = iso(all.min);
    }
    out["watermark"] = iso(batch.metadata.batchWatermarkMs);
    return out;
  }

  private finishIdleTrigger(seq: number, triggerStart: number): void {
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const w = this.drainWaiters[i]!;
      if (seq > w.afterSeq) {
        this.drainWaiters.splice(i, 1);
        w.resolve();
      }
    }
    const interval = Number(this.opts.session.conf.getOption("sluice.sql.streaming.noDataProgressEventInterval") ?? 10_000);
    if (triggerStart - this.lastIdleEventMs >= interval) {
      this.lastIdleEventMs = triggerStart;
      this.opts.listenerBus.post("onQueryIdle", { id: this.id, runId: this.runId, timestamp: iso(triggerStart) });
    }
  }

  private setStatus(message: string, isDataAvailable: boolean, isTriggerActive: boolean): void {
    this.statusValue = Object.freeze({ message, isDataAvailable, isTriggerActive });
  }

  private async cleanup(): Promise<void> {
    for (const u of this.unsubscribers) u();
    for (const s of this.sources) {
      try {
        await s.stop();
      } catch {
        // a source that fails to stop must not hide the query's own outcome
      }
    }
    try {
      await this.opts.sink.stop?.();
    } catch {
      // as above
    }
    try {
      await this.opts.lateRows?.sink.stop?.();
    } catch {
      // as above
    }
    try {
      await this.stores?.close();
      // The worker threads drop the stores of this query's partitions.
      if (this.statefulWorkers?.used) await this.statefulWorkers.pool.broadcast({ kind: "stateful-unload", checkpointLocation: this.opts.checkpointDir });
    } catch {
      // as above
    }
    this.terminated = true;
    if (this.opts.deleteCheckpointOnStop && this.failure === null) fs.rmSync(this.opts.checkpointDir, { recursive: true, force: true });
    for (const w of this.drainWaiters.splice(0)) {
      if (this.failure) w.reject(this.failure);
      else w.resolve();
    }
    for (const w of this.terminationWaiters.splice(0)) w();
    for (const l of [...this.batchListeners]) l();
    this.opts.onTerminated?.();
    this.opts.listenerBus.post("onQueryTerminated", {
      id: this.id,
      runId: this.runId,
      exception: this.failure ? `${this.failure.cause.name}: ${this.failure.cause.message}` : null,
      errorClassOnException: this.failure?.causeErrorClass ?? null,
      error: this.failure,
    });
  }

  // ---- control ----

  /** Stops the loop after the current trigger (a running batch finishes or fails first). */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.abort.abort();
    this.wake?.();
    if (this.loop) await this.loop;
  }

  /**
   * Resolves once every source is open (`Source.open`), so `DataStreamWriter.start()` can fail
   * with the query's exception when a server is unreachable; rejects with that exception.
   */
  whenSourcesOpen(): Promise<void> {
    return this.sourcesOpen;
  }

  /** Resolves true when the query terminates (false on timeout); rejects with the failure. */
  awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (this.terminated) return this.failure ? Promise.reject(this.failure) : Promise.resolve(true);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        if (this.failure) reject(this.failure);
        else resolve(true);
      };
      this.terminationWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.terminationWaiters.indexOf(done);
          if (i >= 0) this.terminationWaiters.splice(i, 1);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /**
   * Resolves once a trigger that started after this call found no new data (so everything
   * available at the call is committed), or the query stopped; rejects if the query failed.
   */
  processAllAvailable(): Promise<void> {
    if (this.terminated) return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    return new Promise((resolve, reject) => {
      this.drainWaiters.push({ afterSeq: this.triggerSeq, resolve, reject });
      this.wake?.();
    });
  }

  /** Resolves after the next committed batch or termination (for tests that wait on batches). */
  nextBatchOrTermination(): Promise<void> {
    if (this.terminated) return Promise.resolve();
    return new Promise((resolve) => {
      const l = (): void => {
        this.batchListeners.delete(l);
        resolve();
      };
      this.batchListeners.add(l);
    });
  }

  /** Whether a trigger is running right now (tests use it with a manual clock). */
  get isTriggerRunning(): boolean {
    return this.statusValue.isTriggerActive;
  }
  /** Sequence number of the last trigger started. */
  get triggerCount(): number {
    return this.activeTriggerSeq;
  }
}

/** `sluice.sql.streaming.checkpoint.fsync` (default true): fsync checkpoint and manifest entries. */
export function checkpointFsync(session: Session): boolean {
  return (session.conf.getOption("sluice.sql.streaming.checkpoint.fsync") ?? "true").toLowerCase() !== "false";
}

/**
 * The fixed settings of a checkpoint from an offsets entry. With `defaultsForMissing`, a fixed
 * setting the entry lacks (a checkpoint older than the setting) takes the value such old
 * checkpoints ran with, not the session's, as Spark does for its relevant SQL confs.
 */
function pickFixed(conf: Readonly<Record<string, string>>, defaultsForMissing = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CHECKPOINT_FIXED_CONFS) {
    if (conf[k] !== undefined) out[k] = conf[k]!;
    else if (defaultsForMissing && FIXED_CONF_DEFAULTS_FOR_OLD_CHECKPOINTS[k] !== undefined) out[k] = FIXED_CONF_DEFAULTS_FOR_OLD_CHECKPOINTS[k]!;
  }
  return out;
}

const FIXED_CONF_DEFAULTS_FOR_OLD_CHECKPOINTS: Readonly<Record<string, string>> = {
  [WATERMARK_POLICY_CONF]: "min",
  "sluice.sql.streaming.stateStore.providerClass": "memory",
};

/** What one batch run reports back to the trigger loop. */
interface BatchFigures {
  readonly perSource: number[];
  readonly output: number;
  /** Rows given to the late-rows sink (0 without one). */
  readonly lateOutput: number;
  readonly eventTimeStats: readonly EventTimeStats[];
  readonly stateOperators: readonly StatefulOperatorMetrics[];
  /** The global watermark after this batch (commits/N's nextBatchWatermarkMs). */
  readonly nextWatermarkMs: number;
  /** `commits/N`, durable under a temp name, to be put in place once the batch is done (batches with state files only). */
  readonly commitEntry: Promise<PreparedFile> | undefined;
}

function sameOffsets(a: readonly Offset[], b: readonly Offset[]): boolean {
  return a.length === b.length && a.every((o, i) => sameOffset(o, b[i]));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `sluice.sql.streaming.stateStore.maintenanceInterval`: milliseconds, or an interval such as "60 seconds" (Spark's default). */
export function stateMaintenanceIntervalMs(session: Session): number {
  const raw = (session.conf.getOption("sluice.sql.streaming.stateStore.maintenanceInterval") ?? "60 seconds").trim();
  if (/^\d+$/.test(raw)) return Number(raw);
  return Math.trunc(fixedMicros(parseInterval(raw, "sluice.sql.streaming.stateStore.maintenanceInterval"), "sluice.sql.streaming.stateStore.maintenanceInterval") / 1000);
}
