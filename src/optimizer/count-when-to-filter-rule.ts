import { type Expr, Expr as E } from "../expr/expression.js";
import { transformExprUp } from "../expr/expr-tree.js";
import { type LogicalPlan, transformUp } from "../plan/logical-plan.js";
import { mapExprsIfChanged } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Turns a count of a one-branch CASE into a count with a FILTER: `count([DISTINCT] CASE WHEN c
 * THEN x END)` -> `count([DISTINCT] x) FILTER (WHERE c)` (AND the call's own filter). The count is
 * the same (a row counts when c is true and x is not null, either way), and counts over the same
 * x then differ only in their filters: distinct counts of x share one pass over the rows
 * (agg-slot.ts, SharedDistinctCounts) and no CASE is evaluated per row. DataFrame code writes
 * these as `countDistinct(when(c, x))` (Nexmark q15-q16, rank-by-rank statistics).
 *
 * @example
 * // Aggregate [count(DISTINCT CASE WHEN (price#3 < 10000) THEN bidder#2 END) AS n#5]
 * // becomes
 * // Aggregate [count(DISTINCT bidder#2) FILTER (WHERE (price#3 < 10000)) AS n#5]
 */
export const countWhenToFilterRule: Rule = {
  name: "CountWhenToFilter",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => (p.kind === "Aggregate" ? mapExprsIfChanged(p, (e) => transformExprUp(e, countWithFilter)) : p));
  },
};

function countWithFilter(e: Expr): Expr {
  if (e.kind !== "AggCall" || e.fn.name !== "count" || e.args.length !== 1 || e.ignoreNulls) return e;
  const a = e.args[0]!;
  if (a.kind !== "CaseWhen" || a.branches.length !== 1) return e;
  if (a.elseValue !== null && !(a.elseValue.kind === "Literal" && a.elseValue.value === null)) return e;
  const [when, value] = a.branches[0]!;
  const filter = e.filter === null ? when : E.binary("and", e.filter, when);
  return E.aggCall(e.fn, [value], e.dataType, { distinct: e.distinct, filter, ignoreNulls: false, ...(e.state === undefined ? {} : { state: e.state }) });
}
