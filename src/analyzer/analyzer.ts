import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, type SortOrder, Expr as E, isNamed } from "../expr/expression.js";
import { exprChildren, exprExists, referencedIds, semanticEquals, transformExprDown, transformExprUp } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import type { FunctionContext, ScalarFunctionDef } from "../expr/function-def.js";
import { lookupFunction } from "../expr/function-registry.js";
import { type LogicalPlan, Plan, type Aggregate, children, withChildren } from "../plan/logical-plan.js";
import { IntegerType, LongType, sqlTypeName } from "../types/data-type.js";
import { castTo, commonType } from "./coercion.js";
import { exprSql } from "./expr-sql.js";
import { freshenIds } from "./freshen-ids.js";
import { isGeneratorCall, resolveGenerator } from "./generators.js";
import { planOutput } from "./plan-output.js";
import { ExprResolver, type ResolveScope } from "./resolve-expr.js";
import { rewriteTimeWindows } from "./time-window-rewrite.js";
import { rewriteSessionWindows } from "./session-window-rewrite.js";
import { extractWindows } from "./extract-windows.js";
import { checkAggregate } from "./check-aggregate.js";
import { inlineTableToRelation } from "./inline-table.js";
import { containsCorrelatedSubquery, rewriteCorrelatedPredicates } from "./correlated-subquery.js";
import { hasCorrelatedScalar, outerRefIdsOf, rewriteCorrelatedScalarSubqueries, rewriteScalarSubqueriesInAggregates } from "./scalar-subquery-rewrite.js";
import { planExprs } from "../plan/plan-exprs.js";

/** Where the analyzer finds tables: temp views and file relations (`json.\`/path\``). */
export interface Catalog {
  /** An analyzed plan for a view name, or undefined. */
  lookupRelation(nameParts: readonly string[]): LogicalPlan | undefined;
  /** Names of the known relations, for "did you mean" messages. */
  relationNames(): string[];
}

export interface AnalyzerConf extends FunctionContext {
  readonly caseSensitive: boolean;
}

const analyzed = new WeakSet<LogicalPlan>();

/** True when `plan` came out of an Analyzer (its subtree needs no more resolution). */
export function isAnalyzed(plan: LogicalPlan): boolean {
  return analyzed.has(plan);
}

/**
 * Resolves a logical plan: names to attributes, functions to definitions, implicit casts,
 * aggregates and window functions into their own nodes, stars expanded, and Spark's rules
 * checked, each failure an AnalysisError that says what and where.
 */
export class Analyzer {
  private readonly resolver: ExprResolver;

  constructor(
    private readonly catalog: Catalog,
    private readonly conf: AnalyzerConf,
  ) {
    this.resolver = new ExprResolver({
      caseSensitive: conf.caseSensitive,
      functionContext: conf,
      analyzeSubquery: (p, outer) => this.resolvePlan(p, outer),
      outputOf: planOutput,
    });
  }

  analyze(plan: LogicalPlan): LogicalPlan {
    if (analyzed.has(plan)) return plan;
    const out = this.resolvePlan(plan, []);
    checkNoCorrelatedLeft(out);
    analyzed.add(out);
    return out;
  }

  private scope(input: readonly AttributeRef[], outer: readonly (readonly AttributeRef[])[], allowAggregates = false, allowWindows = false): ResolveScope {
    return { input, outer, allowAggregates, allowWindows };
  }

  private resolvePlan(p: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    if (analyzed.has(p)) return p;
    const out = this.resolveNode(p, outer);
    analyzed.add(out);
    return out;
  }

