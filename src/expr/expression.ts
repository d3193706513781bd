import type { DataType } from "../types/data-type.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import type { AggregateFunctionDef, ScalarFunctionDef } from "./function-def.js";

/**
 * Expression trees: frozen plain objects with a `kind` literal. The API and SQL layers build
 * unresolved trees (names); the analyzer replaces names with resolved nodes that carry types.
 * Nothing here executes; physical/codegen compiles resolved trees into JavaScript.
 */
export type Expr =
  | UnresolvedColumn
  | UnresolvedStar
  | UnresolvedFunction
  | UnresolvedExtractValue
  | UnresolvedOrdinal
  | AttributeRef
  | Literal
  | Alias
  | Cast
  | BinaryExpr
  | UnaryExpr
  | CaseWhen
  | InList
  | InSubquery
  | Exists
  | ScalarSubquery
  | Call
  | AggCall
  | WindowExpr
  | SortOrder
  | GetField
  | GetItem
  | LambdaFunction
  | LambdaVariable
  | OuterRef;

export type ExprKind = Expr["kind"];

/** A column named by its parts: `a`, `t.a`, `s.field` (the analyzer decides which). */
export interface UnresolvedColumn { readonly kind: "UnresolvedColumn"; readonly nameParts: readonly string[] }
/** `*` or `t.*` */
export interface UnresolvedStar { readonly kind: "UnresolvedStar"; readonly target: readonly string[] | null }
export interface UnresolvedFunction {
  readonly kind: "UnresolvedFunction";
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly ignoreNulls: boolean;
}
/** `a[0]`, `m['k']`, `s.f` when the analyzer must decide between field and item access. */
export interface UnresolvedExtractValue { readonly kind: "UnresolvedExtractValue"; readonly child: Expr; readonly extraction: Expr }
/** `GROUP BY 1` / `ORDER BY 2`: a 1-based position in the select list. */
export interface UnresolvedOrdinal { readonly kind: "UnresolvedOrdinal"; readonly position: number }

/** A resolved reference to an attribute (column) produced by some plan node, identified by `id`. */
export interface AttributeRef {
  readonly kind: "AttributeRef";
  readonly id: number;
  readonly name: string;
  readonly dataType: DataType;
  readonly nullable: boolean;
  /** Table/alias names this attribute can be qualified with (`t` in `t.a`). */
  readonly qualifier: readonly string[];
  /** Set on the event-time column of withWatermark: the delay in microseconds. */
  readonly watermarkDelayMicros?: number;
}

/** A constant. `value` is an internal value (see types/data-type.ts) or null. */
export interface Literal { readonly kind: "Literal"; readonly value: unknown; readonly dataType: DataType }

/** `expr AS name`; `id` is the attribute id the alias produces. */
export interface Alias { readonly kind: "Alias"; readonly child: Expr; readonly name: string; readonly id: number }

/** CAST(child AS to). `mode`: "default" follows `sluice.sql.ansi.enabled`; "try" yields null on failure. */
export interface Cast {
  readonly kind: "Cast";
  readonly child: Expr;
  readonly to: DataType;
  readonly mode: "default" | "ansi" | "legacy" | "try";
  /** Inserted by the analyzer's type coercion (not written by the user): left out of column names. */
  readonly implicit?: boolean;
}

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%" | "div" | "pmod"
  | "=" | "<=>" | "!=" | "<" | "<=" | ">" | ">="
  | "and" | "or"
  | "&" | "|" | "^"
  | "||";
export interface BinaryExpr { readonly kind: "BinaryExpr"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }

export type UnaryOp = "not" | "negate" | "bitnot" | "isnull" | "isnotnull" | "isnan" | "positive";
export interface UnaryExpr { readonly kind: "UnaryExpr"; readonly op: UnaryOp; readonly child: Expr }

export interface CaseWhen {
  readonly kind: "CaseWhen";
  readonly branches: readonly (readonly [Expr, Expr])[];
  readonly elseValue: Expr | null;
}

export interface InList { readonly kind: "InList"; readonly value: Expr; readonly list: readonly Expr[] }
export interface InSubquery { readonly kind: "InSubquery"; readonly values: readonly Expr[]; readonly plan: LogicalPlan }
export interface Exists { readonly kind: "Exists"; readonly plan: LogicalPlan }
/** `(SELECT max(x) FROM t)`: one column, at most one row. `dataType` is set by the analyzer. */
export interface ScalarSubquery { readonly kind: "ScalarSubquery"; readonly plan: LogicalPlan; readonly dataType?: DataType }
/** Inside a correlated subquery: a reference to an attribute of the enclosing query. */
export interface OuterRef { readonly kind: "OuterRef"; readonly attr: AttributeRef }

