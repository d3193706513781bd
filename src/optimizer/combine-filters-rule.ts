import { canonicalKey } from "../expr/expr-tree.js";
import { type LogicalPlan, Plan, transformUp } from "../plan/logical-plan.js";
import { conjoin, isDeterministic, splitConjuncts } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Merges adjacent filters: `Filter(a, Filter(b, x))` -> `Filter(b AND a, x)`. The lower
 * condition comes first, so (AND short-circuits) the upper one still sees only the rows that
 * passed the lower one. Conjuncts of the upper filter already in the lower one are dropped.
 * Not applied when the lower condition is non-deterministic: it must see every row of `x`,
 * and the upper condition only the rows it let through.
 *
 * @example
 * // Filter (n#1 < 5)
 * // +- Filter (n#1 > 1)          ->   Filter ((n#1 > 1) AND (n#1 < 5))
 * //    +- LocalRelation [n#1]         +- LocalRelation [n#1]
 */
export const combineFiltersRule: Rule = {
  name: "CombineFilters",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== "Filter" || p.child.kind !== "Filter" || !isDeterministic(p.child.condition)) return p;
      const lower = splitConjuncts(p.child.condition);
      const seen = new Set(lower.map(canonicalKey));
      const upper = splitConjuncts(p.condition).filter((c) => !isDeterministic(c) || !seen.has(canonicalKey(c)));
      return Plan.filter(conjoin([...lower, ...upper]) ?? p.child.condition, p.child.child);
    });
  },
};