  private resolveNode(p: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    switch (p.kind) {
      case "LocalRelation": case "RangeRelation": case "DataSourceRelation":
        return p;
      case "UnresolvedRelation": {
        const found = this.catalog.lookupRelation(p.nameParts);
        if (!found) {
          const name = p.nameParts.map((x) => "`" + x + "`").join(".");
          throw new AnalysisError("TABLE_OR_VIEW_NOT_FOUND", `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${name} cannot be found. Verify the spelling; known views: [${this.catalog.relationNames().map((n) => "`" + n + "`").join(", ")}].`);
        }
        return Plan.subqueryAlias(p.nameParts[p.nameParts.length - 1]!, this.dedupAgainstOuter(this.resolvePlan(found, []), outer));
      }
      case "InlineTable":
        return inlineTableToRelation(p, (e) => this.resolver.resolve(e, this.scope([], outer)));
      case "SubqueryAlias": case "Limit": case "Distinct": case "ResolvedHint": case "FlatMapGroupsWithState":
        return withChildren(p, [this.resolvePlan(p.child, outer)]);
      case "Project":
        return this.resolveProject(p.projectList, this.resolvePlan(p.child, outer), outer);
      case "Filter": {
        const child = this.resolvePlan(p.child, outer);
        return this.resolveFilter(p.condition, child, outer);
      }
      case "Aggregate": {
        const child = this.resolvePlan(p.child, outer);
        return this.resolveAggregate(p.groupingExprs, p.aggregateExprs, child, outer);
      }
      case "GroupingSets":
        return this.resolveGroupingSets(p.sets, p.groupingExprs, p.aggregateExprs, this.resolvePlan(p.child, outer), outer);
      case "Sort":
        return this.resolveSort(p.order, p.global, this.resolvePlan(p.child, outer), outer);
      case "Join":
        return this.resolveJoin(p, outer);
      case "Union":
        return this.resolveUnion(p.children.map((c) => this.resolvePlan(c, outer)), p.byName, p.allowMissingColumns);
      case "SetOperation": {
        const [l, r] = this.widenChildren([this.resolvePlan(p.left, outer), this.resolvePlan(p.right, outer)], p.op.toUpperCase());
        return Plan.setOperation(p.op, p.all, l!, this.dedupRight(l!, r!));
      }
      case "Deduplicate": {
        const child = this.resolvePlan(p.child, outer);
        const input = planOutput(child);
        const keys = p.keys ? p.keys.map((k) => this.resolver.resolve(k, this.scope(input, outer))) : null;
        for (const k of keys ?? []) if (k.kind !== "AttributeRef") throw new AnalysisError("INTERNAL_ERROR", "dropDuplicates keys must be columns.");
        return Plan.deduplicate(keys, p.withinWatermark, child);
      }
      case "Repartition": {
        const child = this.resolvePlan(p.child, outer);
        const input = planOutput(child);
        return Plan.repartition(p.numPartitions, p.partitionExprs.map((e) => this.resolver.resolve(e, this.scope(input, outer))), p.shuffle, child);
      }
      case "EventTimeWatermark": {
        const child = this.resolvePlan(p.child, outer);
        const et = this.resolver.resolve(p.eventTime, this.scope(planOutput(child), outer));
        if (et.kind !== "AttributeRef") throw new AnalysisError("INVALID_WATERMARK", "withWatermark needs a column of the input as its event time.");
        if (et.dataType.kind !== "timestamp") {
          throw new AnalysisError("EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE", `[EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE] The event time \`${et.name}\` has the invalid type "${sqlTypeName(et.dataType)}", but expected "TIMESTAMP".`);
        }
        return Plan.watermark(et, p.delay, child);
      }
      case "Generate": {
        const child = this.resolvePlan(p.child, outer);
        if (p.generatorOutput.length > 0) return withChildren(p, [child]);
        const g = p.generator;
        if (g.kind !== "UnresolvedFunction" || !isGeneratorCall(g)) {
          throw new AnalysisError("UNSUPPORTED_GENERATOR", `LATERAL VIEW needs a generator (explode, posexplode, inline, json_tuple), not ${exprSql(g)}.`);
        }
        const args = g.args.map((a) => this.resolver.resolve(a, this.scope(planOutput(child), outer)));
        const r = resolveGenerator(g.name, args, p.outputNames);
        return Plan.generate(r.generator, r.outer || p.outer, p.outputNames, p.keepChildOutput, child, r.output);
      }
      case "Window": case "Expand": case "WindowGroupLimit":
        return withChildren(p, children(p).map((c) => this.resolvePlan(c, outer)));
    }
  }

  /** Auto-alias: Spark names an unnamed select item after its SQL text. */
  private named(e: Expr): Expr {
    if (isNamed(e)) return e;
    if (e.kind === "GetField") return E.alias(e, e.name);
    return E.alias(e, exprSql(e, true));
  }

  private expandProjectList(list: readonly Expr[], input: readonly AttributeRef[]): Expr[] {
    return list.flatMap((e) => (e.kind === "UnresolvedStar" ? this.resolver.expandStar(e.target, input) : [e]));
  }

  private resolveProject(list: readonly Expr[], child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    // A generator in the select list becomes a Generate node under the projection.
    const genIdx = list.findIndex((e) => isGeneratorCall(e.kind === "Alias" ? e.child : e) || (e.kind === "UnresolvedFunction" && e.name === "__multi_alias" && isGeneratorCall(e.args[0]!)));
    if (genIdx >= 0) return this.resolveProjectWithGenerator(list, genIdx, child, outer);

    const input = planOutput(child);
    const expanded = this.expandProjectList(list, input);
    const sw = rewriteSessionWindows(expanded, -1, child, (e, c) => this.resolver.resolve(e, this.scope(planOutput(c), outer)));
    const rewritten = rewriteTimeWindows(sw.exprs, sw.child, (e, c) => this.resolver.resolve(e, this.scope(planOutput(c), outer)));
    const inputAfter = planOutput(rewritten.child);
    const resolved = rewritten.exprs.map((e) => this.named(this.resolver.resolve(e, this.scope(inputAfter, outer, true, true))));
    if (resolved.some(containsAggOutsideWindow)) return this.finishAggregate([], resolved, rewritten.child, outer);
    if (resolved.some((e) => exprExists(e, (x) => x.kind === "WindowExpr"))) return extractWindows(resolved, rewritten.child);
    const scalar = rewriteCorrelatedScalarSubqueries(resolved, rewritten.child);
    if (scalar) return Plan.project(scalar.exprs, this.markAnalyzed(scalar.child));
    return Plan.project(resolved, rewritten.child);
  }

