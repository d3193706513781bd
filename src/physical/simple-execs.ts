import { type RecordBatch, makeBatch, sliceBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { compileProjection } from "./codegen/projection.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { attrList } from "./explain-util.js";

/** LIMIT n OFFSET m: stops pulling input as soon as enough rows passed. */
export class LimitExec implements PhysicalOp {
  readonly name = "Limit";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(readonly child: PhysicalOp, readonly limit: number, readonly offset = 0) {
    this.children = [child];
    this.output = child.output;
  }
  describe(): string {
    return `${this.limit}${this.offset ? ` offset ${this.offset}` : ""}`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    let skip = this.offset;
    let left = this.limit;
    if (left <= 0) return;
    for await (const b of this.child.execute(ctx)) {
      let start = 0;
      if (skip > 0) {
        start = Math.min(skip, b.numRows);
        skip -= start;
      }
      const take = Math.min(left, b.numRows - start);
      if (take > 0) {
        yield start === 0 && take === b.numRows ? b : sliceBatch(b, start, start + take);
        left -= take;
      }
      if (left <= 0) return;
    }
  }
}

/** UNION ALL: children's batches one after another, relabelled with the union's output. */
export class UnionExec implements PhysicalOp {
  readonly name = "Union";
  constructor(readonly output: readonly AttributeRef[], readonly children: readonly PhysicalOp[]) {}
  describe(): string {
    return "";
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const schema = schemaOf(this.output);
    for (const c of this.children) for await (const b of c.execute(ctx)) yield makeBatch(schema, b.columns, b.numRows);
  }
}

/** Emits every input row once per projection (grouping sets, sliding windows). */
export class ExpandExec implements PhysicalOp {
  readonly name = "Expand";
  readonly children: readonly PhysicalOp[];
  constructor(readonly child: PhysicalOp, readonly projections: readonly (readonly Expr[])[], readonly output: readonly AttributeRef[]) {
    this.children = [child];
  }
  describe(): string {
    return `[${this.projections.map((p) => `[${p.map((e) => exprSql(e)).join(", ")}]`).join(", ")}], ${attrList(this.output)}`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const schema = schemaOf(this.output);
    const kernels = this.projections.map((p) => compileProjection(this.child.output, null, p, schema, ctx.fctx));
    for await (const b of this.child.execute(ctx)) for (const k of kernels) yield k(b);
  }
}
