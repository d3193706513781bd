import { type RecordBatch, makeBatch } from "../batch/record-batch.js";
import { sliceVector as sliceVec } from "../batch/vector.js";
import type { AggCall, AttributeRef, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { canonicalKey } from "../expr/expr-tree.js";
import { isDeterministic } from "../optimizer/optimizer-helpers.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { namedToAttribute } from "../analyzer/plan-output.js";
import { type CompiledProjection, compileProjection } from "./codegen/projection.js";
import { AggSlotSet } from "./aggregate/agg-slot.js";
import { GroupTable } from "./aggregate/group-table.js";
import type { GroupKeys } from "./aggregate/key-coder.js";
import { FusedAggregate, type FusedAggregateSpec, type FusedKernelTemplate, fusedAggPlans } from "./aggregate/fused-aggregate.js";
import { CompiledForContext } from "../expr/query-time.js";
import { ProjectFilterExec } from "./project-filter-exec.js";
import { ExpandExec } from "./simple-execs.js";
import type { Vector } from "../batch/vector.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "./physical-op.js";
import { ReusableArrays } from "../batch/reusable-arrays.js";
import { schemaOf } from "./physical-op.js";
import { structField, structType } from "../types/data-type.js";
import { aggregationLayout } from "./aggregate/aggregation-layout.js";

/**
 * Hash aggregation. Per input batch: one generated loop evaluates the grouping keys, aggregate
 * arguments and FILTER conditions; a lookup pass maps each row to a group id; then each
 * aggregate updates its per-group state column-wise. At the end the result expressions are
 * evaluated over (keys, aggregate results). A global aggregation over no rows yields one row.
 */
export class HashAggregateExec implements PhysicalOp {
  readonly name = "HashAggregate";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  readonly aggCalls: readonly AggCall[];
  private readonly keyAttrs: readonly AttributeRef[];
  private readonly aggAttrs: readonly AttributeRef[];
  private readonly resultExprs: readonly Expr[];
  /** Per key, whether the result only reads it (not passed on as it is): its column may be built in reused arrays for any reader. */
  private readonly keysOnlyRead: readonly boolean[];
  /** Use the fused generated loop when possible (tests turn it off to compare with the column-wise path). */
  allowFused = true;
  /** The fused loops of the last run, for the function context they were generated for. */
  private readonly lastKernels = new CompiledForContext<readonly FusedKernelTemplate[]>();

  constructor(
    readonly child: PhysicalOp,
    readonly groupingExprs: readonly Expr[],
    readonly aggregateExprs: readonly Expr[],
  ) {
    this.children = [child];
    this.output = aggregateExprs.map(namedToAttribute);
    const layout = aggregationLayout(groupingExprs, aggregateExprs);
    this.aggCalls = layout.calls;
    this.keyAttrs = layout.keyAttrs;
    this.aggAttrs = layout.aggAttrs;
    this.resultExprs = layout.resultExprs;
    const passedOn = new Set(this.resultExprs.map((r) => (r.kind === "Alias" ? r.child : r)).flatMap((r) => (r.kind === "AttributeRef" ? [r.id] : [])));
    this.keysOnlyRead = this.keyAttrs.map((a) => !passedOn.has(a.id));
  }

  describe(): string {
    return `(keys=[${this.groupingExprs.map((g) => exprSql(g)).join(", ")}], functions=[${this.aggCalls.map((c) => exprSql(c)).join(", ")}])`;
  }

  /**
   * When every aggregate has a generated update, the aggregation (with a Filter/Project child
   * folded in) runs as one loop per batch; see FusedAggregate. Returns the operator to read
   * batches from and the loop's description, or null for the column-wise path.
   */
  private fusedSpec(ctx: ExecContext): { source: PhysicalOp; spec: FusedAggregateSpec } | null {
    if (!this.allowFused || !fusedAggPlans(this.aggCalls, ctx.fctx)) return null;
    const c = this.child;
    const pf = c instanceof ProjectFilterExec ? c : null;
    // An Expand below (sliding windows, grouping sets) runs inside the loop too: no batch per projection.
    const below = pf ? pf.child : c;
    const x = below instanceof ExpandExec ? below : null;
    const source = x ? x.child : below;
    return {
      source,
      spec: {
        input: source.output, filter: pf?.condition ?? null, projections: pf?.projectList ?? null, projectionOutput: pf?.projectList ? pf.output : null,
        groupingExprs: this.groupingExprs, aggCalls: this.aggCalls, expand: x ? { projections: x.projections, output: x.output } : null,
      },
    };
  }

  /** The generated aggregation loop, when this aggregation runs fused (EXPLAIN CODEGEN). */
  codegenSource(ctx: ExecContext): string | null {
    const f = this.fusedSpec(ctx);
    return f ? new FusedAggregate(f.spec, ctx.fctx).source : null;
  }

  async *execute(ctx: ExecContext, options: ExecOptions = {}): AsyncIterable<RecordBatch> {
    // A reader that keeps no column (another fused aggregation, Nexmark q5's over panes) gets
    // views of the tables and key columns written into the same arrays batch after batch.
    const transient = options.reuseBuffers === true;
    const fused = this.fusedSpec(ctx);
    if (fused) {
      const agg = new FusedAggregate(fused.spec, ctx.fctx);
      // Run again (the next micro-batch's rows): the loops generated last time, when they compute the same.
      const last = this.lastKernels.get(ctx.fctx, () => specExprs(fused.spec));
      if (last !== undefined) agg.adopt(last);
      // The loop copies what it needs out of each batch before it asks for the next: its source may
      // refill the same arrays.
      for await (const batch of fused.source.execute(ctx, { reuseBuffers: true })) agg.update(batch);
      this.lastKernels.set(ctx.fctx, agg.kernelTemplates());
      const r = agg.result(transient);
      try {
        yield* this.finish(ctx, r.keys, r.aggs, transient);
      } finally {
        agg.release();
      }
      return;
    }
    const [keys, aggs] = await this.aggregateColumnwise(ctx);
    yield* this.finish(ctx, keys, aggs, transient);
  }

  private async aggregateColumnwise(ctx: ExecContext): Promise<[GroupKeys, Vector[]]> {
    // Inputs: keys, then each call's arguments, then each call's filter; an expression several
    // calls share (q15's three price ranks, each the FILTER of three calls) is computed once.
    const inputs: Expr[] = [...this.groupingExprs];
    const known = new Map<string, number>();
    const input = (e: Expr): number => {
      if (!isDeterministic(e)) return inputs.push(e) - 1;
      const key = canonicalKey(e);
      let i = known.get(key);
      if (i === undefined) known.set(key, (i = inputs.push(e) - 1));
      return i;
    };
    const argIndex: number[][] = [];
    const filterIndex: (number | null)[] = [];
    for (const c of this.aggCalls) {
      argIndex.push(c.args.map(input));
    }
    for (const c of this.aggCalls) filterIndex.push(c.filter ? input(c.filter) : null);
    const inSchema = structType(inputs.map((e, i) => structField(`_in${i}`, exprType(e), true)));
    const project: CompiledProjection = compileProjection(this.child.output, null, inputs, inSchema, ctx.fctx);
    const table = new GroupTable(this.groupingExprs.map(exprType));
    const slots = new AggSlotSet(this.aggCalls, ctx.fctx);
    const k = this.groupingExprs.length;
    let gids = new Int32Array(1024);
    for await (const batch of this.child.execute(ctx)) {
      const n = batch.numRows;
      if (n === 0) continue;
      const evald = project(batch);
      if (gids.length < n) gids = new Int32Array(n);
      table.lookup(evald.columns.slice(0, k), n, gids);
      slots.update(gids, n, (j) => argIndex[j]!.map((ix) => evald.columns[ix]!), (j) => {
        const fi = filterIndex[j];
        return fi === null || fi === undefined ? null : evald.columns[fi]!;
      });
    }
    // A global aggregate always produces one row, even over empty input.
    if (k === 0 && table.size === 0) table.lookup([], 0, gids);
    const groups = table.size;
    return [table.groupKeys(), slots.results(groups)];
  }

  /**
   * The result rows a batch at a time: each batch's key columns are built for it (GroupKeys);
   * `transient`: into the same arrays every batch. Keys the result does not pass on as they are
   * (q5's window, read for its start and end) go into the same arrays either way.
   */
  private *finish(ctx: ExecContext, keys: GroupKeys, aggs: readonly Vector[], transient: boolean): Iterable<RecordBatch> {
    const mid = [...this.keyAttrs, ...this.aggAttrs];
    const midSchema = schemaOf(mid);
    const finish = compileProjection(mid, null, this.resultExprs, schemaOf(this.output), ctx.fctx);
    const reuseKey = transient ? null : this.keysOnlyRead;
    // Two sets: the result projection reads the key columns while it writes its own.
    const keyArrays = new ReusableArrays(), outArrays = transient ? new ReusableArrays() : null;
    const size = ctx.batchSize, groups = keys.groups;
    for (let s = 0; s < groups; s += size) {
      const e = Math.min(groups, s + size);
      const cols = keys.slice(s, e, keyArrays, reuseKey);
      for (const a of aggs) cols.push(s === 0 && e === groups ? a : sliceVec(a, s, e));
      yield finish(makeBatch(midSchema, cols, e - s), outArrays);
    }
  }
}

/** Every expression a fused aggregation's generated loop computes. */
function specExprs(spec: FusedAggregateSpec): Expr[] {
  return [...(spec.filter ? [spec.filter] : []), ...(spec.projections ?? []), ...spec.groupingExprs, ...spec.aggCalls, ...(spec.expand?.projections.flat() ?? [])];
}