  private resolveProjectWithGenerator(list: readonly Expr[], genIdx: number, child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const item = list[genIdx]!;
    let call = item.kind === "Alias" ? item.child : item;
    let names: string[] = item.kind === "Alias" ? [item.name] : [];
    if (call.kind === "UnresolvedFunction" && call.name === "__multi_alias") {
      names = call.args.slice(1).map((a) => (a.kind === "Literal" ? String(a.value) : ""));
      call = call.args[0]!;
    }
    if (call.kind !== "UnresolvedFunction") throw new AnalysisError("UNSUPPORTED_GENERATOR", "A generator must be a function call.");
    if (list.some((e, i) => i !== genIdx && exprExists(e, isGeneratorCall))) {
      throw new AnalysisError("UNSUPPORTED_GENERATOR.MULTI_GENERATOR", "[UNSUPPORTED_GENERATOR.MULTI_GENERATOR] Only one generator is allowed per SELECT clause.");
    }
    const input = planOutput(child);
    const args = call.args.map((a) => this.resolver.resolve(a, this.scope(input, outer)));
    const r = resolveGenerator(call.name, args, names);
    const gen = Plan.generate(r.generator, r.outer, names, true, child, r.output);
    const newList = [...list.slice(0, genIdx), ...r.output, ...list.slice(genIdx + 1)];
    return this.resolveProject(newList, gen, outer);
  }

  private resolveFilter(cond: Expr, child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    // HAVING: conditions over an aggregation may use aggregates and grouping columns not selected.
    const agg = havingTarget(child);
    if (agg && (exprExists(cond, (e) => e.kind === "UnresolvedFunction") || !this.resolvesAgainst(cond, planOutput(child), outer))) {
      return this.resolveWithHiddenAggregates(agg, child, [cond], outer, ([c]) => c!, (resolvedCond, newChild) => {
        // HAVING ... (correlated scalar subquery over grouping columns): joined above the aggregation.
        const scalar = rewriteCorrelatedScalarSubqueries([resolvedCond], newChild);
        if (!scalar) return Plan.filter(resolvedCond, newChild);
        return this.markAnalyzed(Plan.project(planOutput(newChild), this.markAnalyzed(Plan.filter(scalar.exprs[0]!, this.markAnalyzed(scalar.child)))));
      });
    }
    const input = planOutput(child);
    try {
      const c = this.resolver.asBoolean(this.resolver.resolve(cond, this.scope(input, outer)), "WHERE");
      const scalar = rewriteCorrelatedScalarSubqueries([c], child);
      if (scalar) {
        // The joined subquery columns are projected away again.
        const inner = this.resolveFilterResolved(scalar.exprs[0]!, this.markAnalyzed(scalar.child));
        return this.markAnalyzed(Plan.project(input, this.markAnalyzed(inner)));
      }
      return this.resolveFilterResolved(c, child);
    } catch (err) {
      // Spark resolves a filter over a projection that dropped the column against the projection's input.
      if (child.kind === "Project" && err instanceof AnalysisError && err.errorClass.startsWith("UNRESOLVED_COLUMN")) {
        const missing = this.missingAttributes([cond], child, outer);
        if (missing) {
          const widened = Plan.project([...child.projectList, ...missing], child.child);
          const c = this.resolver.asBoolean(this.resolver.resolve(cond, this.scope(planOutput(widened), outer)), "WHERE");
          return Plan.project(child.projectList.map((e) => (e.kind === "Alias" ? E.attr(e.name, exprType(e.child), true, [], e.id) : e)).map((e) => planOutput(widened).find((a) => a.id === (e as AttributeRef).id)!), Plan.filter(c, widened));
        }
      }
      throw err;
    }
  }

  /** A resolved WHERE condition over `child`: correlated EXISTS / IN conjuncts become semi / anti joins. */
  private resolveFilterResolved(c: Expr, child: LogicalPlan): LogicalPlan {
    const rewritten = rewriteCorrelatedPredicates(c, child);
    if (rewritten) {
      const joined = rewritten.condition ? Plan.filter(rewritten.condition, rewritten.child) : rewritten.child;
      return rewritten.child === child ? joined : this.markAnalyzed(joined);
    }
    return Plan.filter(c, child);
  }

  private resolvesAgainst(e: Expr, input: readonly AttributeRef[], outer: readonly (readonly AttributeRef[])[]): boolean {
    try {
      this.resolver.resolve(e, this.scope(input, outer));
      return true;
    } catch {
      return false;
    }
  }

  /** Attributes of a projection's input that `exprs` need but the projection drops. */
  private missingAttributes(exprs: readonly Expr[], project: { child: LogicalPlan; projectList: readonly Expr[] }, outer: readonly (readonly AttributeRef[])[]): AttributeRef[] | null {
    const below = planOutput(project.child);
    const resolved = exprs.map((e) => {
      try {
        return this.resolver.resolve(e, this.scope(below, outer));
      } catch {
        return null;
      }
    });
    if (resolved.some((r) => r === null)) return null;
    const have = new Set(project.projectList.map((e) => (e as AttributeRef).id));
    const ids = new Set<number>();
    for (const r of resolved) referencedIds(r!, ids);
    return below.filter((a) => ids.has(a.id) && !have.has(a.id));
  }

