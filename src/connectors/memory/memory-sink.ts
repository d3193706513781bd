import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { batchesToRows } from "../../api/rows.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import { Expr as E } from "../../expr/expression.js";
import { type DataSourceRelation, Plan } from "../../plan/logical-plan.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import { type StructType, structType } from "../../types/data-type.js";
import { registerBatchSource } from "../source-registry.js";

/**
 * Keeps a query's output in memory as a table (Spark's MemorySink): `format("memory")` with a
 * queryName registers a temp view of that name whose plan reads the sink's current rows, so
 * `spark.sql("SELECT * FROM name")` sees every committed batch. Append and update add a batch's
 * rows; complete replaces them. A batch id at or below the last one added is ignored (the
 * re-run of a batch after a failure adds nothing twice).
 */
export class MemorySink implements Sink {
  readonly description = "MemorySink";
  private readonly added: { batchId: number; batches: readonly RecordBatch[] }[] = [];
  private latest = -1;

  constructor(readonly schema: StructType) {}

  async addBatch(batchId: number, batches: readonly RecordBatch[], outputMode: OutputMode): Promise<void> {
    if (batchId <= this.latest) return;
    if (outputMode === "complete") this.added.length = 0;
    this.added.push({ batchId, batches });
    this.latest = batchId;
  }

  /** The id of the last batch added, -1 before any. */
  get latestBatchId(): number {
    return this.latest;
  }
  allBatches(): RecordBatch[] {
    return this.added.flatMap((a) => a.batches);
  }
  /** All rows, as plain objects. */
  allRows(): Record<string, unknown>[] {
    return batchesToRows(this.schema, this.allBatches());
  }
  /** The rows of the last batch added. */
  latestBatchRows(): Record<string, unknown>[] {
    return batchesToRows(this.schema, this.added[this.added.length - 1]?.batches ?? []);
  }
  /** Rows of batches with id > afterBatchId. */
  rowsAfter(afterBatchId: number): Record<string, unknown>[] {
    return batchesToRows(this.schema, this.added.filter((a) => a.batchId > afterBatchId).flatMap((a) => a.batches));
  }
  clear(): void {
    this.added.length = 0;
    this.latest = -1;
  }

  /** A batch relation reading this sink's current rows (what the query-name view holds). */
  relation(): DataSourceRelation {
    const output = this.schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    return Plan.dataSource({ format: "memory", paths: [], options: {}, schema: this.schema, output, isStreaming: false, pushedFilters: [], requiredColumns: null, resolved: this });
  }
}

registerBatchSource({
  name: "memory",
  resolve: () => {
    throw new IllegalArgumentError("UNSUPPORTED_DATA_SOURCE", "The memory format is a streaming sink; read its table with spark.table(queryName) or spark.sql.");
  },
  async *scan(rel) {
    const sink = rel.resolved as MemorySink;
    // Column pruning may ask for fewer columns (requiredColumns, in schema order).
    const req = rel.requiredColumns?.map((n) => n.toLowerCase()) ?? null;
    const idx = sink.schema.fields.map((f, i) => (req === null || req.includes(f.name.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
    const schema = structType(idx.map((i) => sink.schema.fields[i]!));
    for (const b of sink.allBatches()) yield req === null ? b : makeBatch(schema, idx.map((i) => b.columns[i]!), b.numRows);
  },
});
