import { EventTimeStatsExec } from "./event-time-stats-exec.js";
import type { RecordBatch } from "../batch/record-batch.js";
import { AnalysisError, ExecutionError } from "../errors/errors.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprChildren } from "../expr/expr-tree.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import { planOutput } from "../analyzer/plan-output.js";
import { DataSourceScanExec } from "./data-source-scan-exec.js";
import { ExpandExec, LimitExec, UnionExec } from "./simple-execs.js";
import { GenerateExec } from "./generate-exec.js";
import { HashAggregateExec } from "./hash-aggregate-exec.js";
import { type BuildSide, type EquiKey, HashJoinExec } from "./join-exec.js";
import { SortMergeJoinExec, isOrderable } from "./sort-merge-join-exec.js";
import { estimateBatchBytes } from "./memory.js";
import { batchSource, hasBatchSource } from "../connectors/source-registry.js";
import { defaultSize } from "../types/data-type.js";
import { exprType } from "../expr/expr-type.js";
import type { PhysicalOp } from "./physical-op.js";
import { ProjectFilterExec } from "./project-filter-exec.js";
import { LocalScanExec, RangeExec } from "./scan-exec.js";
import { DeduplicateExec, SetOpExec } from "./set-op-exec.js";
import { SortExec } from "./sort-exec.js";
import { WindowExec } from "./window-exec.js";
import { WindowGroupLimitExec } from "./window-group-limit-exec.js";
import { FlatMapGroupsWithStateBatchExec } from "./stateful/flat-map-groups-with-state-exec.js";
import { planParallelStage } from "./parallel/parallel-planner.js";
import type { ParallelOptions } from "./parallel/stage-fragments.js";
import { ReusedResultExec, SharedResult } from "./reused-result-exec.js";
import { paneAggregation } from "./aggregate/pane-aggregation.js";
import { eagerAggregation } from "./aggregate/eager-aggregation.js";
import { buildableSides, equiJoinKeys } from "./join-keys.js";
import { explainLogical } from "../plan/explain-logical.js";
import { children } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { isDeterministic } from "../optimizer/optimizer-helpers.js";
import { sameResult } from "../plan/same-result.js";

