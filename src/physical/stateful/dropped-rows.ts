import { type RecordBatch, takeBatch, totalRows } from "../../batch/record-batch.js";
import type { AttributeRef } from "../../expr/expression.js";

/**
 * The input rows one stateful operator dropped in one micro-batch because they were behind the
 * watermark (what `numRowsDroppedByWatermark` counts), kept so that `writeStream.lateRowsTo(...)`
 * can deliver them. The rows have the operator's input columns (`input`); for a stream-stream
 * join, one side's.
 */
export interface DroppedRows {
  readonly operatorId: number;
  /** The operator's progress name (`stateStoreSave`, `dedupe`, `symmetricHashJoin`, ...). */
  readonly operatorName: string;
  /** For a stream-stream join, the side the rows came in on; otherwise null. */
  readonly side: "left" | "right" | null;
  /** The watermark (ms) the rows were judged late against. */
  readonly watermarkMs: number;
  readonly input: readonly AttributeRef[];
  readonly batches: readonly RecordBatch[];
}

/**
 * Collects dropped rows as (batch, row index) while an operator reads its input, then gathers
 * them into batches of the input's schema. Costs nothing while no row is dropped.
 */
export class DroppedRowsCollector {
  private readonly parts: RecordBatch[] = [];
  private current: RecordBatch | null = null;
  private rows: number[] = [];

  /** Row `row` of `batch` was dropped (calls for one batch come together, rows ascending). */
  add(batch: RecordBatch, row: number): void {
    if (batch !== this.current) {
      this.flush();
      this.current = batch;
    }
    this.rows.push(row);
  }

  get count(): number {
    return totalRows(this.parts) + this.rows.length;
  }

  finish(): RecordBatch[] {
    this.flush();
    return this.parts;
  }

  private flush(): void {
    if (this.current !== null && this.rows.length > 0) {
      this.parts.push(this.rows.length === this.current.numRows ? this.current : takeBatch(this.current, this.rows));
    }
    this.rows = [];
  }
}