/** A resolved scalar function call: arguments already cast to the function's input types. */
export interface Call {
  readonly kind: "Call";
  readonly fn: ScalarFunctionDef;
  readonly args: readonly Expr[];
  readonly dataType: DataType;
  /** Extra compile-time data the function computed at resolution (e.g. a parsed format pattern). */
  readonly state?: unknown;
}

/** A resolved aggregate function call. */
export interface AggCall {
  readonly kind: "AggCall";
  readonly fn: AggregateFunctionDef;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly ignoreNulls: boolean;
  readonly dataType: DataType;
  readonly state?: unknown;
}

/**
 * A window frame bound. An offset counts rows (ROWS) or ORDER BY units (RANGE); `interval` marks a
 * RANGE offset written as a fixed-length interval (`INTERVAL 10 SECONDS PRECEDING`): then `value`
 * is in microseconds, for a timestamp (or date) ORDER BY.
 */
export type FrameBoundary = { readonly type: "unboundedPreceding" } | { readonly type: "unboundedFollowing" } | { readonly type: "currentRow" } | { readonly type: "offset"; readonly value: number; readonly interval?: true };
export interface WindowFrame { readonly frameType: "rows" | "range"; readonly lower: FrameBoundary; readonly upper: FrameBoundary }
export interface WindowSpec {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortOrder[];
  readonly frame: WindowFrame | null;
}
/** `fn OVER (spec)`; `fn` is an aggregate or a ranking/offset function (row_number, lag, ...). */
export interface WindowExpr { readonly kind: "WindowExpr"; readonly fn: Expr; readonly spec: WindowSpec }

export interface SortOrder { readonly kind: "SortOrder"; readonly child: Expr; readonly ascending: boolean; readonly nullsFirst: boolean }

export interface GetField { readonly kind: "GetField"; readonly child: Expr; readonly ordinal: number; readonly name: string; readonly dataType: DataType }
/** array[index] (0-based) or map[key]. */
export interface GetItem { readonly kind: "GetItem"; readonly child: Expr; readonly key: Expr; readonly dataType: DataType }

/** `x -> x + 1` for higher-order functions (transform, filter, aggregate, ...). */
export interface LambdaFunction { readonly kind: "LambdaFunction"; readonly params: readonly LambdaVariable[]; readonly body: Expr }
export interface LambdaVariable { readonly kind: "LambdaVariable"; readonly name: string; readonly id: number; readonly dataType: DataType; readonly nullable: boolean }

// ---------------------------------------------------------------------------------------------
// Factories. Every node is frozen; trees are never mutated, only rebuilt.

let nextId = 1;
/** A fresh attribute id, unique in the process (Spark's exprId). */
export function newExprId(): number {
  return nextId++;
}

/** Makes every later newExprId() larger than `id` (a plan that arrived from another thread holds ids of its counter). */
export function reserveExprIdsThrough(id: number): void {
  if (id >= nextId) nextId = id + 1;
}

const f = <T extends object>(o: T): T => Object.freeze(o);

