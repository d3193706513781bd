import { planOutput } from "../analyzer/plan-output.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprExists, transformExprUp } from "../expr/expr-tree.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { mapPlanExprs, planExprs } from "../plan/plan-exprs.js";

/** Small pieces the rules share: conjuncts, determinism, attribute substitution, identity-preserving rewrites. */

/** `a AND (b AND c)` -> [a, b, c], left to right. */
export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === "BinaryExpr" && e.op === "and") return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

/** The conjunction of `es`, left-deep in order, or null when empty. */
export function conjoin(es: readonly Expr[]): Expr | null {
  if (es.length === 0) return null;
  return es.reduce((a, b) => E.binary("and", a, b));
}

/** False when `e` calls a non-deterministic function (rand, uuid, monotonically_increasing_id, ...). */
export function isDeterministic(e: Expr): boolean {
  return !exprExists(e, (x) => x.kind === "Call" && x.fn.deterministic === false);
}

/** True when `e` holds a subquery expression (they are run before execution and left in place here). */
export function hasSubquery(e: Expr): boolean {
  return exprExists(e, (x) => x.kind === "ScalarSubquery" || x.kind === "Exists" || x.kind === "InSubquery" || x.kind === "OuterRef");
}

/** Deterministic and free of subqueries: safe to move to another place in the plan. */
export function isMovable(e: Expr): boolean {
  return isDeterministic(e) && !hasSubquery(e);
}

/** Ids of the attributes a node outputs. */
export function outputIds(p: LogicalPlan): Set<number> {
  return new Set(planOutput(p).map((a) => a.id));
}

export function subsetOf(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Replaces attribute references by id (an Alias replacement is unwrapped to its child). */
export function replaceAttrs(e: Expr, byId: ReadonlyMap<number, Expr>): Expr {
  return transformExprUp(e, (x) => {
    if (x.kind !== "AttributeRef") return x;
    const r = byId.get(x.id);
    if (r === undefined) return x;
    return r.kind === "Alias" ? r.child : r;
  });
}

/** id -> defining expression for the items of a projection list (attributes map to themselves). */
export function aliasMap(projectList: readonly Expr[]): Map<number, Expr> {
  const m = new Map<number, Expr>();
  for (const e of projectList) {
    if (e.kind === "Alias") m.set(e.id, e.child);
    else if (e.kind === "AttributeRef") m.set(e.id, e);
  }
  return m;
}

/** `fn` applied to each of a node's own expressions; the same node when nothing changed. */
export function mapExprsIfChanged(p: LogicalPlan, fn: (e: Expr) => Expr): LogicalPlan {
  const olds = planExprs(p);
  const replaced = new Map<Expr, Expr>();
  let changed = false;
  for (const e of olds) {
    if (replaced.has(e)) continue;
    const n = fn(e);
    replaced.set(e, n);
    if (n !== e) changed = true;
  }
  if (!changed || p.kind === "GroupingSets" || p.kind === "InlineTable") return p;
  return mapPlanExprs(p, (e) => replaced.get(e) ?? e);
}

/** A projection of `child` down to `attrs` (in the given order). */
export function projectAttrs(attrs: readonly AttributeRef[], child: LogicalPlan): LogicalPlan {
  return Plan.project(attrs, child);
}
