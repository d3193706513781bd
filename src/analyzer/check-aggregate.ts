import { AnalysisError } from "../errors/errors.js";
import type { Expr } from "../expr/expression.js";
import { exprChildren, semanticEquals } from "../expr/expr-tree.js";
import type { Aggregate } from "../plan/logical-plan.js";
import { exprSql } from "./expr-sql.js";

/**
 * Spark's rule: outside aggregate functions, a select item of an aggregation may only use the
 * grouping expressions (or constants).
 */
export function checkAggregate(agg: Aggregate): void {
  const check = (e: Expr, item: Expr): void => {
    if (e.kind === "AggCall" || e.kind === "Literal" || e.kind === "OuterRef") return;
    if (agg.groupingExprs.some((g) => semanticEquals(g, e))) return;
    if (e.kind === "AttributeRef") {
      throw new AnalysisError(
        "MISSING_AGGREGATION",
        `[MISSING_AGGREGATION] The non-aggregating expression "${e.name}" is based on columns which are not participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, aggregate the expression, or use "any_value(${e.name})" if you do not care which of the values within a group is returned.`,
      );
    }
    if (e.kind === "WindowExpr") return;
    for (const c of exprChildren(e)) check(c, item);
  };
  for (const item of agg.aggregateExprs) check(item.kind === "Alias" ? item.child : item, item);
  for (const g of agg.groupingExprs) {
    const bad = findAgg(g);
    if (bad) throw new AnalysisError("GROUP_BY_AGGREGATE", `[GROUP_BY_AGGREGATE] Aggregate functions are not allowed in GROUP BY, but found ${exprSql(bad)}.`);
  }
}

function findAgg(e: Expr): Expr | null {
  if (e.kind === "AggCall") return e;
  for (const c of exprChildren(e)) {
    const f = findAgg(c);
    if (f) return f;
  }
  return null;
}
