import type { RecordBatch } from "../batch/record-batch.js";
import type { AttributeRef } from "../expr/expression.js";
import { type ExecContext, type PhysicalOp, collectBatches } from "./physical-op.js";

/** The result of a subtree that occurs more than once in a plan, computed once per execution. */
export class SharedResult {
  op: PhysicalOp | null = null;
  private rows: Promise<RecordBatch[]> | null = null;

  batches(ctx: ExecContext): Promise<RecordBatch[]> {
    return (this.rows ??= collectBatches(this.op!, ctx));
  }
}

/**
 * One occurrence of a shared subtree (as Spark's ReusedExchange): the first runs the operator
 * (and prints as it), the others replay its batches (and print as `ReusedResult`). A query that
 * joins an aggregation with an aggregation of itself (Nexmark q5, q7) aggregates once, in
 * DataFrame code and in SQL (a CTE referenced twice: the same rows under other column ids).
 */
export class ReusedResultExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];

  constructor(
    readonly shared: SharedResult,
    readonly reused: boolean,
    /** This occurrence's columns (the same rows may carry other ids in another occurrence: a SQL CTE). */
    output?: readonly AttributeRef[],
  ) {
    const op = shared.op!;
    this.output = output ?? op.output;
    this.name = reused ? "ReusedResult" : op.name;
    this.children = reused ? [] : op.children;
  }

  describe(): string {
    return this.reused ? `[${this.output.map((a) => `${a.name}#${a.id}`).join(", ")}] of ${this.shared.op!.name}` : this.shared.op!.describe();
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    yield* await this.shared.batches(ctx);
  }
}
