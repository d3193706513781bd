import { type LogicalPlan, transformUp } from "../plan/logical-plan.js";
import type { Rule } from "./rule.js";

/**
 * Removes SubqueryAlias nodes (`t AS x`). After analysis every column is an attribute with an
 * id, so the qualifier an alias adds is no longer needed, and without the alias the nodes around
 * it meet (Filter over Project, Project over Project) for the other rules.
 */
export const eliminateSubqueryAliasesRule: Rule = {
  name: "EliminateSubqueryAliases",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => (p.kind === "SubqueryAlias" ? p.child : p));
  },
};