/** Settings that steer physical planning (join strategy selection), from the session's config. */
export interface PlannerOptions {
  /** `sluice.sql.join.preferSortMergeJoin`: equi-joins too big to broadcast sort and merge rather than hash. */
  readonly preferSortMergeJoin: boolean;
  /** `sluice.sql.autoBroadcastJoinThreshold`: the largest estimated size in bytes of a side to broadcast; -1 never. */
  readonly autoBroadcastJoinThreshold: number;
  /** When set (more than one executor thread), aggregations and narrow chains over large inputs run as parallel stages. */
  readonly parallel?: ParallelOptions;
  /** `sluice.sql.ansi.enabled`: sums fail on overflow, so a partial aggregation sums its part exactly. */
  readonly ansi?: boolean;
  /** `sluice.sql.optimizer.slidingWindowPanes`: false keeps sliding-window aggregations row by row (aggregate/pane-aggregation.ts). */
  readonly slidingWindowPanes?: boolean;
  /**
   * Rows a LocalRelation's scan reads when it runs instead of the relation's own (a physical plan
   * kept for later micro-batches reads each batch's rows: streaming/micro-batch-plans.ts).
   */
  readonly boundRows?: (relation: LogicalPlan) => (() => readonly RecordBatch[]) | undefined;
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = Object.freeze({ preferSortMergeJoin: true, autoBroadcastJoinThreshold: 10 * 1024 * 1024 });

/** The options of the planPhysical call in progress (planning is synchronous). */
let plannerOptions: PlannerOptions = DEFAULT_PLANNER_OPTIONS;

/**
 * Turns an optimized logical plan into physical operators. Subqueries must already be replaced
 * by their values (physical/subqueries.ts). Streaming-only nodes are the streaming layer's.
 * `options` (join strategy settings) apply to the whole tree; nested calls inherit them.
 */
export function planPhysical(p: LogicalPlan, options?: PlannerOptions): PhysicalOp {
  const outerShared = shared;
  shared ??= repeatedAggregations(p);
  const outer = plannerOptions;
  if (options !== undefined) plannerOptions = options;
  try {
    return planNode(p);
  } finally {
    plannerOptions = outer;
    shared = outerShared;
  }
}

/** Aggregations that occur more than once in the tree being planned, by their text without column ids, while planning it. */
let shared: Map<string, SharedAggregation[]> | null = null;

/** An aggregation computed once for every occurrence that computes the same rows (sameResult). */
interface SharedAggregation {
  readonly node: LogicalPlan;
  /** Its explainLogical text and whether nothing below it is non-deterministic (computed once). */
  readonly text: string;
  readonly deterministic: boolean;
  readonly result: SharedResult;
}

/**
 * Occurrences of the same aggregation: the same text (a DataFrame used twice), or, for a subtree
 * with nothing non-deterministic, the same rows under other column ids (a SQL CTE referenced
 * twice is analyzed twice).
 */
function repeatedAggregations(p: LogicalPlan): Map<string, SharedAggregation[]> {
  // One aggregation repeats nothing; its explain text (per micro-batch too) is not needed then.
  if (countAggregates(p, 2) < 2) return new Map();
  const byShape = new Map<string, { node: LogicalPlan; text: string; deterministic: boolean; count: number }[]>();
  const visit = (n: LogicalPlan): void => {
    if (n.kind === "Aggregate" && planExprs(n).every(isDeterministic)) {
      const text = explainLogical(n), shape = withoutIds(text);
      const classes = byShape.get(shape) ?? [];
      byShape.set(shape, classes);
      const deterministic = subtreeDeterministic(n);
      const same = classes.find((c) => c.text === text || (deterministic && c.deterministic && sameResult(c.node, n)));
      if (same) same.count++;
      else classes.push({ node: n, text, deterministic, count: 1 });
    }
    for (const c of children(n)) visit(c);
  };
  visit(p);
  const out = new Map<string, SharedAggregation[]>();
  for (const [shape, classes] of byShape) {
    const repeated = classes.filter((c) => c.count > 1).map((c) => ({ node: c.node, text: c.text, deterministic: c.deterministic, result: new SharedResult() }));
    if (repeated.length) out.set(shape, repeated);
  }
  return out;
}

/** How many Aggregate nodes `p` has, counting up to `limit`. */
function countAggregates(p: LogicalPlan, limit: number): number {
  let n = p.kind === "Aggregate" ? 1 : 0;
  for (const c of children(p)) {
    if (n >= limit) break;
    n += countAggregates(c, limit - n);
  }
  return n;
}

const withoutIds = (text: string): string => text.replace(/#\d+/g, "#");

/** Whether every expression of `p` and of the plans below it is deterministic (what a reused result needs). */
export function subtreeDeterministic(p: LogicalPlan): boolean {
  return planExprs(p).every(isDeterministic) && children(p).every(subtreeDeterministic);
}

/** The shared result `p` is an occurrence of, if any. */
function sharedFor(p: LogicalPlan): SharedResult | null {
  if (shared === null || shared.size === 0) return null;
  const text = explainLogical(p);
  const candidates = shared.get(withoutIds(text));
  if (!candidates) return null;
  const hit = candidates.find((c) => c.text === text) ?? (subtreeDeterministic(p) ? candidates.find((c) => c.deterministic && sameResult(c.node, p)) : undefined);
  return hit ? hit.result : null;
}

/**
 * Which parallel stages planning may create at this point of the tree: all; only stages that end
 * in a shuffle (below aggregations and limits: a global count over a filter is faster fused on
 * one thread than with every row shipped back, and a limit stops reading early); none (inside
 * the single-threaded fallback of a stage).
 */
let stagesAllowed: "all" | "shuffles" | "none" = "all";

function planNode(p: LogicalPlan): PhysicalOp {
  if (p.kind === "Aggregate") {
    const s = sharedFor(p);
    if (s) {
      const reused = s.op !== null;
      if (!reused) s.op = planUnshared(p);
      // Its own column ids: another occurrence's rows, column for column.
      return new ReusedResultExec(s, reused, reused ? planOutput(p) : undefined);
    }
  }
  return planUnshared(p);
}

function planUnshared(p: LogicalPlan): PhysicalOp {
  const par = plannerOptions.parallel;
  if (par && stagesAllowed !== "none") {
    // A task plans its fragment afresh: no nested stages, and no rows bound to this thread's plan (a function would not travel).
    const { parallel: _, boundRows: _bound, ...taskPlanner } = plannerOptions;
    const staged = planParallelStage(p, par, taskPlanner, stagesAllowed === "all", () => withStages("none", () => planSerial(p)), (side, stages) => (stages ? planNode(side) : withStages("none", () => planNode(side))));
    if (staged) return staged;
  }
  return planSerial(p);
}

function withStages<T>(level: "shuffles" | "none", f: () => T): T {
  const outer = stagesAllowed;
  if (outer !== "none") stagesAllowed = level;
  try {
    return f();
  } finally {
    stagesAllowed = outer;
  }
}

/** Plans an input that should be read on this thread unless a shuffle stage can take it. */
function serially<T>(f: () => T): T {
  return withStages("shuffles", f);
}

function planSerial(p: LogicalPlan): PhysicalOp {
  switch (p.kind) {
    case "LocalRelation": return new LocalScanExec(p.output, plannerOptions.boundRows?.(p) ?? p.batches);
    case "RangeRelation": return new RangeExec(p.output, p.start, p.end, p.step);
    case "DataSourceRelation": return new DataSourceScanExec(p);
    case "Project": {
      // Fuse Project(Filter(x)) into one generated loop.
      if (p.child.kind === "Filter") return new ProjectFilterExec(planPhysical(p.child.child), p.child.condition, p.projectList);
      return new ProjectFilterExec(planPhysical(p.child), null, p.projectList);
    }
    case "Filter": return new ProjectFilterExec(planPhysical(p.child), p.condition, null);
    case "Aggregate": {
      const panes = plannerOptions.slidingWindowPanes === false ? null : paneAggregation(p, plannerOptions.ansi === true);
      if (panes) return planPhysical(panes);
      // The small side as the join below will choose it (a hint, or the size under the threshold).
      const eager = eagerAggregation(p, (side) => hasBroadcastHint(side) || underBroadcastThreshold(() => estimatePlanBytes(side), plannerOptions), plannerOptions.ansi === true);
      if (eager) return planPhysical(eager);
      return new HashAggregateExec(serially(() => planPhysical(p.child)), p.groupingExprs, p.aggregateExprs);
    }
    case "Distinct": {
      const out = planOutput(p.child);
      return new HashAggregateExec(serially(() => planPhysical(p.child)), out, out);
    }
    case "Deduplicate": return new DeduplicateExec(serially(() => planPhysical(p.child)), p.keys ?? planOutput(p.child));
    case "Expand": return new ExpandExec(planPhysical(p.child), p.projections, p.output);
    case "Sort": {
      return new SortExec(planPhysical(p.child), p.order);
    }
    case "Limit": {
      // ORDER BY ... LIMIT n keeps only n rows while sorting.
      if (p.child.kind === "Sort" && p.child.global) return new LimitExec(new SortExec(planPhysical(p.child.child), p.child.order, p.limit + p.offset), p.limit, p.offset);
      return new LimitExec(serially(() => planPhysical(p.child)), p.limit, p.offset);
    }
    case "Union": return new UnionExec(planOutput(p), p.children.map((c) => planPhysical(c)));
    case "SetOperation": return new SetOpExec(planPhysical(p.left), planPhysical(p.right), p.op, p.all);
    case "SubqueryAlias": case "ResolvedHint": case "Repartition":
      return planPhysical(p.child);
    case "EventTimeWatermark": return p.measureAs === undefined ? planPhysical(p.child) : new EventTimeStatsExec(planPhysical(p.child), p.eventTime, p.measureAs);
    case "Window": return new WindowExec(planPhysical(p.child), p.windowExprs, p.partitionSpec, p.orderSpec);
    case "WindowGroupLimit": return new WindowGroupLimitExec(planPhysical(p.child), p.partitionSpec, p.orderSpec, p.limit);
    case "Generate": return new GenerateExec(planPhysical(p.child), p.generator, p.outer, p.keepChildOutput, p.generatorOutput);
    case "FlatMapGroupsWithState": return new FlatMapGroupsWithStateBatchExec(planPhysical(p.child), p);
    case "Join": return planJoin(p);
    case "UnresolvedRelation": case "InlineTable": case "GroupingSets":
      throw new AnalysisError("INTERNAL_ERROR", `${p.kind} must be resolved before physical planning.`);
  }
}

function planJoin(p: Extract<LogicalPlan, { kind: "Join" }>): PhysicalOp {
  const left = planPhysical(p.left), right = planPhysical(p.right);
  const { keys, residual: cond } = equiJoinKeys(p);
  const jt = p.joinType === "cross" ? "inner" : p.joinType;
  // No equi-join keys: compare every pair.
  if (keys.length === 0) return new HashJoinExec(left, right, jt, [], cond, planOutput(p));
  return selectJoinStrategy(p, jt, left, right, keys, cond, plannerOptions);
}

type PlannedJoinType = Exclude<Extract<LogicalPlan, { kind: "Join" }>["joinType"], "cross">;

/**
 * Spark's JoinSelection for equi-joins: a broadcast hint on a side that can be built → broadcast
 * hash join building it; else a side estimated at most `autoBroadcastJoinThreshold` bytes →
 * broadcast hash join; else sort-merge join when preferred (and the keys are orderable), or a
 * shuffled hash join. A broadcast hash join builds the right side of inner, left outer, left
 * semi and left anti joins and the left side of inner and right outer joins; a shuffled hash
 * join may also build either side of a full outer join.
 */
function selectJoinStrategy(
  p: Extract<LogicalPlan, { kind: "Join" }>,
  jt: PlannedJoinType,
  left: PhysicalOp,
  right: PhysicalOp,
  keys: readonly EquiKey[],
  cond: Expr | null,
  opts: PlannerOptions,
): PhysicalOp {
  const output = planOutput(p);
  const hash = (side: BuildSide, kind: "broadcast" | "shuffled"): PhysicalOp => new HashJoinExec(left, right, jt, keys, cond, output, side, kind);
  const { left: canBroadcastLeft, right: canBroadcastRight } = buildableSides(jt);
  let leftSize: number | null | undefined, rightSize: number | null | undefined;
  const sizeOf = (side: BuildSide): number | null => (side === "left" ? (leftSize ??= estimatePlanBytes(p.left)) : (rightSize ??= estimatePlanBytes(p.right)));
  /** Of two buildable sides, the smaller known one (the right when both are unknown or equal). */
  const pick = (l: boolean, r: boolean): BuildSide | null => {
    if (l && r) {
      const ls = sizeOf("left"), rs = sizeOf("right");
      return ls !== null && (rs === null || ls < rs) ? "left" : "right";
    }
    return l ? "left" : r ? "right" : null;
  };
  const hinted = pick(canBroadcastLeft && hasBroadcastHint(p.left), canBroadcastRight && hasBroadcastHint(p.right));
  if (hinted) return hash(hinted, "broadcast");
  const fits = (side: BuildSide): boolean => underBroadcastThreshold(() => sizeOf(side), opts);
  const small = pick(canBroadcastLeft && fits("left"), canBroadcastRight && fits("right"));
  if (small) return hash(small, "broadcast");
  const orderable = keys.every((k) => isOrderable(exprType(k.left)));
  if (opts.preferSortMergeJoin && orderable) return new SortMergeJoinExec(left, right, jt, keys, cond, output);
  const canHashLeft = canBroadcastLeft || jt === "full_outer";
  const canHashRight = canBroadcastRight || jt === "full_outer";
  return hash(pick(canHashLeft, canHashRight) ?? "right", "shuffled");
}

/** Whether a join input of estimated size `size()` (asked only when a threshold is set) may be broadcast without a hint. */
function underBroadcastThreshold(size: () => number | null, opts: PlannerOptions): boolean {
  if (opts.autoBroadcastJoinThreshold < 0) return false;
  const s = size();
  return s !== null && s <= opts.autoBroadcastJoinThreshold;
}

/** Whether a broadcast hint sits on top of this join input (through single-input nodes, as Spark finds it). */
function hasBroadcastHint(p: LogicalPlan): boolean {
  for (let cur: LogicalPlan = p; ;) {
    if (cur.kind === "ResolvedHint") return cur.hint === "broadcast";
    if (!("child" in cur)) return false;
    cur = cur.child;
  }
}

/**
 * A cheap size estimate in bytes of a plan's output, or null when unknown: in-memory rows
 * exactly, file scans by the sizes of their listed files, ranges by row count; filters, projections
 * and other single-input nodes are taken as no larger than their input.
 */
export function estimatePlanBytes(p: LogicalPlan): number | null {
  switch (p.kind) {
    case "LocalRelation": return p.batches.reduce((s, b) => s + estimateBatchBytes(b), 0);
    case "RangeRelation": {
      const n = Math.max(0, Math.ceil((p.end - p.start) / p.step));
      return Number.isFinite(n) ? n * 8 : null;
    }
    case "DataSourceRelation": {
      if (p.isStreaming) return null;
      const files = (p.resolved as { files?: unknown } | undefined)?.files;
      if (!Array.isArray(files)) {
        // A source that knows its row count (the generators): rows times the width of the columns
        // read, each at Spark's default size, as Spark sizes a relation from its row count.
        const rows = hasBatchSource(p.format) ? (batchSource(p.format).estimatedRows?.(p) ?? null) : null;
        return rows === null ? null : rows * p.output.reduce((w, a) => w + defaultSize(a.dataType), 0);
      }
      let total = 0;
      for (const f of files as { file?: { size?: unknown } }[]) {
        const size = f?.file?.size;
        if (typeof size !== "number") return null;
        total += size;
      }
      return total;
    }
    case "SubqueryAlias": case "ResolvedHint": case "Filter": case "Project": case "Sort": case "Limit":
    case "Repartition": case "EventTimeWatermark": case "Distinct": case "Deduplicate": case "Aggregate":
      return estimatePlanBytes(p.child);
    case "Union": {
      let total = 0;
      for (const c of p.children) {
        const s = estimatePlanBytes(c);
        if (s === null) return null;
        total += s;
      }
      return total;
    }
    default:
      return null;
  }
}

/** Indented operator tree, as EXPLAIN prints the physical plan. */
export function explainPhysical(op: PhysicalOp, indent = 0): string {
  const pad = indent === 0 ? "" : " ".repeat((indent - 1) * 3) + "+- ";
  const line = `${pad}${op.name} ${op.describe()}`.trimEnd();
  return [line, ...op.children.map((c) => explainPhysical(c, indent + 1))].join("\n");
}

void ExecutionError;
void exprChildren;
export type { AttributeRef };
