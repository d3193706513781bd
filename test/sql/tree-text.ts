/**
 * Renders unresolved plans and expressions as compact, deterministic text for golden tests:
 * one plan node per line, children indented by two spaces, subquery plans under a `:` marker.
 * Columns print as 'name (Spark's unresolved marker), literals as value:type; ids are never shown.
 */
import type { Expr, FrameBoundary, WindowSpec } from "../../src/expr/expression.js";
import type { LogicalPlan } from "../../src/plan/logical-plan.js";
import { type DataType, simpleString } from "../../src/types/data-type.js";
import { formatDate, formatTimestamp } from "../../src/types/datetime.js";
import type { Interval } from "../../src/types/interval.js";
import type { Long } from "../../src/types/long.js";
import { decimalToString } from "../../src/types/values.js";
import type { Statement } from "../../src/sql/index.js";

export function planText(plan: LogicalPlan): string {
  const lines: string[] = [];
  renderPlan(plan, 0, lines);
  return lines.join("\n");
}

export function exprText(e: Expr): string {
  const subs: LogicalPlan[] = [];
  const s = expr(e, subs);
  if (subs.length === 0) return s;
  const lines = [s];
  subs.forEach((p, i) => {
    lines.push(`: subquery#${i + 1}`);
    renderPlan(p, 1, lines);
  });
  return lines.join("\n");
}

export function statementText(s: Statement): string {
  switch (s.kind) {
    case "Query": return planText(s.plan);
    case "CreateView": return `CreateView ${s.name} replace=${s.replace} ifNotExists=${s.ifNotExists} global=${s.global}\n${indent(planText(s.plan))}`;
    case "CreateTempViewUsing": return `CreateTempViewUsing ${s.name} replace=${s.replace} provider=${s.provider} options=${JSON.stringify(s.options)}${s.schema ? ` schema=${simpleString(s.schema)}` : ""}`;
    case "InsertInto": return `InsertInto ${s.table.join(".")} overwrite=${s.overwrite}${s.columns ? ` columns=[${s.columns.join(", ")}]` : ""}\n${indent(planText(s.plan))}`;
    case "Explain": return `Explain ${s.mode}\n${indent(statementText(s.statement))}`;
    case "DropView": return `DropView ${s.name} ifExists=${s.ifExists}`;
    case "ShowTables": return `ShowTables${s.pattern === null ? "" : ` like=${JSON.stringify(s.pattern)}`}`;
    case "ShowFunctions": return `ShowFunctions${s.pattern === null ? "" : ` like=${JSON.stringify(s.pattern)}`}`;
    case "DescribeQuery": return `DescribeQuery\n${indent(planText(s.plan))}`;
    case "SetConfig": return `SetConfig key=${JSON.stringify(s.key)} value=${JSON.stringify(s.value)}`;
    case "ResetConfig": return `ResetConfig key=${JSON.stringify(s.key)}`;
    case "CacheTable": return `CacheTable ${s.name} lazy=${s.lazy}${s.plan ? "\n" + indent(planText(s.plan)) : ""}`;
    case "UncacheTable": return `UncacheTable ${s.name} ifExists=${s.ifExists}`;
  }
}

function indent(s: string): string {
  return s.split("\n").map((l) => "  " + l).join("\n");
}

