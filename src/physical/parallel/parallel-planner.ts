import { planOutput } from "../../analyzer/plan-output.js";
import type { Expr } from "../../expr/expression.js";
import { transformExprUp } from "../../expr/expr-tree.js";
import { type LogicalPlan, Plan, children, withChildren } from "../../plan/logical-plan.js";
import { planExprs } from "../../plan/plan-exprs.js";
import { hasSubquery, isDeterministic } from "../../optimizer/optimizer-helpers.js";
import type { PhysicalOp } from "../physical-op.js";
import type { PlannerOptions } from "../planner.js";
import { type SplittableLeaf, estimatedLeafRows, isCopyableLeaf, isSplittableLeaf, splitLeaf } from "./leaf-splits.js";
import { type AdaptiveBroadcast, ParallelStageExec } from "./parallel-stage-exec.js";
import { splitAggregation } from "./partial-aggregation.js";
import { buildableSides, equiJoinKeys } from "../join-keys.js";
import { isFileFormat } from "../../connectors/file-format.js";

/** How the planner may cut work into parallel tasks (from `sluice.executor.*` and `sluice.sql.shuffle.partitions`). */
export interface ParallelOptions {
  /** `sluice.executor.threads`: worker threads; 1 runs everything on the calling thread. */
  readonly threads: number;
  /** `sluice.executor.minRowsPerTask`: a leaf is split only into tasks of at least this many rows. */
  readonly minRowsPerTask: number;
  /** `sluice.sql.shuffle.partitions`: partitions of a stage boundary (an exchange by key hash). */
  readonly shufflePartitions: number;
  /** Largest estimated size in bytes of a join side copied into every task (the broadcast threshold). */
  readonly broadcastBytes: number;
}

/** Where the one split leaf of a fragment is: the child index at each level from the root. */
type LeafPath = readonly number[];

/**
 * A parallel stage for `p`, or null when `p` does not have a shape that parallelizes:
 * - an aggregation over a narrow chain: map tasks run the chain over splits of the input and
 *   either aggregate partially (count, min, max, exact sums: see partial-aggregation.ts) or keep
 *   the rows; either way they hash-partition by the grouping keys, and reduce tasks finish the
 *   aggregation per partition (a key's partials or rows reach one task in input order, so
 *   results equal a single-threaded run);
 * - window functions with PARTITION BY: rows shuffled by the partition keys;
 * - an equi-join of two large inputs: both shuffled by their join keys;
 * - a narrow chain alone (filters, projections, generators, joins with a small side): map tasks
 *   whose outputs are concatenated in split order (only where `mapOnly`).
 * A narrow chain ends in one splittable leaf; a join's other side is copied into every task.
 */