export const Expr = {
  column: (name: string): UnresolvedColumn => f({ kind: "UnresolvedColumn", nameParts: Object.freeze(splitName(name)) }),
  columnParts: (nameParts: readonly string[]): UnresolvedColumn => f({ kind: "UnresolvedColumn", nameParts: Object.freeze([...nameParts]) }),
  star: (target: readonly string[] | null = null): UnresolvedStar => f({ kind: "UnresolvedStar", target }),
  fn: (name: string, args: readonly Expr[], opts: { distinct?: boolean; filter?: Expr | null; ignoreNulls?: boolean } = {}): UnresolvedFunction =>
    f({ kind: "UnresolvedFunction", name, args: Object.freeze([...args]), distinct: opts.distinct ?? false, filter: opts.filter ?? null, ignoreNulls: opts.ignoreNulls ?? false }),
  extract: (child: Expr, extraction: Expr): UnresolvedExtractValue => f({ kind: "UnresolvedExtractValue", child, extraction }),
  ordinal: (position: number): UnresolvedOrdinal => f({ kind: "UnresolvedOrdinal", position }),
  attr: (name: string, dataType: DataType, nullable = true, qualifier: readonly string[] = [], id = newExprId()): AttributeRef =>
    f({ kind: "AttributeRef", id, name, dataType, nullable, qualifier: Object.freeze([...qualifier]) }),
  literal: (value: unknown, dataType: DataType): Literal => f({ kind: "Literal", value, dataType }),
  alias: (child: Expr, name: string, id = newExprId()): Alias => f({ kind: "Alias", child, name, id }),
  cast: (child: Expr, to: DataType, mode: Cast["mode"] = "default"): Cast => f({ kind: "Cast", child, to, mode }),
  implicitCast: (child: Expr, to: DataType): Cast => f({ kind: "Cast", child, to, mode: "default", implicit: true }),
  binary: (op: BinaryOp, left: Expr, right: Expr): BinaryExpr => f({ kind: "BinaryExpr", op, left, right }),
  unary: (op: UnaryOp, child: Expr): UnaryExpr => f({ kind: "UnaryExpr", op, child }),
  caseWhen: (branches: readonly (readonly [Expr, Expr])[], elseValue: Expr | null = null): CaseWhen =>
    f({ kind: "CaseWhen", branches: Object.freeze(branches.map((b) => Object.freeze([b[0], b[1]] as const))), elseValue }),
  inList: (value: Expr, list: readonly Expr[]): InList => f({ kind: "InList", value, list: Object.freeze([...list]) }),
  inSubquery: (values: readonly Expr[], plan: LogicalPlan): InSubquery => f({ kind: "InSubquery", values: Object.freeze([...values]), plan }),
  exists: (plan: LogicalPlan): Exists => f({ kind: "Exists", plan }),
  scalarSubquery: (plan: LogicalPlan, dataType?: DataType): ScalarSubquery => f({ kind: "ScalarSubquery", plan, ...(dataType ? { dataType } : {}) }),
  outerRef: (attr: AttributeRef): OuterRef => f({ kind: "OuterRef", attr }),
  call: (fn: ScalarFunctionDef, args: readonly Expr[], dataType: DataType, state?: unknown): Call =>
    f({ kind: "Call", fn, args: Object.freeze([...args]), dataType, ...(state === undefined ? {} : { state }) }),
  aggCall: (fn: AggregateFunctionDef, args: readonly Expr[], dataType: DataType, opts: { distinct?: boolean; filter?: Expr | null; ignoreNulls?: boolean; state?: unknown } = {}): AggCall =>
    f({ kind: "AggCall", fn, args: Object.freeze([...args]), dataType, distinct: opts.distinct ?? false, filter: opts.filter ?? null, ignoreNulls: opts.ignoreNulls ?? false, ...(opts.state === undefined ? {} : { state: opts.state }) }),
  window: (fn: Expr, spec: WindowSpec): WindowExpr => f({ kind: "WindowExpr", fn, spec }),
  sortOrder: (child: Expr, ascending = true, nullsFirst?: boolean): SortOrder =>
    // Spark: ascending puts nulls first, descending puts nulls last, unless told otherwise.
    f({ kind: "SortOrder", child, ascending, nullsFirst: nullsFirst ?? ascending }),
  getField: (child: Expr, ordinal: number, name: string, dataType: DataType): GetField => f({ kind: "GetField", child, ordinal, name, dataType }),
  getItem: (child: Expr, key: Expr, dataType: DataType): GetItem => f({ kind: "GetItem", child, key, dataType }),
  lambda: (params: readonly LambdaVariable[], body: Expr): LambdaFunction => f({ kind: "LambdaFunction", params: Object.freeze([...params]), body }),
  lambdaVar: (name: string, dataType: DataType, nullable = true, id = newExprId()): LambdaVariable => f({ kind: "LambdaVariable", name, id, dataType, nullable }),
};

/** Splits `a.b.c` on dots outside backticks; backticks quote (`` `a.b` `` is one part). */
export function splitName(name: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let inQuote = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === "`") {
      if (inQuote && name[i + 1] === "`") { cur += "`"; i++; continue; }
      inQuote = !inQuote;
      continue;
    }
    if (c === "." && !inQuote) { parts.push(cur); cur = ""; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Named expressions are what a projection list holds: attributes and aliases. */
export type NamedExpr = AttributeRef | Alias;

export function isNamed(e: Expr): e is NamedExpr {
  return e.kind === "AttributeRef" || e.kind === "Alias";
}

/** The attribute a named expression outputs. */
export function toAttribute(e: NamedExpr, dataType: DataType, nullable: boolean): AttributeRef {
  if (e.kind === "AttributeRef") return e;
  return Expr.attr(e.name, dataType, nullable, [], e.id);
}
