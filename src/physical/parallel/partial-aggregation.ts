import { type AggCall, type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, AggregateFunctionDef, FunctionDef, Signature } from "../../expr/function-def.js";
import { lookupFunction } from "../../expr/function-registry.js";
import { DISTINCT_SET, DISTINCT_UNION_COUNT } from "../../expr/aggregates/collect.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import { type DataType, DoubleType, MAX_DECIMAL_PRECISION, decimalType, isIntegral } from "../../types/data-type.js";
import { aggregationLayout } from "../aggregate/aggregation-layout.js";

/** An aggregation cut in two: per-task partial aggregates, then a final merge of the partials by key. */
export interface SplitAggregation {
  /** Output of the partial aggregation: the keys (as `keyAttrs`) and one partial value per call. */
  readonly partialExprs: readonly Expr[];
  readonly keyAttrs: readonly AttributeRef[];
  /** The partial aggregation's output attributes (keys, then partials): the rows that cross threads. */
  readonly partialOutput: readonly AttributeRef[];
  /** The distinct aggregate calls; per call, its result's attribute and the call that merges partials (with the call's type). */
  readonly calls: readonly AggCall[];
  readonly aggAttrs: readonly AttributeRef[];
  readonly merges: readonly Expr[];
  /** The final aggregation and result expressions over rows of partials. */
  final(rows: LogicalPlan): LogicalPlan;
}

const EXACT_SUM_INPUTS = new Set<DataType["kind"]>(["byte", "short", "int", "long", "decimal"]);

export interface SplitOptions {
  readonly distinctCounts?: boolean;
  readonly averages?: boolean;
  /**
   * ANSI mode: a sum fails when its total overflows, so each part sums exactly (wideSum) and only
   * the merge decides, as one pass over all rows would.
   */
  readonly ansi?: boolean;
}

/**
 * Splits an aggregation whose every call merges exactly (count → sum of counts; sum of integers
 * or decimals → sum; min, max → min, max), so the result equals one pass over all rows. Sums of
 * doubles are not split (their rounding depends on the order of additions), nor are other
 * aggregates; null then, and the rows themselves are shuffled. With `distinctCounts`, a
 * count(DISTINCT x) is split too: each part collects its distinct values of x (collect_set), and
 * the merge counts the distinct values of all parts' sets together (the same equality of values
 * as count(DISTINCT) itself: valueKey). With `averages`, an average of integers is split into
 * their exact sum and their count (averageBySums). Only parallel stages ask for those: a
 * streaming aggregation keeps one partial buffer per call (bufferOfPartial), and eager
 * aggregation below a join multiplies counts.
 */
export function splitAggregation(grouping: readonly Expr[], aggregateExprs: readonly Expr[], options: SplitOptions = {}): SplitAggregation | null {
  const layout = aggregationLayout(grouping, aggregateExprs);
  const partials: Expr[] = [];
  const partialAttrs: AttributeRef[] = [];
  const finals: Expr[] = [];
  for (let i = 0; i < layout.calls.length; i++) {
    const c = layout.calls[i]!, attr = layout.aggAttrs[i]!;
    const split =
      (options.distinctCounts ? distinctCountBySets(c, `_set${i}`) : null) ??
      (options.averages ? averageBySums(c, `_sum${i}`, `_count${i}`) : null) ??
      (options.ansi ? wideSumSplit(c, `_sum${i}`) : null) ??
      mergedAsItself(c, attr);
    if (!split) return null;
    partials.push(...split.partials);
    partialAttrs.push(...split.attrs);
    finals.push(split.merge);
  }
  const { keyAttrs, aggAttrs } = layout;
  const partialExprs = [...grouping.map((g, i) => E.alias(g, keyAttrs[i]!.name, keyAttrs[i]!.id)), ...partials.map((c, i) => E.alias(c, partialAttrs[i]!.name, partialAttrs[i]!.id))];
  const final = (rows: LogicalPlan): LogicalPlan => {
    const merged = Plan.aggregate(keyAttrs, [...keyAttrs, ...finals.map((f, i) => E.alias(f, aggAttrs[i]!.name, aggAttrs[i]!.id))], rows);
    return Plan.project(layout.resultExprs, merged);
  };
  return { partialExprs, keyAttrs, partialOutput: [...keyAttrs, ...partialAttrs], calls: layout.calls, aggAttrs, merges: finals, final };
}

/** How one call is split: its partial aggregates (as columns `attrs`) and the expression that merges them. */
interface CallSplit {
  readonly partials: readonly AggCall[];
  readonly attrs: readonly AttributeRef[];
  readonly merge: Expr;
}

/**
 * count(DISTINCT x) (one argument, its FILTER kept) as the set of x per part (__distinct_set:
 * collect_set in no particular order; calls over one x share a pass in agg-slot.ts), and the count
 * of the distinct values of the parts' sets together (__distinct_union_count).
 */
function distinctCountBySets(c: AggCall, setName: string): CallSplit | null {
  if (!c.distinct || c.fn.name !== "count" || c.args.length !== 1) return null;
  const arg = c.args[0]!, sig = DISTINCT_SET.resolve([{ dataType: exprType(arg), nullable: true, foldable: false, name: "" }], RESOLVE_CONTEXT);
  const partial = E.aggCall(DISTINCT_SET, [arg], sig.dataType, { filter: c.filter });
  const set = E.attr(setName, partial.dataType, false);
  const count = E.aggCall(DISTINCT_UNION_COUNT, [set], DISTINCT_UNION_COUNT.resolve([{ dataType: set.dataType, nullable: false, foldable: false, name: "" }], RESOLVE_CONTEXT).dataType);
  return { partials: [partial], attrs: [set], merge: E.cast(count, c.dataType) };
}

