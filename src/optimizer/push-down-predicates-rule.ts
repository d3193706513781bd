import { planOutput } from "../analyzer/plan-output.js";
import type { Expr } from "../expr/expression.js";
import { canonicalKey, referencedIds } from "../expr/expr-tree.js";
import { type Aggregate, type Join, type LogicalPlan, Plan, children, withChildren } from "../plan/logical-plan.js";
import { aliasMap, conjoin, hasSubquery, isDeterministic, isMovable, outputIds, replaceAttrs, splitConjuncts, subsetOf } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Moves filter conditions as close to the data as they can go, as Spark's PushDownPredicates:
 *
 * - through a Project of deterministic expressions (aliases substituted), a SubqueryAlias or a hint;
 * - deterministic conjuncts below Sort, Repartition and Distinct;
 * - below an Aggregate with grouping columns, for conjuncts over grouping columns only;
 * - below a Window, for conjuncts over its partition columns only;
 * - into every child of a Union (attributes substituted by position);
 * - below a Generate, for conjuncts over the columns of its input;
 * - through joins: conjuncts over one side go to that side when the join cannot add null rows
 *   on it (inner, cross, semi, anti for the left side; the preserved side of an outer join),
 *   conjuncts over both sides of an inner join become part of its condition; the join's own
 *   condition sends one-sided conjuncts to the side they filter where that keeps the join's
 *   result (right side of a left outer join, both sides of inner and semi joins, ...).
 *
 * Non-deterministic conjuncts stay where they are (they must see the same rows), and so do
 * conditions with subqueries. Filters stay above an EventTimeWatermark: the rows it sees
 * decide the watermark.
 *
 * @example
 * // Filter (x#3 > 3)                       Project [word#1, (n#2 + 1) AS x#3]
 * // +- Project [word#1, (n#2 + 1) AS x#3]  ->  +- Filter ((n#2 + 1) > 3)
 * //    +- LocalRelation [word#1, n#2]            +- LocalRelation [word#1, n#2]
 */
export const pushDownPredicatesRule: Rule = {
  name: "PushDownPredicates",
  apply(plan: LogicalPlan): LogicalPlan {
    return pushDown(plan);
  },
};

function pushDown(p: LogicalPlan): LogicalPlan {
  let q = p;
  if (q.kind === "Filter") q = pushFilter(q.condition, q.child) ?? q;
  if (q.kind === "Join") q = pushJoinCondition(q);
  const cs = children(q);
  return cs.length === 0 ? q : withChildren(q, cs.map(pushDown));
}

function withFilter(conds: readonly Expr[], child: LogicalPlan): LogicalPlan {
  const c = conjoin(conds);
  return c ? Plan.filter(c, child) : child;
}

/** Splits a filter's conjuncts into those `canPush` accepts (movable ones only) and the rest. */
function partition(cond: Expr, canPush: (c: Expr) => boolean): [Expr[], Expr[]] {
  const push: Expr[] = [], stay: Expr[] = [];
  for (const c of splitConjuncts(cond)) (isMovable(c) && canPush(c) ? push : stay).push(c);
  return [push, stay];
}

/** The filter pushed one step down into `child`, or null when nothing moves. */
function pushFilter(cond: Expr, child: LogicalPlan): LogicalPlan | null {
  switch (child.kind) {
    case "Project": {
      if (!child.projectList.every(isMovable) || hasSubquery(cond)) return null;
      // A projection is one row in, one row out: the whole condition moves, whatever it is.
      return Plan.project(child.projectList, Plan.filter(replaceAttrs(cond, aliasMap(child.projectList)), child.child));
    }
    case "SubqueryAlias": case "ResolvedHint":
      if (hasSubquery(cond)) return null;
      return withChildren(child, [Plan.filter(cond, child.child)]);
    case "Sort": case "Repartition": case "Distinct": {
      const [push, stay] = partition(cond, () => true);
      if (push.length === 0) return null;
      return withFilter(stay, withChildren(child, [withFilter(push, child.child)]));
    }
    case "Aggregate": return pushThroughAggregate(cond, child);
    case "Window": {
      const keys = new Set(child.partitionSpec.flatMap((e) => (e.kind === "AttributeRef" ? [e.id] : [])));
      const [push, stay] = partition(cond, (c) => subsetOf(referencedIds(c), keys));
      if (push.length === 0) return null;
      return withFilter(stay, withChildren(child, [withFilter(push, child.child)]));
    }
    case "Union": {
      const [push, stay] = partition(cond, () => true);
      if (push.length === 0) return null;
      const out = planOutput(child);
      const pushed = conjoin(push)!;
      const cs = child.children.map((c) => {
        const co = planOutput(c);
        const m = new Map<number, Expr>(out.map((a, j) => [a.id, co[j]!]));
        return Plan.filter(replaceAttrs(pushed, m), c);
      });
      return withFilter(stay, Plan.union(cs, child.byName, child.allowMissingColumns));
    }
    case "Generate": {
      if (!isDeterministic(child.generator)) return null;
      const inIds = outputIds(child.child);
      const [push, stay] = partition(cond, (c) => subsetOf(referencedIds(c), inIds));
      if (push.length === 0) return null;
      return withFilter(stay, withChildren(child, [withFilter(push, child.child)]));
    }
    case "Join": return pushThroughJoin(cond, child);
    default:
      return null;
  }
}

