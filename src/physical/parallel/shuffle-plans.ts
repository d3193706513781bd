import { namedToAttribute, planOutput } from "../../analyzer/plan-output.js";
import { semanticEquals, transformExprDown } from "../../expr/expr-tree.js";
import { type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { type LogicalPlan, Plan, withChildren } from "../../plan/logical-plan.js";
import { planExprs } from "../../plan/plan-exprs.js";
import { aliasMap, hasSubquery, isDeterministic, replaceAttrs } from "../../optimizer/optimizer-helpers.js";
import type { StageExchange, StageInput } from "./parallel-stage-exec.js";
import { splitAggregation } from "./partial-aggregation.js";
import { skippablePartialShuffle } from "./adaptive-partial.js";
import { type ParallelOptions, mapFragments, splitLeafPath } from "./stage-fragments.js";

/**
 * A node that one exchange makes partition-local, cut into its map tasks and its exchange; the
 * exchange's reduce computes the node itself (same output attributes) from a partition's rows.
 */
export interface ShufflePlan {
  readonly node: LogicalPlan;
  readonly inputs: readonly StageInput[];
  readonly exchange: StageExchange;
}

/** The shuffle plan of an aggregation or a partitioned window over a narrow chain, or null. */
export function shufflePlanOf(p: LogicalPlan, opts: ParallelOptions): ShufflePlan | null {
  if (p.kind === "Aggregate" || p.kind === "Distinct") return aggregateShuffle(p, opts);
  if (p.kind === "Window") return windowShuffle(p, opts);
  return null;
}

/**
 * An aggregation over a narrow chain: map tasks run the chain over splits of the input and either
 * aggregate partially (count, min, max, exact sums: see partial-aggregation.ts) or keep the rows;
 * either way they hash-partition by the grouping keys, and reduce tasks finish the aggregation
 * per partition (a key's partials or rows reach one task in input order, so results equal a
 * single-threaded run).
 */
function aggregateShuffle(p: Extract<LogicalPlan, { kind: "Aggregate" | "Distinct" }>, opts: ParallelOptions): ShufflePlan | null {
  const grouping: readonly Expr[] = p.kind === "Distinct" ? planOutput(p.child) : p.groupingExprs;
  const aggregates: readonly Expr[] = p.kind === "Distinct" ? planOutput(p.child) : p.aggregateExprs;
  if (!grouping.every(isDeterministic)) return null;
  const output = planOutput(p);
  // Aggregates that merge exactly are computed per task and only the partials cross threads.
  const split = splitAggregation(grouping, aggregates, { distinctCounts: true, averages: true, ansi: opts.ansi === true });
  if (split) {
    const skippable = p.kind === "Aggregate" ? skippablePartialShuffle(p, split, output, withOutput, opts) : null;
    if (skippable) return { node: p, ...skippable };
    const path = splitLeafPath(p.child, opts);
    const maps = path && mapFragments(p.child, path, opts);
    if (!maps) return null;
    const partials = maps.map((m) => Plan.aggregate(grouping, split.partialExprs, m));
    const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => withOutput(split.final(rows!), output);
    return { node: p, inputs: [{ maps: partials, keys: split.keyAttrs }], exchange: { partitions: opts.shufflePartitions, inputs: [split.partialOutput], reduce } };
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
  if (p.kind === "Aggregate" && grouping.some((g) => g.kind !== "AttributeRef")) return computedKeysShuffle(p, top, mapRoot, maps, opts);
  const keys = top ? grouping.map((g) => replaceAttrs(g, aliasMap(top.projectList))) : grouping;
  const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => Plan.aggregate(grouping, aggregates, top ? Plan.project(top.projectList, rows!) : rows!);
  return { node: p, inputs: [{ maps, keys }], exchange: { partitions: opts.shufflePartitions, inputs: [planOutput(mapRoot)], reduce } };
}

/**
 * Rows shuffled for an aggregation grouped by computed keys (Nexmark q17's day: a date_format
 * of each bid's time): the map tasks compute those keys once, as columns hashed and shipped beside
 * the rows, and the reduce tasks group by the columns. Hashed as expressions, the keys were
 * computed twice per row, on each side of the exchange (q17 on two threads: 0.95x of one).
 * Keys that are columns (of the projection under the aggregation, `top`, which still runs on the
 * reduce side) are hashed through it as before.
 */
function computedKeysShuffle(p: Extract<LogicalPlan, { kind: "Aggregate" }>, top: Extract<LogicalPlan, { kind: "Project" }> | null, mapRoot: LogicalPlan, maps: readonly LogicalPlan[], opts: ParallelOptions): ShufflePlan {
  const onMap = (g: Expr): Expr => (top ? replaceAttrs(g, aliasMap(top.projectList)) : g);
  const aliases = p.groupingExprs.map((g, i) => (g.kind === "AttributeRef" ? null : E.alias(onMap(g), `_key${i}`)));
  const computedAttrs = aliases.map((a) => (a === null ? null : namedToAttribute(a)));
  const grouping = p.groupingExprs.map((g, i) => computedAttrs[i] ?? g);
  const hashKeys = p.groupingExprs.map((g, i) => computedAttrs[i] ?? onMap(g));
  const extra = computedAttrs.filter((a) => a !== null);
  const rowAttrs = planOutput(mapRoot);
  const projected = maps.map((m) => Plan.project([...rowAttrs, ...aliases.filter((a) => a !== null)], m));
  const computed = (x: Expr): AttributeRef | undefined => {
    if (x.kind === "Alias") return undefined;
    const i = p.groupingExprs.findIndex((g, j) => computedAttrs[j] !== null && semanticEquals(g, x));
    return i >= 0 ? computedAttrs[i]! : undefined;
  };
  const aggregates = p.aggregateExprs.map((e) => transformExprDown(e, computed));
  const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => Plan.aggregate(grouping, aggregates, top ? Plan.project([...top.projectList, ...extra], rows!) : rows!);
  return { node: p, inputs: [{ maps: projected, keys: hashKeys }], exchange: { partitions: opts.shufflePartitions, inputs: [[...rowAttrs, ...extra]], reduce } };
}

/**
 * Window functions over PARTITION BY keys (and batch session windows, which are one): rows are
 * shuffled by the partition keys, so each window partition is whole, in input order, in one
 * reduce task.
 */
function windowShuffle(p: Extract<LogicalPlan, { kind: "Window" }>, opts: ParallelOptions): ShufflePlan | null {
  if (p.partitionSpec.length === 0 || !planExprs(p).every((e) => isDeterministic(e) && !hasSubquery(e))) return null;
  if (carriesText(p)) return null;
  const path = splitLeafPath(p.child, opts);
  const maps = path && mapFragments(p.child, path, opts);
  if (!maps) return null;
  // A WindowGroupLimit under the window runs per split in the map tasks, and again over a partition's rows.
  const limit = p.child.kind === "WindowGroupLimit" ? p.child : null;
  const reduce = ([rows]: readonly LogicalPlan[]): LogicalPlan => Plan.window(p.windowExprs, p.partitionSpec, p.orderSpec, limit ? withChildren(limit, [rows!]) : rows!);
  return { node: p, inputs: [{ maps, keys: p.partitionSpec }], exchange: { partitions: opts.shufflePartitions, inputs: [planOutput(p.child)], reduce } };
}

/**
 * Whether the rows a window shuffle moves hold text besides the partition keys. Every row crosses
 * threads twice (to its partition's task, and back with the window's columns), and a column of
 * strings costs more to move than a window function costs per row: each string is joined and
 * encoded on one side and cut out again on the other, where single-threaded they are never
 * copied (Nexmark q19 and q18, whole bids with their channel, URL and extra: two threads ran at
 * 0.73-0.80x and 0.89-1.03x of one). Windows over numbers and timestamps (q11's sessions) gain.
 */
function carriesText(p: Extract<LogicalPlan, { kind: "Window" }>): boolean {
  const keys = new Set(p.partitionSpec.flatMap((e) => (e.kind === "AttributeRef" ? [e.id] : [])));
  return planOutput(p.child).some((a) => (a.dataType.kind === "string" || a.dataType.kind === "binary") && !keys.has(a.id));
}

/** `p` with its columns named as `attrs` (same types, same order): a projection when the ids differ. */
function withOutput(p: LogicalPlan, attrs: readonly AttributeRef[]): LogicalPlan {
  const out = planOutput(p);
  if (out.every((a, i) => a.id === attrs[i]!.id)) return p;
  return Plan.project(out.map((a, i) => E.alias(a, attrs[i]!.name, attrs[i]!.id)), p);
}
