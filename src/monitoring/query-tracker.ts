import type { StreamingQueryProgress } from "../streaming/progress.js";
import type {
  QueryIdleEvent,
  QueryProgressEvent,
  QueryStartedEvent,
  QueryTerminatedEvent,
  StreamingQueryListener,
} from "../streaming/streaming-listener.js";

/** `active` while running, `finished` after a normal stop, `failed` after an exception. */
export type QueryRunStatus = "active" | "finished" | "failed";

/** One progress report as plain JSON (Spark's field names; NaN and infinite rates left out). */
export type ProgressJson = Readonly<Record<string, unknown>> & {
  readonly batchId: number;
  readonly timestamp: string;
};

/** What the UI, the JSON API and the metrics know about one run of a query. */
export interface QuerySummary {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly status: QueryRunStatus;
  /** ISO-8601 start time (the query's clock). */
  readonly startedAt: string;
  /** ISO-8601 end time (wall clock), null while active. */
  readonly endedAt: string | null;
  /** Progress reports seen (one per batch that ran). */
  readonly batches: number;
  readonly lastBatchId: number | null;
  /** Input rows over all batches of this run. */
  readonly inputRowsTotal: number;
  readonly inputRowsPerSecond: number | null;
  readonly processedRowsPerSecond: number | null;
  /** The watermark of the last batch (ISO-8601), null without one. */
  readonly watermark: string | null;
  /** The failure's message (with its class), null when none. */
  readonly exception: string | null;
}

export interface QueryDetail extends QuerySummary {
  /** `query.explainString(true)` captured at start, null when not available. */
  readonly plan: string | null;
  readonly lastProgress: ProgressJson | null;
  /** The failure's stack (the listener's `error`), null when none. */
  readonly exceptionStack: string | null;
}

/** What a tracker tells its subscribers (the SSE stream forwards these). */
export type TrackerEvent =
  | { readonly type: "started"; readonly query: QuerySummary }
  | { readonly type: "progress"; readonly query: QuerySummary; readonly progress: ProgressJson }
  | { readonly type: "idle"; readonly query: QuerySummary }
  | { readonly type: "terminated"; readonly query: QuerySummary };

export interface QueryTrackerOptions {
  /** Finished runs kept (oldest dropped first); Spark's spark.sql.streaming.ui.retainedQueries. */
  readonly retainedQueries?: number;
  /** Progress reports kept per run; Spark's spark.sql.streaming.ui.retainedProgressUpdates. */
  readonly retainedProgressUpdates?: number;
  /** The plan text of a query by id, asked once at start (e.g. from `spark.streams.get(id)`). */
  readonly planOf?: (id: string) => string | null;
}

interface MutableRun {
  id: string;
  runId: string;
  name: string | null;
  status: QueryRunStatus;
  startedAt: string;
  endedAt: string | null;
  batches: number;
  inputRowsTotal: number;
  plan: string | null;
  exception: string | null;
  exceptionStack: string | null;
  progress: ProgressJson[];
}

