import type { LogicalPlan } from "../plan/logical-plan.js";
import { explainLogical, outputHeader } from "../plan/explain-logical.js";
import { explainPhysical } from "../physical/planner.js";
import { ProjectFilterExec } from "../physical/project-filter-exec.js";
import type { PhysicalOp } from "../physical/physical-op.js";
import type { Session } from "./session.js";

export type ExplainMode = "simple" | "extended" | "codegen" | "cost" | "formatted";

/** The text of EXPLAIN in Spark's layout; `parsed` is the plan before analysis when known. */
export function explainString(session: Session, analyzed: LogicalPlan, mode: ExplainMode, parsed?: LogicalPlan): string {
  // Cached DataFrames appear as the InMemoryRelation they are read from.
  const withCache = session.catalog.cacheManager.substituteForExplain(analyzed);
  const optimized = session.optimize(withCache);
  const physical = session.physicalPlan(withCache);
  const phys = `== Physical Plan ==\n${explainPhysical(physical)}`;
  switch (mode) {
    case "simple":
      return phys;
    case "extended": case "cost": case "formatted":
      return [
        `== Parsed Logical Plan ==\n${explainLogical(parsed ?? analyzed, parsed === undefined)}`,
        `== Analyzed Logical Plan ==\n${outputHeader(analyzed)}\n${explainLogical(analyzed)}`,
        `== Optimized Logical Plan ==\n${explainLogical(optimized)}`,
        phys,
      ].join("\n\n");
    case "codegen": {
      const parts: string[] = [];
      const ctx = session.execContext();
      const walk = (op: PhysicalOp): void => {
        if (op instanceof ProjectFilterExec) parts.push(`== Generated code for ${op.name} ${op.describe()} ==\n${op.codegenSource(ctx)}`);
        op.children.forEach(walk);
      };
      walk(physical);
      return `Found ${parts.length} generated kernels:\n\n${parts.join("\n\n")}`;
    }
  }
}