  private resolveSort(order: readonly SortOrder[], global: boolean, child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const input = planOutput(child);
    // ORDER BY 1: the first select item.
    const withOrdinals = order.map((o) => (o.child.kind === "UnresolvedOrdinal" ? E.sortOrder(ordinalTarget(o.child.position, input), o.ascending, o.nullsFirst) : o));
    const agg = havingTarget(child);
    if (agg && withOrdinals.some((o) => !this.resolvesAgainst(o, input, outer))) {
      return this.resolveWithHiddenAggregates(agg, child, withOrdinals, outer, (rs) => rs, (rs, newChild) => Plan.sort(rs as SortOrder[], global, newChild));
    }
    const ok = withOrdinals.every((o) => this.resolvesAgainst(o, input, outer));
    if (!ok && child.kind === "Project") {
      const missing = this.missingAttributes(withOrdinals, child, outer);
      if (missing && missing.length > 0) {
        const widened = Plan.project([...child.projectList, ...missing], child.child);
        const resolved = withOrdinals.map((o) => this.resolver.resolve(o, this.scope(planOutput(widened), outer)) as SortOrder);
        return Plan.project(input, Plan.sort(resolved, global, widened));
      }
    }
    const resolved = withOrdinals.map((o) => this.resolver.resolve(o, this.scope(input, outer)) as SortOrder);
    return Plan.sort(resolved, global, child);
  }

  /**
   * HAVING / ORDER BY over an aggregation may mention aggregates that are not selected: they are
   * added to the aggregation as hidden columns and projected away above.
   */
  private resolveWithHiddenAggregates<T>(
    agg: Aggregate,
    child: LogicalPlan,
    exprs: readonly Expr[],
    outer: readonly (readonly AttributeRef[])[],
    pick: (resolved: Expr[]) => T,
    build: (resolved: T, newChild: LogicalPlan) => LogicalPlan,
  ): LogicalPlan {
    const sets = groupingSetsOf(agg);
    const aggInput = sets ? planOutput(sets.input) : planOutput(agg.child);
    const aggOutput = planOutput(agg);
    const extra: Expr[] = [];
    const resolved = exprs.map((e) => {
      // First try the aggregation's output (select aliases), then its input with aggregates allowed.
      try {
        return this.resolver.resolve(e, this.scope(aggOutput, outer));
      } catch {
        const resolvedInput = this.resolver.resolve(e, this.scope(aggInput, outer, true));
        const r = sets ? groupingToAttributes(resolvedInput, sets.groups, sets.groupAttrs) : resolvedInput;
        return transformExprDown(r, (x) => {
          if (x.kind === "AggCall" || agg.groupingExprs.some((g) => semanticEquals(g, x))) {
            const existing = agg.aggregateExprs.find((a) => a.kind === "Alias" && semanticEquals(a.child, x)) ?? agg.aggregateExprs.find((a) => a.kind === "AttributeRef" && semanticEquals(a, x));
            if (existing) return planOutput(Plan.project([existing], agg.child))[0]!;
            const alias = E.alias(x, exprSql(x, true));
            extra.push(alias);
            return E.attr(alias.name, exprType(x), true, [], alias.id);
          }
          return undefined;
        });
      }
    });
    if (extra.length === 0) return build(pick(resolved), child);
    const newAgg = this.finishAggregate(agg.groupingExprs, [...agg.aggregateExprs, ...extra], agg.child, outer);
    const extraAttrs = planOutput(newAgg).filter((a) => extra.some((x) => x.kind === "Alias" && x.id === a.id));
    // Rebuild the chain from `child` down to the aggregation, letting the new columns through.
    const rebuild = (p: LogicalPlan): LogicalPlan => {
      if (p === agg) return newAgg;
      if (p.kind === "Project") return Plan.project([...p.projectList, ...extraAttrs], rebuild(p.child));
      return withChildren(p, [rebuild(children(p)[0]!)]);
    };
    return Plan.project(planOutput(child), build(pick(resolved), rebuild(child)));
  }

  private resolveGroupingExprs(grouping: readonly Expr[], selectList: readonly Expr[], input: readonly AttributeRef[], outer: readonly (readonly AttributeRef[])[]): Expr[] {
    return grouping.map((g) => {
      if (g.kind === "UnresolvedOrdinal") {
        const item = selectList[g.position - 1];
        if (!item) throw new AnalysisError("GROUP_BY_POS_OUT_OF_RANGE", `[GROUP_BY_POS_OUT_OF_RANGE] GROUP BY position ${g.position} is not in select list (valid range is [1, ${selectList.length}]).`);
        const r = this.resolver.resolve(item, this.scope(input, outer));
        return r.kind === "Alias" ? r.child : r;
      }
      try {
        return this.resolver.resolve(g, this.scope(input, outer));
      } catch (err) {
        // GROUP BY a select alias, when no column has that name.
        if (g.kind === "UnresolvedColumn" && g.nameParts.length === 1) {
          const alias = selectList.find((s) => s.kind === "Alias" && s.name.toLowerCase() === g.nameParts[0]!.toLowerCase());
          if (alias && alias.kind === "Alias") return this.resolver.resolve(alias.child, this.scope(input, outer));
        }
        throw err;
      }
    });
  }

