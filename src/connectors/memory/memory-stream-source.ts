import type { DataFrame } from "../../api/dataframe.js";
import type { Session } from "../../api/session.js";
import { BatchBuilder, type RecordBatch } from "../../batch/record-batch.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import { type AttributeRef, Expr as E } from "../../expr/expression.js";
import { Plan } from "../../plan/logical-plan.js";
import type { Offset, Source, StreamingSourceProvider } from "../../streaming/source.js";
import type { StructType } from "../../types/data-type.js";
import type { UnknownRow } from "../../types/row-type.js";
import { toInternal } from "../../types/values.js";

/**
 * A test source held in memory (Spark's MemoryStream): each `addData` call appends one batch of
 * rows and returns its offset (0, 1, 2, ...); the rows are visible to the next trigger of every
 * query reading the stream as soon as the call returns. Offsets are batch numbers, so a range
 * always returns the same rows, also when a query restarts in the same process.
 *
 * @example
 * const input = spark.memoryStream("word STRING, n INT");
 * input.addData([{ word: "a", n: 1 }]);            // → 0
 * const q = await input.toDF().writeStream.format("memory").queryName("out").start();
 */
export class MemoryStream<Row = UnknownRow> implements StreamingSourceProvider, Source {
  readonly kind = "StreamingSourceProvider";
  readonly output: readonly AttributeRef[];
  private readonly batches: RecordBatch[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly session: Session,
    readonly schema: StructType,
  ) {
    this.output = schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
  }

  get name(): string {
    return `MemoryStream[${this.output.map((a) => `${a.name}#${a.id}`).join(",")}]`;
  }
  get description(): string {
    return this.name;
  }

  /** Appends one batch of rows (plain objects keyed by column; TIMESTAMP as Date); returns its offset. */
  addData(rows: readonly Record<string, unknown>[]): number {
    const st = this.schema;
    const b = new BatchBuilder(st, rows.length);
    const tz = this.session.timeZone;
    rows.forEach((r, i) => {
      b.appendRow(st.fields.map((f) => {
        const v = r[f.name];
        if ((v === null || v === undefined) && !f.nullable) throw new IllegalArgumentError("NULL_IN_NON_NULLABLE_COLUMN", `Row ${i} has no value for the non-nullable column \`${f.name}\`.`);
        return toInternal(v, f.dataType, `row ${i} column \`${f.name}\``, tz);
      }));
    });
    this.batches.push(b.finish());
    for (const l of [...this.listeners]) l();
    return this.batches.length - 1;
  }

  /** The stream as a streaming DataFrame (the same relation every call). */
  toDF(): DataFrame<Row> {
    return this.session.dataFrame<Row>(
      Plan.dataSource({ format: "memory", paths: [], options: {}, schema: this.schema, output: this.output, isStreaming: true, pushedFilters: [], requiredColumns: null, resolved: this }),
    );
  }

  /** The offset of the last batch added (-1 when none). */
  get currentOffset(): number {
    return this.batches.length - 1;
  }

  createSource(): Source {
    return this;
  }
  initialOffset(): Offset {
    return -1;
  }
  latestOffset(): Offset {
    return this.batches.length - 1;
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    return this.batches.slice(Number(start) + 1, Number(end) + 1).filter((b) => b.numRows > 0);
  }
  commit(): void {}
  stop(): void {}
  onDataAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