export function planParallelStage(p: LogicalPlan, opts: ParallelOptions, taskPlanner: PlannerOptions, mapOnly: boolean, fallback: () => PhysicalOp): PhysicalOp | null {
  if (opts.threads <= 1) return null;
  if (p.kind === "Aggregate" || p.kind === "Distinct") return planAggregateStage(p, opts, taskPlanner, fallback);
  if (p.kind === "Window") return planWindowStage(p, opts, taskPlanner, fallback);
  if (!mapOnly || !isNarrow(p)) return p.kind === "Join" ? planJoinStage(p, opts, taskPlanner, fallback) : null;
  const path = splitLeafPath(p, opts);
  if (path !== null && !mapOnlyPays(p, path)) return null;
  const maps = path && mapFragments(p, path, opts);
  if (!maps) return p.kind === "Join" ? planJoinStage(p, opts, taskPlanner, fallback) : null;
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

function planAggregateStage(p: Extract<LogicalPlan, { kind: "Aggregate" | "Distinct" }>, opts: ParallelOptions, taskPlanner: PlannerOptions, fallback: () => PhysicalOp): PhysicalOp | null {
  const grouping: readonly Expr[] = p.kind === "Distinct" ? planOutput(p.child) : p.groupingExprs;
  const aggregates: readonly Expr[] = p.kind === "Distinct" ? planOutput(p.child) : p.aggregateExprs;
  if (!grouping.every(isDeterministic)) return null;
  const output = planOutput(p);
  // Aggregates that merge exactly are computed per task and only the partials cross threads.
  const split = splitAggregation(grouping, aggregates);
  if (split) {
    const path = splitLeafPath(p.child, opts);
    const maps = path && mapFragments(p.child, path, opts);
    if (!maps) return null;
    const partials = maps.map((m) => Plan.aggregate(grouping, split.partialExprs, m));
    const exchange = { partitions: opts.shufflePartitions, inputs: [split.partialOutput], reduce: ([rows]: readonly LogicalPlan[]) => split.final(rows!) };
    return new ParallelStageExec(output, [{ maps: partials, keys: split.keyAttrs }], exchange, fallback(), opts.threads, taskPlanner);
  }
  if (grouping.length === 0) return null;
  // Otherwise the rows are shuffled by key. A projection right under the aggregation runs on the
  // reduce side (fused into its loop), so only its inputs cross threads; the keys are hashed
  // through it on the map side.
  const top = p.child.kind === "Project" && p.child.projectList.every((e) => isDeterministic(e) && !hasSubquery(e)) ? p.child : null;
  const mapRoot = top ? top.child : p.child;
  const path = splitLeafPath(mapRoot, opts);
  const maps = path && mapFragments(mapRoot, path, opts);
  if (!maps) return null;
  const keys = top ? grouping.map((g) => inlineAliases(g, top.projectList)) : grouping;
  const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => Plan.aggregate(grouping, aggregates, top ? Plan.project(top.projectList, rows!) : rows!);
  return new ParallelStageExec(output, [{ maps, keys }], { partitions: opts.shufflePartitions, inputs: [planOutput(mapRoot)], reduce }, fallback(), opts.threads, taskPlanner);
}

/**
 * Window functions over PARTITION BY keys (and batch session windows, which are one): rows are
 * shuffled by the partition keys, so each window partition is whole, in input order, in one
 * reduce task.
 */
function planWindowStage(p: Extract<LogicalPlan, { kind: "Window" }>, opts: ParallelOptions, taskPlanner: PlannerOptions, fallback: () => PhysicalOp): PhysicalOp | null {
  if (p.partitionSpec.length === 0 || !planExprs(p).every((e) => isDeterministic(e) && !hasSubquery(e))) return null;
  const path = splitLeafPath(p.child, opts);
  const maps = path && mapFragments(p.child, path, opts);
  if (!maps) return null;
  const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => Plan.window(p.windowExprs, p.partitionSpec, p.orderSpec, rows!);
  return new ParallelStageExec(planOutput(p), [{ maps, keys: p.partitionSpec }], { partitions: opts.shufflePartitions, inputs: [planOutput(p.child)], reduce }, fallback(), opts.threads, taskPlanner);
}

/** `e` over the inputs of a projection instead of its outputs. */
function inlineAliases(e: Expr, projectList: readonly Expr[]): Expr {
  const byId = new Map<number, Expr>();
  for (const x of projectList) if (x.kind === "Alias") byId.set(x.id, x.child);
  return transformExprUp(e, (x) => (x.kind === "AttributeRef" && byId.has(x.id) ? byId.get(x.id)! : x));
}

/**
 * Map tasks per worker thread. More tasks than threads, as Spark has: the pool hands the next
 * task to whichever worker is free, so a thread slowed by its neighbour (on a VM, two busy vCPUs
 * often run a third slower each, unevenly) or by its garbage collector takes fewer of them, and
 * the stage does not wait on one late half of the input.
 */
const TASKS_PER_THREAD = 4;

/** The plan with its split leaf replaced by each split, or null when there is too little to split. */
function mapFragments(p: LogicalPlan, path: LeafPath, opts: ParallelOptions): LogicalPlan[] | null {
  const leaf = nodeAt(p, path) as SplittableLeaf;
  const rows = estimatedLeafRows(leaf);
  if (rows === null) return null;
  const parts = Math.min(opts.threads * TASKS_PER_THREAD, Math.floor(rows / Math.max(1, opts.minRowsPerTask)));
  if (parts < 2) return null;
  const splits = splitLeaf(leaf, parts);
  if (splits.length < 2) return null;
  return splits.map((s) => replaceAt(p, path, s));
}

const PASS_THROUGH = new Set<LogicalPlan["kind"]>(["Project", "Filter", "SubqueryAlias", "ResolvedHint", "Repartition", "EventTimeWatermark", "Generate", "Expand"]);

function isNarrow(p: LogicalPlan): boolean {
  return PASS_THROUGH.has(p.kind) || p.kind === "Join";
}

/** The path to the one leaf to split, when `p` is a narrow chain of deterministic nodes over it. */
function splitLeafPath(p: LogicalPlan, opts: ParallelOptions): LeafPath | null {
  if (isSplittableLeaf(p)) return [];
  if (!planExprs(p).every((e) => isDeterministic(e) && !hasSubquery(e))) return null;
  if (PASS_THROUGH.has(p.kind)) {
    const rest = splitLeafPath(children(p)[0]!, opts);
    return rest ? [0, ...rest] : null;
  }
  if (p.kind === "Join") {
    // The streamed side is split; the built side must be small and is read whole by every task.
    const can = buildableSides(p.joinType);
    if (can.right && isReplicable(p.right, opts)) {
      const rest = splitLeafPath(p.left, opts);
      if (rest) return [0, ...rest];
    }
    if (can.left && isReplicable(p.left, opts)) {
      const rest = splitLeafPath(p.right, opts);
      if (rest) return [1, ...rest];
    }
  }
  return null;
}

/** A join side every task can read whole: small, deterministic, from in-memory rows or batch sources. */
function isReplicable(p: LogicalPlan, opts: ParallelOptions): boolean {
  const size = replicableBytes(p);
  return size !== null && size <= opts.broadcastBytes;
}

function replicableBytes(p: LogicalPlan): number | null {
  if (!planExprs(p).every((e) => isDeterministic(e) && !hasSubquery(e))) return null;
  switch (p.kind) {
    case "LocalRelation": case "RangeRelation": case "DataSourceRelation": {
      if (!isCopyableLeaf(p)) return null;
      const rows = estimatedLeafRows(p);
      return rows === null ? 0 : rows * 16 * Math.max(1, planOutput(p).length);
    }
    default: {
      if (!PASS_THROUGH.has(p.kind) && p.kind !== "Join" && p.kind !== "Aggregate" && p.kind !== "Distinct") return null;
      let total = 0;
      for (const c of children(p)) {
        const s = replicableBytes(c);
        if (s === null) return null;
        total += s;
      }
      return total;
    }
  }
}

function estimatedPathRows(p: LogicalPlan, path: LeafPath): number {
  return estimatedLeafRows(nodeAt(p, path) as SplittableLeaf) ?? Infinity;
}

/** Whether a Filter sits on the path from `p` down to its split leaf. */
function filteredOnPath(p: LogicalPlan, path: LeafPath): boolean {
  let n = p;
  for (const i of path) {
    if (n.kind === "Filter") return true;
    n = children(n)[i]!;
  }
  return false;
}

function nodeAt(p: LogicalPlan, path: LeafPath): LogicalPlan {
  return path.reduce((n, i) => children(n)[i]!, p);
}

function replaceAt(p: LogicalPlan, path: LeafPath, leaf: LogicalPlan): LogicalPlan {
  if (path.length === 0) return leaf;
  const cs = [...children(p)];
  cs[path[0]!] = replaceAt(cs[path[0]!]!, path.slice(1), leaf);
  return withChildren(p, cs);
}

