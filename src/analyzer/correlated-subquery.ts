import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprExists, transformExprUp } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import { type JoinType, type LogicalPlan, Plan, children } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { castTo, commonType } from "./coercion.js";
import { planOutput } from "./plan-output.js";

/**
 * Correlated `[NOT] EXISTS (subquery)` and `x [NOT] IN (subquery)` in a WHERE clause become
 * left semi / left anti joins, as Spark's RewritePredicateSubquery does: the subquery's
 * predicates that mention the outer query are pulled up into the join condition.
 *
 * Supported: the correlated predicates sit in filters reached from the subquery's top through
 * projections, filters and aliases only (no aggregation, limit or join above them). Anything
 * else is an AnalysisError naming the limitation. `NOT IN` keeps SQL's null semantics: a row is
 * dropped when the subquery has a null or the compared value is null (and the subquery is not empty).
 */
export function rewriteCorrelatedPredicates(condition: Expr, child: LogicalPlan): { condition: Expr | null; child: LogicalPlan } | null {
  const conjuncts = splitAnd(condition);
  if (!conjuncts.some((c) => isCorrelatedPredicate(c))) return null;
  let plan = child;
  const rest: Expr[] = [];
  for (const c of conjuncts) {
    const negated = c.kind === "UnaryExpr" && c.op === "not";
    const inner = negated ? (c as { child: Expr }).child : c;
    if (!isCorrelatedPredicate(c) || (inner.kind !== "Exists" && inner.kind !== "InSubquery")) {
      rest.push(c);
      continue;
    }
    const outerIds = new Set(planOutput(plan).map((a) => a.id));
    const { plan: sub, predicates } = pullUpCorrelated(inner.plan, outerIds);
    let cond: Expr | null = predicates.length ? predicates.reduce((a, b) => E.binary("and", a, b)) : null;
    if (inner.kind === "InSubquery") {
      const subOut = planOutput(sub);
      const eqs = inner.values.map((v, i) => {
        const s = subOut[i]!;
        const t = commonType([exprType(v), s.dataType], "IN subquery");
        const eq = E.binary("=", castTo(v, t), castTo(s, t));
        // NOT IN: a null comparison also disqualifies the row.
        return negated ? E.binary("or", eq, E.unary("isnull", eq)) : eq;
      });
      const match = eqs.reduce((a, b) => E.binary("and", a, b));
      cond = cond ? E.binary("and", match, cond) : match;
    }
    const jt: JoinType = negated ? "left_anti" : "left_semi";
    plan = Plan.join(plan, sub, jt, cond);
  }
  return { condition: rest.length ? rest.reduce((a, b) => E.binary("and", a, b)) : null, child: plan };
}

export function splitAnd(e: Expr): Expr[] {
  return e.kind === "BinaryExpr" && e.op === "and" ? [...splitAnd(e.left), ...splitAnd(e.right)] : [e];
}

function isCorrelatedPredicate(e: Expr): boolean {
  const inner = e.kind === "UnaryExpr" && e.op === "not" ? e.child : e;
  return (inner.kind === "Exists" || inner.kind === "InSubquery") && planHasOuterRef(inner.plan);
}

/** Whether a correlated subquery predicate appears anywhere in `e` (including under OR / NOT). */
export function containsCorrelatedSubquery(e: Expr): boolean {
  return exprExists(e, (x) => (x.kind === "Exists" || x.kind === "InSubquery" || x.kind === "ScalarSubquery") && planHasOuterRef(x.plan));
}

function planHasOuterRef(p: LogicalPlan): boolean {
  if (planExprs(p).some((e) => exprExists(e, (x) => x.kind === "OuterRef"))) return true;
  return children(p).some(planHasOuterRef);
}

const unsupported = (what: string): never => {
  throw new AnalysisError(
    "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE",
    `[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE] Correlated references to the outer query are supported only in WHERE filters of an EXISTS or IN subquery reached through SELECT and WHERE; found one ${what}.`,
  );
};

/** Removes outer-referencing conjuncts from the subquery's filters and returns them with outer references unwrapped. */
export function pullUpCorrelated(p: LogicalPlan, outerIds: ReadonlySet<number>): { plan: LogicalPlan; predicates: Expr[] } {
  switch (p.kind) {
    case "Filter": {
      const below = pullUpCorrelated(p.child, outerIds);
      const keep: Expr[] = [], pulled: Expr[] = [...below.predicates];
      for (const c of splitAnd(p.condition)) {
        if (!exprExists(c, (x) => x.kind === "OuterRef")) { keep.push(c); continue; }
        pulled.push(transformExprUp(c, (x) => {
          if (x.kind !== "OuterRef") return x;
          if (!outerIds.has(x.attr.id)) unsupported("that refers to a query more than one level out");
          return x.attr;
        }));
      }
      const plan = keep.length ? Plan.filter(keep.reduce((a, b) => E.binary("and", a, b)), below.plan) : below.plan;
      return { plan, predicates: pulled };
    }
    case "Project": {
      if (p.projectList.some((e) => exprExists(e, (x) => x.kind === "OuterRef"))) unsupported("in the select list of the subquery");
      const below = pullUpCorrelated(p.child, outerIds);
      if (below.predicates.length === 0) return { plan: p.child === below.plan ? p : Plan.project(p.projectList, below.plan), predicates: [] };
      // Keep the columns the pulled-up predicates need.
      const have = new Set(planOutput(p).map((a) => a.id));
      const need: AttributeRef[] = [];
      const belowOut = planOutput(below.plan);
      for (const pred of below.predicates) {
        transformExprUp(pred, (x) => {
          if (x.kind === "AttributeRef" && !outerIds.has(x.id) && !have.has(x.id)) {
            const a = belowOut.find((b) => b.id === x.id);
            if (a) { need.push(a); have.add(a.id); }
          }
          return x;
        });
      }
      return { plan: Plan.project([...p.projectList, ...need], below.plan), predicates: below.predicates };
    }
    case "SubqueryAlias": {
      const below = pullUpCorrelated(p.child, outerIds);
      return { plan: below.plan === p.child ? p : Plan.subqueryAlias(p.alias, below.plan), predicates: below.predicates };
    }
    default:
      if (planHasOuterRef(p)) unsupported(`under ${p.kind}`);
      return { plan: p, predicates: [] };
  }
}
