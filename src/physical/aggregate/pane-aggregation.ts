import { type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { canonicalKey, referencedIds, transformExprDown } from "../../expr/expr-tree.js";
import { type TimeWindowSpec, WINDOW_STRUCT, sameWindowSpec, timeWindowCall, timeWindowFunction } from "../../expr/time-window.js";
import { isDeterministic, splitConjuncts } from "../../optimizer/optimizer-helpers.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import { TimestampType } from "../../types/data-type.js";
import { splitAggregation } from "../parallel/partial-aggregation.js";
import { aggCallsOf, callKey } from "./aggregation-layout.js";

type Aggregate = Extract<LogicalPlan, { kind: "Aggregate" }>;

/**
 * Sliding windows by panes (the slicing of Flink's window operator): an aggregation grouped by a
 * sliding `window(ts, length, slide)` whose length is a whole number n of slides, with calls that
 * merge exactly (count, min, max, integer sums and averages), first aggregates each row once into
 * its pane, the slide-long interval of time it falls in, grouped by the other keys; then each
 * pane's partials go to the n windows that contain the pane, and a final aggregation merges them.
 * Every row of a pane lies in the same n windows, so the merged partials are the windows'
 * aggregates. A row costs one hash-table update instead of n; a (keys, pane) group then costs n,
 * which pays as soon as groups hold more than one row (Nexmark q5: bids per auction and 10-second
 * window sliding by 2 seconds, about six rows per auction and pane).
 *
 * The shape the analyzer gives a sliding window (time-window-rewrite.ts): Aggregate over a Filter
 * (the window not null and holding ts, with conjuncts on the window alone, such as a parallel
 * task's owned windows) over an Expand whose projections pass columns through and compute the
 * n candidate windows of ts. Null for any other shape, and for an Expand over an aggregation
 * (the rewritten plan's own, so it is not rewritten again).
 */
export function paneAggregation(p: Aggregate, ansi: boolean): LogicalPlan | null {
  const filter = p.child;
  if (filter.kind !== "Filter" || filter.child.kind !== "Expand") return null;
  const expand = filter.child;
  if (expand.child.kind === "Aggregate") return null;
  const win = slidingWindowOf(expand);
  if (win === null) return null;
  const { column, spec, ts } = win;
  const windowAttr = expand.output[column]!;
  // The window's own conjuncts hold for every window of a pane; the others may read only the window.
  const isWindowOnly = (c: Expr): boolean => [...referencedIds(c)].every((id) => id === windowAttr.id);
  const kept: Expr[] = [];
  for (const c of splitConjuncts(filter.condition)) {
    if (holdsForPanes(c, windowAttr, ts)) continue;
    if (!isWindowOnly(c) || !isDeterministic(c)) return null;
    kept.push(c);
  }
  // Keys: the window, and columns the Expand passes through.
  const keys = p.groupingExprs.filter((g) => !(g.kind === "AttributeRef" && g.id === windowAttr.id));
  if (keys.length !== p.groupingExprs.length - 1 || !keys.every((g) => g.kind === "AttributeRef")) return null;
  const calls = aggCallsOf(p.aggregateExprs);
  if (calls.length === 0 || calls.some((c) => referencedIds(c).has(windowAttr.id))) return null;

  // Partial aggregation by the keys and the pane: a tumbling window one slide long.
  const paneSpec: TimeWindowSpec = { durationMicros: spec.slideMicros, slideMicros: spec.slideMicros, startMicros: spec.startMicros };
  const paneAttr = E.attr("_pane", WINDOW_STRUCT, true);
  const inputs = expand.output.filter((_, i) => i !== column);
  const panes = Plan.project([...inputs, E.alias(E.call(timeWindowFunction, [ts], WINDOW_STRUCT, { spec: paneSpec, k: 0 }), paneAttr.name, paneAttr.id)], expand.child);
  const split = splitAggregation([...keys, paneAttr], calls, { averages: true, ansi });
  if (split === null) return null;
  const partial = Plan.aggregate([...keys, paneAttr], split.partialExprs, panes);

  // Each partial row once per window containing its pane, the keys under their own ids again.
  const keyAttrs = split.keyAttrs.slice(0, keys.length), paneKey = split.keyAttrs[keys.length]!;
  const partialAttrs = split.partialOutput.slice(split.keyAttrs.length);
  const paneStart = E.getField(paneKey, 0, "start", TimestampType);
  const n = spec.durationMicros / spec.slideMicros;
  const projections = Array.from({ length: n }, (_, k) => [...keyAttrs, ...partialAttrs, E.call(timeWindowFunction, [paneStart], WINDOW_STRUCT, { spec, k })]);
  const windows = Plan.expand(projections, [...(keys as AttributeRef[]), ...partialAttrs, windowAttr], partial);
  const notNull = E.unary("isnotnull", windowAttr);
  const condition = kept.reduce((a, c) => E.binary("and", a, c), notNull);

  const merges = new Map(split.calls.map((c, i) => [callKey(c), split.merges[i]!]));
  const aggregateExprs = p.aggregateExprs.map((e) => transformExprDown(e, (x) => (x.kind === "AggCall" ? merges.get(callKey(x)) : undefined)));
  return Plan.aggregate(p.groupingExprs, aggregateExprs, Plan.filter(condition, windows));
}

/** The Expand's window column when it computes window k = 0 .. n-1 of one ts (length n slides, n >= 2) and passes every other column through. */
function slidingWindowOf(expand: Extract<LogicalPlan, { kind: "Expand" }>): { column: number; spec: TimeWindowSpec; ts: Expr } | null {
  const column = expand.output.findIndex((_, i) => timeWindowCall(expand.projections[0]![i]!) !== null);
  if (column < 0) return null;
  const first = timeWindowCall(expand.projections[0]![column]!)!;
  const { spec } = first;
  const n = spec.durationMicros / spec.slideMicros;
  if (!Number.isInteger(n) || n < 2 || expand.projections.length !== n || !isDeterministic(first.ts)) return null;
  const ks = new Set<number>();
  for (const row of expand.projections) {
    const w = timeWindowCall(row[column]!);
    if (w === null || !sameWindowSpec(w.spec, spec) || canonicalKey(w.ts) !== canonicalKey(first.ts)) return null;
    ks.add(w.k);
    // Every other column passes through unchanged.
    if (!row.every((x, i) => i === column || (x.kind === "AttributeRef" && x.id === expand.output[i]!.id))) return null;
  }
  return ks.size === n && [...ks].every((k) => k >= 0 && k < n) ? { column, spec, ts: first.ts } : null;
}

/** The analyzer's conjuncts `window IS NOT NULL`, `window.start <= ts`, `ts < window.end`: true of every window a pane's rows are sent to. */
function holdsForPanes(c: Expr, w: AttributeRef, ts: Expr): boolean {
  const field = (x: Expr, ordinal: number): boolean => x.kind === "GetField" && x.ordinal === ordinal && x.child.kind === "AttributeRef" && x.child.id === w.id;
  const isTs = (x: Expr): boolean => canonicalKey(x) === canonicalKey(ts);
  if (c.kind === "UnaryExpr" && c.op === "isnotnull") return c.child.kind === "AttributeRef" && c.child.id === w.id;
  if (c.kind !== "BinaryExpr") return false;
  return (c.op === "<=" && field(c.left, 0) && isTs(c.right)) || (c.op === "<" && isTs(c.left) && field(c.right, 1));
}
