import { type Expr, Expr as E } from "../expr/expression.js";
import { exprChildren } from "../expr/expr-tree.js";
import { type LogicalPlan, Plan, transformUp } from "../plan/logical-plan.js";
import { isDeterministic, replaceAttrs } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Merges a projection into the projection below it by substituting the lower aliases:
 * `Project [(a#2 + 1) AS b#3], Project [(x#1 * 2) AS a#2]` -> `Project [((x#1 * 2) + 1) AS b#3]`.
 * The upper projection keeps its output (ids, names, order).
 *
 * Not applied when that would evaluate an expression more often than before: a lower alias
 * that is neither an attribute nor a literal (nor a cast or field of one) and is used more than
 * once above, or any non-deterministic lower alias used more than once.
 */
export const collapseProjectRule: Rule = {
  name: "CollapseProject",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== "Project" || p.child.kind !== "Project") return p;
      const lower = p.child;
      const defs = new Map<number, Expr>();
      for (const e of lower.projectList) if (e.kind === "Alias") defs.set(e.id, e);
      const uses = new Map<number, number>();
      for (const e of p.projectList) countRefs(e, uses);
      for (const [id, n] of uses) {
        const d = defs.get(id);
        if (!d || d.kind !== "Alias" || n <= 1) continue;
        if (!isCheap(d.child) || !isDeterministic(d.child)) return p;
      }
      const list = p.projectList.map((e) => {
        if (e.kind === "AttributeRef") {
          const d = defs.get(e.id);
          return d ?? e;
        }
        if (e.kind === "Alias") {
          const child = replaceAttrs(e.child, defs);
          return child === e.child ? e : E.alias(child, e.name, e.id);
        }
        return replaceAttrs(e, defs);
      });
      return Plan.project(list, lower.child);
    });
  },
};

function countRefs(e: Expr, out: Map<number, number>): void {
  if (e.kind === "AttributeRef") out.set(e.id, (out.get(e.id) ?? 0) + 1);
  for (const c of exprChildren(e)) countRefs(c, out);
}

/** Cheap enough to compute twice: attributes, literals, and casts or fields of them. */
function isCheap(e: Expr): boolean {
  if (e.kind === "AttributeRef" || e.kind === "Literal") return true;
  if (e.kind === "Cast" || e.kind === "GetField") return isCheap(e.child);
  return false;
}
