import { type AggCall, type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, AggregateFunctionDef } from "../../expr/function-def.js";
import { lookupFunction } from "../../expr/function-registry.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import type { DataType } from "../../types/data-type.js";
import { aggregationLayout } from "../aggregate/aggregation-layout.js";

/** An aggregation cut in two: per-task partial aggregates, then a final merge of the partials by key. */
export interface SplitAggregation {
  /** Output of the partial aggregation: the keys (as `keyAttrs`) and one partial value per call. */
  readonly partialExprs: readonly Expr[];
  readonly keyAttrs: readonly AttributeRef[];
  /** The partial aggregation's output attributes (keys, then partials): the rows that cross threads. */
  readonly partialOutput: readonly AttributeRef[];
  /** The distinct aggregate calls; per call, its partial's attribute and the call that merges partials (with the call's type). */
  readonly calls: readonly AggCall[];
  readonly aggAttrs: readonly AttributeRef[];
  readonly merges: readonly Expr[];
  /** The final aggregation and result expressions over rows of partials. */
  final(rows: LogicalPlan): LogicalPlan;
}

const EXACT_SUM_INPUTS = new Set<DataType["kind"]>(["byte", "short", "int", "long", "decimal"]);

/**
 * Splits an aggregation whose every call merges exactly (count → sum of counts; sum of integers
 * or decimals → sum; min, max → min, max), so the result equals one pass over all rows. Sums of
 * doubles are not split (their rounding depends on the order of additions), nor are DISTINCT
 * calls or other aggregates; null then, and the rows themselves are shuffled.
 */
export function splitAggregation(grouping: readonly Expr[], aggregateExprs: readonly Expr[]): SplitAggregation | null {
  const layout = aggregationLayout(grouping, aggregateExprs);
  const finals: Expr[] = [];
  for (let i = 0; i < layout.calls.length; i++) {
    const f = finalCall(layout.calls[i]!, layout.aggAttrs[i]!);
    if (!f) return null;
    finals.push(f);
  }
  const { keyAttrs, aggAttrs } = layout;
  const partialExprs = [...grouping.map((g, i) => E.alias(g, keyAttrs[i]!.name, keyAttrs[i]!.id)), ...layout.calls.map((c, i) => E.alias(c, aggAttrs[i]!.name, aggAttrs[i]!.id))];
  const final = (rows: LogicalPlan): LogicalPlan => {
    const merged = Plan.aggregate(keyAttrs, [...keyAttrs, ...finals.map((f, i) => E.alias(f, aggAttrs[i]!.name, aggAttrs[i]!.id))], rows);
    return Plan.project(layout.resultExprs, merged);
  };
  return { partialExprs, keyAttrs, partialOutput: [...keyAttrs, ...aggAttrs], calls: layout.calls, aggAttrs, merges: finals, final };
}

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
  const def = lookupFunction(fnName);
  if (!def || def.type !== "aggregate") return null;
  const sig = (def as AggregateFunctionDef).resolve([{ dataType: partial.dataType, nullable: true, foldable: false, name: partial.name }], { timeZone: "UTC", ansi: false });
  if (sig.inputTypes[0] && sig.inputTypes[0].kind !== partial.dataType.kind) return null;
  const call = E.aggCall(def as AggregateFunctionDef, [partial], sig.dataType, sig.state === undefined ? {} : { state: sig.state });
  return sig.dataType.kind === resultType.kind && JSON.stringify(sig.dataType) === JSON.stringify(resultType) ? call : E.cast(call, resultType);
}
