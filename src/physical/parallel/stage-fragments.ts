import { planOutput } from "../../analyzer/plan-output.js";
import { type LogicalPlan, children, withChildren } from "../../plan/logical-plan.js";
import { planExprs } from "../../plan/plan-exprs.js";
import { hasSubquery, isDeterministic } from "../../optimizer/optimizer-helpers.js";
import { type SplittableLeaf, estimatedLeafRows, isCopyableLeaf, isSplittableLeaf, splitLeaf } from "./leaf-splits.js";
import { buildableSides } from "../join-keys.js";
import { type TaskShares, equalShares } from "../../connectors/split-range.js";

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
  /** `sluice.sql.ansi.enabled`: sums fail on overflow, so their partials are exact (partial-aggregation.ts). */
  readonly ansi?: boolean;
}

/** Where the one split leaf of a fragment is: the child index at each level from the root. */
export type LeafPath = readonly number[];

/**
 * Map tasks per worker thread. More tasks than threads, as Spark has: the pool hands the next
 * task to whichever worker is free, so a thread slowed by its neighbour (on a VM, two busy vCPUs
 * often run a third slower each, unevenly) or by its garbage collector takes fewer of them, and
 * the stage does not wait on one late half of the input.
 */
const TASKS_PER_THREAD = 4;

/** The last task's share over the first's when a stage has more tasks than threads (taskShares). */
const LAST_TO_FIRST = 1 / 6;

/**
 * How `parts` map tasks divide their stage's rows among `threads` workers: equal shares when
 * each worker takes one, else shares shrinking geometrically from the first task to the last
 * (guided self-scheduling). The pool hands tasks out in order, so the large ones run first and
 * the last ones, small, even out the workers' finishing times: with equal shares a worker slowed
 * by its neighbour on the VM (often a fifth slower, steadily) left the other idle for most of a
 * task at the end (Yahoo binary on two threads, 8 tasks: idle 57-74 ms of 340-390 ms runs).
 * A simulation of two workers, one 20% slower, per-task noise of 15%: makespan 1.135x the
 * ideal with 8 equal shares, 1.05x with these.
 */
export function taskShares(parts: number, threads: number): TaskShares {
  if (parts <= threads) return equalShares(parts);
  const ratio = LAST_TO_FIRST ** (1 / (parts - 1));
  const raw = Array.from({ length: parts }, (_, k) => ratio ** k);
  const total = raw.reduce((s, x) => s + x, 0);
  return raw.map((x) => x / total);
}

/** How many tasks of at least minRowsPerTask rows `rows` fills (a stage needs two). */
export function tasksFor(rows: number, opts: ParallelOptions): number {
  return Math.floor(rows / Math.max(1, opts.minRowsPerTask));
}

/** Whether some leaf of `p` could be split into two tasks or more (every parallel stage splits one). */
export function hasLeafToSplit(p: LogicalPlan, opts: ParallelOptions): boolean {
  if (isSplittableLeaf(p)) return tasksFor(estimatedLeafRows(p) ?? 0, opts) >= 2;
  return children(p).some((c) => hasLeafToSplit(c, opts));
}

/** The plan with its split leaf replaced by each split, or null when there is too little to split. */
export function mapFragments(p: LogicalPlan, path: LeafPath, opts: ParallelOptions): LogicalPlan[] | null {
  const leaf = nodeAt(p, path) as SplittableLeaf;
  const rows = estimatedLeafRows(leaf);
  if (rows === null) return null;
  const parts = Math.min(opts.threads * TASKS_PER_THREAD, tasksFor(rows, opts));
  if (parts < 2) return null;
  const splits = splitLeaf(leaf, taskShares(parts, opts.threads));
  if (splits.length < 2) return null;
  return splits.map((s) => replaceAt(p, path, s));
}

/**
 * Nodes a map task runs on its split alone. A WindowGroupLimit over a split keeps a superset of
 * what it keeps over all rows; the window and filter above it make the answer exact.
 */
const PASS_THROUGH = new Set<LogicalPlan["kind"]>(["Project", "Filter", "SubqueryAlias", "ResolvedHint", "Repartition", "EventTimeWatermark", "Generate", "Expand", "WindowGroupLimit"]);

export function isNarrow(p: LogicalPlan): boolean {
  return PASS_THROUGH.has(p.kind) || p.kind === "Join";
}

/** The path to the one leaf to split, when `p` is a narrow chain of deterministic nodes over it. */
export function splitLeafPath(p: LogicalPlan, opts: ParallelOptions): LeafPath | null {
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

export function estimatedPathRows(p: LogicalPlan, path: LeafPath): number {
  return estimatedLeafRows(nodeAt(p, path) as SplittableLeaf) ?? Infinity;
}

/** Whether a Filter sits on the path from `p` down to its split leaf. */
export function filteredOnPath(p: LogicalPlan, path: LeafPath): boolean {
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