/**
 * avg of integers (FILTER kept) as each part's exact sum (exactSum) and count; merged, the sums
 * divided once, as avg divides its exact sum (avg.ts).
 */
function averageBySums(c: AggCall, sumName: string, countName: string): CallSplit | null {
  if (c.distinct || (c.fn.name !== "avg" && c.fn.name !== "try_avg") || c.args.length !== 1 || !isIntegral(exprType(c.args[0]!))) return null;
  const sum = exactSum(c.args[0]!, c.filter), count = resolvedAggCall("count", [c.args[0]!], c.filter);
  if (!sum || !count) return null;
  const attrs = [E.attr(sumName, sum.dataType, true), E.attr(countName, count.dataType, false)];
  const total = resolvedAggCall("sum", [attrs[0]!], null), rows = resolvedAggCall("sum", [attrs[1]!], null);
  if (!total || !rows) return null;
  return { partials: [sum, count], attrs, merge: E.binary("/", E.cast(total, DoubleType), E.cast(rows, DoubleType)) };
}

/** A sum of integers or decimals (FILTER kept) as each part's exact sum and the merge's sum, typed as the call. */
function wideSumSplit(c: AggCall, name: string): CallSplit | null {
  if (c.distinct || c.fn.name !== "sum" || c.args.length !== 1 || !EXACT_SUM_INPUTS.has(exprType(c.args[0]!).kind)) return null;
  const partial = exactSum(c.args[0]!, c.filter);
  if (!partial) return null;
  const attr = E.attr(name, partial.dataType, true);
  return { partials: [partial], attrs: [attr], merge: E.aggCall(c.fn, [attr], c.dataType, {}) };
}

/**
 * sum(x) of integers or decimals typed DECIMAL(38, x's scale): exact, never wrapped nor failing
 * (sum's decimal accumulator, or the numeric slots' wide sums: agg-slot.ts), past 38 digits only
 * beyond 10^19 rows of the largest longs.
 */
function exactSum(x: Expr, filter: Expr | null): AggCall | null {
  const def = lookupFunction("sum"), t = exprType(x);
  if (def?.type !== "aggregate") return null;
  return E.aggCall(def, [x], decimalType(MAX_DECIMAL_PRECISION, t.kind === "decimal" ? t.scale : 0), { filter });
}

/** The resolved signature of built-in `name` over `args`, when it takes them as they are (no cast to insert: same kinds of types). */
function signatureOf(name: string, kind: "scalar" | "aggregate", args: readonly Expr[]): { def: FunctionDef; sig: Signature } | null {
  const def = lookupFunction(name);
  if (!def || def.type !== kind) return null;
  const types = args.map((a) => exprType(a));
  const sig = def.resolve(types.map((dataType) => ({ dataType, nullable: true, foldable: false, name: "" })), RESOLVE_CONTEXT);
  if (!sig.inputTypes.every((t, i) => t === null || t.kind === types[i]!.kind)) return null;
  return { def, sig };
}

function resolvedAggCall(name: string, args: readonly Expr[], filter: Expr | null): AggCall | null {
  const r = signatureOf(name, "aggregate", args);
  return r && E.aggCall(r.def as AggregateFunctionDef, args, r.sig.dataType, { filter, ...(r.sig.state === undefined ? {} : { state: r.sig.state }) });
}

/** The functions resolved here do not depend on the time zone or ANSI mode (merges). */
const RESOLVE_CONTEXT = { timeZone: "UTC", ansi: false } as const;

/**
 * For a call that {@link splitAggregation} splits: the accumulator buffer holding a partial
 * result `v` (the call's value over some of the rows), ready to merge into another buffer of the
 * call. What lets a streaming aggregation take the batch's partial aggregates instead of its rows.
 */
export function bufferOfPartial(call: AggCall, acc: Accumulator): (v: unknown) => unknown {
  // A count's buffer serializes as the count itself.
  if (call.fn.name === "count") return (v) => acc.deserialize(v);
  // min, max and sum of the one value v are v; over no values (null), the empty buffer.
  return (v) => (v === null ? acc.init() : acc.update(acc.init(), v as never));
}

/** A call whose partial is the call itself (count, min, max, exact sums), merged by finalCall. */
function mergedAsItself(c: AggCall, attr: AttributeRef): CallSplit | null {
  const merge = finalCall(c, attr);
  return merge && { partials: [c], attrs: [attr], merge };
}

/** The call that merges partial results held in `partial`, with the original call's type. */
function finalCall(c: AggCall, partial: AttributeRef): Expr | null {
  if (c.distinct) return null;
  const name = c.fn.name;
  if (name === "count") return mergeWith("sum", partial, c.dataType);
  if (name === "min" || name === "max") return mergeWith(name, partial, c.dataType);
  if (name === "sum" && c.args.length === 1 && EXACT_SUM_INPUTS.has(exprType(c.args[0]!).kind)) return mergeWith("sum", partial, c.dataType);
  return null;
}

function mergeWith(fnName: string, partial: AttributeRef, resultType: DataType): Expr | null {
  const call = resolvedAggCall(fnName, [partial], null);
  if (!call) return null;
  return call.dataType.kind === resultType.kind && JSON.stringify(call.dataType) === JSON.stringify(resultType) ? call : E.cast(call, resultType);
}