  private resolveAggregate(grouping: readonly Expr[], aggExprs: readonly Expr[], child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const input = planOutput(child);
    const expanded = this.expandProjectList(aggExprs, input);
    const sw = rewriteSessionWindows([...grouping, ...expanded], grouping.length, child, (e, c) => this.resolver.resolve(e, this.scope(planOutput(c), outer)));
    const tw = rewriteTimeWindows(sw.exprs, sw.child, (e, c) => this.resolver.resolve(e, this.scope(planOutput(c), outer)));
    const newChild = tw.child;
    const newInput = planOutput(newChild);
    const g = tw.exprs.slice(0, grouping.length);
    const a = tw.exprs.slice(grouping.length);
    const resolvedGroups = this.resolveGroupingExprs(g, a, newInput, outer);
    const resolvedAggs = a.map((e) => this.named(this.resolver.resolve(e, this.scope(newInput, outer, true, true))));
    return this.finishAggregate(resolvedGroups, resolvedAggs, newChild, outer);
  }

  /** Builds an Aggregate from resolved parts; window functions over it go into a Window above. */
  private finishAggregate(grouping: readonly Expr[], aggExprs: readonly Expr[], child: LogicalPlan, _outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const inAgg = rewriteScalarSubqueriesInAggregates(aggExprs, child);
    if (inAgg) {
      aggExprs = inAgg.exprs;
      child = this.markAnalyzed(inAgg.child);
    }
    if (aggExprs.some(hasCorrelatedScalar) && !aggExprs.some((e) => exprExists(e, (x) => x.kind === "WindowExpr"))) {
      const above = this.subqueriesAboveAggregate(grouping, aggExprs, child);
      if (above) return above;
    }
    if (aggExprs.some((e) => exprExists(e, (x) => x.kind === "WindowExpr"))) {
      // Aggregate first (exposing what the windows need), then the windows over its output.
      const needed: Expr[] = [];
      const rewritten = aggExprs.map((e) => readThroughAggregate(e, grouping, needed));
      const agg = Plan.aggregate(grouping, needed, child);
      checkAggregate(agg);
      return extractWindows(rewritten.map((e) => this.named(e)), agg);
    }
    const agg = Plan.aggregate(grouping, aggExprs, child);
    checkAggregate(agg);
    return agg;
  }

  /**
   * `SELECT k, count(*), (SELECT max(x) FROM t2 WHERE t2.k = t1.k) FROM t1 GROUP BY k`: the
   * aggregation computes the aggregates and passes the grouping columns through; the subqueries
   * (correlated on grouping columns) are joined above it. Null when a subquery refers to
   * something other than a plain grouping column (the caller then refuses the query).
   */
  private subqueriesAboveAggregate(grouping: readonly Expr[], aggExprs: readonly Expr[], child: LogicalPlan): LogicalPlan | null {
    const groupAttrs = grouping.filter((g): g is AttributeRef => g.kind === "AttributeRef");
    const needed: Expr[] = [...groupAttrs];
    // Plain grouping columns pass through the Aggregate as they are (they head `needed`).
    const items = aggExprs.map((e) => readThroughAggregate(e, grouping, needed, (x) => x.kind === "AttributeRef" && groupAttrs.some((g) => g.id === x.id)));
    const agg = Plan.aggregate(grouping, needed, child);
    checkAggregate(agg);
    const available = new Set(planOutput(agg).map((a) => a.id));
    if (!items.every((e) => [...outerRefIdsOf(e)].every((id) => available.has(id)))) return null;
    const scalar = rewriteCorrelatedScalarSubqueries(items, this.markAnalyzed(agg));
    if (!scalar) return null;
    return Plan.project(scalar.exprs, this.markAnalyzed(scalar.child));
  }

