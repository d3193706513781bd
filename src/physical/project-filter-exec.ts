import type { RecordBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { namedToAttribute } from "../analyzer/plan-output.js";
import { type CompiledProjection, compileProjection } from "./codegen/projection.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "./physical-op.js";
import { ReusableArrays } from "../batch/reusable-arrays.js";
import { CompiledForContext } from "../expr/query-time.js";
import { schemaOf } from "./physical-op.js";

/**
 * A filter and a projection fused into one generated loop (Spark's whole-stage codegen for the
 * common Filter/Project chains). Either part may be absent.
 */
export class ProjectFilterExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  private readonly compiled = new CompiledForContext<CompiledProjection>();

  constructor(
    readonly child: PhysicalOp,
    readonly condition: Expr | null,
    readonly projectList: readonly Expr[] | null,
  ) {
    this.children = [child];
    this.output = projectList ? projectList.map(namedToAttribute) : child.output;
    this.name = condition && projectList ? "Project+Filter" : condition ? "Filter" : "Project";
  }

  describe(): string {
    const parts: string[] = [];
    if (this.projectList) parts.push(`[${this.projectList.map((e) => exprSql(e)).join(", ")}]`);
    if (this.condition) parts.push(exprSql(this.condition));
    return parts.join(" ");
  }

  /** The generated source, for EXPLAIN CODEGEN. */
  codegenSource(ctx: ExecContext): string {
    return this.kernel(ctx).source;
  }

  /**
   * Compiled for the run's function context, and kept for later runs in the same one (a plan
   * reused for the next micro-batch: current_timestamp() is one value per query or micro-batch).
   */
  private kernel(ctx: ExecContext): CompiledProjection {
    const exprs = (): readonly (Expr | null)[] => [this.condition, ...(this.projectList ?? [])];
    return this.compiled.get(ctx.fctx, exprs) ?? this.compiled.set(ctx.fctx, compileProjection(this.child.output, this.condition, this.projectList ?? this.child.output, schemaOf(this.output), ctx.fctx));
  }

  async *execute(ctx: ExecContext, options: ExecOptions = {}): AsyncIterable<RecordBatch> {
    const k = this.kernel(ctx);
    // A consumer that keeps no column lets the loop write every batch into the same arrays; the
    // columns passed through are the child's, so the child may reuse its own too.
    const arrays = options.reuseBuffers === true ? new ReusableArrays() : null;
    for await (const b of this.child.execute(ctx, options)) {
      const out = k(b, arrays);
      if (out.numRows > 0) yield out;
    }
  }
}
