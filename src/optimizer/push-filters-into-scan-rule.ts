import type { SourceFilter } from "../connectors/source-filter.js";
import type { BinaryOp, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { type DataSourceRelation, type LogicalPlan, Plan, transformUp, withChildren } from "../plan/logical-plan.js";
import type { DataType } from "../types/data-type.js";
import { splitConjuncts } from "./optimizer-helpers.js";
import type { Rule } from "./rule.js";

/**
 * Hands a data source the conjuncts of a Filter above it (directly, or through projections that
 * rename columns) that it can understand without the expression engine: comparisons of a column
 * with a literal of the column's own type, IN lists, IS [NOT] NULL, startswith, and AND / OR /
 * NOT of those. They are added to the relation's `pushedFilters`; the Filter stays, since a
 * source may use them only to skip data (partitions, Parquet row groups).
 *
 * Only types whose order the sources compare exactly are pushed: booleans, integers, dates,
 * timestamps, and strings whose literals lie below U+D800 (where JavaScript's UTF-16 order and
 * Spark's code-point order agree). Doubles are left out: NaN sorts above every number in Spark,
 * while min/max statistics and JavaScript comparisons know nothing of it.
 *
 * @example
 * // Filter ((p#2 = 1) AND (upper(s#1) = 'A'))
 * // +- Relation [s#1, p#2] parquet
 * // becomes
 * // Filter ((p#2 = 1) AND (upper(s#1) = 'A'))
 * // +- Relation [s#1, p#2] parquet, PushedFilters: [{"op":"=","column":"p","value":1}]
 */
export const pushFiltersIntoScanRule: Rule = {
  name: "PushFiltersIntoScan",
  apply(plan: LogicalPlan): LogicalPlan {
    return transformUp(plan, (p) => {
      if (p.kind !== "Filter") return p;
      const scan = findScan(p.child);
      if (!scan) return p;
      const keys = new Set(scan.relation.pushedFilters.map(filterKey));
      const added: SourceFilter[] = [];
      for (const c of splitConjuncts(p.condition)) {
        const f = translate(c, scan.columns);
        if (!f || keys.has(filterKey(f))) continue;
        keys.add(filterKey(f));
        added.push(f);
      }
      if (added.length === 0) return p;
      const { kind: _kind, ...rest } = scan.relation;
      const rel = Plan.dataSource({ ...rest, pushedFilters: Object.freeze([...scan.relation.pushedFilters, ...added]) });
      return Plan.filter(p.condition, scan.rebuild(rel));
    });
  },
};

interface ScanPath {
  readonly relation: DataSourceRelation;
  /** Attribute ids visible at the top of the path -> the source column each one is. */
  readonly columns: ReadonlyMap<number, string>;
  readonly rebuild: (rel: DataSourceRelation) => LogicalPlan;
}

/** The relation under `p` through projections, aliases and hints, with the columns seen at `p`. */
function findScan(p: LogicalPlan): ScanPath | null {
  switch (p.kind) {
    case "DataSourceRelation":
      return { relation: p, columns: new Map(p.output.map((a) => [a.id, a.name])), rebuild: (r) => r };
    case "SubqueryAlias": case "ResolvedHint": {
      const inner = findScan(p.child);
      return inner && { ...inner, rebuild: (r) => withChildren(p, [inner.rebuild(r)]) };
    }
    case "Project": {
      const inner = findScan(p.child);
      if (!inner) return null;
      const columns = new Map<number, string>();
      for (const e of p.projectList) {
        const src = e.kind === "Alias" ? e.child : e;
        const name = src.kind === "AttributeRef" ? inner.columns.get(src.id) : undefined;
        if (name !== undefined && (e.kind === "AttributeRef" || e.kind === "Alias")) columns.set(e.id, name);
      }
      return { relation: inner.relation, columns, rebuild: (r) => Plan.project(p.projectList, inner.rebuild(r)) };
    }
    default:
      return null;
  }
}

const COMPARISONS = new Set<BinaryOp>(["=", "<=>", "<", "<=", ">", ">="]);
const FLIPPED: Partial<Record<BinaryOp, BinaryOp>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<=>": "<=>" };
const PUSHABLE_TYPES = new Set<DataType["kind"]>(["boolean", "byte", "short", "int", "long", "string", "date", "timestamp"]);

/** A SourceFilter meaning exactly `e` (for rows where it is true), or null. */
export function translate(e: Expr, columns: ReadonlyMap<number, string>): SourceFilter | null {
  const column = (x: Expr): string | null => (x.kind === "AttributeRef" && PUSHABLE_TYPES.has(x.dataType.kind) ? columns.get(x.id) ?? null : null);
  const value = (x: Expr, t: DataType): { v: unknown } | null => {
    if (x.kind !== "Literal") return null;
    if (x.value === null) return { v: null };
    if (JSON.stringify(exprType(x)) !== JSON.stringify(t) || typeof x.value === "bigint") return null;
    if (typeof x.value === "string" && !/^[\u0000-\ud7ff]*$/.test(x.value)) return null;
    return { v: x.value };
  };
  switch (e.kind) {
    case "BinaryExpr": {
      if (e.op === "and" || e.op === "or") {
        const l = translate(e.left, columns), r = translate(e.right, columns);
        return l && r ? { op: e.op, left: l, right: r } : null;
      }
      let op: BinaryOp = e.op, l = e.left, r = e.right;
      if (column(l) === null && column(r) !== null) {
        const f = FLIPPED[op];
        if (!f && op !== "!=") return null;
        op = f ?? op;
        [l, r] = [r, l];
      }
      const c = column(l);
      if (c === null || l.kind !== "AttributeRef") return null;
      const v = value(r, l.dataType);
      if (!v) return null;
      if (op === "!=") return v.v === null ? null : { op: "not", child: { op: "=", column: c, value: v.v } };
      if (!COMPARISONS.has(op)) return null;
      if (v.v === null && op !== "<=>") return null;
      return { op: op as "=" | "<=>" | "<" | "<=" | ">" | ">=", column: c, value: v.v };
    }
    case "UnaryExpr": {
      if (e.op === "not") {
        const c = translate(e.child, columns);
        return c ? { op: "not", child: c } : null;
      }
      if (e.op === "isnull" || e.op === "isnotnull") {
        const c = e.child.kind === "AttributeRef" ? columns.get(e.child.id) : undefined;
        return c === undefined ? null : { op: e.op === "isnull" ? "isNull" : "isNotNull", column: c };
      }
      return null;
    }
    case "InList": {
      const c = column(e.value);
      if (c === null || e.value.kind !== "AttributeRef") return null;
      const t = e.value.dataType;
      const values: unknown[] = [];
      for (const x of e.list) {
        const v = value(x, t);
        if (!v) return null;
        values.push(v.v);
      }
      return { op: "in", column: c, values };
    }
    case "Call": {
      if (e.fn.name !== "startswith" || e.args.length !== 2) return null;
      const [a, b] = e.args;
      const c = column(a!);
      if (c === null || a!.kind !== "AttributeRef" || a!.dataType.kind !== "string") return null;
      const v = value(b!, a!.dataType);
      return v && typeof v.v === "string" ? { op: "startsWith", column: c, prefix: v.v } : null;
    }
    default:
      return null;
  }
}

function filterKey(f: SourceFilter): string {
  return JSON.stringify(f, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
}
