import { type LogicalPlan, Plan, transformUp } from "../plan/logical-plan.js";
import { isMovable } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Limits: two adjacent limits become one (offsets added, the smaller count kept), and a limit
 * moves below a projection of deterministic expressions (one row in, one row out), so that
 * `orderBy(..).select(..).limit(n)` plans as a top-n sort under the projection.
 *
 * @example
 * // Limit 3                           Project [word#1]
 * // +- Project [word#1]          ->   +- Limit 3
 * //    +- Sort [n#2 ASC ..], true        +- Sort [n#2 ASC ..], true
 */
export const limitRule: Rule = {
  name: "Limits",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== "Limit") return p;
      const c = p.child;
      if (c.kind === "Limit") {
        // The inner limit yields rows [o2, o2 + l2); the outer skips o1 of them and takes l1.
        const limit = Math.min(p.limit, Math.max(0, c.limit - p.offset));
        return Plan.limit(limit, c.child, c.offset + p.offset);
      }
      if (c.kind === "Project" && c.projectList.every(isMovable)) {
        return Plan.project(c.projectList, Plan.limit(p.limit, c.child, p.offset));
      }
      return p;
    });
  },
};
