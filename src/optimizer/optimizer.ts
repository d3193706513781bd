import type { LogicalPlan } from "../plan/logical-plan.js";
import { RULES } from "./rules.js";

/**
 * Applies the rule batches to a fixed point (bounded), as Spark's optimizer does. Each rule is a
 * pure function from plan to plan, in its own file, tested alone.
 */
export function optimize(plan: LogicalPlan, maxIterations = 20): LogicalPlan {
  let current = plan;
  for (let i = 0; i < maxIterations; i++) {
    let next = current;
    for (const rule of RULES) next = rule.apply(next);
    if (next === current) break;
    current = next;
  }
  return current;
}
