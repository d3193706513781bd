import { planOutput } from "../../analyzer/plan-output.js";
import { type LogicalPlan, children, withChildren } from "../../plan/logical-plan.js";
import { isDeterministic } from "../../optimizer/optimizer-helpers.js";
import type { PhysicalOp } from "../physical-op.js";
import type { PlannerOptions } from "../planner.js";
import { type AdaptiveBroadcast, ParallelStageExec } from "./parallel-stage-exec.js";
import { reduceSidePlan } from "./reduce-side-plan.js";
import { windowOwnedMaps } from "./window-owned-stage.js";
import { shufflePlanOf } from "./shuffle-plans.js";
import { type LeafPath, type ParallelOptions, estimatedPathRows, filteredOnPath, hasLeafToSplit, isNarrow, mapFragments, splitLeafPath } from "./stage-fragments.js";
import { buildableSides, equiJoinKeys } from "../join-keys.js";
import { isFileFormat } from "../../connectors/file-format.js";
import { builtSideStage } from "./built-side-stage.js";

/**
 * A parallel stage for `p`, or null when `p` does not have a shape that parallelizes:
 * - an aggregation, or window functions with PARTITION BY, over a narrow chain: map tasks, an
 *   exchange by key, reduce tasks (shuffle-plans.ts);
 * - partition-local operators above one of those, run in its reduce tasks or in a second round
 *   of them (reduce-side-plan.ts);
 * - aggregations by an event-time window of a time-ordered source and the operators above them
 *   keyed by the window: tasks that own slices of event time, no exchange (window-owned-stage.ts);
 * - an equi-join of two large inputs: both shuffled by their join keys;
 * - a narrow chain alone (filters, projections, generators, joins with a small side): map tasks
 *   whose outputs are concatenated in split order (only where `mapOnly`);
 * - a join of such a chain with a side computed first (an aggregation) whose rows every task
 *   then copies (built-side-stage.ts; only where `mapOnly`).
 * A narrow chain ends in one splittable leaf; a join's other side is copied into every task.
 */
export function planParallelStage(p: LogicalPlan, opts: ParallelOptions, taskPlanner: PlannerOptions, mapOnly: boolean, fallback: () => PhysicalOp, planSide: (side: LogicalPlan, stages: boolean) => PhysicalOp): PhysicalOp | null {
  // Every shape below splits a leaf into at least two tasks of minRowsPerTask rows. A micro-batch's
  // rows (a LocalRelation) never split, nor does a small table joined with them, and finding that
  // out shape by shape, for each node of each batch's plan, was most of a small batch's planning.
  if (opts.threads <= 1 || !hasLeafToSplit(p, opts)) return null;
  const owned = windowOwnedMaps(p, opts);
  if (owned) return new ParallelStageExec(planOutput(p), [{ maps: owned, keys: null, note: "each task owns the windows starting in its slice of event time" }], null, fallback(), opts.threads, taskPlanner);
  const shuffled = shufflePlanOf(p, opts) ?? reduceSidePlan(p, opts);
  if (shuffled) return new ParallelStageExec(planOutput(p), shuffled.inputs, shuffled.exchange, fallback(), opts.threads, taskPlanner);
  if (p.kind === "Aggregate" || p.kind === "Distinct" || p.kind === "Window") return null;
  if (!mapOnly || !isNarrow(p)) return p.kind === "Join" ? planJoinStage(p, opts, taskPlanner, fallback) : null;
  const path = splitLeafPath(p, opts);
  if (path !== null && !mapOnlyPays(p, path)) return null;
  const maps = path && mapFragments(p, path, opts);
  if (!maps) return p.kind === "Join" ? (planJoinStage(p, opts, taskPlanner, fallback) ?? builtSideStage(p, opts, taskPlanner, planSide)) : null;
  return new ParallelStageExec(planOutput(p), [{ maps, keys: null }], null, fallback(), opts.threads, taskPlanner);
}

/**
 * Whether a map-only stage can gain: every row it outputs crosses back to the calling thread, so
 * it pays when the chain drops rows (a filter) or its leaf is a file to parse; a projection of
 * generated rows costs more to send back than to compute (Nexmark q0, q1: 1.09x and 0.53x).
 */
function mapOnlyPays(p: LogicalPlan, path: LeafPath): boolean {
  let node = p;
  for (const i of path) {
    if (node.kind === "Filter") return true;
    node = children(node)[i]!;
  }
  return node.kind === "DataSourceRelation" && isFileFormat(node.format);
}

/**
 * An equi-join of two large inputs (neither small enough to copy into every task): both sides
 * are hash-partitioned by their join keys, and each reduce task joins its partitions of both, so
 * every pair of matching rows, and every unmatched row of an outer join, is found in one task.
 */
function planJoinStage(p: Extract<LogicalPlan, { kind: "Join" }>, opts: ParallelOptions, taskPlanner: PlannerOptions, fallback: () => PhysicalOp): PhysicalOp | null {
  const { keys } = equiJoinKeys(p);
  if (keys.length === 0 || (p.condition && !isDeterministic(p.condition))) return null;
  const lp = splitLeafPath(p.left, opts), rp = splitLeafPath(p.right, opts);
  if (!lp || !rp) return null;
  // The joined rows come back to this thread: that pays only when the larger side is filtered
  // (Nexmark q3: 1.5x on two threads); an unfiltered fact side joined with a dimension (q20)
  // ships about as many rows as it reads, and runs faster as one hash join here.
  const larger = estimatedPathRows(p.left, lp) >= estimatedPathRows(p.right, rp) ? { side: p.left, path: lp } : { side: p.right, path: rp };
  if (!filteredOnPath(larger.side, larger.path)) return null;
  const left = mapFragments(p.left, lp, opts), right = mapFragments(p.right, rp, opts);
  if (!left && !right) return null;
  const inputs = [
    { maps: left ?? [p.left], keys: keys.map((k) => k.left) },
    { maps: right ?? [p.right], keys: keys.map((k) => k.right) },
  ];
  const reduce = ([l, r]: readonly LogicalPlan[]): LogicalPlan => withChildren(p, [l!, r!]);
  const exchange = { partitions: opts.shufflePartitions, inputs: [planOutput(p.left), planOutput(p.right)], reduce };
  const rows = [estimatedPathRows(p.left, lp), estimatedPathRows(p.right, rp)] as const;
  return new ParallelStageExec(planOutput(p), inputs, exchange, fallback(), opts.threads, taskPlanner, adaptiveBroadcast(p, inputs[0]!.maps, inputs[1]!.maps, rows, opts));
}

/**
 * The side a join could broadcast once its rows are known (the one the join type lets a hash join
 * build, the smaller estimate when both can), with the other side's splits to join it with.
 */
function adaptiveBroadcast(p: Extract<LogicalPlan, { kind: "Join" }>, leftMaps: readonly LogicalPlan[], rightMaps: readonly LogicalPlan[], rows: readonly [number, number], opts: ParallelOptions): AdaptiveBroadcast | null {
  if (opts.broadcastBytes <= 0) return null;
  const { left, right } = buildableSides(p.joinType);
  if (!left && !right) return null;
  const build: 0 | 1 = left && (!right || rows[0] < rows[1]) ? 0 : 1;
  const streamed = build === 1 ? leftMaps : rightMaps;
  return {
    build,
    maxBytes: opts.broadcastBytes,
    streamedRows: rows[build === 1 ? 0 : 1],
    joinWith: (built) => streamed.map((m) => withChildren(p, build === 1 ? [m, built] : [built, m])),
  };
}
