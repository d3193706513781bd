import { namedToAttribute } from "../../analyzer/plan-output.js";
import { boundSignature } from "../../expr/bound-signature.js";
import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import type { Aggregate } from "../../plan/logical-plan.js";
import { Expr as E } from "../../expr/expression.js";
import { canonicalKey, semanticEquals, transformExprDown } from "../../expr/expr-tree.js";
import { exprType } from "../../expr/expr-type.js";

/**
 * How an aggregation's output is computed, shared by the batch and streaming operators: the
 * distinct aggregate calls; one attribute per grouping key (`_key<i>`) and per call (`_agg<i>`);
 * and the output expressions rewritten over those attributes, evaluated once per group.
 */
export interface AggregationLayout {
  readonly calls: readonly AggCall[];
  readonly keyAttrs: readonly AttributeRef[];
  readonly aggAttrs: readonly AttributeRef[];
  readonly resultExprs: readonly Expr[];
}

/** The distinct aggregate calls of some output expressions (a call used twice is computed once). */
export function aggCallsOf(aggregateExprs: readonly Expr[]): AggCall[] {
  const calls = new Map<string, AggCall>();
  for (const e of aggregateExprs) {
    transformExprDown(e, (x) => {
      if (x.kind !== "AggCall") return undefined;
      calls.set(callKey(x), x);
      return x;
    });
  }
  return [...calls.values()];
}

/**
 * A call's identity: its canonical form and its result type (a parallel average's partial sum is
 * sum(x) typed DECIMAL(38,0) beside the query's own sum(x) BIGINT: partial-aggregation.ts).
 */
export function callKey(c: AggCall): string {
  return `${canonicalKey(c)}:${JSON.stringify(c.dataType)}`;
}

export function aggregationLayout(groupingExprs: readonly Expr[], aggregateExprs: readonly Expr[]): AggregationLayout {
  const calls = aggCallsOf(aggregateExprs);
  const keyAttrs = groupingExprs.map((g, i) => E.attr(`_key${i}`, exprType(g), true));
  const aggAttrs = calls.map((c, i) => E.attr(`_agg${i}`, c.dataType, true));
  const byCanon = new Map(calls.map((c, i) => [callKey(c), aggAttrs[i]!]));
  const resultExprs = aggregateExprs.map((e) =>
    transformExprDown(e, (x) => {
      if (x.kind === "AggCall") return byCanon.get(callKey(x))!;
      const gi = groupingExprs.findIndex((g) => semanticEquals(g, x));
      if (gi >= 0 && x.kind !== "Alias") return keyAttrs[gi]!;
      return undefined;
    }),
  );
  return { calls, keyAttrs, aggAttrs, resultExprs };
}

/** A stateful aggregation operator's layout of `agg`, with its output attributes and each call's accumulator. */
export interface CompiledAggregation extends AggregationLayout {
  readonly output: readonly AttributeRef[];
  readonly accs: readonly Accumulator[];
}

export function compileAggregation(agg: Aggregate, fctx: ExecFunctionContext): CompiledAggregation {
  const layout = aggregationLayout(agg.groupingExprs, agg.aggregateExprs);
  return {
    ...layout,
    output: agg.aggregateExprs.map(namedToAttribute),
    // Compiled with the arguments' (already cast) types as input types: see expr/bound-signature.ts.
    accs: layout.calls.map((c) => c.fn.compile(boundSignature(c.args, c.dataType, c.state), fctx)),
  };
}
