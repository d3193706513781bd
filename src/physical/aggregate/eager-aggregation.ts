import { type Expr, Expr as E } from "../../expr/expression.js";
import { canonicalKey, referencedIds, transformExprDown } from "../../expr/expr-tree.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import { isDeterministic, outputIds, replaceAttrs, subsetOf } from "../../optimizer/optimizer-helpers.js";
import { equiJoinKeys } from "../join-keys.js";
import { splitAggregation } from "../parallel/partial-aggregation.js";

type Aggregate = Extract<LogicalPlan, { kind: "Aggregate" }>;
type Join = Extract<LogicalPlan, { kind: "Join" }>;

/**
 * Eager aggregation: an aggregation over an inner equi-join with a side small enough to
 * broadcast, whose aggregates read only the other (large) side and merge exactly (count, min,
 * max, integer sums), is computed in two steps: the large side is first aggregated partially by
 * its join keys and its own grouping columns, and the join then matches one row per such group
 * instead of one per input row; a final aggregation merges the partials per group. Yahoo's
 * query (views joined to 1,000 ads, counted per campaign and window) joins about a thousand
 * rows per window instead of every view.
 *
 * Exact: each joined row of the original stands for one large-side row and one small-side row;
 * a partial over the large-side rows of a (keys, grouping) group joins the same small-side rows
 * each of those rows would, so merging partials over the joined groups gives each aggregate
 * over the original joined rows. Only grouped aggregations (a global count over no rows is 0,
 * a sum of no partials null). Returns null when the shape does not match.
 */
export function eagerAggregation(p: Aggregate, isSmall: (side: LogicalPlan) => boolean, ansi = false): LogicalPlan | null {
  if (p.groupingExprs.length === 0) return null;
  const project = p.child.kind === "Project" ? p.child : null;
  const join = (project ? project.child : p.child) as LogicalPlan;
  if (join.kind !== "Join" || join.joinType !== "inner" || !join.condition) return null;
  const { keys, residual } = equiJoinKeys(join);
  if (keys.length === 0 || residual !== null) return null;
  // The aggregation over the join's output (through the projection between them).
  const defs = new Map<number, Expr>();
  for (const e of project?.projectList ?? []) if (e.kind === "Alias") defs.set(e.id, e.child);
  if (project && !project.projectList.every(isDeterministic)) return null;
  const grouping = p.groupingExprs.map((g) => replaceAttrs(g, defs));
  const outputs = p.aggregateExprs.map((e) => (e.kind === "AttributeRef" && defs.has(e.id) ? E.alias(defs.get(e.id)!, e.name, e.id) : replaceAttrs(e, defs)));
  for (const side of ["right", "left"] as const) {
    const large = side === "right" ? join.left : join.right;
    const small = side === "right" ? join.right : join.left;
    if (large.kind === "Aggregate") continue;
    const r = pushBelow(join, large, side === "right" ? keys.map((k) => k.left) : keys.map((k) => k.right), grouping, outputs, ansi);
    // The size last: estimating in-memory rows reads every string.
    if (r && isSmall(small)) return r;
  }
  return null;
}

function pushBelow(join: Join, large: LogicalPlan, largeKeys: readonly Expr[], grouping: readonly Expr[], outputs: readonly Expr[], ansi: boolean): LogicalPlan | null {
  const largeIds = outputIds(large);
  const only = (e: Expr, ids: ReadonlySet<number>): boolean => subsetOf(referencedIds(e), ids);
  const largeGrouping = grouping.filter((g) => referencedIds(g).size > 0 && only(g, largeIds));
  if (!grouping.every((g) => isDeterministic(g) && (largeGrouping.includes(g) || !exprReadsAny(g, largeIds)))) return null;
  // The partial aggregation of the large side: by its grouping columns and its join keys.
  const partialKeys = dedupe([...largeGrouping, ...largeKeys]);
  const split = splitAggregation(partialKeys, outputs, { ansi });
  if (!split || !split.calls.every((c) => c.args.every((a) => only(a, largeIds)) && (!c.filter || only(c.filter, largeIds)))) return null;
  const partial = Plan.aggregate(partialKeys, split.partialExprs, large);
  const byKey = new Map(partialKeys.map((k, i) => [canonicalKey(k), split.keyAttrs[i]!]));
  const overPartial = (e: Expr): Expr => transformExprDown(e, (x) => byKey.get(canonicalKey(x)));
  const condition = overPartial(join.condition!);
  const joined = join.left === large ? Plan.join(partial, join.right, "inner", condition, null) : Plan.join(join.left, partial, "inner", condition, null);
  const merged = new Map(split.calls.map((c, i) => [canonicalKey(c), split.merges[i]!]));
  const overFinal = (e: Expr): Expr => transformExprDown(e, (x) => (x.kind === "AggCall" ? merged.get(canonicalKey(x)) : byKey.get(canonicalKey(x))));
  // Outputs keep their names and ids (an alias is as its child to canonicalKey: rewrite inside it).
  const finalOutputs = outputs.map((e) => {
    if (e.kind === "Alias") return E.alias(overFinal(e.child), e.name, e.id);
    const r = overFinal(e);
    return r.kind === "AttributeRef" && e.kind === "AttributeRef" && r.id !== e.id ? E.alias(r, e.name, e.id) : r;
  });
  const finalGrouping = grouping.map(overPartial);
  // Nothing above may still read a large-side column that the partial aggregation does not output.
  const readable = new Set([...outputIds(join.left === large ? join.right : join.left), ...split.partialOutput.map((a) => a.id)]);
  if (![...finalGrouping, ...finalOutputs, condition].every((e) => only(e, readable))) return null;
  return Plan.aggregate(finalGrouping, finalOutputs, joined);
}

function exprReadsAny(e: Expr, ids: ReadonlySet<number>): boolean {
  for (const id of referencedIds(e)) if (ids.has(id)) return true;
  return false;
}

function dedupe(es: readonly Expr[]): Expr[] {
  const seen = new Map<string, Expr>();
  for (const e of es) if (!seen.has(canonicalKey(e))) seen.set(canonicalKey(e), e);
  return [...seen.values()];
}
