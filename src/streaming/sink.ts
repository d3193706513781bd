import type { RecordBatch } from "../batch/record-batch.js";

/** Spark's output modes: which rows of the result table each batch writes. */
export type OutputMode = "append" | "update" | "complete";

export function parseOutputMode(s: string): OutputMode {
  const m = s.toLowerCase();
  if (m === "append" || m === "update" || m === "complete") return m;
  throw new Error(`Unknown output mode ${s}. Accepted output modes are 'append', 'complete', 'update'`);
}

/**
 * Where a streaming query's results go.
 *
 * Contract: `addBatch(batchId, batches, outputMode)` may be called more than once for the same
 * batch id (after a failure between the sink and `commits/N`, batch N is re-run with the same
 * data); the sink must make the second call a no-op or an exact replacement, so the sink holds
 * each batch's rows once (Spark's idempotent sink). Batch ids increase; the engine never calls
 * addBatch for an id below one it already committed.
 *
 * `batches` hold exactly the query's output schema (given to the sink when it is made).
 */
export interface Sink {
  /** For progress reports, e.g. `MemorySink`, `ConsoleSink[numRows=20, truncate=true]`. */
  readonly description: string;
  addBatch(batchId: number, batches: readonly RecordBatch[], outputMode: OutputMode): Promise<void>;
  /** Called when the query stops (also after a failure). */
  stop?(): void | Promise<void>;
}
