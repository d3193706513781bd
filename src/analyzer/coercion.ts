import { AnalysisError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import {
  type DataType, DoubleType, LongType, MAX_DECIMAL_PRECISION, StringType, TimestampType, arrayType, decimalType,
  isIntegral, isNumeric, mapType, sameType, sqlTypeName, structField, structType,
} from "../types/data-type.js";

/**
 * Implicit type coercion, following Spark's non-ANSI rules: numeric widening, decimals widened
 * to hold both, strings promoted in arithmetic, dates widened to timestamps.
 */
const NUMERIC_RANK: Record<string, number> = { byte: 1, short: 2, int: 3, long: 4, float: 6, double: 7 };

function integralAsDecimal(t: DataType): DataType | null {
  switch (t.kind) {
    case "byte": return decimalType(3, 0);
    case "short": return decimalType(5, 0);
    case "int": return decimalType(10, 0);
    case "long": return decimalType(20, 0);
    default: return null;
  }
}

/** The narrowest type both `a` and `b` can be widened to without losing information, or null. */
export function widerType(a: DataType, b: DataType): DataType | null {
  if (sameType(a, b, true)) return a;
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === "decimal" || b.kind === "decimal") {
      const da = a.kind === "decimal" ? a : integralAsDecimal(a);
      const db = b.kind === "decimal" ? b : integralAsDecimal(b);
      if (!da || !db || da.kind !== "decimal" || db.kind !== "decimal") return DoubleType;
      const scale = Math.max(da.scale, db.scale);
      const range = Math.max(da.precision - da.scale, db.precision - db.scale);
      return decimalType(Math.min(MAX_DECIMAL_PRECISION, range + scale), Math.min(scale, MAX_DECIMAL_PRECISION - Math.min(range, MAX_DECIMAL_PRECISION)));
    }
    return NUMERIC_RANK[a.kind]! >= NUMERIC_RANK[b.kind]! ? a : b;
  }
  if ((a.kind === "date" && b.kind === "timestamp") || (a.kind === "timestamp" && b.kind === "date")) return TimestampType;
  if (a.kind === "array" && b.kind === "array") {
    const el = widerType(a.elementType, b.elementType);
    return el ? arrayType(el, a.containsNull || b.containsNull) : null;
  }
  if (a.kind === "map" && b.kind === "map") {
    const k = widerType(a.keyType, b.keyType), v = widerType(a.valueType, b.valueType);
    return k && v ? mapType(k, v, a.valueContainsNull || b.valueContainsNull) : null;
  }
  if (a.kind === "struct" && b.kind === "struct" && a.fields.length === b.fields.length) {
    const fs = [];
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!, fb = b.fields[i]!;
      if (fa.name.toLowerCase() !== fb.name.toLowerCase()) return null;
      const t = widerType(fa.dataType, fb.dataType);
      if (!t) return null;
      fs.push(structField(fa.name, t, fa.nullable || fb.nullable));
    }
    return structType(fs);
  }
  return null;
}

/** Like widerType, but strings absorb other atomic types (for CASE, COALESCE, IN, UNION, ...). */
export function widerTypeWithString(a: DataType, b: DataType): DataType | null {
  const w = widerType(a, b);
  if (w) return w;
  const atomic = (t: DataType): boolean => t.kind !== "array" && t.kind !== "map" && t.kind !== "struct" && t.kind !== "binary";
  if ((a.kind === "string" && atomic(b)) || (b.kind === "string" && atomic(a))) return StringType;
  return null;
}

export function commonType(types: readonly DataType[], what: string): DataType {
  let t: DataType | null = types[0] ?? null;
  for (let i = 1; i < types.length && t; i++) t = widerTypeWithString(t, types[i]!);
  if (!t) {
    throw new AnalysisError("DATATYPE_MISMATCH.DATA_DIFF_TYPES", `[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve ${what} due to data type mismatch: the input types should all be the same, but they are [${types.map((x) => `"${sqlTypeName(x)}"`).join(", ")}].`);
  }
  return t;
}

export function castTo(e: Expr, t: DataType): Expr {
  const from = exprType(e);
  if (sameType(from, t, true)) return e;
  if (e.kind === "Literal" && e.value === null) return E.literal(null, t);
  return E.implicitCast(e, t);
}

const ARITH = new Set(["+", "-", "*", "/", "%", "pmod", "div"]);
const COMPARE = new Set(["=", "<=>", "!=", "<", "<=", ">", ">="]);

