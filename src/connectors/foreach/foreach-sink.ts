import type { RecordBatch } from "../../batch/record-batch.js";
import { batchesToRows } from "../../api/rows.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import type { StructType } from "../../types/data-type.js";
import type { UnknownRow } from "../../types/row-type.js";

/**
 * Spark's ForeachWriter: per partition of each batch, `open(partitionId, epochId)` (return false
 * to skip the partition, e.g. when epochId was already written), `process(row)` for each row,
 * then `close(error)` with the failure or null. Batches run as one partition (0) for now.
 */
export interface ForeachWriter<Row = UnknownRow> {
  open?(partitionId: number, epochId: number): boolean | Promise<boolean>;
  process(row: Row): void | Promise<void>;
  close?(error: Error | null): void | Promise<void>;
}

export class ForeachSink implements Sink {
  readonly description = "ForeachSink";
  constructor(
    private readonly schema: StructType,
    private readonly writer: ForeachWriter,
  ) {}

  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode: OutputMode): Promise<void> {
    const w = this.writer;
    const open = w.open ? await w.open(0, batchId) : true;
    let error: Error | null = null;
    try {
      if (open) for (const row of batchesToRows(this.schema, batches)) await w.process(row);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    await w.close?.(error);
    if (error) throw error;
  }
}
