import type { ForeachBatchFunction } from "../connectors/foreach/foreach-batch-sink.js";
import type { StreamSinkSpec } from "./stream-sink-factory.js";

/**
 * Where a streaming query sends the rows its stateful operators drop because they are behind
 * the watermark (Flink's side output for late data; Spark only counts them as
 * `numRowsDroppedByWatermark`). Configured inside `writeStream.lateRowsTo(...)` like a
 * writeStream's sink: memory (a table named by queryName), console, foreachBatch, a file format
 * with option("path", ...), or any registered connector. It always appends.
 *
 * Each late row has the input columns of the operator that dropped it, then `late_operator_id`
 * (the operator's state id), `late_operator` (its progress name), `late_side` (`left`/`right`
 * for a stream-stream join, else null) and `late_watermark`. Late rows of batch N are given to
 * this sink with batch id N, before the query's own sink and before `commits/N`: a batch re-run
 * after a crash drops the same rows again and an idempotent sink (memory, files, PostgreSQL,
 * Redis) keeps them once.
 *
 * @example
 * const q = await counts.writeStream
 *   .format("memory").queryName("counts").outputMode("append")
 *   .lateRowsTo((late) => late.format("memory").queryName("late_events"))
 *   .start();
 * // spark.table("late_events"): word, ts, late_operator_id, late_operator, late_side, late_watermark
 */
export class LateRowsWriter {
  private fmt = "memory";
  private name: string | null = null;
  private readonly opts: Record<string, string> = {};
  private foreachBatchFn: ForeachBatchFunction | null = null;

  format(source: string): this {
    this.fmt = source.toLowerCase();
    return this;
  }
  /** The memory table's name (format "memory"). */
  queryName(name: string): this {
    this.name = name;
    return this;
  }
  option(key: string, value: string | number | boolean): this {
    this.opts[key] = String(value);
    return this;
  }
  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }
  /** Calls `fn(lateRowsDf, batchId)` for every micro-batch (with no rows when none were late). */
  foreachBatch(fn: ForeachBatchFunction): this {
    this.fmt = "foreachbatch";
    this.foreachBatchFn = fn;
    return this;
  }

  /** What {@link openStreamSink} needs (used by DataStreamWriter.start()). */
  sinkSpec(): StreamSinkSpec {
    return { format: this.fmt, options: { ...this.opts }, queryName: this.name, partitionBy: [], outputPath: undefined, foreachBatch: this.foreachBatchFn, foreach: null, what: "lateRowsTo" };
  }
}
