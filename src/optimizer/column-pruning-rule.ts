import { planOutput } from "../analyzer/plan-output.js";
import type { Expr } from "../expr/expression.js";
import { referencedIds } from "../expr/expr-tree.js";
import { type LogicalPlan, Plan, withChildren } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { outputIds, projectAttrs } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Drops columns nobody above uses, as early as possible:
 *
 * - a file or connector relation reads only the required columns (`requiredColumns`, and its
 *   `output` shrinks to them, in schema order, which is the order scans produce);
 * - projections lose items nobody reads; window expressions nobody reads go (a Window with none
 *   left disappears);
 * - an Expand loses the output columns nobody reads, from every projection;
 * - the inputs of joins, windows, generators, expands, sorts and unions get a Project when they
 *   would otherwise carry unused columns into the operator (which buffers or copies them).
 *
 * The output of the whole plan never changes; inside, a node's output may lose columns that no
 * ancestor reads (each node's output stays a subsequence of what it was). Aggregates keep all
 * their aggregate expressions; Distinct, set operations and Deduplicate without keys need all
 * their input columns. Streaming relations are left as they are (their sources produce every
 * column).
 *
 * @example
 * // Aggregate [k#1], [k#1, sum(v#2) AS s#5]          Aggregate [k#1], [k#1, sum(v#2) AS s#5]
 * // +- Join Inner, (k#1 = k2#3)                  ->   +- Join Inner, (k#1 = k2#3)
 * //    :- LocalRelation [k#1, v#2, x#6]                  :- Project [k#1, v#2]
 * //    +- LocalRelation [k2#3, w#4]                      :  +- LocalRelation [k#1, v#2, x#6]
 * //                                                      +- Project [k2#3]
 * //                                                         +- LocalRelation [k2#3, w#4]
 */
export const columnPruningRule: Rule = {
  name: "ColumnPruning",
  apply(plan: LogicalPlan): LogicalPlan {
    return prune(plan, outputIds(plan));
  },
};

function refsOf(es: readonly Expr[], out = new Set<number>()): Set<number> {
  for (const e of es) referencedIds(e, out);
  return out;
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const s = new Set<number>();
  for (const x of a) if (b.has(x)) s.add(x);
  return s;
}

const namedId = (e: Expr): number => (e.kind === "AttributeRef" || e.kind === "Alias" ? e.id : -1);

/** `child` limited to `needed` by a Project when it outputs more (at least one column is kept). */
function narrow(child: LogicalPlan, needed: ReadonlySet<number>): LogicalPlan {
  const out = planOutput(child);
  let keep = out.filter((a) => needed.has(a.id));
  if (keep.length === 0 && out.length > 0) keep = [out[0]!];
  return keep.length === out.length ? child : projectAttrs(keep, child);
}

/** `child` with exactly the attributes `attrs` (by id, in that order). */
function exactly(child: LogicalPlan, ids: readonly number[]): LogicalPlan {
  const out = planOutput(child);
  if (out.length === ids.length && out.every((a, i) => a.id === ids[i])) return child;
  const byId = new Map(out.map((a) => [a.id, a]));
  return projectAttrs(ids.map((id) => byId.get(id)!), child);
}

/**
 * `p` with columns outside `required` dropped where possible. The result outputs every attribute
 * in `required`, and its output is a subsequence of `p`'s.
 */
function prune(p: LogicalPlan, required: ReadonlySet<number>): LogicalPlan {
  switch (p.kind) {
    case "LocalRelation": case "RangeRelation": case "InlineTable": case "UnresolvedRelation": case "GroupingSets":
      return p;
    case "DataSourceRelation": {
      if (p.isStreaming || p.output.length === 0) return p;
      let keep = p.output.filter((a) => required.has(a.id));
      if (keep.length === 0) keep = [p.output[0]!];
      if (keep.length === p.output.length) return p;
      const { kind: _kind, ...rest } = p;
      return Plan.dataSource({ ...rest, output: Object.freeze(keep), requiredColumns: Object.freeze(keep.map((a) => a.name)) });
    }
    case "Project": {
      let list = p.projectList.filter((e) => required.has(namedId(e)));
      if (list.length === 0 && p.projectList.length > 0) list = [p.projectList.find((e) => e.kind === "AttributeRef") ?? p.projectList[0]!];
      const child = prune(p.child, refsOf(list));
      if (list.length === p.projectList.length && child === p.child) return p;
      return Plan.project(list, child);
    }
    case "Filter": case "Sort": case "Limit": case "Repartition": case "ResolvedHint": case "SubqueryAlias": case "EventTimeWatermark": case "WindowGroupLimit": {
      const needed = union(required, refsOf(planExprs(p)));
      let child = prune(p.child, needed);
      if (p.kind === "Sort") child = narrow(child, needed);
      return withChildren(p, [child]);
    }
    case "FlatMapGroupsWithState": // user functions see whole rows
      return withChildren(p, [prune(p.child, outputIds(p.child))]);
    case "Distinct": case "SetOperation":
      return withChildren(p, [...(p.kind === "Distinct" ? [p.child] : [p.left, p.right])].map((c) => prune(c, outputIds(c))));
    case "Deduplicate": {
      const needed = p.keys ? union(required, refsOf(p.keys)) : outputIds(p.child);
      return withChildren(p, [prune(p.child, needed)]);
    }
    case "Aggregate": {
      const needed = refsOf([...p.groupingExprs, ...p.aggregateExprs]);
      return withChildren(p, [prune(p.child, needed)]);
    }
    case "Expand": {
      // Output columns nobody reads leave every projection (the time-window rewrite passes the
      // whole input through, so otherwise every column of the scan is read and copied per window).
      let positions = p.output.flatMap((a, j) => (required.has(a.id) ? [j] : []));
      if (positions.length === 0) positions = [0];
      const projections = positions.length === p.output.length ? p.projections : p.projections.map((row) => positions.map((j) => row[j]!));
      const needed = refsOf(projections.flat());
      const child = narrow(prune(p.child, needed), needed);
      if (projections === p.projections) return withChildren(p, [child]);
      return Plan.expand(projections, positions.map((j) => p.output[j]!), child);
    }
    case "Generate": {
      const needed = refsOf([p.generator], p.keepChildOutput ? intersect(required, outputIds(p.child)) : new Set());
      return withChildren(p, [narrow(prune(p.child, needed), needed)]);
    }
    case "Window": {
      const kept = p.windowExprs.filter((e) => required.has(namedId(e)));
      const childIds = outputIds(p.child);
      if (kept.length === 0) return prune(p.child, intersect(required, childIds));
      const needed = refsOf([...kept, ...p.partitionSpec, ...p.orderSpec], intersect(required, childIds));
      const child = narrow(prune(p.child, needed), needed);
      if (kept.length === p.windowExprs.length) return withChildren(p, [child]);
      return Plan.window(kept, p.partitionSpec, p.orderSpec, child);
    }
    case "Join": {
      const condRefs = p.condition ? referencedIds(p.condition) : new Set<number>();
      const leftIds = outputIds(p.left), rightIds = outputIds(p.right);
      const semi = p.joinType === "left_semi" || p.joinType === "left_anti";
      const leftNeeded = intersect(union(required, condRefs), leftIds);
      const rightNeeded = intersect(semi ? condRefs : union(required, condRefs), rightIds);
      return withChildren(p, [narrow(prune(p.left, leftNeeded), leftNeeded), narrow(prune(p.right, rightNeeded), rightNeeded)]);
    }
    case "Union": {
      const out = planOutput(p);
      let positions = out.flatMap((a, j) => (required.has(a.id) ? [j] : []));
      if (positions.length === 0) positions = [0];
      const cs = p.children.map((c) => {
        const co = planOutput(c);
        const ids = positions.map((j) => co[j]!.id);
        return exactly(prune(c, new Set(ids)), ids);
      });
      return withChildren(p, cs);
    }
  }
}
