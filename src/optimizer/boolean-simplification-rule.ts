import { planOutput } from "../analyzer/plan-output.js";
import { type BinaryOp, type Expr, Expr as E } from "../expr/expression.js";
import { transformExprUp } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import { type LogicalPlan, Plan, isStreamingPlan, transformUp } from "../plan/logical-plan.js";
import { isDeterministic, mapExprsIfChanged } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Simplifies boolean logic (three-valued: null is unknown) and the filters it leaves trivial:
 *
 * - `x AND true` -> `x`, `x OR false` -> `x`;
 * - `x AND false` -> `false`, `x OR true` -> `true` when `x` is deterministic (a
 *   non-deterministic call is kept: it may be there for its effect on later rows);
 * - `NOT NOT x` -> `x`, `NOT (a = b)` -> `a != b` and the other comparisons likewise (exact in
 *   Spark's total order, where NaN is the largest double), `NOT true` -> `false`;
 * - `CASE WHEN false|null THEN ..` branches are dropped, a leading `WHEN true` branch is taken;
 * - `Filter true` disappears; `Filter false` or `Filter null` over a batch plan becomes an empty
 *   LocalRelation with the same output (a streaming subtree is kept: it is still a stream);
 * - an inner or cross join's `ON true` becomes no condition.
 *
 * @example
 * // Filter ((n#1 > 1) AND true)        ->  Filter (n#1 > 1)
 * // Filter NOT (NOT (n#1 = 2))         ->  Filter (n#1 = 2)
 */
export const booleanSimplificationRule: Rule = {
  name: "BooleanSimplification",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      const q = mapExprsIfChanged(p, simplifyBooleans);
      if (q.kind === "Filter") {
        const c = q.condition;
        if (c.kind === "Literal" && c.value === true) return q.child;
        if (c.kind === "Literal" && (c.value === false || c.value === null) && !isStreamingPlan(q.child)) {
          return Plan.localRelation(planOutput(q), [], "(empty: filter is never true)");
        }
      }
      if (q.kind === "Join" && (q.joinType === "inner" || q.joinType === "cross") && q.condition?.kind === "Literal" && q.condition.value === true) {
        return Plan.join(q.left, q.right, q.joinType, null, q.usingColumns);
      }
      return q;
    });
  },
};

const TRUE = E.literal(true, { kind: "boolean" });
const FALSE = E.literal(false, { kind: "boolean" });

const isTrue = (e: Expr): boolean => e.kind === "Literal" && e.value === true;
const isFalse = (e: Expr): boolean => e.kind === "Literal" && e.value === false;
const isNullLit = (e: Expr): boolean => e.kind === "Literal" && e.value === null;

const NEGATED: Partial<Record<BinaryOp, BinaryOp>> = { "=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">" };

export function simplifyBooleans(e: Expr): Expr {
  return transformExprUp(e, (x) => {
    if (x.kind === "BinaryExpr" && x.op === "and") {
      if (isTrue(x.right)) return x.left;
      if (isTrue(x.left)) return x.right;
      if (isFalse(x.left)) return FALSE; // the right side is never evaluated anyway
      if (isFalse(x.right) && isDeterministic(x.left)) return FALSE;
      return x;
    }
    if (x.kind === "BinaryExpr" && x.op === "or") {
      if (isFalse(x.right)) return x.left;
      if (isFalse(x.left)) return x.right;
      if (isTrue(x.left)) return TRUE;
      if (isTrue(x.right) && isDeterministic(x.left)) return TRUE;
      return x;
    }
    if (x.kind === "UnaryExpr" && x.op === "not") {
      const c = x.child;
      if (isTrue(c)) return FALSE;
      if (isFalse(c)) return TRUE;
      if (c.kind === "UnaryExpr" && c.op === "not") return c.child;
      if (c.kind === "UnaryExpr" && c.op === "isnull") return E.unary("isnotnull", c.child);
      if (c.kind === "UnaryExpr" && c.op === "isnotnull") return E.unary("isnull", c.child);
      if (c.kind === "BinaryExpr") {
        const neg = NEGATED[c.op];
        if (neg) return E.binary(neg, c.left, c.right);
      }
      return x;
    }
    if (x.kind === "CaseWhen") {
      const branches = x.branches.filter(([cond]) => !isFalse(cond) && !isNullLit(cond));
      if (branches.length > 0 && isTrue(branches[0]![0])) return branches[0]![1];
      if (branches.length === 0) return x.elseValue ?? E.literal(null, exprType(x));
      return branches.length === x.branches.length ? x : E.caseWhen(branches, x.elseValue);
    }
    return x;
  });
}
