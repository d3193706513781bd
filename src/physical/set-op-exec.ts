import { BatchBuilder, type RecordBatch } from "../batch/record-batch.js";
import { valueAt } from "../batch/vector.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { GroupTable } from "./aggregate/group-table.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { compileProjection } from "./codegen/projection.js";

/**
 * INTERSECT [ALL] and EXCEPT [ALL] by counting each distinct row on both sides. Rows compare
 * with null equal to null, as Spark's set operations do. Output keeps first-seen order.
 */
export class SetOpExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(readonly left: PhysicalOp, readonly right: PhysicalOp, readonly op: "intersect" | "except", readonly all: boolean) {
    this.children = [left, right];
    this.output = left.output;
    this.name = `${op === "intersect" ? "Intersect" : "Except"}${all ? "All" : ""}`;
  }
  describe(): string {
    return "";
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const types = this.output.map((a) => a.dataType);
    const table = new GroupTable(types);
    const rows: unknown[][] = [];
    const leftCount: number[] = [], rightCount: number[] = [];
    let gids = new Int32Array(1024);
    for await (const b of this.left.execute(ctx)) {
      if (gids.length < b.numRows) gids = new Int32Array(b.numRows);
      const before = table.size;
      table.lookup(b.columns, b.numRows, gids);
      for (let i = 0; i < b.numRows; i++) {
        const g = gids[i]!;
        if (g >= before && rows.length <= g) rows.push(b.columns.map((c) => valueAt(c, i)));
        leftCount[g] = (leftCount[g] ?? 0) + 1;
      }
    }
    const out = new Int32Array(1024);
    let probe = out;
    for await (const b of this.right.execute(ctx)) {
      if (probe.length < b.numRows) probe = new Int32Array(b.numRows);
      table.probe(b.columns, b.numRows, probe, types.map(() => true));
      for (let i = 0; i < b.numRows; i++) if (probe[i]! >= 0) rightCount[probe[i]!] = (rightCount[probe[i]!] ?? 0) + 1;
    }
    const builder = new BatchBuilder(schemaOf(this.output), rows.length);
    for (let g = 0; g < rows.length; g++) {
      const l = leftCount[g] ?? 0, r = rightCount[g] ?? 0;
      const times = this.op === "intersect" ? (this.all ? Math.min(l, r) : r > 0 ? 1 : 0) : this.all ? Math.max(0, l - r) : r === 0 ? 1 : 0;
      for (let t = 0; t < times; t++) builder.appendRow(rows[g]!);
    }
    if (builder.numRows > 0) yield builder.finish();
  }
}

/**
 * Batch dropDuplicates(keys) / distinct: keeps the first row seen for each key (null equal to null).
 */
export class DeduplicateExec implements PhysicalOp {
  readonly name = "Deduplicate";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(readonly child: PhysicalOp, readonly keys: readonly Expr[]) {
    this.children = [child];
    this.output = child.output;
  }
  describe(): string {
    return `[${this.keys.map((k) => exprSql(k)).join(", ")}]`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const keyAttrs = this.keys;
    const types = keyAttrs.map((k) => (k as AttributeRef).dataType);
    const keyProj = compileProjection(this.child.output, null, keyAttrs, schemaOf(keyAttrs as AttributeRef[]), ctx.fctx);
    const table = new GroupTable(types);
    let gids = new Int32Array(1024);
    for await (const b of this.child.execute(ctx)) {
      if (gids.length < b.numRows) gids = new Int32Array(b.numRows);
      const before = table.size;
      table.lookup(keyProj(b).columns, b.numRows, gids);
      const keep: number[] = [];
      let seen = before;
      for (let i = 0; i < b.numRows; i++) if (gids[i]! >= seen) { keep.push(i); seen = gids[i]! + 1; }
      if (keep.length === b.numRows) yield b;
      else if (keep.length > 0) yield takeRows(b, keep);
    }
  }
}

import { takeBatch } from "../batch/record-batch.js";
function takeRows(b: RecordBatch, rows: number[]): RecordBatch {
  return takeBatch(b, rows);
}
