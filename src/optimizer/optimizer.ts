import type { LogicalPlan } from "../plan/logical-plan.js";
import type { OptimizerContext } from "./rule.js";
import { RULES } from "./rules.js";

export interface OptimizeOptions extends OptimizerContext {
  /** Upper bound on rule passes (default 20). */
  readonly maxIterations?: number;
}

/**
 * Applies the rule batches to a fixed point (bounded), as Spark's optimizer does. Each rule is a
 * pure function from plan to plan, in its own file, tested alone. The plan must be analyzed.
 */
export function optimize(plan: LogicalPlan, options: OptimizeOptions = {}): LogicalPlan {
  const maxIterations = options.maxIterations ?? 20;
  let current = plan;
  for (let i = 0; i < maxIterations; i++) {
    let next = current;
    for (const rule of RULES) next = rule.apply(next, options);
    if (next === current) break;
    current = next;
  }
  return current;
}
