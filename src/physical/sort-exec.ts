import { type RecordBatch, concatBatches, sliceBatch, takeBatch } from "../batch/record-batch.js";
import type { AttributeRef, SortOrder } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { structField, structType } from "../types/data-type.js";
import { compileProjection } from "./codegen/projection.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { rowComparator } from "./sort-util.js";
import { ExternalSorter } from "./external-sort.js";

/**
 * Sorts its whole input. Runs are sorted in memory; when the input outgrows
 * `memoryLimitBytes`, sorted runs are spilled to disk and merged (external sort).
 * With `limit`, keeps only the first rows (TakeOrdered).
 */
export class SortExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly order: readonly SortOrder[],
    readonly limit: number | null = null,
  ) {
    this.children = [child];
    this.output = child.output;
    this.name = limit === null ? "Sort" : "TakeOrdered";
  }
  describe(): string {
    return `[${this.order.map((o) => exprSql(o)).join(", ")}]${this.limit !== null ? ` limit=${this.limit}` : ""}`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const keySchema = structType(this.order.map((o, i) => structField(`_s${i}`, exprType(o.child), true)));
    const keysOf = compileProjection(this.child.output, null, this.order.map((o) => o.child), keySchema, ctx.fctx);
    const specs = this.order.map((o) => ({ ascending: o.ascending, nullsFirst: o.nullsFirst }));
    const schema = schemaOf(this.output);
    const sortRun = (batches: RecordBatch[]): RecordBatch => {
      const all = concatBatches(schema, batches);
      const keys = keysOf(all).columns;
      const idx = Array.from({ length: all.numRows }, (_, i) => i);
      idx.sort(rowComparator(keys, specs));
      const n = this.limit === null ? idx.length : Math.min(this.limit, idx.length);
      return takeBatch(all, idx, n);
    };
    const sorter = new ExternalSorter(schema, sortRun, (b) => keysOf(b).columns, specs, ctx);
    for await (const b of this.child.execute(ctx)) await sorter.add(b);
    let emitted = 0;
    for await (const b of sorter.finish()) {
      if (this.limit !== null && emitted >= this.limit) break;
      const take = this.limit === null ? b : sliceBatch(b, 0, Math.min(b.numRows, this.limit - emitted));
      emitted += take.numRows;
      yield take;
    }
  }
}
