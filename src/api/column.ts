import { type BinaryOp, type Expr, Expr as E, type WindowSpec as WindowSpecNode } from "../expr/expression.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { parseDataTypeDDL } from "../types/ddl.js";
import type { DataType } from "../types/data-type.js";
import { literalExpr } from "./literal.js";

/** Anything a Column method accepts as an operand: a Column or a plain value (a literal). */
export type ColumnOrValue = Column | string | number | bigint | boolean | Date | null;

/**
 * A column expression, as in PySpark: immutable, built with methods, resolved only when used in
 * a DataFrame. `T` is the value type when known (a phantom for typed DataFrames).
 *
 * @example
 * df.select(col("price").multiply(col("qty")).alias("total"))   // column `total`
 */
export class Column<T = unknown> {
  /** Phantom: carries the value type for typed DataFrames; never set at run time. */
  declare readonly __type?: T;
  constructor(readonly expr: Expr) {}

  /** Names the column: `col("a").plus(1).alias("b")`. */
  alias<N extends string>(name: N): Column<T> {
    return new Column(E.alias(unalias(this.expr), name));
  }
  as<N extends string>(name: N): Column<T> {
    return this.alias(name);
  }
  name<N extends string>(name: N): Column<T> {
    return this.alias(name);
  }

  /** CAST to a type given as DDL (`"int"`, `"decimal(10,2)"`) or a DataType. */
  cast(to: string | DataType): Column {
    return new Column(E.cast(this.expr, typeof to === "string" ? parseDataTypeDDL(to) : to));
  }
  astype(to: string | DataType): Column {
    return this.cast(to);
  }
  /** TRY_CAST: null instead of an error when the value does not convert. */
  tryCast(to: string | DataType): Column {
    return new Column(E.cast(this.expr, typeof to === "string" ? parseDataTypeDDL(to) : to, "try"));
  }

  asc(): Column<T> { return new Column(E.sortOrder(this.expr, true, true)); }
  asc_nulls_first(): Column<T> { return new Column(E.sortOrder(this.expr, true, true)); }
  asc_nulls_last(): Column<T> { return new Column(E.sortOrder(this.expr, true, false)); }
  desc(): Column<T> { return new Column(E.sortOrder(this.expr, false, false)); }
  desc_nulls_first(): Column<T> { return new Column(E.sortOrder(this.expr, false, true)); }
  desc_nulls_last(): Column<T> { return new Column(E.sortOrder(this.expr, false, false)); }

  private bin<R = unknown>(op: BinaryOp, other: ColumnOrValue): Column<R> {
    return new Column<R>(E.binary(op, this.expr, toExpr(other)));
  }
  plus(o: ColumnOrValue): Column { return this.bin("+", o); }
  minus(o: ColumnOrValue): Column { return this.bin("-", o); }
  multiply(o: ColumnOrValue): Column { return this.bin("*", o); }
  divide(o: ColumnOrValue): Column { return this.bin("/", o); }
  mod(o: ColumnOrValue): Column { return this.bin("%", o); }
  eq(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("=", o); }
  equalTo(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("=", o); }
  notEqual(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("!=", o); }
  eqNullSafe(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("<=>", o); }
  lt(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("<", o); }
  leq(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("<=", o); }
  gt(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>(">", o); }
  geq(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>(">=", o); }
  and(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("and", o); }
  or(o: ColumnOrValue): Column<boolean> { return this.bin<boolean>("or", o); }
  bitwiseAND(o: ColumnOrValue): Column { return this.bin("&", o); }
  bitwiseOR(o: ColumnOrValue): Column { return this.bin("|", o); }
  bitwiseXOR(o: ColumnOrValue): Column { return this.bin("^", o); }
  not(): Column<boolean> { return new Column(E.unary("not", this.expr)); }
  negate(): Column { return new Column(E.unary("negate", this.expr)); }
  isNull(): Column<boolean> { return new Column(E.unary("isnull", this.expr)); }
  isNotNull(): Column<boolean> { return new Column(E.unary("isnotnull", this.expr)); }
  isNaN(): Column<boolean> { return new Column(E.unary("isnan", this.expr)); }
  isin(...values: (ColumnOrValue | ColumnOrValue[])[]): Column<boolean> {
    return new Column(E.inList(this.expr, values.flat().map(toExpr)));
  }
  between(lower: ColumnOrValue, upper: ColumnOrValue): Column<boolean> {
    return new Column(E.binary("and", E.binary(">=", this.expr, toExpr(lower)), E.binary("<=", this.expr, toExpr(upper))));
  }
  like(pattern: string): Column<boolean> { return new Column(E.fn("like", [this.expr, toExpr(pattern)])); }
  ilike(pattern: string): Column<boolean> { return new Column(E.fn("ilike", [this.expr, toExpr(pattern)])); }
  rlike(pattern: string): Column<boolean> { return new Column(E.fn("rlike", [this.expr, toExpr(pattern)])); }
  startswith(o: ColumnOrValue): Column<boolean> { return new Column(E.fn("startswith", [this.expr, toExpr(o)])); }
  endswith(o: ColumnOrValue): Column<boolean> { return new Column(E.fn("endswith", [this.expr, toExpr(o)])); }
  contains(o: ColumnOrValue): Column<boolean> { return new Column(E.fn("contains", [this.expr, toExpr(o)])); }
  substr(start: ColumnOrValue, length: ColumnOrValue): Column<string> { return new Column(E.fn("substring", [this.expr, toExpr(start), toExpr(length)])); }
  /** A struct field by name. */
  getField(name: string): Column { return new Column(E.extract(this.expr, E.literal(name, { kind: "string" }))); }
  /** An array element by 0-based index, or a map value by key. */
  getItem(key: ColumnOrValue): Column { return new Column(E.extract(this.expr, toExpr(key))); }

  /** CASE WHEN chains: `when(cond, a).when(cond2, b).otherwise(c)`. */
  when(condition: Column, value: ColumnOrValue): Column {
    if (this.expr.kind !== "CaseWhen" || this.expr.elseValue !== null) {
      throw new IllegalArgumentError("INVALID_WHEN", "when() can only follow F.when(...) or another when(), before otherwise().");
    }
    return new Column(E.caseWhen([...this.expr.branches, [condition.expr, toExpr(value)]], null));
  }
  otherwise(value: ColumnOrValue): Column {
    if (this.expr.kind !== "CaseWhen" || this.expr.elseValue !== null) {
      throw new IllegalArgumentError("INVALID_OTHERWISE", "otherwise() can only follow when(), once.");
    }
    return new Column(E.caseWhen(this.expr.branches, toExpr(value)));
  }

  /** A window function over a window spec: `F.row_number().over(Window.partitionBy("k").orderBy("t"))`. */
  over(spec: { readonly node: WindowSpecNode }): Column<T> {
    return new Column(E.window(this.expr, spec.node));
  }

  toString(): string {
    return `Column<'${JSON.stringify(this.expr.kind)}'>`;
  }
}

function unalias(e: Expr): Expr {
  return e.kind === "Alias" ? e.child : e;
}

/** A Column, a column name where a name is expected, or a literal value. */
export function toExpr(v: ColumnOrValue): Expr {
  if (v instanceof Column) return v.expr;
  return literalExpr(v);
}

/** Column-or-name arguments: strings are column names. */
export function colExpr(v: Column | string): Expr {
  return typeof v === "string" ? (v === "*" ? E.star() : E.column(v)) : v.expr;
}