  /**
   * CUBE / ROLLUP / GROUPING SETS: an Expand emits each row once per grouping set with the
   * columns outside the set nulled and a grouping id; the Aggregate groups by both.
   */
  private resolveGroupingSets(sets: readonly (readonly Expr[])[], grouping: readonly Expr[], aggExprs: readonly Expr[], child: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const input = planOutput(child);
    const expanded = this.expandProjectList(aggExprs, input);
    const groups = this.resolveGroupingExprs(grouping, expanded, input, outer);
    const resolvedSets = sets.map((s) => this.resolveGroupingExprs(s, expanded, input, outer));
    const groupAttrs = groups.map((g) => E.attr(g.kind === "AttributeRef" ? g.name : exprSql(g, true), exprType(g), true));
    const gid = E.attr("spark_grouping_id", LongType, false);
    const projections = resolvedSets.map((set) => {
      let mask = 0;
      const vals = groups.map((g, i) => {
        const inSet = set.some((s) => semanticEquals(s, g));
        if (!inSet) mask |= 1 << (groups.length - 1 - i);
        return inSet ? g : E.literal(null, exprType(g));
      });
      return [...input, ...vals, E.literal(mask, LongType)];
    });
    const expand = Plan.expand(projections, [...input, ...groupAttrs, gid], child);
    // References to grouping expressions above the Expand point at the nulled copies.
    const toGroupAttr = (e: Expr): Expr => groupingToAttributes(e, groups, groupAttrs);
    const resolvedAggs = expanded.map((e) => {
      const isGroupingCall = (x: Expr): boolean => x.kind === "UnresolvedFunction" && (x.name.toLowerCase() === "grouping" || x.name.toLowerCase() === "grouping_id");
      const withGrouping = transformExprUp(e, (x) => {
        if (x.kind === "UnresolvedFunction" && isGroupingCall(x)) {
          return Expr_groupingCall(x.name.toLowerCase(), x.args, groups.map((g) => exprSql(g, true)), gid, groups.length);
        }
        return x;
      });
      // A select item that is just grouping(k) / grouping_id() keeps that name.
      const named = isGroupingCall(e) ? E.alias(withGrouping, exprSql(e, true)) : withGrouping;
      // Resolved against the input (the Expand's copies of the grouping columns have the same names).
      return this.named(toGroupAttr(this.resolver.resolve(named, this.scope(input, outer, true))));
    });
    return this.finishAggregate([...groupAttrs, gid], resolvedAggs, expand, outer);
  }

  private resolveJoin(p: Extract<LogicalPlan, { kind: "Join" }>, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    const left = this.resolvePlan(p.left, outer);
    const right = this.dedupRight(left, this.resolvePlan(p.right, outer));
    const lo = planOutput(left), ro = planOutput(right);
    if (p.usingColumns) {
      const cs = this.conf.caseSensitive;
      const find = (side: readonly AttributeRef[], n: string, which: string): AttributeRef => {
        const m = side.filter((a) => (cs ? a.name === n : a.name.toLowerCase() === n.toLowerCase()));
        if (m.length === 0) throw new AnalysisError("UNRESOLVED_USING_COLUMN_FOR_JOIN", `[UNRESOLVED_USING_COLUMN_FOR_JOIN] USING column \`${n}\` cannot be resolved on the ${which} side of the join. The ${which}-side columns: [${side.map((a) => `\`${a.name}\``).join(", ")}].`);
        return m[0]!;
      };
      const lk = p.usingColumns.map((n) => find(lo, n, "left"));
      const rk = p.usingColumns.map((n) => find(ro, n, "right"));
      const conds = lk.map((l, i) => {
        const [a, b] = [l as Expr, rk[i] as Expr];
        const t = commonType([exprType(a), exprType(b)], `USING column \`${l.name}\``);
        return E.binary("=", castTo(a, t), castTo(b, t));
      });
      const cond = conds.reduce((a, b) => E.binary("and", a, b));
      const join = Plan.join(left, right, p.joinType, cond);
      const jo = planOutput(join);
      const byId = (a: AttributeRef): AttributeRef => jo.find((x) => x.id === a.id)!;
      const lIds = new Set(lk.map((a) => a.id)), rIds = new Set(rk.map((a) => a.id));
      let keys: Expr[];
      if (p.joinType === "right_outer") keys = rk.map(byId);
      else if (p.joinType === "full_outer") keys = lk.map((l, i) => E.alias(E.call(coalesceDef(), [byId(l), castTo(byId(rk[i]!), exprType(l))], l.dataType), l.name));
      else keys = lk.map(byId);
      if (p.joinType === "left_semi" || p.joinType === "left_anti") return join;
      const rest = [...lo.filter((a) => !lIds.has(a.id)).map(byId), ...ro.filter((a) => !rIds.has(a.id)).map(byId)];
      return Plan.project([...keys, ...rest], join);
    }
    let cond: Expr | null = null;
    if (p.condition) cond = this.resolver.asBoolean(this.resolver.resolve(p.condition, this.scope([...lo, ...ro], outer)), "JOIN ... ON");
    return Plan.join(left, right, p.joinType, cond);
  }

  private markAnalyzed(p: LogicalPlan): LogicalPlan {
    analyzed.add(p);
    for (const c of children(p)) if (!analyzed.has(c)) this.markAnalyzed(c);
    return p;
  }

  /** A relation inside a subquery that is also read outside it (`... FROM t x WHERE EXISTS (SELECT 1 FROM t y WHERE y.k = x.k)`) gets new ids, so outer references stay distinguishable. */
  private dedupAgainstOuter(p: LogicalPlan, outer: readonly (readonly AttributeRef[])[]): LogicalPlan {
    if (outer.length === 0) return p;
    const ids = new Set(outer.flat().map((a) => a.id));
    if (!planOutput(p).some((a) => ids.has(a.id))) return p;
    const fresh = freshenIds(p);
    this.markAnalyzed(fresh);
    return fresh;
  }

  /** When both sides of a binary node share attribute ids (a self-join), the right side gets new ones. */
  private dedupRight(left: LogicalPlan, right: LogicalPlan): LogicalPlan {
    const ids = new Set(planOutput(left).map((a) => a.id));
    if (!planOutput(right).some((a) => ids.has(a.id))) return right;
    const fresh = freshenIds(right);
    analyzed.add(fresh);
    return fresh;
  }

  private resolveUnion(cs: LogicalPlan[], byName: boolean, allowMissing: boolean): LogicalPlan {
    if (byName) {
      const first = planOutput(cs[0]!);
      const names = first.map((a) => a.name);
      const lower = (s: string): string => (this.conf.caseSensitive ? s : s.toLowerCase());
      const allNames = [...names];
      if (allowMissing) for (const c of cs.slice(1)) for (const a of planOutput(c)) if (!allNames.some((n) => lower(n) === lower(a.name))) allNames.push(a.name);
      cs = cs.map((c, ci) => {
        const out = planOutput(c);
        const list = allNames.map((n) => {
          const a = out.find((x) => lower(x.name) === lower(n));
          if (a) return a as Expr;
          if (!allowMissing) {
            throw new AnalysisError("NUM_COLUMNS_MISMATCH", `[UNRESOLVED_COLUMN] Cannot resolve column name "${n}" among (${out.map((x) => x.name).join(", ")}) of the ${ci === 0 ? "first" : "other"} input of unionByName; use allowMissingColumns to fill it with nulls.`);
          }
          const t = cs.map((o) => planOutput(o).find((x) => lower(x.name) === lower(n))).find((x) => x)!.dataType;
          return E.alias(E.literal(null, t), n);
        });
        if (!allowMissing && out.length !== names.length) {
          throw new AnalysisError("NUM_COLUMNS_MISMATCH", `[NUM_COLUMNS_MISMATCH] UNION can only be performed on inputs with the same number of columns, but the first input has ${names.length} columns and the ${ordinalWord(ci + 1)} input has ${out.length} columns.`);
        }
        return list.every((e, i) => e === out[i]) && list.length === out.length ? c : Plan.project(list, c);
      });
    }
    const widened = this.widenChildren(cs, "UNION");
    return Plan.union(widened.map((c, i) => (i === 0 ? c : this.dedupRight(widened[0]!, c))));
  }

  /** Set operations need the same column count and compatible types; narrower sides are cast. */
  private widenChildren(cs: LogicalPlan[], op: string): LogicalPlan[] {
    const outs = cs.map(planOutput);
    const n = outs[0]!.length;
    outs.forEach((o, i) => {
      if (o.length !== n) throw new AnalysisError("NUM_COLUMNS_MISMATCH", `[NUM_COLUMNS_MISMATCH] ${op} can only be performed on inputs with the same number of columns, but the first input has ${n} columns and the ${ordinalWord(i + 1)} input has ${o.length} columns.`);
    });
    const types = Array.from({ length: n }, (_, j) => commonType(outs.map((o) => o[j]!.dataType), `${op} column ${j + 1} (\`${outs[0]![j]!.name}\`)`));
    return cs.map((c, i) => {
      const o = outs[i]!;
      if (o.every((a, j) => a.dataType.kind === types[j]!.kind && JSON.stringify(a.dataType) === JSON.stringify(types[j]))) return c;
      return Plan.project(o.map((a, j) => (JSON.stringify(a.dataType) === JSON.stringify(types[j]) ? a : E.alias(castTo(a, types[j]!), a.name))), c);
    });
  }
}

