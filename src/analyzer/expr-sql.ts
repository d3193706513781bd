import type { Expr } from "../expr/expression.js";
import { exprExists } from "../expr/expr-tree.js";
import { type LogicalPlan, children } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { valueToString } from "../expr/value-string.js";
import { intervalOperator } from "./interval-arithmetic.js";
import { DoubleType, FloatType, simpleString, sqlTypeName } from "../types/data-type.js";
import { formatInterval, type Interval } from "../types/interval.js";
import { formatDate, formatTimestamp } from "../types/datetime.js";
import { decimalToString } from "../types/values.js";

/** The outer columns a correlated subquery refers to, in order of first use (Spark names `scalarsubquery(a)` after them). */
function outerRefNames(p: LogicalPlan, seen = new Set<number>(), out: string[] = []): string[] {
  for (const e of planExprs(p)) {
    exprExists(e, (x) => {
      if (x.kind === "OuterRef" && !seen.has(x.attr.id)) {
        seen.add(x.attr.id);
        out.push(x.attr.name);
      }
      return false;
    });
  }
  for (const c of children(p)) outerRefNames(c, seen, out);
  return out;
}

const prettySql = (x: Expr): string => exprSql(x, true);
const plainSql = (x: Expr): string => exprSql(x, false);

const BIN_SQL: Record<string, string> = { and: "AND", or: "OR", div: "div", "!=": "!=" };

/**
 * Renders an expression as Spark renders it. `pretty` (the default) gives the auto-generated
 * column name (`(a + 1)`, `sum(x)`, string literals unquoted); `pretty=false` gives SQL text for
 * messages (string literals quoted).
 */
export function exprSql(e: Expr, pretty = false): string {
  // Module functions, not an arrow per call (see expr-tree.ts on closures made per call).
  const r = pretty ? prettySql : plainSql;
  switch (e.kind) {
    case "UnresolvedColumn": return e.nameParts.join(".");
    case "UnresolvedStar": return e.target ? `${e.target.join(".")}.*` : "*";
    case "UnresolvedOrdinal": return String(e.position);
    case "AttributeRef": return pretty ? e.name : [...e.qualifier, e.name].join(".");
    case "OuterRef": return `outer(${e.attr.name})`;
    case "LambdaVariable": return e.name;
    case "Literal": return literalSql(e.value, e.dataType.kind, pretty, e.dataType.kind === "decimal" ? e.dataType.scale : 0);
    case "Alias": return pretty ? e.name : `${r(e.child)} AS ${e.name}`;
    case "Cast":
      if (pretty && e.implicit) return r(e.child);
      return `${e.mode === "try" ? "TRY_CAST" : "CAST"}(${r(e.child)} AS ${sqlTypeName(e.to)})`;
    case "BinaryExpr":
      if (e.op === "pmod") return `pmod(${r(e.left)}, ${r(e.right)})`;
      return `(${r(e.left)} ${BIN_SQL[e.op] ?? e.op} ${r(e.right)})`;
    case "UnaryExpr":
      switch (e.op) {
        case "not": return `(NOT ${r(e.child)})`;
        case "negate": return `(- ${r(e.child)})`;
        case "positive": return `(+ ${r(e.child)})`;
        case "bitnot": return `~${r(e.child)}`;
        case "isnull": return `(${r(e.child)} IS NULL)`;
        case "isnotnull": return `(${r(e.child)} IS NOT NULL)`;
        case "isnan": return `isnan(${r(e.child)})`;
      }
      break;
    case "CaseWhen":
      return `CASE ${e.branches.map(([c, v]) => `WHEN ${r(c)} THEN ${r(v)}`).join(" ")}${e.elseValue ? ` ELSE ${r(e.elseValue)}` : ""} END`;
    case "InList": return `(${r(e.value)} IN (${e.list.map(r).join(", ")}))`;
    case "InSubquery": return `(${e.values.map(r).join(", ")} IN (listquery()))`;
    case "Exists": return "exists()";
    case "ScalarSubquery": return `scalarsubquery(${outerRefNames(e.plan).join(", ")})`;
    case "UnresolvedFunction":
      return `${e.name}(${e.distinct ? "DISTINCT " : ""}${e.args.map(r).join(", ")})${e.filter ? ` FILTER (WHERE ${r(e.filter)})` : ""}`;
    case "Call": {
      if (e.fn.name === "__time_window") return "window";
      const op = intervalOperator(e.fn.name);
      if (op && e.args.length === 2) return `(${r(e.args[0]!)} ${op} ${r(e.args[1]!)})`;
      return `${e.fn.name}(${e.args.map(r).join(", ")})`;
    }
    case "AggCall": {
      const args = e.args.length === 0 && e.fn.name === "count" ? (pretty ? "1" : "*") : e.args.map(r).join(", ");
      return `${e.fn.name}(${e.distinct ? "DISTINCT " : ""}${args})${e.filter ? ` FILTER (WHERE ${r(e.filter)})` : ""}`;
    }
    case "WindowExpr": {
      const parts: string[] = [];
      if (e.spec.partitionBy.length) parts.push(`PARTITION BY ${e.spec.partitionBy.map(r).join(", ")}`);
      if (e.spec.orderBy.length) parts.push(`ORDER BY ${e.spec.orderBy.map(r).join(", ")}`);
      return `${r(e.fn)} OVER (${parts.join(" ")})`;
    }
    case "SortOrder": return `${r(e.child)} ${e.ascending ? "ASC" : "DESC"} NULLS ${e.nullsFirst ? "FIRST" : "LAST"}`;
    case "GetField": return `${r(e.child)}.${e.name}`;
    case "GetItem": return `${r(e.child)}[${r(e.key)}]`;
    case "UnresolvedExtractValue": return `${r(e.child)}[${r(e.extraction)}]`;
    case "LambdaFunction": return `lambdafunction(${r(e.body)}, ${e.params.map((p) => p.name).join(", ")})`;
  }
  return (e as Expr).kind;
}

function literalSql(v: unknown, kind: string, pretty: boolean, scale: number): string {
  if (v === null) return "NULL";
  switch (kind) {
    case "string": return pretty ? (v as string) : `'${(v as string).replace(/'/g, "\\'")}'`;
    case "boolean": return v ? "true" : "false";
    case "long": return pretty ? String(v) : `${String(v)}L`;
    case "date": return `DATE '${formatDate(v as number)}'`;
    case "timestamp": return `TIMESTAMP '${formatTimestamp(v as number)}'`;
    case "decimal": return decimalToString(v as number | bigint, scale);
    case "interval": return `INTERVAL '${formatInterval(v as Interval)}'`;
    case "double": case "float": return valueToString(v, kind === "double" ? DoubleType : FloatType, "UTC");
    case "binary": return `X'${[...(v as Uint8Array)].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("")}'`;
    default: return typeof v === "object" ? simpleString({ kind: "string" }) : String(v);
  }
}
