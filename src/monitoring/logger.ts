import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { StreamingQueryProgress } from "../streaming/progress.js";
import type { QueryTerminatedEvent, StreamingQueryListener } from "../streaming/streaming-listener.js";
import { StreamingQueryException } from "../streaming/streaming-query-exception.js";

export type { Logger } from "pino";

/**
 * Sluice's structured logger (pino, JSON lines on stdout by default). Pass a destination stream
 * to send the lines elsewhere (tests collect them).
 */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const opts: LoggerOptions = { name: "sluice", level: "info", ...options };
  return destination ? pino(opts, destination) : pino(opts);
}

export interface BatchLoggerOptions {
  /** Batches longer than this (triggerExecution, ms) are logged as warnings. Default 10 000. */
  readonly slowBatchMs?: number;
  /**
   * A query whose processing rate stays below its input rate for this many consecutive batches is
   * "falling behind" and logged as a warning (once per episode). Default 3.
   */
  readonly fallingBehindBatches?: number;
  /** The checkpoint location of a query by id, for the restart hint of a failure. */
  readonly checkpointOf?: (id: string) => string | null;
}

function queryFields(p: { id: string; name: string | null }): { query: string | null; queryId: string } {
  return { query: p.name, queryId: p.id };
}

/**
 * A StreamingQueryListener that logs every batch at info level (batch id, input rows, output
 * rows, duration, watermark, rates), warns about slow batches and queries falling behind, and
 * logs a failure at error level with its cause and the checkpoint to restart from.
 *
 * @example
 * spark.streams.addListener(batchLogger(createLogger()));
 * // {"level":30,"name":"sluice","query":"counts","queryId":"…","batchId":3,"inputRows":120,"outputRows":4,"durationMs":12,"watermark":"2024-01-01T00:00:10.000Z","msg":"batch 3 of counts: 120 rows in 12 ms"}
 */
export function batchLogger(log: Logger, options: BatchLoggerOptions = {}): StreamingQueryListener {
  const slowMs = options.slowBatchMs ?? 10_000;
  const behindN = Math.max(1, options.fallingBehindBatches ?? 3);
  const behind = new Map<string, number>();
  const names = new Map<string, string>();
  const label = (p: { id: string; name: string | null }): string => p.name ?? p.id;
  return {
    onQueryStarted(e) {
      if (e.name !== null) names.set(e.runId, e.name);
      log.info({ ...queryFields(e), runId: e.runId }, `query ${label(e)} started`);
    },
    onQueryProgress({ progress: p }) {
      const watermark = p.eventTime["watermark"] ?? null;
      const fields = {
        ...queryFields(p),
        batchId: p.batchId,
        inputRows: p.numInputRows,
        outputRows: p.sink?.numOutputRows ?? null,
        durationMs: p.batchDuration,
        watermark,
        inputRowsPerSecond: finite(p.inputRowsPerSecond),
        processedRowsPerSecond: finite(p.processedRowsPerSecond),
      };
      log.info(fields, `batch ${p.batchId} of ${label(p)}: ${p.numInputRows} rows in ${p.batchDuration} ms${watermark ? `, watermark ${watermark}` : ""}`);
      if (p.batchDuration > slowMs) {
        log.warn({ ...queryFields(p), batchId: p.batchId, durationMs: p.batchDuration, slowBatchMs: slowMs, durations: p.durationMs }, `slow batch ${p.batchId} of ${label(p)}: ${p.batchDuration} ms (over ${slowMs} ms)${slowestPhase(p)}`);
      }
      const isBehind = Number.isFinite(p.inputRowsPerSecond) && Number.isFinite(p.processedRowsPerSecond) && p.numInputRows > 0 && p.processedRowsPerSecond < p.inputRowsPerSecond;
      const n = isBehind ? (behind.get(p.runId) ?? 0) + 1 : 0;
      behind.set(p.runId, n);
      if (n === behindN) {
        log.warn(
          { ...queryFields(p), batchId: p.batchId, inputRowsPerSecond: p.inputRowsPerSecond, processedRowsPerSecond: p.processedRowsPerSecond, batches: n },
          `query ${label(p)} is falling behind: processing ${Math.round(p.processedRowsPerSecond)} rows/s < input ${Math.round(p.inputRowsPerSecond)} rows/s for ${n} batches`,
        );
      }
    },
    onQueryTerminated(e) {
      behind.delete(e.runId);
      const name = names.get(e.runId) ?? null;
      names.delete(e.runId);
      if (e.exception === null) {
        log.info({ query: name, queryId: e.id, runId: e.runId }, `query ${name ?? e.id} stopped`);
        return;
      }
      const checkpoint = options.checkpointOf?.(e.id) ?? null;
      log.error({ query: name, ...failureFields(e, checkpoint) }, failureMessage(e, name, checkpoint));
    },
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function slowestPhase(p: StreamingQueryProgress): string {
  let best: [string, number] | null = null;
  for (const [k, v] of Object.entries(p.durationMs)) if (k !== "triggerExecution" && (best === null || v > best[1])) best = [k, v];
  return best && best[1] > 0 ? `; most in ${best[0]} (${best[1]} ms)` : "";
}

function failureFields(e: QueryTerminatedEvent, checkpoint: string | null): Record<string, unknown> {
  const err = e.error;
  const cause = err instanceof StreamingQueryException ? err.cause : (err?.cause ?? err);
  return {
    queryId: e.id,
    runId: e.runId,
    errorClass: e.errorClassOnException,
    batchId: err instanceof StreamingQueryException ? err.batchId : null,
    checkpoint,
    err: cause instanceof Error ? cause : undefined,
  };
}

function failureMessage(e: QueryTerminatedEvent, name: string | null, checkpoint: string | null): string {
  const batchId = e.error instanceof StreamingQueryException ? e.error.batchId : null;
  const where = batchId === null ? "" : ` in batch ${batchId}`;
  const restart = checkpoint
    ? ` Fix the cause and start the query again with checkpointLocation ${checkpoint}${batchId === null ? "" : `; batch ${batchId} will be re-run with the same offsets`}.`
    : "";
  return `query ${name ?? e.id} failed${where}: ${e.exception}.${restart}`;
}
