import type { Expr, SortOrder } from "../expr/expression.js";
import { type LogicalPlan, Plan } from "./logical-plan.js";

/** The expressions a node holds directly (not those of its children). */
export function planExprs(p: LogicalPlan): readonly Expr[] {
  switch (p.kind) {
    case "Project": return p.projectList;
    case "Filter": return [p.condition];
    case "Aggregate": case "GroupingSets": return [...p.groupingExprs, ...p.aggregateExprs];
    case "Expand": return p.projections.flat();
    case "Join": return p.condition ? [p.condition] : [];
    case "Sort": return p.order;
    case "Deduplicate": return p.keys ?? [];
    case "Window": return [...p.windowExprs, ...p.partitionSpec, ...p.orderSpec];
    case "WindowGroupLimit": return [...p.partitionSpec, ...p.orderSpec];
    case "Generate": return [p.generator];
    case "Repartition": return p.partitionExprs;
    case "EventTimeWatermark": return [p.eventTime];
    case "InlineTable": return p.rows.flat();
    default: return [];
  }
}

/** The same node with `fn` applied to each of its own expressions. */
export function mapPlanExprs(p: LogicalPlan, fn: (e: Expr) => Expr): LogicalPlan {
  switch (p.kind) {
    case "Project": return Plan.project(p.projectList.map(fn), p.child);
    case "Filter": return Plan.filter(fn(p.condition), p.child);
    case "Aggregate": return Plan.aggregate(p.groupingExprs.map(fn), p.aggregateExprs.map(fn), p.child);
    case "GroupingSets": return Plan.groupingSets(p.sets.map((s) => s.map(fn)), p.groupingExprs.map(fn), p.aggregateExprs.map(fn), p.child);
    case "Expand": return Plan.expand(p.projections.map((ps) => ps.map(fn)), p.output, p.child);
    case "Join": return Plan.join(p.left, p.right, p.joinType, p.condition ? fn(p.condition) : null, p.usingColumns);
    case "Sort": return Plan.sort(p.order.map((o) => fn(o) as SortOrder), p.global, p.child);
    case "Deduplicate": return Plan.deduplicate(p.keys ? p.keys.map(fn) : null, p.withinWatermark, p.child);
    case "Window": return Plan.window(p.windowExprs.map(fn), p.partitionSpec.map(fn), p.orderSpec.map((o) => fn(o) as SortOrder), p.child);
    case "WindowGroupLimit": return Plan.windowGroupLimit(p.partitionSpec.map(fn), p.orderSpec.map((o) => fn(o) as SortOrder), p.limit, p.child);
    case "Generate": return Plan.generate(fn(p.generator), p.outer, p.outputNames, p.keepChildOutput, p.child, p.generatorOutput);
    case "Repartition": return Plan.repartition(p.numPartitions, p.partitionExprs.map(fn), p.shuffle, p.child);
    case "EventTimeWatermark": return Plan.watermark(fn(p.eventTime), p.delay, p.child, p.measureAs);
    default: return p;
  }
}
