import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch, sliceBatch } from "../batch/record-batch.js";
import type { AttributeRef } from "../expr/expression.js";
import { attrList } from "./explain-util.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { makeVector } from "../batch/vector.js";

/** Rows already in memory (createDataFrame, VALUES, memory tables, a micro-batch's rows). */
export class LocalScanExec implements PhysicalOp {
  readonly name = "LocalTableScan";
  readonly children = [];
  constructor(
    readonly output: readonly AttributeRef[],
    /** The rows, or where to find them when the scan runs (a plan reused for each micro-batch). */
    private readonly batches: readonly RecordBatch[] | (() => readonly RecordBatch[]),
  ) {}
  describe(): string {
    return attrList(this.output);
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const schema = schemaOf(this.output);
    for (const b of typeof this.batches === "function" ? this.batches() : this.batches) {
      ctx.progress?.rowsRead(b.numRows);
      yield makeBatch(schema, b.columns, b.numRows);
    }
  }
}

/** spark.range: a LONG column `id` from start (inclusive) to end (exclusive) by step. */
export class RangeExec implements PhysicalOp {
  readonly name = "Range";
  readonly children = [];
  constructor(
    readonly output: readonly AttributeRef[],
    private readonly start: number,
    private readonly end: number,
    private readonly step: number,
  ) {}
  describe(): string {
    return `(${this.start}, ${this.end}, step=${this.step})`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const schema = schemaOf(this.output);
    const size = ctx.batchSize || DEFAULT_BATCH_SIZE;
    const count = this.step > 0 ? Math.max(0, Math.ceil((this.end - this.start) / this.step)) : Math.max(0, Math.ceil((this.start - this.end) / -this.step));
    for (let off = 0; off < count; off += size) {
      const n = Math.min(size, count - off);
      const vals = new Float64Array(n);
      let v = this.start + off * this.step;
      for (let i = 0; i < n; i++, v += this.step) vals[i] = v;
      ctx.progress?.rowsRead(n);
      yield makeBatch(schema, [makeVector(this.output[0]!.dataType, n, vals, null)], n);
    }
  }
}

/** Re-chunks any batch larger than the configured size (keeps downstream memory bounded). */
export async function* rechunk(batches: AsyncIterable<RecordBatch>, size: number): AsyncIterable<RecordBatch> {
  for await (const b of batches) {
    if (b.numRows <= size) yield b;
    else for (let s = 0; s < b.numRows; s += size) yield sliceBatch(b, s, Math.min(b.numRows, s + size));
  }
}
