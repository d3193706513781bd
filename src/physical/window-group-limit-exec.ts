import { type RecordBatch, concatBatches, takeBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr, SortOrder } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { structField, structType } from "../types/data-type.js";
import { GroupTable } from "./aggregate/group-table.js";
import { compileProjection } from "./codegen/projection.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { rowComparator } from "./sort-util.js";

/**
 * The rows `row_number() OVER (PARTITION BY partitionSpec ORDER BY orderSpec) <= limit` keeps, in
 * input order, without sorting: one pass keeps per partition (a hash table of the partition keys)
 * the best `limit` rows so far, a row replacing a kept one only when strictly ahead of it in
 * order, so ties go to the earlier row as in a stable sort.
 */
export class WindowGroupLimitExec implements PhysicalOp {
  readonly name = "WindowGroupLimit";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly partitionSpec: readonly Expr[],
    readonly orderSpec: readonly SortOrder[],
    readonly limit: number,
  ) {
    this.children = [child];
    this.output = child.output;
  }

  describe(): string {
    return `[${this.partitionSpec.map((e) => exprSql(e)).join(", ")}], [${this.orderSpec.map((e) => exprSql(e)).join(", ")}], ${this.limit}`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const batches: RecordBatch[] = [];
    for await (const b of this.child.execute(ctx)) if (b.numRows > 0) batches.push(b);
    if (batches.length === 0) return;
    // Only the key columns are put together; the rows kept are taken from their own batches, in
    // input order (a copy of every input row first cost Nexmark q19 5% of its time).
    const exprs = [...this.partitionSpec, ...this.orderSpec.map((o) => o.child)];
    const keySchema = structType(exprs.map((e, i) => structField(`_l${i}`, exprType(e))));
    const keyOf = compileProjection(this.child.output, null, exprs, keySchema, ctx.fctx);
    const evald = concatBatches(keySchema, batches.map((b) => keyOf(b))).columns;
    const n = batches.reduce((sum, b) => sum + b.numRows, 0);
    const np = this.partitionSpec.length;
    const pk = evald.slice(0, np), ok = evald.slice(np);
    const gids = new Int32Array(n);
    const table = new GroupTable(pk.map((v) => v.type));
    table.lookup(pk, n, gids);
    const cmp = rowComparator(ok, this.orderSpec);
    const ahead = (a: number, b: number): boolean => cmp(a, b) < 0;
    const k = this.limit;
    const groups = table.size;
    let kept: Int32Array;
    if (k === 1) {
      // The first row of each partition: a row replaces it only when strictly ahead of it.
      const first = new Int32Array(groups).fill(-1);
      for (let i = 0; i < n; i++) {
        const g = gids[i]!, f = first[g]!;
        if (f < 0 || ahead(i, f)) first[g] = i;
      }
      kept = first;
    } else {
      // Per partition, its kept rows in order (ties in input order), in min(k, its rows) slots of
      // one array (a list per partition was 120 k small arrays for Nexmark q19, garbage after).
      const start = new Int32Array(groups + 1);
      for (let i = 0; i < n; i++) start[gids[i]! + 1]!++;
      for (let g = 0; g < groups; g++) start[g + 1] = start[g]! + Math.min(k, start[g + 1]!);
      const slots = new Int32Array(start[groups]!), counts = new Int32Array(groups);
      for (let i = 0; i < n; i++) {
        const g = gids[i]!, c = counts[g]!, base = start[g]!;
        if (c === k && !ahead(i, slots[base + k - 1]!)) continue;
        // After every kept row that row i is not strictly ahead of (its ties stay before it).
        let pos = c;
        while (pos > 0 && ahead(i, slots[base + pos - 1]!)) pos--;
        slots.copyWithin(base + pos + 1, base + pos, base + Math.min(c, k - 1));
        slots[base + pos] = i;
        if (c < k) counts[g] = c + 1;
      }
      // Every slot is filled: a partition keeps min(k, its rows).
      kept = slots;
    }
    kept.sort();
    let at = 0, offset = 0;
    for (const b of batches) {
      const from = at;
      while (at < kept.length && kept[at]! < offset + b.numRows) at++;
      if (at > from) yield takeBatch(b, kept.subarray(from, at).map((i) => i - offset));
      offset += b.numRows;
    }
  }
}
