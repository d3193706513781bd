import { BatchBuilder, type RecordBatch } from "../batch/record-batch.js";
import { valueAt } from "../batch/vector.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { structField, structType } from "../types/data-type.js";
import { compileProjection } from "./codegen/projection.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";

/** explode / posexplode / inline (and _outer): each input row yields one row per element. */
export class GenerateExec implements PhysicalOp {
  readonly name = "Generate";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly generator: Expr,
    readonly outer: boolean,
    readonly keepChildOutput: boolean,
    readonly generatorOutput: readonly AttributeRef[],
  ) {
    this.children = [child];
    this.output = [...(keepChildOutput ? child.output : []), ...generatorOutput];
  }
  describe(): string {
    return `${exprSql(this.generator)}, ${this.outer ? "outer=true, " : ""}[${this.generatorOutput.map((a) => a.name).join(", ")}]`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    if (this.generator.kind !== "Call") throw new Error("generator must be resolved");
    const name = this.generator.fn.name.replace(/_outer$/, "");
    const arg = this.generator.args[0]!;
    const argT = exprType(arg);
    const evalArg = compileProjection(this.child.output, null, [arg], structType([structField("g", argT)]), ctx.fctx);
    const schema = schemaOf(this.output);
    const width = this.generatorOutput.length;
    const nulls = new Array<unknown>(width).fill(null);
    for await (const b of this.child.execute(ctx)) {
      const coll = evalArg(b).columns[0]!;
      const out = new BatchBuilder(schema, b.numRows * 2);
      for (let i = 0; i < b.numRows; i++) {
        const base = this.keepChildOutput ? b.columns.map((c) => valueAt(c, i)) : [];
        const v = valueAt(coll, i);
        let emitted = 0;
        if (v !== null) {
          if (argT.kind === "map") {
            let pos = 0;
            for (const [k, x] of v as Map<unknown, unknown>) {
              out.appendRow(name === "posexplode" ? [...base, pos, k, x] : [...base, k, x]);
              pos++;
              emitted++;
            }
          } else {
            const arr = v as unknown[];
            for (let p = 0; p < arr.length; p++) {
              const el = arr[p];
              if (name === "inline") out.appendRow([...base, ...(el === null ? nulls : (el as unknown[]))]);
              else out.appendRow(name === "posexplode" ? [...base, p, el] : [...base, el]);
              emitted++;
            }
          }
        }
        if (emitted === 0 && this.outer) out.appendRow([...base, ...nulls]);
      }
      if (out.numRows > 0) yield out.finish();
    }
  }
}
