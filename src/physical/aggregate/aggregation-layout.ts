import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
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
      calls.set(canonicalKey(x), x);
      return x;
    });
  }
  return [...calls.values()];
}

export function aggregationLayout(groupingExprs: readonly Expr[], aggregateExprs: readonly Expr[]): AggregationLayout {
  const calls = aggCallsOf(aggregateExprs);
  const keyAttrs = groupingExprs.map((g, i) => E.attr(`_key${i}`, exprType(g), true));
  const aggAttrs = calls.map((c, i) => E.attr(`_agg${i}`, c.dataType, true));
  const byCanon = new Map(calls.map((c, i) => [canonicalKey(c), aggAttrs[i]!]));
  const resultExprs = aggregateExprs.map((e) =>
    transformExprDown(e, (x) => {
      if (x.kind === "AggCall") return byCanon.get(canonicalKey(x))!;
      const gi = groupingExprs.findIndex((g) => semanticEquals(g, x));
      if (gi >= 0 && x.kind !== "Alias") return keyAttrs[gi]!;
      return undefined;
    }),
  );
  return { calls, keyAttrs, aggAttrs, resultExprs };
}