/** Casts the operands of a binary operator to the types Spark would, or throws a mismatch error. */
export function coerceBinary(op: string, left: Expr, right: Expr, sql: string): [Expr, Expr] {
  let lt = exprType(left), rt = exprType(right);
  const mismatch = (): never => {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
      `[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve "${sql}" due to data type mismatch: the left and right operands of the binary operator have incompatible types ("${sqlTypeName(lt)}" and "${sqlTypeName(rt)}").`,
    );
  };
  if (op === "and" || op === "or") {
    const bool = { kind: "boolean" } as const;
    if (lt.kind !== "boolean" && lt.kind !== "null") mismatch();
    if (rt.kind !== "boolean" && rt.kind !== "null") mismatch();
    return [castTo(left, bool), castTo(right, bool)];
  }
  if (op === "||") {
    if (lt.kind === "array" || rt.kind === "array") {
      const t = widerType(lt, rt) ?? mismatch();
      return [castTo(left, t), castTo(right, t)];
    }
    return [castTo(left, StringType), castTo(right, StringType)];
  }
  if (ARITH.has(op)) {
    // Spark (non-ANSI) promotes strings in arithmetic to double.
    if (lt.kind === "string") { left = castTo(left, DoubleType); lt = DoubleType; }
    if (rt.kind === "string") { right = castTo(right, DoubleType); rt = DoubleType; }
    if (lt.kind === "null" && rt.kind === "null") { lt = rt = DoubleType; left = castTo(left, lt); right = castTo(right, rt); }
    if (!isNumeric(lt) && lt.kind !== "null") mismatch();
    if (!isNumeric(rt) && rt.kind !== "null") mismatch();
    if (op === "div") {
      if ((isIntegral(lt) || lt.kind === "null") && (isIntegral(rt) || rt.kind === "null")) return [castTo(left, LongType), castTo(right, LongType)];
    }
    if (op === "/") {
      // `/` is fractional: integers divide as doubles, decimals stay decimal.
      const t = widerType(lt, rt) ?? mismatch();
      if (t.kind === "decimal") {
        const dl = lt.kind === "decimal" ? lt : integralAsDecimal(lt) ?? DoubleType;
        const dr = rt.kind === "decimal" ? rt : integralAsDecimal(rt) ?? DoubleType;
        if (dl.kind === "decimal" && dr.kind === "decimal") return [castTo(left, dl), castTo(right, dr)];
        return [castTo(left, DoubleType), castTo(right, DoubleType)];
      }
      const ft = t.kind === "float" ? t : DoubleType;
      return [castTo(left, ft), castTo(right, ft)];
    }
    const t = widerType(lt, rt) ?? mismatch();
    if (t.kind === "decimal") {
      // Decimal operands keep their own precision; the result type is computed from both.
      const dl = lt.kind === "decimal" ? lt : integralAsDecimal(lt);
      const dr = rt.kind === "decimal" ? rt : integralAsDecimal(rt);
      if (dl && dr) return [castTo(left, dl), castTo(right, dr)];
      return [castTo(left, DoubleType), castTo(right, DoubleType)];
    }
    return [castTo(left, t), castTo(right, t)];
  }
  if (COMPARE.has(op)) {
    let t: DataType | null = widerType(lt, rt);
    if (!t) {
      // string vs number compares numerically; string vs date/timestamp as date/timestamp.
      if (lt.kind === "string" && isNumeric(rt)) t = rt.kind === "decimal" || isIntegral(rt) ? DoubleType : rt;
      else if (rt.kind === "string" && isNumeric(lt)) t = lt.kind === "decimal" || isIntegral(lt) ? DoubleType : lt;
      else if (lt.kind === "string" && (rt.kind === "date" || rt.kind === "timestamp")) t = rt;
      else if (rt.kind === "string" && (lt.kind === "date" || lt.kind === "timestamp")) t = lt;
      else if ((lt.kind === "string" && rt.kind === "boolean") || (rt.kind === "string" && lt.kind === "boolean")) t = { kind: "boolean" };
    }
    if (!t) mismatch();
    return [castTo(left, t!), castTo(right, t!)];
  }
  // Bitwise operators work on integral types.
  const t = widerType(lt, rt);
  if (!t || (!isIntegral(t) && t.kind !== "null")) mismatch();
  return [castTo(left, t!), castTo(right, t!)];
}