/** Correlated subqueries the analyzer could not turn into joins are refused before execution. */
function checkNoCorrelatedLeft(p: LogicalPlan): void {
  for (const e of planExprs(p)) {
    if (containsCorrelatedSubquery(e)) {
      throw new AnalysisError(
        "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE",
        `[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE] Correlated subqueries are supported as [NOT] EXISTS or [NOT] IN conjuncts of a WHERE clause and as aggregated scalar subqueries in a SELECT list, a WHERE clause or an aggregate's argument; rewrite "${exprSql(e)}" as a join.`,
      );
    }
  }
  for (const c of children(p)) checkNoCorrelatedLeft(c);
}

function ordinalWord(n: number): string {
  return ["zeroth", "first", "second", "third", "fourth", "fifth"][n] ?? `${n}th`;
}

function ordinalTarget(position: number, input: readonly AttributeRef[]): Expr {
  const a = input[position - 1];
  if (!a) throw new AnalysisError("ORDER_BY_POS_OUT_OF_RANGE", `[ORDER_BY_POS_OUT_OF_RANGE] ORDER BY position ${position} is not in select list (valid range is [1, ${input.length}]).`);
  return a;
}

/** The Aggregate a HAVING/ORDER BY refers to: the child itself, or under a projection of it. */
function havingTarget(child: LogicalPlan): Aggregate | null {
  if (child.kind === "Aggregate") return child;
  // ORDER BY after HAVING: Filter over the aggregation, or the projection HAVING put above it.
  if (child.kind === "Filter") return havingTarget(child.child);
  if (child.kind === "Project" && child.child.kind === "Filter") return havingTarget(child.child);
  return null;
}

