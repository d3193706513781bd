import { Expr } from "../expr/expression.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";

/**
 * `SELECT 1` without FROM reads from one row with no columns (Spark's OneRowRelation): an
 * InlineTable with a single empty row and an empty name list.
 */
export function oneRowRelation(): LogicalPlan {
  return Plan.inlineTable([[]], []);
}

/**
 * Renames the output columns of `plan` by position (`(SELECT a, b FROM t) AS s(x, y)`,
 * `WITH c(x, y) AS (...)`) with a Project of aliases over it. The parser must know the output
 * names, so this works when the plan ends in a select list of named items; otherwise it returns
 * the reason it cannot (the caller reports it as a syntax error).
 */
export function withColumnAliases(plan: LogicalPlan, names: readonly string[]): LogicalPlan | string {
  if (plan.kind === "InlineTable" && plan.rows.length > 0) {
    const width = plan.rows[0]!.length;
    if (width !== names.length) return `The column alias list has ${names.length} names but VALUES has ${width} columns.`;
    return Plan.inlineTable(plan.rows, names);
  }
  if (plan.kind === "SubqueryAlias") {
    const inner = withColumnAliases(plan.child, names);
    return typeof inner === "string" ? inner : Plan.subqueryAlias(plan.alias, inner);
  }
  const outputs = outputNames(plan);
  if (!outputs) return "Column aliases need a query whose output columns are known while parsing (a select list without * and with every expression named); alias the columns inside the query instead.";
  if (outputs.length !== names.length) return `The column alias list has ${names.length} names but the query has ${outputs.length} columns.`;
  return Plan.project(outputs.map((n, i) => Expr.alias(Expr.columnParts([n]), names[i]!)), plan);
}

/** Output column names of a query that ends in a select list of named items, else null. */
function outputNames(plan: LogicalPlan): string[] | null {
  switch (plan.kind) {
    case "Project": return namesOf(plan.projectList);
    case "Aggregate": case "GroupingSets": return namesOf(plan.aggregateExprs);
    case "Distinct": case "Sort": case "Limit": case "Filter": case "Repartition": return outputNames(plan.child);
    case "Union": return plan.children.length > 0 ? outputNames(plan.children[0]!) : null;
    case "SetOperation": return outputNames(plan.left);
    default: return null;
  }
}

function namesOf(list: readonly Expr[]): string[] | null {
  const out: string[] = [];
  for (const e of list) {
    if (e.kind === "Alias") out.push(e.name);
    else if (e.kind === "UnresolvedColumn") out.push(e.nameParts[e.nameParts.length - 1]!);
    else return null;
  }
  return out;
}
