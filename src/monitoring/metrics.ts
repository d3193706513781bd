import { Counter, Gauge, Registry } from "prom-client";
import type { StateOperatorProgress, StreamingQueryProgress } from "../streaming/progress.js";
import type { StreamingQueryListener } from "../streaming/streaming-listener.js";

type QueryLabels = "query_name" | "query_id";

/** Rows a stateful operator dropped because they were behind the watermark (Spark's name). */
export function lateRows(op: StateOperatorProgress): number {
  const v = op["numRowsDroppedByWatermark"];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Milliseconds since the epoch of an ISO-8601 string, NaN when absent or unparsable. */
export function isoMs(s: unknown): number {
  return typeof s === "string" ? Date.parse(s) : Number.NaN;
}

/**
 * The watermark of a progress report in ms, NaN when there is none yet: Spark (and Sluice)
 * report the epoch until the first event time is seen.
 */
export function watermarkMs(eventTime: Readonly<Record<string, string>> | undefined): number {
  const wm = isoMs(eventTime?.["watermark"]);
  return wm > 0 ? wm : Number.NaN;
}

/**
 * Prometheus metrics of the streaming queries of a session, fed by the listener stream only.
 * Every series is labelled `query_name` (empty for unnamed queries) and `query_id`; figures of
 * the last batch are gauges, sums over batches are counters. The registry is this object's
 * own, so several sessions (or tests) never collide; serve it with `metrics()` on `/metrics`.
 *
 * @example
 * const m = new QueryMetrics();
 * spark.streams.addListener(m.listener);
 * await m.metrics(); // "# HELP sluice_query_input_rows_total ...\nsluice_query_input_rows_total{query_name=\"counts\",...} 42"
 */
export class QueryMetrics {
  readonly registry = new Registry();
  private readonly names = new Map<string, string>();

  private readonly active = this.gauge("sluice_query_active", "1 while the query runs, 0 after it stopped or failed.");
  private readonly batches = this.counter("sluice_query_batches_total", "Micro-batches that ran (progress reports).");
  private readonly inputRows = this.counter("sluice_query_input_rows_total", "Input rows read by the query's batches.");
  private readonly outputRows = this.counter("sluice_query_output_rows_total", "Rows the sink received.");
  private readonly inputRate = this.gauge("sluice_query_input_rows_per_second", "Input rate of the last batch (rows per second between trigger starts).");
  private readonly processedRate = this.gauge("sluice_query_processed_rows_per_second", "Processing rate of the last batch (input rows per second of batch time).");
  private readonly batchDuration = this.gauge("sluice_query_batch_duration_seconds", "Duration of the last batch (triggerExecution).");
  private readonly phaseDuration = new Gauge<QueryLabels | "phase">({ name: "sluice_query_batch_phase_duration_seconds", help: "Duration of each phase of the last batch (progress durationMs).", labelNames: ["query_name", "query_id", "phase"], registers: [this.registry] });
  private readonly lastBatchId = this.gauge("sluice_query_last_batch_id", "Id of the last batch reported.");
  private readonly watermark = this.gauge("sluice_query_watermark_seconds", "Event-time watermark after the last batch (seconds since the epoch).");
  private readonly watermarkLag = this.gauge("sluice_query_watermark_lag_seconds", "Batch time minus watermark: how far event time trails processing time.");
  private readonly stateRows = new Gauge<QueryLabels | "operator">({ name: "sluice_query_state_rows", help: "Rows in a stateful operator's state.", labelNames: ["query_name", "query_id", "operator"], registers: [this.registry] });
  private readonly stateBytes = new Gauge<QueryLabels | "operator">({ name: "sluice_query_state_memory_bytes", help: "Memory used by a stateful operator's state.", labelNames: ["query_name", "query_id", "operator"], registers: [this.registry] });
  private readonly lateRowsTotal = this.counter("sluice_query_late_rows_total", "Rows dropped by stateful operators as later than the watermark.");
  private readonly failures = this.counter("sluice_query_failures_total", "Runs of the query that ended with an exception.");

  /** The listener to register with `spark.streams.addListener`. */
  readonly listener: StreamingQueryListener = {
    onQueryStarted: (e) => {
      this.names.set(e.id, e.name ?? "");
      const l = this.labels(e.id);
      this.active.set(l, 1);
      // counters appear at 0 so rate() works from the first scrape
      this.batches.inc(l, 0);
      this.inputRows.inc(l, 0);
      this.outputRows.inc(l, 0);
      this.lateRowsTotal.inc(l, 0);
      this.failures.inc(l, 0);
    },
    onQueryProgress: (e) => this.onProgress(e.progress),
    onQueryTerminated: (e) => {
      const l = this.labels(e.id);
      this.active.set(l, 0);
      if (e.exception !== null) this.failures.inc(l, 1);
    },
  };

  /** The metrics in Prometheus' text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
  get contentType(): string {
    return this.registry.contentType;
  }

  private labels(id: string): Record<QueryLabels, string> {
    return { query_name: this.names.get(id) ?? "", query_id: id };
  }

  private onProgress(p: StreamingQueryProgress): void {
    if (!this.names.has(p.id)) this.names.set(p.id, p.name ?? "");
    const l = this.labels(p.id);
    this.active.set(l, 1);
    this.batches.inc(l, 1);
    if (Number.isFinite(p.numInputRows)) this.inputRows.inc(l, p.numInputRows);
    if (Number.isFinite(p.sink?.numOutputRows) && p.sink.numOutputRows >= 0) this.outputRows.inc(l, p.sink.numOutputRows);
    setFinite(this.inputRate, l, p.inputRowsPerSecond);
    setFinite(this.processedRate, l, p.processedRowsPerSecond);
    setFinite(this.batchDuration, l, p.batchDuration / 1000);
    this.lastBatchId.set(l, p.batchId);
    for (const [phase, ms] of Object.entries(p.durationMs)) setFinite(this.phaseDuration, { ...l, phase }, ms / 1000);
    const wm = watermarkMs(p.eventTime);
    if (Number.isFinite(wm)) {
      this.watermark.set(l, wm / 1000);
      const now = isoMs(p.timestamp);
      if (Number.isFinite(now)) this.watermarkLag.set(l, Math.max(0, now - wm) / 1000);
    }
    let late = 0;
    p.stateOperators.forEach((op, i) => {
      const ol = { ...l, operator: `${i}:${op.operatorName}` };
      setFinite(this.stateRows, ol, op.numRowsTotal);
      setFinite(this.stateBytes, ol, op.memoryUsedBytes);
      late += lateRows(op);
    });
    if (late > 0) this.lateRowsTotal.inc(l, late);
  }

  private gauge(name: string, help: string): Gauge<QueryLabels> {
    return new Gauge<QueryLabels>({ name, help, labelNames: ["query_name", "query_id"], registers: [this.registry] });
  }
  private counter(name: string, help: string): Counter<QueryLabels> {
    return new Counter<QueryLabels>({ name, help, labelNames: ["query_name", "query_id"], registers: [this.registry] });
  }
}

function setFinite<L extends string>(g: Gauge<L>, labels: Partial<Record<L, string>>, v: number): void {
  if (typeof v === "number" && Number.isFinite(v)) g.set(labels, v);
}
