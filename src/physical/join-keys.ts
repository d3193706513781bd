import { planOutput } from "../analyzer/plan-output.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { referencedIds } from "../expr/expr-tree.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import type { EquiKey } from "./join-exec.js";
import { splitConjuncts } from "../optimizer/optimizer-helpers.js";

type JoinKind = Extract<LogicalPlan, { kind: "Join" }>["joinType"];

/**
 * Which inputs a hash join of this type can build (hold in memory) while streaming the other:
 * the right of inner, cross, left outer, left semi and left anti joins; the left of inner, cross
 * and right outer joins. (A full outer join can build either side only when both are shuffled.)
 */
export function buildableSides(jt: JoinKind): { readonly left: boolean; readonly right: boolean } {
  return {
    left: jt === "inner" || jt === "cross" || jt === "right_outer",
    right: jt === "inner" || jt === "cross" || jt === "left_outer" || jt === "left_semi" || jt === "left_anti",
  };
}

/**
 * A join condition as equi-join keys (`l = r` or `l <=> r` conjuncts with each side over one
 * input, oriented left then right) and the residual condition of the other conjuncts.
 */
export function equiJoinKeys(p: Extract<LogicalPlan, { kind: "Join" }>): { keys: EquiKey[]; residual: Expr | null } {
  const leftIds = new Set(planOutput(p.left).map((a) => a.id));
  const rightIds = new Set(planOutput(p.right).map((a) => a.id));
  const keys: EquiKey[] = [];
  const rest: Expr[] = [];
  for (const c of p.condition ? splitConjuncts(p.condition) : []) {
    if (c.kind === "BinaryExpr" && (c.op === "=" || c.op === "<=>")) {
      const l = referencedIds(c.left), r = referencedIds(c.right);
      if (l.size > 0 && r.size > 0 && subset(l, leftIds) && subset(r, rightIds)) { keys.push({ left: c.left, right: c.right, nullSafe: c.op === "<=>" }); continue; }
      if (l.size > 0 && r.size > 0 && subset(l, rightIds) && subset(r, leftIds)) { keys.push({ left: c.right, right: c.left, nullSafe: c.op === "<=>" }); continue; }
    }
    rest.push(c);
  }
  return { keys, residual: rest.length ? rest.reduce((a, b) => E.binary("and", a, b)) : null };
}

function subset(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
