import { type Alias, type Expr, type WindowExpr, Expr as E } from "../expr/expression.js";
import { canonicalKey, transformExprDown } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { exprSql } from "./expr-sql.js";
import { planOutput } from "./plan-output.js";

/**
 * Moves window expressions out of a projection: one Window node per distinct
 * (PARTITION BY, ORDER BY) spec, then a Project that refers to their results.
 */
export function extractWindows(namedExprs: readonly Expr[], child: LogicalPlan): LogicalPlan {
  const bySpec = new Map<string, Alias[]>();
  const add = (w: WindowExpr, alias: Alias): Expr => {
    const key = [...w.spec.partitionBy.map(canonicalKey), "|", ...w.spec.orderBy.map(canonicalKey)].join(",");
    const list = bySpec.get(key) ?? [];
    list.push(alias);
    bySpec.set(key, list);
    return E.attr(alias.name, exprType(w), true, [], alias.id);
  };
  const rewritten = namedExprs.map((item) => {
    if (item.kind === "Alias" && item.child.kind === "WindowExpr") return add(item.child, item);
    return transformExprDown(item, (x) => (x.kind === "WindowExpr" ? add(x, E.alias(x, exprSql(x, true))) : undefined));
  });
  let plan = child;
  for (const group of bySpec.values()) {
    const spec = (group[0]!.child as WindowExpr).spec;
    plan = Plan.window(group, spec.partitionBy, spec.orderBy, plan);
  }
  const out = planOutput(plan);
  return Plan.project(rewritten.map((e) => (e.kind === "AttributeRef" ? out.find((a) => a.id === e.id) ?? e : e)), plan);
}