function renderPlan(p: LogicalPlan, depth: number, lines: string[]): void {
  const subs: LogicalPlan[] = [];
  const pad = "  ".repeat(depth);
  const l = (xs: readonly Expr[]): string => `[${xs.map((x) => expr(x, subs)).join(", ")}]`;
  let head: string;
  let kids: readonly LogicalPlan[] = [];
  switch (p.kind) {
    case "UnresolvedRelation": head = `UnresolvedRelation [${p.nameParts.join(", ")}]`; break;
    case "LocalRelation": head = `LocalRelation`; break;
    case "RangeRelation": head = `Range (${p.start}, ${p.end}, step=${p.step}, partitions=${p.numPartitions}) [${p.output[0].name}:${simpleString(p.output[0].dataType)}]`; break;
    case "DataSourceRelation": head = `DataSource ${p.format}`; break;
    case "InlineTable": head = `InlineTable ${p.names ? `[${p.names.join(", ")}]` : "(no names)"} ${p.rows.map((r) => l(r)).join(", ")}`; break;
    case "Project": head = `Project ${l(p.projectList)}`; kids = [p.child]; break;
    case "Filter": head = `Filter ${expr(p.condition, subs)}`; kids = [p.child]; break;
    case "Aggregate": head = `Aggregate ${l(p.groupingExprs)} ${l(p.aggregateExprs)}`; kids = [p.child]; break;
    case "GroupingSets": head = `GroupingSets sets=[${p.sets.map((s) => `(${s.map((x) => expr(x, subs)).join(", ")})`).join(", ")}] ${l(p.groupingExprs)} ${l(p.aggregateExprs)}`; kids = [p.child]; break;
    case "Expand": head = "Expand"; kids = [p.child]; break;
    case "Join": head = `Join ${p.joinType}${p.condition ? `, ${expr(p.condition, subs)}` : ""}${p.usingColumns ? ` using [${p.usingColumns.join(", ")}]` : ""}`; kids = [p.left, p.right]; break;
    case "Sort": head = `Sort ${l(p.order)} global=${p.global}`; kids = [p.child]; break;
    case "Limit": head = `Limit ${p.limit}${p.offset ? ` offset ${p.offset}` : ""}`; kids = [p.child]; break;
    case "Distinct": head = "Distinct"; kids = [p.child]; break;
    case "Deduplicate": head = "Deduplicate"; kids = [p.child]; break;
    case "Union": head = `Union${p.byName ? " byName" : ""}`; kids = p.children; break;
    case "SetOperation": head = `${p.op === "intersect" ? "Intersect" : "Except"}${p.all ? " all" : ""}`; kids = [p.left, p.right]; break;
    case "SubqueryAlias": head = `SubqueryAlias ${p.alias}`; kids = [p.child]; break;
    case "Window": head = `Window ${l(p.windowExprs)}`; kids = [p.child]; break;
    case "WindowGroupLimit": head = `WindowGroupLimit ${l(p.partitionSpec)} limit=${p.limit}`; kids = [p.child]; break;
    case "Generate": head = `Generate ${expr(p.generator, subs)}${p.outer ? " outer" : ""} [${p.outputNames.join(", ")}] keepChildOutput=${p.keepChildOutput}`; kids = [p.child]; break;
    case "Repartition": head = `Repartition ${p.numPartitions}${p.partitionExprs.length ? " " + l(p.partitionExprs) : ""} shuffle=${p.shuffle}`; kids = [p.child]; break;
    case "EventTimeWatermark": head = `EventTimeWatermark ${expr(p.eventTime, subs)}`; kids = [p.child]; break;
    case "ResolvedHint": head = `Hint ${p.hint}`; kids = [p.child]; break;
    case "FlatMapGroupsWithState": head = `FlatMapGroupsWithState ${p.spec.functionName}`; kids = [p.child]; break;
  }
  lines.push(pad + head);
  subs.forEach((s, i) => {
    lines.push(`${pad}: subquery#${i + 1}`);
    renderPlan(s, depth + 1, lines);
  });
  for (const k of kids) renderPlan(k, depth + 1, lines);
}

