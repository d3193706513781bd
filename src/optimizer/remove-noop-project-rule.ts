import { planOutput } from "../analyzer/plan-output.js";
import { type LogicalPlan, transformUp } from "../plan/logical-plan.js";
import type { Rule } from "./rule.js";

/**
 * Removes a Project that outputs exactly its child's attributes, in the same order (what is
 * left of `select("*")` and of projections that column pruning made redundant).
 */
export const removeNoopProjectRule: Rule = {
  name: "RemoveNoopProject",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== "Project") return p;
      const out = planOutput(p.child);
      const same = p.projectList.length === out.length && p.projectList.every((e, i) => e.kind === "AttributeRef" && e.id === out[i]!.id && e.name === out[i]!.name);
      return same ? p.child : p;
    });
  },
};