function pushThroughAggregate(cond: Expr, agg: Aggregate): LogicalPlan | null {
  if (agg.groupingExprs.length === 0 || !agg.aggregateExprs.every(isDeterministic)) return null;
  const grouping = new Set(agg.groupingExprs.map(canonicalKey));
  // Output attributes that are grouping expressions, and what they stand for below.
  const defs = new Map<number, Expr>();
  for (const e of agg.aggregateExprs) {
    if (e.kind === "AttributeRef" && grouping.has(canonicalKey(e))) defs.set(e.id, e);
    else if (e.kind === "Alias" && grouping.has(canonicalKey(e.child))) defs.set(e.id, e.child);
  }
  const keys = new Set(defs.keys());
  const [push, stay] = partition(cond, (c) => subsetOf(referencedIds(c), keys));
  if (push.length === 0) return null;
  const below = push.map((c) => replaceAttrs(c, defs));
  return withFilter(stay, Plan.aggregate(agg.groupingExprs, agg.aggregateExprs, withFilter(below, agg.child)));
}

type Side = "left" | "right" | "both" | "none";

function sideOf(c: Expr, leftIds: ReadonlySet<number>, rightIds: ReadonlySet<number>): Side {
  const refs = referencedIds(c);
  if (refs.size === 0) return "none";
  if (subsetOf(refs, leftIds)) return "left";
  if (subsetOf(refs, rightIds)) return "right";
  return "both";
}

/** Which sides a Filter above a join may send one-sided conjuncts to. */
function filterTargets(j: Join): { left: boolean; right: boolean; condition: boolean } {
  switch (j.joinType) {
    case "inner": case "cross": return { left: true, right: true, condition: true };
    case "left_outer": case "left_semi": case "left_anti": return { left: true, right: false, condition: false };
    case "right_outer": return { left: false, right: true, condition: false };
    case "full_outer": return { left: false, right: false, condition: false };
  }
}

/** Which sides a join's own condition may send one-sided conjuncts to. */
function conditionTargets(j: Join): { left: boolean; right: boolean } {
  switch (j.joinType) {
    case "inner": case "cross": case "left_semi": return { left: true, right: true };
    case "left_outer": case "left_anti": return { left: false, right: true };
    case "right_outer": return { left: true, right: false };
    case "full_outer": return { left: false, right: false };
  }
}

function pushThroughJoin(cond: Expr, j: Join): LogicalPlan | null {
  const leftIds = outputIds(j.left), rightIds = outputIds(j.right);
  const t = filterTargets(j);
  const toLeft: Expr[] = [], toRight: Expr[] = [], toCond: Expr[] = [], stay: Expr[] = [];
  for (const c of splitConjuncts(cond)) {
    if (!isMovable(c)) { stay.push(c); continue; }
    const side = sideOf(c, leftIds, rightIds);
    if (side === "left" && t.left) toLeft.push(c);
    else if (side === "right" && t.right) toRight.push(c);
    else if (side === "both" && t.condition) toCond.push(c);
    else stay.push(c);
  }
  if (toLeft.length + toRight.length + toCond.length === 0) return null;
  const condition = conjoin([...(j.condition ? [j.condition] : []), ...toCond]);
  return withFilter(stay, Plan.join(withFilter(toLeft, j.left), withFilter(toRight, j.right), j.joinType, condition, j.usingColumns));
}

function pushJoinCondition(j: Join): Join {
  if (!j.condition) return j;
  const t = conditionTargets(j);
  if (!t.left && !t.right) return j;
  const leftIds = outputIds(j.left), rightIds = outputIds(j.right);
  const toLeft: Expr[] = [], toRight: Expr[] = [], keep: Expr[] = [];
  for (const c of splitConjuncts(j.condition)) {
    const side = isMovable(c) ? sideOf(c, leftIds, rightIds) : "none";
    if (side === "left" && t.left) toLeft.push(c);
    else if (side === "right" && t.right) toRight.push(c);
    else keep.push(c);
  }
  if (toLeft.length + toRight.length === 0) return j;
  return Plan.join(withFilter(toLeft, j.left), withFilter(toRight, j.right), j.joinType, conjoin(keep), j.usingColumns);
}