function name(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : "`" + p.replace(/`/g, "``") + "`")).join(".");
}

function expr(e: Expr, subs: LogicalPlan[]): string {
  const x = (c: Expr): string => expr(c, subs);
  switch (e.kind) {
    case "UnresolvedColumn": return `'${name(e.nameParts)}`;
    case "UnresolvedStar": return e.target ? `${name(e.target)}.*` : "*";
    case "UnresolvedFunction": {
      let s = `'${e.name}(${e.distinct ? "distinct " : ""}${e.args.map(x).join(", ")})`;
      if (e.filter) s += ` filter(${x(e.filter)})`;
      if (e.ignoreNulls) s += " ignore nulls";
      return s;
    }
    case "UnresolvedExtractValue": return `${x(e.child)}[${x(e.extraction)}]`;
    case "UnresolvedOrdinal": return `ordinal(${e.position})`;
    case "AttributeRef": return `${e.name}:${simpleString(e.dataType)}`;
    case "Literal": return literal(e.value, e.dataType);
    case "Alias": return `${x(e.child)} AS ${name([e.name])}`;
    case "Cast": return `${e.mode === "try" ? "try_cast" : "cast"}(${x(e.child)} AS ${simpleString(e.to)})`;
    case "BinaryExpr": return `(${x(e.left)} ${e.op} ${x(e.right)})`;
    case "UnaryExpr": return `${e.op}(${x(e.child)})`;
    case "CaseWhen": return `CASE ${e.branches.map(([w, t]) => `WHEN ${x(w)} THEN ${x(t)}`).join(" ")}${e.elseValue ? ` ELSE ${x(e.elseValue)}` : ""} END`;
    case "InList": return `${x(e.value)} IN (${e.list.map(x).join(", ")})`;
    case "InSubquery": subs.push(e.plan); return `(${e.values.map(x).join(", ")}) IN subquery#${subs.length}`;
    case "Exists": subs.push(e.plan); return `exists(subquery#${subs.length})`;
    case "ScalarSubquery": subs.push(e.plan); return `scalar-subquery#${subs.length}`;
    case "OuterRef": return `outer(${e.attr.name})`;
    case "Call": case "AggCall": return `${e.fn.name}(${e.args.map(x).join(", ")})`;
    case "WindowExpr": return `${x(e.fn)} OVER ${windowSpec(e.spec, x)}`;
    case "SortOrder": return `${x(e.child)} ${e.ascending ? "ASC" : "DESC"} NULLS ${e.nullsFirst ? "FIRST" : "LAST"}`;
    case "GetField": return `${x(e.child)}.${e.name}`;
    case "GetItem": return `${x(e.child)}[${x(e.key)}]`;
    case "LambdaFunction": return `lambda(${e.params.map((p) => p.name).join(", ")}) -> ${x(e.body)}`;
    case "LambdaVariable": return `lambda ${e.name}`;
  }
}

function windowSpec(s: WindowSpec, x: (e: Expr) => string): string {
  const parts: string[] = [];
  if (s.partitionBy.length) parts.push(`PARTITION BY ${s.partitionBy.map(x).join(", ")}`);
  if (s.orderBy.length) parts.push(`ORDER BY ${s.orderBy.map(x).join(", ")}`);
  if (s.frame) parts.push(`${s.frame.frameType.toUpperCase()} BETWEEN ${bound(s.frame.lower)} AND ${bound(s.frame.upper)}`);
  return `(${parts.join(" ")})`;
}

function bound(b: FrameBoundary): string {
  switch (b.type) {
    case "unboundedPreceding": return "UNBOUNDED PRECEDING";
    case "unboundedFollowing": return "UNBOUNDED FOLLOWING";
    case "currentRow": return "CURRENT ROW";
    case "offset": return `${b.value}`;
  }
}

function literal(v: unknown, t: DataType): string {
  if (v === null) return `null:${simpleString(t)}`;
  switch (t.kind) {
    case "string": return `${JSON.stringify(v)}:string`;
    case "decimal": return `${decimalToString(v as Long, t.scale)}:${simpleString(t)}`;
    case "date": return `DATE '${formatDate(v as number)}'`;
    case "timestamp": return `TIMESTAMP '${formatTimestamp(v as number)}'`;
    case "interval": {
      const iv = v as Interval;
      return `INTERVAL(months=${iv.months}, days=${iv.days}, micros=${iv.micros})`;
    }
    case "binary": return `X'${Array.from(v as Uint8Array, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("")}'`;
    default: return `${String(v)}:${simpleString(t)}`;
  }
}
