import type { LogicalPlan } from "../plan/logical-plan.js";
import { explainLogical, outputHeader } from "../plan/explain-logical.js";
import { explainPhysical } from "../physical/planner.js";
import { HashAggregateExec } from "../physical/hash-aggregate-exec.js";
import { ProjectFilterExec } from "../physical/project-filter-exec.js";
import { ReusedResultExec } from "../physical/reused-result-exec.js";
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
        // A projection's loop, and an aggregation's when it runs fused (with the Filter/Project below
        // it); a result computed once for two places (ReusedResult) shows its operator's, once.
        const gen = op instanceof ReusedResultExec ? (op.reused ? null : op.shared.op) : op;
        const source = gen instanceof ProjectFilterExec || gen instanceof HashAggregateExec ? gen.codegenSource(ctx) : null;
        if (source !== null) parts.push(`== Generated code for ${op.name} ${op.describe()} ==\n${source}`);
        op.children.forEach(walk);
      };
      walk(physical);
      return `Found ${parts.length} generated kernels:\n\n${parts.join("\n\n")}`;
    }
  }
}
