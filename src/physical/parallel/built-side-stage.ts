import { type RecordBatch, totalRows } from "../../batch/record-batch.js";
import { planOutput } from "../../analyzer/plan-output.js";
import type { AttributeRef } from "../../expr/expression.js";
import { type LogicalPlan, Plan, children, withChildren } from "../../plan/logical-plan.js";
import { batchSource, hasBatchSource } from "../../connectors/source-registry.js";
import { type ExecContext, type PhysicalOp, collectBatches } from "../physical-op.js";
import { estimateBatchBytes } from "../memory.js";
import { type PlannerOptions, planPhysical } from "../planner.js";
import { RUNTIME_FILTER_MAX_ROWS } from "../join-exec.js";
import { buildableSides, equiJoinKeys } from "../join-keys.js";
import { isDeterministic } from "../../optimizer/optimizer-helpers.js";
import { decodeBatches } from "./batch-transfer.js";
import { NotShippableError, encodeTree } from "./plan-codec.js";
import { batchesOf, runTask, stageRuns, taskSettings, warnOnce } from "./parallel-stage-exec.js";
import type { StageTask } from "./stage-task.js";
import { type ParallelOptions, filteredOnPath, mapFragments, splitLeafPath } from "./stage-fragments.js";

type Join = Extract<LogicalPlan, { kind: "Join" }>;

/**
 * A join of a large splittable input with a side only execution can size: an aggregation, a
 * distinct or a window over whatever (Nexmark q7 joins every bid with the highest price of its
 * window). The other side is computed first, on this thread (its own parallel stage, if it has
 * one), and when its rows are small the large side runs as map tasks, each joining its split with
 * a copy of them: Spark's broadcast hash join, decided on the rows rather than an estimate. Every
 * joined row crosses back to this thread, so it pays only where the join drops most of the large
 * side's rows: a filter on its way to the join, or a runtime filter the source applies while it
 * reads (an inner join on one key against at most RUNTIME_FILTER_MAX_ROWS rows). Otherwise the
 * join runs here, over the rows already computed.
 */
export class BuiltSideStageExec implements PhysicalOp {
  readonly name = "ParallelStage";
  readonly children: readonly PhysicalOp[];

  constructor(
    readonly output: readonly AttributeRef[],
    private readonly join: Join,
    /** The side split into tasks (0: left, 1: right); the other is built. */
    private readonly streamed: 0 | 1,
    /** The streamed side as one plan per split. */
    private readonly splits: readonly LogicalPlan[],
    /** The streamed side as this thread would read it (shown by explain). */
    streamedOp: PhysicalOp,
    private readonly built: PhysicalOp,
    /** Whether a filter on the streamed side drops rows whatever the built rows are. */
    private readonly filtered: boolean,
    private readonly maxBytes: number,
    readonly threads: number,
    private readonly taskPlanner: PlannerOptions,
  ) {
    this.children = this.streamed === 0 ? [streamedOp, built] : [built, streamedOp];
  }

  describe(): string {
    const side = this.streamed === 0 ? "right" : "left";
    return `(tasks=${this.splits.length}, threads=${this.threads}, ${this.join.joinType} join whose ${side} side is computed first; each task joins its split with its rows when they are small)`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const rows = await collectBatches(this.built, ctx);
    const builtRel = Plan.localRelation(this.built.output, rows, "broadcast rows");
    const joined = (streamed: LogicalPlan): LogicalPlan => withChildren(this.join, this.streamed === 0 ? [streamed, builtRel] : [builtRel, streamed]);
    const bytes = rows.reduce((n, b) => n + estimateBatchBytes(b), 0);
    const small = bytes <= this.maxBytes && (this.filtered || totalRows(rows) <= RUNTIME_FILTER_MAX_ROWS);
    const tasks = ctx.workers && small ? this.tasks(ctx, this.splits.map(joined)) : null;
    if (!ctx.workers || !tasks) {
      stageRuns.onCallingThread++;
      const whole = this.streamed === 0 ? this.join.left : this.join.right;
      yield* planPhysical(joined(whole), this.taskPlanner).execute(ctx);
      return;
    }
    stageRuns.onWorkers++;
    const pool = ctx.workers;
    const results = await Promise.all(tasks.map((t) => runTask(ctx, pool, t.task, t.transfer)));
    for (const r of results) yield* decodeBatches(batchesOf(r));
  }

  private tasks(ctx: ExecContext, plans: readonly LogicalPlan[]): { task: StageTask; transfer: ArrayBuffer[] }[] | null {
    try {
      const settings = taskSettings(ctx, this.taskPlanner);
      return plans.map((plan) => {
        const body = encodeTree({ plan, keys: null });
        return { task: { kind: "map", body: body.encoded, partitions: 1, settings }, transfer: body.transfer };
      });
    } catch (e) {
      if (!(e instanceof NotShippableError)) throw e;
      warnOnce(`A parallel stage runs on the calling thread: ${e.message}.`);
      return null;
    }
  }
}

/**
 * The stage for a join whose one side is a narrow chain over a splittable leaf and whose other
 * side, buildable for the join type, is computed (has an aggregation, distinct or window, and no
 * rows held in memory: a micro-batch's joins stay on this thread). Null when `p` has no such shape.
 */
export function builtSideStage(p: Join, opts: ParallelOptions, taskPlanner: PlannerOptions, planSide: (side: LogicalPlan, stages: boolean) => PhysicalOp): PhysicalOp | null {
  const { keys } = equiJoinKeys(p);
  if (keys.length === 0 || (p.condition && !isDeterministic(p.condition))) return null;
  const can = buildableSides(p.joinType);
  for (const streamed of [0, 1] as const) {
    const side = streamed === 0 ? p.left : p.right, other = streamed === 0 ? p.right : p.left;
    if (!(streamed === 0 ? can.right : can.left) || !isComputed(other)) continue;
    const path = splitLeafPath(side, opts);
    if (!path) continue;
    const filtered = filteredOnPath(side, path);
    if (!filtered && !(p.joinType === "inner" && keys.length === 1 && !keys[0]!.nullSafe && readsWithRuntimeFilters(side))) continue;
    const splits = mapFragments(side, path, opts);
    if (!splits) continue;
    return new BuiltSideStageExec(planOutput(p), p, streamed, splits, planSide(side, false), planSide(other, true), filtered, opts.broadcastBytes, opts.threads, taskPlanner);
  }
  return null;
}

/** A side whose size only its execution tells: an aggregation, distinct or window somewhere, and every leaf a batch source or a range. */
function isComputed(p: LogicalPlan): boolean {
  const leavesRead = (n: LogicalPlan): boolean => {
    const cs = children(n);
    if (cs.length === 0) return n.kind === "RangeRelation" || (n.kind === "DataSourceRelation" && !n.isStreaming && n.microBatch === undefined && hasBatchSource(n.format));
    return cs.every(leavesRead);
  };
  const reduces = (n: LogicalPlan): boolean => n.kind === "Aggregate" || n.kind === "Distinct" || n.kind === "Window" || children(n).some(reduces);
  return reduces(p) && leavesRead(p);
}

/** Whether the side is the scan a hash join streaming it sends a runtime filter to (HashJoinExec.runtimeFilter). */
function readsWithRuntimeFilters(side: LogicalPlan): boolean {
  return side.kind === "DataSourceRelation" && side.microBatch === undefined && batchSource(side.format).runtimeFilters === true;
}
