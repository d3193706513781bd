import { planOutput } from "../../analyzer/plan-output.js";
import { type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { isDeterministic, splitConjuncts } from "../../optimizer/optimizer-helpers.js";
import { type TimeWindowSpec, sameWindowSpec, slideRemainder, timeWindowCall } from "../../expr/time-window.js";
import { type LogicalPlan, Plan, children, withChildren } from "../../plan/logical-plan.js";
import { planExprs } from "../../plan/plan-exprs.js";
import { TimestampType } from "../../types/data-type.js";
import type { SlicedWindows, TimeSlice } from "../../connectors/source-registry.js";
import { type SplittableLeaf, estimatedLeafRows, splitLeafByTime } from "./leaf-splits.js";
import { type LeafPath, type ParallelOptions, splitLeafPath, tasksFor } from "./stage-fragments.js";

/**
 * A stage with no exchange for aggregations by an event-time window over a source whose rows
 * come in time order (the Nexmark generator: BatchSourceProvider.splitByTime): each task owns
 * the windows that start in its slice of event time, reads its slice plus the rows of its last
 * windows after it, aggregates the windows it owns, and runs everything above as well when
 * every operator there is keyed by the window (its start): a filter or projection, an
 * aggregation grouped by it, a join matching it on both sides (Nexmark q5: counts per auction
 * and window joined with each window's maximum). The tasks' answers are disjoint; concatenated,
 * they are the answer. A hash exchange would instead move every row (q5: 1.8 M bids per 2 M
 * events, each in five windows) and merge partial groups.
 */
export function windowOwnedMaps(p: LogicalPlan, opts: ParallelOptions): LogicalPlan[] | null {
  const found: WindowedAggregate[] = [];
  if (keysAbove(p, found) === null || found.length === 0) return null;
  const rows = Math.max(...found.map((f) => estimatedLeafRows(f.leaf) ?? NaN));
  const parts = Math.min(opts.threads, tasksFor(rows, opts));
  if (!(parts >= 2)) return null;
  const windows = slicedWindows(found.map((f) => f.spec));
  // Every leaf cut at the same times (tables of one event sequence), so each window has one owner.
  const slices = found.map((f) => splitLeafByTime(f.leaf, parts, f.timeColumn, windows));
  const first = slices[0];
  if (!first || first.length < 2) return null;
  const sameBounds = (s: readonly TimeSlice[] | null): boolean => s !== null && s.length === first.length && s.every((x, k) => x.fromMicros === first[k]!.fromMicros && x.toMicros === first[k]!.toMicros);
  if (!slices.every(sameBounds)) return null;
  return first.map((s, k) => ownedTask(p, found, (f) => slices[found.indexOf(f)]![k]!.resolved, s.fromMicros, s.toMicros));
}

/**
 * The windows the slices are cut between. Cut at a window start, a slice's last window starts a
 * slide before its end, so it reads duration - slide past it (a tumbling window: nothing). Specs
 * that start at different times are cut anywhere (a slide of 1 microsecond: window starts are whole
 * microseconds), reading the longest duration past the end.
 */
function slicedWindows(specs: readonly TimeWindowSpec[]): SlicedWindows {
  const durationMicros = Math.max(...specs.map((s) => s.durationMicros));
  const { slideMicros, startMicros } = specs[0]!;
  const aligned = specs.every((s) => s.slideMicros === slideMicros && slideRemainder(s.startMicros - startMicros, slideMicros) === 0);
  return aligned ? { durationMicros, slideMicros, startMicros } : { durationMicros, slideMicros: 1, startMicros: 0 };
}

/** An Aggregate grouped by a time window of a time-ordered leaf's column, over a narrow chain. */
interface WindowedAggregate {
  readonly node: Extract<LogicalPlan, { kind: "Aggregate" }>;
  /** The window struct column it groups by. */
  readonly window: AttributeRef;
  /** The window's columns in its output. */
  readonly keys: WindowKeys;
  readonly spec: TimeWindowSpec;
  readonly leaf: SplittableLeaf;
  readonly path: LeafPath;
  readonly timeColumn: string;
}

/** Window keys of a subtree's output: struct columns of a window and columns holding its start. */
interface WindowKeys {
  readonly structs: ReadonlySet<number>;
  readonly starts: ReadonlySet<number>;
}

/**
 * The window keys of `p`'s output when every row of `p` depends only on rows of its own window
 * (so a task owning some windows computes exactly their rows), collecting the windowed
 * aggregations below into `found`; null when `p` does not have that shape.
 */
function keysAbove(p: LogicalPlan, found: WindowedAggregate[]): WindowKeys | null {
  if (!planExprs(p).every(isDeterministic)) return null;
  switch (p.kind) {
    case "Aggregate": {
      const windowed = windowedAggregate(p);
      if (windowed) {
        found.push(windowed);
        return windowed.keys;
      }
      const below = keysAbove(p.child, found);
      if (!below || !p.groupingExprs.some((g) => isWindowKey(g, below))) return null;
      return mapKeys(p.aggregateExprs, below);
    }
    case "Project":
      return mapKeys(p.projectList, keysAbove(p.child, found));
    case "Filter":
    case "SubqueryAlias":
      return keysAbove(p.child, found);
    case "Join": {
      const left = keysAbove(p.left, found), right = keysAbove(p.right, found);
      if (!left || !right || !p.condition || p.joinType === "cross") return null;
      // Rows meet only within one window: some conjunct equates the two sides' window starts.
      const matched = splitConjuncts(p.condition).some((c) => c.kind === "BinaryExpr" && c.op === "=" &&
        ((isWindowKey(c.left, left) && isWindowKey(c.right, right)) || (isWindowKey(c.left, right) && isWindowKey(c.right, left))));
      if (!matched) return null;
      // A side an outer join pads with nulls keys nothing above: its null starts come from every task.
      const union = (a: WindowKeys, b: WindowKeys): WindowKeys => ({ structs: new Set([...a.structs, ...b.structs]), starts: new Set([...a.starts, ...b.starts]) });
      const none: WindowKeys = { structs: new Set(), starts: new Set() };
      switch (p.joinType) {
        case "inner": return union(left, right);
        case "left_outer": case "left_semi": case "left_anti": return left;
        case "right_outer": return right;
        default: return none;
      }
    }
    default:
      return null;
  }
}

function isWindowKey(e: Expr, keys: WindowKeys): boolean {
  return e.kind === "AttributeRef" && (keys.structs.has(e.id) || keys.starts.has(e.id));
}

/** The keys a projection keeps: window columns passed or renamed, and `window.start` taken out. */
function mapKeys(list: readonly Expr[], below: WindowKeys | null): WindowKeys | null {
  if (!below) return null;
  const structs = new Set<number>(), starts = new Set<number>();
  for (const e of list) {
    const id = e.kind === "Alias" ? e.id : e.kind === "AttributeRef" ? e.id : null;
    const value = e.kind === "Alias" ? e.child : e;
    if (id === null) continue;
    if (value.kind === "AttributeRef" && below.structs.has(value.id)) structs.add(id);
    else if (value.kind === "AttributeRef" && below.starts.has(value.id)) starts.add(id);
    else if (value.kind === "GetField" && value.ordinal === 0 && value.child.kind === "AttributeRef" && below.structs.has(value.child.id)) starts.add(id);
  }
  return { structs, starts };
}

/** `p` as an aggregation grouped by a time window, over a narrow chain to a splittable leaf, or null. */
function windowedAggregate(p: Extract<LogicalPlan, { kind: "Aggregate" }>): WindowedAggregate | null {
  // No joins in the chain (no side small enough to copy): each task reads its slice alone.
  const path = splitLeafPath(p.child, { threads: 2, minRowsPerTask: 1, shufflePartitions: 1, broadcastBytes: 0 });
  if (!path) return null;
  const chain: LogicalPlan[] = [];
  let node: LogicalPlan = p.child;
  for (const i of path) {
    chain.push(node);
    node = children(node)[i]!;
  }
  const leaf = node as SplittableLeaf;
  for (const g of p.groupingExprs) {
    // The window must reach the output (whole, or its start): what is above is keyed by it.
    if (g.kind !== "AttributeRef") continue;
    const out = mapKeys(p.aggregateExprs, { structs: new Set([g.id]), starts: new Set() })!;
    if (out.structs.size + out.starts.size === 0) continue;
    const made = chain.map((n) => windowDefinition(n, g.id)).find((d) => d !== null);
    const time = made && planOutput(leaf).find((a) => a.id === made.timeId);
    if (made && time) return { node: p, window: g, keys: out, spec: made.spec, leaf, path, timeColumn: time.name };
  }
  return null;
}

/** Where `node` computes window column `id` (an Expand of sliding windows, a projection of a tumbling one): its spec and the time column it reads. */
function windowDefinition(node: LogicalPlan, id: number): { spec: TimeWindowSpec; timeId: number } | null {
  let calls: Expr[] = [];
  if (node.kind === "Expand") {
    const at = node.output.findIndex((a) => a.id === id);
    if (at < 0) return null;
    calls = node.projections.map((row) => row[at]!);
  } else if (node.kind === "Project") {
    const a = node.projectList.find((e) => e.kind === "Alias" && e.id === id);
    if (!a || a.kind !== "Alias") return null;
    calls = [a.child];
  } else return null;
  let spec: TimeWindowSpec | null = null, timeId: number | null = null;
  for (const c of calls) {
    const w = timeWindowCall(c);
    if (w === null || w.ts.kind !== "AttributeRef") return null;
    if ((spec && !sameWindowSpec(w.spec, spec)) || (timeId !== null && w.ts.id !== timeId)) return null;
    spec = w.spec;
    timeId = w.ts.id;
  }
  return spec && timeId !== null ? { spec, timeId } : null;
}

/**
 * The task of one time slice: every windowed aggregation reads the slice (`sliceOf`: its leaf's
 * scan of it) and aggregates only the windows starting in [from, to) (the first slice from
 * -Infinity, the last to +Infinity). The condition joins the window filter of a sliding window's
 * Expand, so a fused aggregation loop still takes it in (hash-aggregate-exec.ts).
 */
function ownedTask(p: LogicalPlan, found: readonly WindowedAggregate[], sliceOf: (f: WindowedAggregate) => unknown, from: number, to: number): LogicalPlan {
  const agg = found.find((f) => f.node === p);
  if (!agg) return withChildren(p, children(p).map((c) => ownedTask(c, found, sliceOf, from, to)));
  const start = E.getField(agg.window, 0, "start", TimestampType);
  const bounds: Expr[] = [];
  if (from > -Infinity) bounds.push(E.binary(">=", start, E.literal(from, TimestampType)));
  if (to < Infinity) bounds.push(E.binary("<", start, E.literal(to, TimestampType)));
  const input = withSlice(agg.node.child, agg.path, sliceOf(agg));
  if (bounds.length === 0) return withChildren(p, [input]);
  const range = ownedTimeRange(input, agg, from, to);
  if (range) return withChildren(p, [range]);
  const owned = bounds.reduce((x, y) => E.binary("and", x, y));
  return withChildren(p, [input.kind === "Filter" ? Plan.filter(E.binary("and", input.condition, owned), input.child) : Plan.filter(owned, input)]);
}

/**
 * A tumbling window's owned windows as a range of the time itself, filtered below the projection
 * that computes the window: a window starting in [from, to) holds exactly the times in
 * [align(from), align(to)), align(x) the first window start at or after x. The fused aggregation
 * loop takes a filter on the scan's columns in (Nexmark q7's maximum price per window); a filter
 * on the projected window above the projection made each task 1.5x slower per row than the
 * whole query on one thread. Null unless `input` is that projection.
 */
function ownedTimeRange(input: LogicalPlan, agg: WindowedAggregate, from: number, to: number): LogicalPlan | null {
  if (input.kind !== "Project") return null;
  const def = input.projectList.find((e) => e.kind === "Alias" && e.id === agg.window.id);
  const w = def?.kind === "Alias" ? timeWindowCall(def.child) : null;
  if (w === null || w.ts.kind !== "AttributeRef" || w.spec.slideMicros !== w.spec.durationMicros || w.k !== 0) return null;
  const { durationMicros: d, startMicros: st } = w.spec;
  const align = (x: number): number => x + slideRemainder(st - x, d);
  const conds: Expr[] = [];
  if (from > -Infinity) conds.push(E.binary(">=", w.ts, E.literal(align(from), TimestampType)));
  if (to < Infinity) conds.push(E.binary("<", w.ts, E.literal(align(to), TimestampType)));
  return Plan.project(input.projectList, Plan.filter(conds.reduce((x, y) => E.binary("and", x, y)), input.child));
}

function withSlice(p: LogicalPlan, path: LeafPath, resolved: unknown): LogicalPlan {
  if (path.length === 0) return { ...p, resolved } as LogicalPlan;
  const cs = [...children(p)];
  cs[path[0]!] = withSlice(cs[path[0]!]!, path.slice(1), resolved);
  return withChildren(p, cs);
}
