import { type StructType, structType } from "../types/data-type.js";
import { type Vector, VectorBuilder, concatVectors, sliceVector, takeVector } from "./vector.js";

/** A slice of a table: one vector per schema field, all of `numRows` rows. Immutable by convention. */
export interface RecordBatch {
  readonly schema: StructType;
  readonly columns: readonly Vector[];
  readonly numRows: number;
}

/** Default rows per batch produced by scans. */
export const DEFAULT_BATCH_SIZE = 8192;

/**
 * Every batch has the same shape for V8: its column array packed (copied by push; `map` and
 * spreads give packed or holey arrays depending on whether their caller runs optimized) and its
 * row count a small integer. The generated loops and the operators read both on every batch, and
 * one batch of the other kind deoptimized them ("wrong map", "not a Smi"): an aggregation kernel
 * took 20-90 ms to compile again, every few runs of a query.
 */
export function makeBatch(schema: StructType, columns: readonly Vector[], numRows?: number): RecordBatch {
  const n = numRows ?? (columns[0]?.length ?? 0);
  const packed: Vector[] = [];
  for (let i = 0; i < columns.length; i++) packed.push(columns[i]!);
  return { schema, columns: packed, numRows: n | 0 };
}

export function emptyBatch(schema: StructType): RecordBatch {
  return makeBatch(schema, schema.fields.map((f) => new VectorBuilder(f.dataType, 0).finish()), 0);
}

export function sliceBatch(b: RecordBatch, start: number, end: number): RecordBatch {
  return makeBatch(b.schema, b.columns.map((c) => sliceVector(c, start, end)), end - start);
}

export function takeBatch(b: RecordBatch, idx: ArrayLike<number>, count = idx.length): RecordBatch {
  return makeBatch(b.schema, b.columns.map((c) => takeVector(c, idx, count)), count);
}

export function concatBatches(schema: StructType, batches: readonly RecordBatch[]): RecordBatch {
  if (batches.length === 1) return batches[0]!;
  const total = totalRows(batches);
  return makeBatch(schema, schema.fields.map((f, i) => concatVectors(f.dataType, batches.map((b) => b.columns[i]!))), total);
}

/** Builds a batch row by row from internal values (arrays in schema order). */
export class BatchBuilder {
  private readonly builders: VectorBuilder[];
  private n = 0;
  constructor(
    readonly schema: StructType,
    capacity = 1024,
  ) {
    this.builders = schema.fields.map((f) => new VectorBuilder(f.dataType, capacity));
  }
  get numRows(): number {
    return this.n;
  }
  appendRow(values: readonly unknown[]): void {
    for (let c = 0; c < this.builders.length; c++) this.builders[c]!.append(values[c] ?? null);
    this.n++;
  }
  column(c: number): VectorBuilder {
    return this.builders[c]!;
  }
  /** For callers that appended to `column(c)` directly: declare one more complete row. */
  endRow(): void {
    this.n++;
  }
  finish(): RecordBatch {
    return makeBatch(this.schema, this.builders.map((b) => b.finish()), this.n);
  }
}

/** The batch with only the columns named in `names` (in the batch's order); the batch itself when it has no others. */
export function keepColumns(b: RecordBatch, names: readonly string[]): RecordBatch {
  const idx = b.schema.fields.map((f, i) => (names.includes(f.name) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === b.schema.fields.length) return b;
  return makeBatch(structType(idx.map((i) => b.schema.fields[i]!)), idx.map((i) => b.columns[i]!), b.numRows);
}

/** The rows of a list of batches. */
export function totalRows(batches: readonly RecordBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.numRows;
  return n;
}
