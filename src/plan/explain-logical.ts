import { exprSql } from "../analyzer/expr-sql.js";
import { planOutput } from "../analyzer/plan-output.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { transformExprUp } from "../expr/expr-tree.js";
import { simpleString } from "../types/data-type.js";
import { type LogicalPlan, children } from "./logical-plan.js";
import { sourceFiltersText } from "../connectors/source-filter.js";

/** An expression with attribute ids, as plans print them: `(a#1 + 1) AS b#3`. */
export function exprWithIds(e: Expr): string {
  const tagged = transformExprUp(e, (x) => {
    if (x.kind === "AttributeRef") return E.attr(`${x.name}#${x.id}`, x.dataType, x.nullable, [], x.id);
    if (x.kind === "Alias") return E.alias(x.child, `${x.name}#${x.id}`, x.id);
    return x;
  });
  return exprSql(tagged);
}

const list = (es: readonly Expr[]): string => `[${es.map(exprWithIds).join(", ")}]`;

function describeNode(p: LogicalPlan, resolved: boolean): string {
  const out = (): string => (resolved ? list(planOutput(p)) : "");
  switch (p.kind) {
    case "UnresolvedRelation": return `'UnresolvedRelation [${p.nameParts.join(", ")}]`;
    case "LocalRelation": return `LocalRelation ${out()}${p.description ? ` ${p.description}` : ""}`;
    case "RangeRelation": return `Range (${p.start}, ${p.end}, step=${p.step}, splits=${p.numPartitions})`;
    case "DataSourceRelation": return `Relation ${list(p.output)} ${p.format}${p.isStreaming ? " (streaming)" : ""}${p.pushedFilters.length ? `, PushedFilters: ${sourceFiltersText(p.pushedFilters)}` : ""}`;
    case "InlineTable": return `'InlineTable ${p.rows.length} rows`;
    case "Project": return `Project ${list(p.projectList)}`;
    case "Filter": return `Filter ${exprWithIds(p.condition)}`;
    case "Aggregate": return `Aggregate ${list(p.groupingExprs)}, ${list(p.aggregateExprs)}`;
    case "GroupingSets": return `'GroupingSets ${p.sets.map(list).join(", ")}`;
    case "Expand": return `Expand [${p.projections.map(list).join(", ")}], ${list(p.output)}`;
    case "Join": return `Join ${p.joinType.replace("_outer", "Outer").replace("left_", "Left").replace(/^\w/, (c) => c.toUpperCase())}${p.condition ? `, ${exprWithIds(p.condition)}` : ""}${p.usingColumns ? `, using [${p.usingColumns.join(", ")}]` : ""}`;
    case "Sort": return `Sort ${list(p.order)}, ${p.global}`;
    case "Limit": return `${p.offset ? `Offset ${p.offset} ` : ""}Limit ${p.limit}`;
    case "Distinct": return "Distinct";
    case "Deduplicate": return `Deduplicate${p.withinWatermark ? "WithinWatermark" : ""} ${p.keys ? list(p.keys) : "[all]"}`;
    case "Union": return `Union${p.byName ? " by name" : ""}`;
    case "SetOperation": return `${p.op === "intersect" ? "Intersect" : "Except"}${p.all ? " All" : ""}`;
    case "SubqueryAlias": return `SubqueryAlias ${p.alias}`;
    case "Window": return `Window ${list(p.windowExprs)}, ${list(p.partitionSpec)}, ${list(p.orderSpec)}`;
    case "WindowGroupLimit": return `WindowGroupLimit ${list(p.partitionSpec)}, ${list(p.orderSpec)}, ${p.limit}`;
    case "Generate": return `Generate ${exprWithIds(p.generator)}, ${p.outer}, ${list(p.generatorOutput)}`;
    case "Repartition": return `Repartition${p.shuffle ? "" : "ByCoalesce"} ${p.numPartitions}${p.partitionExprs.length ? ` ${list(p.partitionExprs)}` : ""}`;
    case "EventTimeWatermark": return `EventTimeWatermark ${exprWithIds(p.eventTime)}, interval ${p.delay.days ? `${p.delay.days} days ` : ""}${p.delay.micros / 1e6} seconds`;
    case "ResolvedHint": return `ResolvedHint (strategy=${p.hint})`;
    case "FlatMapGroupsWithState": return `${p.spec.isMapGroups ? "MapGroupsWithState" : "FlatMapGroupsWithState"} ${p.spec.functionName}, ${p.spec.outputMode}, ${p.spec.timeout}, ${list(p.output)}`;
  }
}

/** The logical plan as an indented tree, Spark-style (`+- ` before children). */
export function explainLogical(p: LogicalPlan, resolved = true): string {
  const lines: string[] = [];
  const walk = (node: LogicalPlan, prefix: string, childPrefix: string): void => {
    lines.push(prefix + describeNode(node, resolved));
    const cs = children(node);
    cs.forEach((c, i) => {
      const last = i === cs.length - 1;
      walk(c, childPrefix + (last ? "+- " : ":- "), childPrefix + (last ? "   " : ":  "));
    });
  };
  walk(p, "", "");
  return lines.join("\n");
}

/** `a: int, b: string` — the header Spark prints above an analyzed plan. */
export function outputHeader(p: LogicalPlan): string {
  return planOutput(p).map((a) => `${a.name}: ${simpleString(a.dataType)}`).join(", ");
}
