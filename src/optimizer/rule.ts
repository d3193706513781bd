import type { LogicalPlan } from "../plan/logical-plan.js";

/** One optimizer rewrite. Must return the same object when nothing changed (fixed-point detection). */
export interface Rule {
  readonly name: string;
  apply(plan: LogicalPlan): LogicalPlan;
}