/**
 * `e` rewritten to read an Aggregate's output: each aggregate call and grouping expression in it
 * (but what `keep` accepts) becomes a reference to an output column, added to `needed` once.
 */
function readThroughAggregate(e: Expr, grouping: readonly Expr[], needed: Expr[], keep: (x: Expr) => boolean = () => false): Expr {
  return transformExprDown(e, (x) => {
    if (keep(x)) return x;
    if (x.kind === "AggCall" || (grouping.some((gr) => semanticEquals(gr, x)) && x.kind !== "Literal")) {
      const found = needed.find((n) => n.kind === "Alias" && semanticEquals(n.child, x));
      const alias = found && found.kind === "Alias" ? found : E.alias(x, exprSql(x, true));
      if (!found) needed.push(alias);
      return E.attr(alias.name, exprType(x), true, [], alias.id);
    }
    return undefined;
  });
}

function containsAggOutsideWindow(e: Expr): boolean {
  if (e.kind === "AggCall") return true;
  if (e.kind === "WindowExpr") {
    // sum(x) OVER w is a window aggregate; sum(sum(x)) OVER w still needs an aggregation below.
    const fnArgs = e.fn.kind === "AggCall" || e.fn.kind === "Call" ? e.fn.args : [];
    return fnArgs.some(containsAggOutsideWindow) || e.spec.partitionBy.some(containsAggOutsideWindow) || e.spec.orderBy.some((o) => containsAggOutsideWindow(o.child));
  }
  if (e.kind === "ScalarSubquery" || e.kind === "Exists" || e.kind === "InSubquery") return false;
  return exprChildren(e).some(containsAggOutsideWindow);
}

/**
 * Replaces grouping expressions (outside aggregate arguments) with the Expand's nullable copies
 * of them. An alias keeps its name: only its child is rewritten.
 */
function groupingToAttributes(e: Expr, groups: readonly Expr[], groupAttrs: readonly AttributeRef[]): Expr {
  if (e.kind === "Alias") {
    const c = groupingToAttributes(e.child, groups, groupAttrs);
    return c === e.child ? e : E.alias(c, e.name, e.id);
  }
  return transformExprDown(e, (x) => {
    if (x.kind === "AggCall") return x;
    const i = groups.findIndex((g) => semanticEquals(g, x));
    return i >= 0 ? groupAttrs[i]! : undefined;
  });
}

/** For an Aggregate over grouping sets: the Expand's input, the grouping expressions and their copies. */
function groupingSetsOf(agg: Aggregate): { input: LogicalPlan; groups: Expr[]; groupAttrs: AttributeRef[] } | null {
  const ex = agg.child;
  if (ex.kind !== "Expand" || ex.output[ex.output.length - 1]?.name !== "spark_grouping_id") return null;
  const n = planOutput(ex.child).length;
  const groupAttrs = ex.output.slice(n, ex.output.length - 1);
  const groups: Expr[] = [];
  for (let i = 0; i < groupAttrs.length; i++) {
    const p = ex.projections.find((ps) => !(ps[n + i]!.kind === "Literal" && (ps[n + i] as { value: unknown }).value === null));
    groups.push(p ? p[n + i]! : groupAttrs[i]!);
  }
  return { input: ex.child, groups, groupAttrs };
}

function coalesceDef(): ScalarFunctionDef {
  const d = lookupFunction("coalesce");
  if (!d || d.type !== "scalar") throw new AnalysisError("INTERNAL_ERROR", "coalesce is not registered");
  return d;
}

/** grouping(col) / grouping_id(cols...) over the grouping id produced by the Expand. */
function Expr_groupingCall(name: string, args: readonly Expr[], groupNames: readonly string[], gid: AttributeRef, n: number): Expr {
  const idx = (a: Expr): number => {
    const nm = a.kind === "UnresolvedColumn" ? a.nameParts[a.nameParts.length - 1]!.toLowerCase() : "";
    const i = groupNames.findIndex((g) => g.toLowerCase() === nm);
    if (i < 0) throw new AnalysisError("GROUPING_COLUMN_MISMATCH", `[GROUPING_COLUMN_MISMATCH] Column of grouping (${exprSql(a)}) can't be found in grouping columns ${groupNames.join(",")}.`);
    return i;
  };
  if (name === "grouping") {
    const bit = n - 1 - idx(args[0]!);
    return E.cast(E.binary("&", E.binary("div", gid, E.literal(2 ** bit, LongType)), E.literal(1, LongType)), { kind: "byte" });
  }
  if (args.length === 0) return gid;
  // grouping_id(a, b): the bits of the named columns, in the given order.
  let acc: Expr | null = null;
  args.forEach((a, j) => {
    const bit = n - 1 - idx(a);
    const b = E.binary("&", E.binary("div", gid, E.literal(2 ** bit, LongType)), E.literal(1, LongType));
    const shifted = E.binary("*", b, E.literal(2 ** (args.length - 1 - j), LongType));
    acc = acc ? E.binary("+", acc, shifted) : shifted;
  });
  return acc ?? E.literal(0, IntegerType);
}