/** A progress report as plain JSON, as `progress.json` renders it. */
export function progressToJson(p: StreamingQueryProgress | ProgressJson): ProgressJson {
  if (typeof (p as StreamingQueryProgress).json === "string") return JSON.parse((p as StreamingQueryProgress).json) as ProgressJson;
  return p as ProgressJson;
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * Keeps what the listener stream says about every query run of a session: its start, recent
 * progress, end and failure. The web UI, the JSON API and the CLI's `sluice ui` read queries
 * through it; it never touches the engine.
 *
 * @example
 * const tracker = new QueryTracker({ planOf: (id) => spark.streams.get(id)?.explainString(true) ?? null });
 * spark.streams.addListener(tracker.listener);
 * tracker.list()[0]?.status; // "active"
 */
export class QueryTracker {
  private readonly runs = new Map<string, MutableRun>();
  private readonly subscribers = new Set<(e: TrackerEvent) => void>();
  private readonly retainedQueries: number;
  private readonly retainedProgress: number;

  constructor(private readonly options: QueryTrackerOptions = {}) {
    this.retainedQueries = Math.max(1, options.retainedQueries ?? 100);
    this.retainedProgress = Math.max(1, options.retainedProgressUpdates ?? 300);
  }

  /** The listener to register with `spark.streams.addListener`. */
  readonly listener: StreamingQueryListener = {
    onQueryStarted: (e) => this.onStarted(e),
    onQueryProgress: (e) => this.onProgress(e),
    onQueryIdle: (e) => this.onIdle(e),
    onQueryTerminated: (e) => this.onTerminated(e),
  };

  /** Calls `fn` for every event until the returned function is called. */
  subscribe(fn: (e: TrackerEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** All runs, newest start first. */
  list(): QuerySummary[] {
    return [...this.runs.values()].reverse().map((r) => this.summary(r));
  }

  /** A run by runId, or the latest run of a query id; null when unknown. */
  detail(idOrRunId: string): QueryDetail | null {
    const r = this.find(idOrRunId);
    if (!r) return null;
    return { ...this.summary(r), plan: r.plan, lastProgress: r.progress.at(-1) ?? null, exceptionStack: r.exceptionStack };
  }

  /** Recent progress of a run (oldest first), null when unknown. */
  progress(idOrRunId: string): ProgressJson[] | null {
    const r = this.find(idOrRunId);
    return r ? [...r.progress] : null;
  }

  /**
   * Records a run that is not running in this process (e.g. read back from a progress log by
   * `sluice ui DIR`), as finished or failed.
   */
  addFinishedRun(run: { id: string; runId: string; name: string | null; startedAt: string; endedAt?: string | null; progress: readonly ProgressJson[]; exception?: string | null; plan?: string | null }): void {
    const r: MutableRun = {
      id: run.id,
      runId: run.runId,
      name: run.name,
      status: run.exception ? "failed" : "finished",
      startedAt: run.startedAt,
      endedAt: run.endedAt ?? null,
      batches: run.progress.length,
      inputRowsTotal: run.progress.reduce((a, p) => a + (finiteOrNull(p["numInputRows"]) ?? 0), 0),
      plan: run.plan ?? null,
      exception: run.exception ?? null,
      exceptionStack: null,
      progress: run.progress.slice(-this.retainedProgress),
    };
    this.runs.set(r.runId, r);
    this.trim();
    this.emit({ type: "terminated", query: this.summary(r) });
  }

  private find(idOrRunId: string): MutableRun | undefined {
    const byRun = this.runs.get(idOrRunId);
    if (byRun) return byRun;
    let latest: MutableRun | undefined;
    for (const r of this.runs.values()) if (r.id === idOrRunId) latest = r;
    return latest;
  }

  private summary(r: MutableRun): QuerySummary {
    const last = r.progress.at(-1);
    const eventTime = (last?.["eventTime"] ?? {}) as Record<string, unknown>;
    return {
      id: r.id,
      runId: r.runId,
      name: r.name,
      status: r.status,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      batches: r.batches,
      lastBatchId: last ? last.batchId : null,
      inputRowsTotal: r.inputRowsTotal,
      inputRowsPerSecond: finiteOrNull(last?.["inputRowsPerSecond"]),
      processedRowsPerSecond: finiteOrNull(last?.["processedRowsPerSecond"]),
      // the epoch is "no watermark yet"
      watermark: typeof eventTime["watermark"] === "string" && Date.parse(eventTime["watermark"]) > 0 ? eventTime["watermark"] : null,
      exception: r.exception,
    };
  }

  private emit(e: TrackerEvent): void {
    for (const fn of [...this.subscribers]) {
      try {
        fn(e);
      } catch {
        // a broken subscriber (a closed HTTP response) must not stop the others
      }
    }
  }

  private trim(): void {
    let finished = 0;
    for (const r of this.runs.values()) if (r.status !== "active") finished++;
    for (const [k, r] of this.runs) {
      if (finished <= this.retainedQueries) break;
      if (r.status === "active") continue;
      this.runs.delete(k);
      finished--;
    }
  }

  private onStarted(e: QueryStartedEvent): void {
    let plan: string | null = null;
    try {
      plan = this.options.planOf?.(e.id) ?? null;
    } catch (err) {
      plan = `(plan not available: ${(err as Error)?.message ?? String(err)})`;
    }
    const r: MutableRun = { id: e.id, runId: e.runId, name: e.name, status: "active", startedAt: e.timestamp, endedAt: null, batches: 0, inputRowsTotal: 0, plan, exception: null, exceptionStack: null, progress: [] };
    this.runs.set(e.runId, r);
    this.emit({ type: "started", query: this.summary(r) });
  }

  private onProgress(e: QueryProgressEvent): void {
    const p = progressToJson(e.progress);
    let r = this.runs.get(e.progress.runId);
    if (!r) {
      // progress of a run that started before this tracker was attached
      r = { id: e.progress.id, runId: e.progress.runId, name: e.progress.name, status: "active", startedAt: e.progress.timestamp, endedAt: null, batches: 0, inputRowsTotal: 0, plan: null, exception: null, exceptionStack: null, progress: [] };
      this.runs.set(r.runId, r);
    }
    r.batches++;
    r.inputRowsTotal += finiteOrNull(e.progress.numInputRows) ?? 0;
    r.progress.push(p);
    if (r.progress.length > this.retainedProgress) r.progress.splice(0, r.progress.length - this.retainedProgress);
    this.emit({ type: "progress", query: this.summary(r), progress: p });
  }

  private onIdle(e: QueryIdleEvent): void {
    const r = this.runs.get(e.runId);
    if (r) this.emit({ type: "idle", query: this.summary(r) });
  }

  private onTerminated(e: QueryTerminatedEvent): void {
    const r = this.runs.get(e.runId);
    if (!r) return;
    r.status = e.exception === null ? "finished" : "failed";
    r.endedAt = new Date().toISOString();
    r.exception = e.exception;
    r.exceptionStack = e.error ? (e.error.cause instanceof Error ? (e.error.cause.stack ?? null) : (e.error.stack ?? null)) : null;
    this.trim();
    this.emit({ type: "terminated", query: this.summary(r) });
  }
}
