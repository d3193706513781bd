import { AnalysisError } from "../errors/errors.js";
import { type AggCall, type Alias, type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { boundSignature } from "../expr/bound-signature.js";
import { exprExists, referencedIds, transformExprDown, transformExprUp } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import type { AggregateFunctionDef } from "../expr/function-def.js";
import { type LogicalPlan, Plan, children } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { BooleanType, sameType } from "../types/data-type.js";
import { pullUpCorrelated, splitAnd } from "./correlated-subquery.js";
import { freshenIds } from "./freshen-ids.js";
import { namedToAttribute, planOutput } from "./plan-output.js";

/**
 * Correlated scalar subqueries in a SELECT list or WHERE clause become a left outer join with an
 * aggregate, as Spark's RewriteCorrelatedScalarSubquery does:
 *
 *   SELECT a, (SELECT max(b) FROM t2 WHERE t2.k = t1.k) FROM t1
 *   → SELECT a, m FROM t1 LEFT JOIN (SELECT k, max(b) AS m FROM t2 GROUP BY k) s ON s.k = t1.k
 *
 * The subquery must be an aggregation without GROUP BY (possibly under projections) whose
 * correlated predicates sit in filters below the aggregate. When they are equalities
 * `inner expression = outer expression`, the inner sides become the grouping keys; otherwise the
 * subquery is joined with the distinct outer values first (see domainJoin). The "count bug": a row with no match
 * gets the aggregate's value over no rows (count → 0, not null), through a `true` column that
 * is null exactly when the join found no group.
 */
export function rewriteCorrelatedScalarSubqueries(exprs: readonly Expr[], child: LogicalPlan): { exprs: Expr[]; child: LogicalPlan } | null {
  if (!exprs.some(hasCorrelatedScalar)) return null;
  let plan = child;
  const out = exprs.map((e) =>
    transformExprUp(e, (x) => {
      if (x.kind !== "ScalarSubquery" || !planHasOuterRef(x.plan)) return x;
      const r = rewriteOne(x.plan, plan);
      plan = r.plan;
      return r.value;
    }),
  );
  return { exprs: out, child: plan };
}

/**
 * The same rewrite for subqueries inside aggregate-function arguments (`sum((SELECT count(*) ...
 * WHERE r.c = l.a))`): they are computed per input row, so the join goes under the aggregation.
 * Subqueries elsewhere in the list are left alone.
 */
export function rewriteScalarSubqueriesInAggregates(exprs: readonly Expr[], child: LogicalPlan): { exprs: Expr[]; child: LogicalPlan } | null {
  if (!exprs.some(hasCorrelatedScalar)) return null;
  let plan = child;
  let changed = false;
  const out = exprs.map((e) =>
    transformExprDown(e, (x) => {
      if (x.kind !== "AggCall" || !hasCorrelatedScalar(x)) return undefined;
      const r = rewriteCorrelatedScalarSubqueries(x.args, plan)!;
      plan = r.child;
      changed = true;
      return { ...x, args: Object.freeze(r.exprs) };
    }),
  );
  return changed ? { exprs: out, child: plan } : null;
}

export function hasCorrelatedScalar(e: Expr): boolean {
  return exprExists(e, (x) => x.kind === "ScalarSubquery" && planHasOuterRef(x.plan));
}

/** The ids of the outer columns the correlated scalar subqueries in `e` refer to. */
export function outerRefIdsOf(e: Expr, out = new Set<number>()): Set<number> {
  exprExists(e, (x) => {
    if (x.kind === "ScalarSubquery") collectOuterIds(x.plan, out);
    return false;
  });
  return out;
}

function collectOuterIds(p: LogicalPlan, out: Set<number>): void {
  for (const e of planExprs(p)) {
    exprExists(e, (x) => {
      if (x.kind === "OuterRef") out.add(x.attr.id);
      return false;
    });
  }
  for (const c of children(p)) collectOuterIds(c, out);
}

function planHasOuterRef(p: LogicalPlan): boolean {
  if (planExprs(p).some((e) => exprExists(e, (x) => x.kind === "OuterRef"))) return true;
  return children(p).some(planHasOuterRef);
}

function refuse(why: string): never {
  throw new AnalysisError("UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_SCALAR_SUBQUERY", `[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_SCALAR_SUBQUERY] Correlated scalar subquery: ${why}`);
}

/** Projections and aliases above the aggregate, top first. */
type Layer = { kind: "Project"; list: readonly Expr[] } | { kind: "SubqueryAlias"; alias: string };

function rewriteOne(sub: LogicalPlan, outerPlan: LogicalPlan): { plan: LogicalPlan; value: Expr } {
  const layers: Layer[] = [];
  let p = sub;
  while (p.kind === "Project" || p.kind === "SubqueryAlias") {
    if (p.kind === "Project") {
      if (p.projectList.some((e) => exprExists(e, (x) => x.kind === "OuterRef"))) refuse("outer references are supported only in WHERE filters under the aggregation.");
      layers.push({ kind: "Project", list: p.projectList });
    } else layers.push({ kind: "SubqueryAlias", alias: p.alias });
    p = p.child;
  }
  if (p.kind !== "Aggregate") refuse("it must be aggregated (e.g. SELECT max(b) ... WHERE t2.k = t1.k) so that it returns one row per outer row.");
  if (p.groupingExprs.length > 0) refuse("GROUP BY inside a correlated scalar subquery is not supported.");
  if (p.aggregateExprs.some((e) => exprExists(e, (x) => x.kind === "OuterRef"))) refuse("outer references are supported only in WHERE filters under the aggregation.");

  const outerIds = new Set(planOutput(outerPlan).map((a) => a.id));
  const { plan: below, predicates } = pullUpCorrelated(p.child, outerIds);
  if (predicates.length === 0) refuse("no correlated predicate was found.");
  const equi = equalityKeys(predicates.flatMap(splitAnd), outerIds);
  // Equalities: group the subquery by its sides of them. Anything else: a domain join (below).
  const { aggChild, groupKeys, joinCond } = equi ? {
    aggChild: Plan.project([...planOutput(below), ...equi.innerKeys], below),
    groupKeys: equi.innerKeys.map(namedToAttribute),
    joinCond: equi.joinConds.reduce((a, b) => E.binary("and", a, b)),
  } : domainJoin(outerPlan, below, predicates, outerIds);

  // The value over no rows (Spark's count bug): each aggregate's finish(init()), through the projections.
  const empty = new Map<number, Expr>();
  for (const e of p.aggregateExprs) if (e.kind === "Alias") empty.set(e.id, transformExprUp(e.child, (x) => (x.kind === "AggCall" ? E.literal(emptyValue(x), x.dataType) : x)));
  const keyAttrs = groupKeys;
  const matched = E.alias(E.literal(true, BooleanType), "__corr_matched");
  const matchedAttr = namedToAttribute(matched);
  const pass = [...keyAttrs, matchedAttr];

  let plan: LogicalPlan = Plan.aggregate(keyAttrs, [...p.aggregateExprs, ...keyAttrs, matched], aggChild);
  for (const layer of [...layers].reverse()) {
    if (layer.kind === "SubqueryAlias") {
      plan = Plan.subqueryAlias(layer.alias, plan);
      continue;
    }
    for (const e of layer.list) if (e.kind === "Alias") empty.set(e.id, substitute(e.child, empty));
    plan = Plan.project([...layer.list, ...pass], plan);
  }
  const result = planOutput(plan)[0]!;
  const emptyExpr = empty.get(result.id) ?? substitute(result, empty);
  const joined = Plan.join(outerPlan, plan, "left_outer", joinCond);
  const resultAttr = E.attr(result.name, result.dataType, true, [], result.id);
  const value = emptyExpr.kind === "Literal" && emptyExpr.value === null ? resultAttr : E.caseWhen([[E.unary("isnull", E.attr(matchedAttr.name, matchedAttr.dataType, true, [], matchedAttr.id)), castIfNeeded(emptyExpr, result)]], resultAttr);
  return { plan: joined, value };
}

/** Each predicate as `inner expression = outer expression` (or `<=>`): the inner sides as grouping keys and the join conditions; null when one is not. */
function equalityKeys(predicates: readonly Expr[], outerIds: ReadonlySet<number>): { innerKeys: Alias[]; joinConds: Expr[] } | null {
  const innerKeys: Alias[] = [];
  const joinConds: Expr[] = [];
  const side = (e: Expr): "outer" | "inner" | "mixed" => {
    const ids = [...referencedIds(e)];
    if (ids.length > 0 && ids.every((i) => outerIds.has(i))) return "outer";
    return ids.some((i) => outerIds.has(i)) ? "mixed" : "inner";
  };
  for (const pred of predicates) {
    if (pred.kind !== "BinaryExpr" || (pred.op !== "=" && pred.op !== "<=>")) return null;
    const [l, r] = [side(pred.left), side(pred.right)];
    const inner = l === "inner" && r === "outer" ? pred.left : l === "outer" && r === "inner" ? pred.right : null;
    if (!inner) return null;
    const outer = inner === pred.left ? pred.right : pred.left;
    const key = E.alias(inner, `__corr_key${innerKeys.length}`);
    innerKeys.push(key);
    const keyAttr = namedToAttribute(key);
    joinConds.push(inner === pred.left ? E.binary(pred.op, keyAttr, outer) : E.binary(pred.op, outer, keyAttr));
  }
  return { innerKeys, joinConds };
}

/**
 * Any other correlated predicates (`l2.a < l1.a`, disjunctions): the distinct values of the outer
 * columns they use (the "domain", from a copy of the outer plan with fresh ids) are joined with
 * the subquery's input on those predicates, the aggregate groups by the domain columns, and the
 * outer rows find their group by null-safe equality, as Spark's DecorrelateInnerQuery does.
 */
function domainJoin(outerPlan: LogicalPlan, below: LogicalPlan, predicates: readonly Expr[], outerIds: ReadonlySet<number>): { aggChild: LogicalPlan; groupKeys: AttributeRef[]; joinCond: Expr } {
  const used = new Set<number>();
  for (const p of predicates) for (const id of referencedIds(p)) if (outerIds.has(id)) used.add(id);
  const outerOut = planOutput(outerPlan);
  const copy = freshenIds(outerPlan);
  const copyOut = planOutput(copy);
  const fresh = new Map(outerOut.map((a, i) => [a.id, copyOut[i]!]));
  const outerCols = outerOut.filter((a) => used.has(a.id));
  const domainCols = outerCols.map((a) => fresh.get(a.id)!);
  const domain = Plan.distinct(Plan.project(domainCols, copy));
  const cond = predicates
    .map((p) => transformExprUp(p, (x) => (x.kind === "AttributeRef" && used.has(x.id) ? fresh.get(x.id)! : x)))
    .reduce((a, b) => E.binary("and", a, b));
  return {
    aggChild: Plan.join(domain, below, "inner", cond),
    groupKeys: domainCols,
    joinCond: outerCols.map((a, i) => E.binary("<=>", a, domainCols[i]!)).reduce((a, b) => E.binary("and", a, b)),
  };
}

function substitute(e: Expr, values: ReadonlyMap<number, Expr>): Expr {
  return transformExprUp(e, (x) => (x.kind === "AttributeRef" && values.has(x.id) ? values.get(x.id)! : x));
}

function castIfNeeded(e: Expr, target: AttributeRef): Expr {
  return sameType(exprType(e), target.dataType) ? e : E.cast(e, target.dataType);
}

/** An aggregate's result over no rows (count → 0, sum → null, collect_list → []). */
function emptyValue(call: AggCall): unknown {
  const def = call.fn as AggregateFunctionDef;
  const acc = def.compile(boundSignature(call.args, call.dataType, call.state), { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 });
  return acc.finish(acc.init());
}
