import type { LogicalPlan } from "../plan/logical-plan.js";

/**
 * What the optimizer may know about the session the plan will run in. A field left undefined
 * means "unknown": a rule must then keep the plan correct for every possible value (constant
 * folding, for instance, folds only what evaluates the same with ANSI on and off, in any zone).
 */
export interface OptimizerContext {
  /** `sluice.sql.session.timeZone`. */
  readonly timeZone?: string;
  /** `sluice.sql.ansi.enabled`. */
  readonly ansi?: boolean;
  /** `sluice.sql.optimizer.windowGroupLimitThreshold` (unknown: no WindowGroupLimit is inferred). */
  readonly windowGroupLimitThreshold?: number;
}

/** One optimizer rewrite. Must return the same object when nothing changed (fixed-point detection). */
export interface Rule {
  readonly name: string;
  apply(plan: LogicalPlan, ctx?: OptimizerContext): LogicalPlan;
}
