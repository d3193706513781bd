import { AnalysisError } from "../errors/errors.js";
import {
  ByteType, type DataType, type DecimalType, DoubleType, FloatType, IntegerType, LongType, MAX_DECIMAL_PRECISION,
  ShortType, StringType, TimestampType, arrayType, decimalType, isAtomic, isIntegral, isNumeric, mapType, sameType,
  sqlTypeName, structField, structType,
} from "../types/data-type.js";

/**
 * Spark's implicit type coercion (non-ANSI), as pure functions over data types. The analyzer
 * calls them and inserts the casts; nothing here looks at values.
 */

const NUMERIC_PRECEDENCE = ["byte", "short", "int", "long", "float", "double"] as const;

function numericRank(t: DataType): number {
  return (NUMERIC_PRECEDENCE as readonly string[]).indexOf(t.kind);
}

/** The decimal type that holds every value of an integral type exactly (Spark's DecimalType.forType). */
export function decimalForType(t: DataType): DecimalType | null {
  switch (t.kind) {
    case "byte": return decimalType(3, 0);
    case "short": return decimalType(5, 0);
    case "int": return decimalType(10, 0);
    case "long": return decimalType(20, 0);
    case "float": return decimalType(14, 7);
    case "double": return decimalType(30, 15);
    case "decimal": return t;
    default: return null;
  }
}

/** decimal(p, s) capped at 38 digits without loss handling (Spark's DecimalType.bounded). */
export function boundedDecimal(precision: number, scale: number): DecimalType {
  return decimalType(Math.min(precision, MAX_DECIMAL_PRECISION), Math.min(scale, MAX_DECIMAL_PRECISION));
}

/** Spark's DecimalType.adjustPrecisionScale, used when precision loss is allowed (the default). */
export function adjustPrecisionScale(precision: number, scale: number): DecimalType {
  if (precision <= MAX_DECIMAL_PRECISION) return decimalType(precision, scale);
  if (scale < 0) return decimalType(MAX_DECIMAL_PRECISION, scale);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const adjustedScale = Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale);
  return decimalType(MAX_DECIMAL_PRECISION, adjustedScale);
}

function widerDecimal(a: DecimalType, b: DecimalType): DecimalType {
  const scale = Math.max(a.scale, b.scale);
  const range = Math.max(a.precision - a.scale, b.precision - b.scale);
  return boundedDecimal(range + scale, scale);
}

/** Spark's findTightestCommonType: widening without loss and without strings. */
export function findTightestCommonType(a: DataType, b: DataType): DataType | null {
  if (sameType(a, b, true)) return a;
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  const ra = numericRank(a), rb = numericRank(b);
  if (ra >= 0 && rb >= 0) return ra >= rb ? a : b;
  if ((a.kind === "date" && b.kind === "timestamp") || (a.kind === "timestamp" && b.kind === "date")) return TimestampType;
  if (a.kind === "struct" && b.kind === "struct") return mergeStructs(a.fields, b.fields, findTightestCommonType);
  return null;
}

function mergeStructs(
  af: readonly { name: string; dataType: DataType; nullable: boolean }[],
  bf: readonly { name: string; dataType: DataType; nullable: boolean }[],
  widen: (x: DataType, y: DataType) => DataType | null,
): DataType | null {
  if (af.length !== bf.length) return null;
  const fields = [];
  for (let i = 0; i < af.length; i++) {
    const x = af[i]!, y = bf[i]!;
    if (x.name.toLowerCase() !== y.name.toLowerCase()) return null;
    const t = widen(x.dataType, y.dataType);
    if (!t) return null;
    fields.push(structField(x.name, t, x.nullable || y.nullable));
  }
  return structType(fields);
}

function findWiderTypeForDecimal(a: DataType, b: DataType): DataType | null {
  if (a.kind === "decimal" && b.kind === "decimal") return widerDecimal(a, b);
  if (a.kind === "decimal" && isIntegral(b)) return widerDecimal(a, decimalForType(b)!);
  if (b.kind === "decimal" && isIntegral(a)) return widerDecimal(decimalForType(a)!, b);
  if ((a.kind === "decimal" && (b.kind === "float" || b.kind === "double")) || (b.kind === "decimal" && (a.kind === "float" || a.kind === "double"))) {
    return DoubleType;
  }
  return null;
}

function stringPromotion(a: DataType, b: DataType): DataType | null {
  const ok = (t: DataType): boolean => isAtomic(t) && t.kind !== "binary" && t.kind !== "boolean" && t.kind !== "interval";
  if (a.kind === "string" && ok(b)) return StringType;
  if (b.kind === "string" && ok(a)) return StringType;
  return null;
}

function widerComplex(a: DataType, b: DataType, widen: (x: DataType, y: DataType) => DataType | null): DataType | null {
  if (a.kind === "array" && b.kind === "array") {
    const e = widen(a.elementType, b.elementType);
    return e ? arrayType(e, a.containsNull || b.containsNull) : null;
  }
  if (a.kind === "map" && b.kind === "map") {
    const k = widen(a.keyType, b.keyType);
    const v = widen(a.valueType, b.valueType);
    return k && v ? mapType(k, v, a.valueContainsNull || b.valueContainsNull) : null;
  }
  if (a.kind === "struct" && b.kind === "struct") return mergeStructs(a.fields, b.fields, widen);
  return null;
}

/**
 * Spark's findWiderTypeForTwo: the common type of CASE branches, COALESCE, IN lists, UNION
 * columns. Numbers widen, decimals widen by Spark's rules, a string and another atomic type
 * (not binary or boolean) become a string, nested types widen element-wise. Null when none.
 */
export function findWiderType(a: DataType, b: DataType): DataType | null {
  return findTightestCommonType(a, b) ?? findWiderTypeForDecimal(a, b) ?? stringPromotion(a, b) ?? widerComplex(a, b, findWiderType);
}

/** As findWiderType, without turning numbers or dates into strings (array functions use this). */
export function findWiderTypeWithoutStringPromotion(a: DataType, b: DataType): DataType | null {
  return findTightestCommonType(a, b) ?? findWiderTypeForDecimal(a, b) ?? widerComplex(a, b, findWiderTypeWithoutStringPromotion);
}

/** findWiderType over many types (decimals first, as Spark does, so the result does not depend on order). */
export function findWiderCommonType(types: readonly DataType[], stringPromotionAllowed = true): DataType | null {
  if (types.length === 0) return null;
  const widen = stringPromotionAllowed ? findWiderType : findWiderTypeWithoutStringPromotion;
  const sorted = [...types].sort((x, y) => (x.kind === "decimal" ? 0 : 1) - (y.kind === "decimal" ? 0 : 1));
  let acc: DataType | null = sorted[0]!;
  for (let i = 1; i < sorted.length && acc; i++) acc = widen(acc, sorted[i]!);
  return acc;
}

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%" | "div" | "pmod";

export interface BinaryTypes {
  readonly left: DataType;
  readonly right: DataType;
  readonly result: DataType;
}

function opSql(op: string, left: string, right: string): string {
  return op === "pmod" ? `pmod(${left}, ${right})` : `(${left} ${op} ${right})`;
}

/**
 * Types for `left op right` in Spark 3 non-ANSI mode: the types both sides are cast to and the
 * result type. `leftSql`/`rightSql` name the operands in errors. Interval and datetime
 * arithmetic (ts + interval, date - date) is the analyzer's and is not handled here.
 */
export function binaryArithmeticTypes(
  op: ArithmeticOp,
  left: DataType,
  right: DataType,
  opts: { allowPrecisionLoss?: boolean; leftSql?: string; rightSql?: string } = {},
): BinaryTypes {
  const allowLoss = opts.allowPrecisionLoss ?? true;
  const sql = opSql(op, opts.leftSql ?? "left", opts.rightSql ?? "right");
  // PromoteStrings: a string operand of arithmetic becomes a double.
  let l = left.kind === "string" ? DoubleType : left;
  let r = right.kind === "string" ? DoubleType : right;
  if (l.kind === "null") l = r.kind === "null" ? (op === "/" ? DoubleType : op === "div" ? LongType : DoubleType) : r;
  if (r.kind === "null") r = l;
  for (const t of [l, r]) {
    if (!isNumeric(t)) {
      throw new AnalysisError(
        "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE",
        `Cannot resolve "${sql}" due to data type mismatch: the binary operator requires a numeric input type, not ${quoted(t === l ? left : right)}.`,
      );
    }
  }
  if (op === "div") {
    // IntegralDivide: integral operands as longs; decimals keep their type; result is a long.
    const common = l.kind === "decimal" || r.kind === "decimal" ? findWiderType(l, r)! : LongType;
    if (common.kind === "double" || common.kind === "float") return { left: LongType, right: LongType, result: LongType };
    return { left: common, right: common, result: LongType };
  }
  if (op === "/" && l.kind !== "decimal" && r.kind !== "decimal") return { left: DoubleType, right: DoubleType, result: DoubleType };
  if (l.kind === "decimal" || r.kind === "decimal") {
    if (l.kind === "float" || l.kind === "double" || r.kind === "float" || r.kind === "double") {
      return { left: DoubleType, right: DoubleType, result: DoubleType };
    }
    const d1 = decimalForType(l)!, d2 = decimalForType(r)!;
    const res = decimalResultType(op, d1, d2, allowLoss);
    return { left: d1, right: d2, result: res };
  }
  const common = findTightestCommonType(l, r);
  if (!common) {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
      `Cannot resolve "${sql}" due to data type mismatch: the left and right operands of the binary operator have incompatible types (${quoted(left)} and ${quoted(right)}).`,
    );
  }
  return { left: common, right: common, result: common };
}

/** Spark's DecimalPrecision result type of `a op b` for two decimals. */
export function decimalResultType(op: ArithmeticOp, a: DecimalType, b: DecimalType, allowPrecisionLoss = true): DecimalType {
  const { precision: p1, scale: s1 } = a;
  const { precision: p2, scale: s2 } = b;
  const fit = allowPrecisionLoss ? adjustPrecisionScale : boundedDecimal;
  switch (op) {
    case "+": case "-": {
      const scale = Math.max(s1, s2);
      return fit(Math.max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case "*": return fit(p1 + p2 + 1, s1 + s2);
    case "/": {
      if (allowPrecisionLoss) {
        const scale = Math.max(6, s1 + p2 + 1);
        return fit(p1 - s1 + s2 + scale, scale);
      }
      let intDig = p1 - s1 + s2;
      let decDig = Math.max(6, s1 + p2 + 1);
      const diff = intDig + decDig - MAX_DECIMAL_PRECISION;
      if (diff > 0) {
        decDig -= Math.floor(diff / 2) + 1;
        intDig = MAX_DECIMAL_PRECISION - decDig;
      }
      return boundedDecimal(intDig + decDig, decDig);
    }
    case "%": case "pmod": {
      const scale = Math.max(s1, s2);
      return fit(Math.min(p1 - s1, p2 - s2) + scale, scale);
    }
    case "div": return decimalType(20, 0);
  }
}

/**
 * The type both sides of a comparison (=, <, <=>, ...) are cast to, as Spark 3 non-ANSI:
 * string vs date → date, string vs timestamp → timestamp, string vs decimal → double,
 * string vs another atomic type → that type, date vs timestamp → timestamp, numbers widen.
 * Throws DATATYPE_MISMATCH when the types cannot be compared.
 */
export function comparisonType(left: DataType, right: DataType, sql = "comparison"): DataType {
  const t = findCommonTypeForComparison(left, right);
  if (!t) {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
      `Cannot resolve "${sql}" due to data type mismatch: the left and right operands of the binary operator have incompatible types (${quoted(left)} and ${quoted(right)}).`,
    );
  }
  return t;
}

/** As comparisonType, returning null instead of throwing. */
export function findCommonTypeForComparison(l: DataType, r: DataType): DataType | null {
  if (sameType(l, r, true)) return l;
  if (l.kind === "null") return r;
  if (r.kind === "null") return l;
  if (l.kind === "string" && r.kind === "decimal") return DoubleType;
  if (r.kind === "string" && l.kind === "decimal") return DoubleType;
  if (l.kind === "string" && isAtomic(r) && r.kind !== "interval") return r;
  if (r.kind === "string" && isAtomic(l) && l.kind !== "interval") return l;
  return findTightestCommonType(l, r) ?? findWiderTypeForDecimal(l, r) ?? widerComplex(l, r, findCommonTypeForComparison);
}

/** Pair form for the analyzer: the types each side of a comparison is cast to. */
export function comparisonTypes(left: DataType, right: DataType, sql?: string): { left: DataType; right: DataType } {
  const t = comparisonType(left, right, sql);
  return { left: t, right: t };
}

/**
 * An abstract input type a function may ask for: a concrete type, or a family. Used by
 * `implicitCast` (Spark's ImplicitTypeCasts for functions with expected input types).
 */
export type ExpectedType = DataType | "numeric" | "integral" | "fractional" | "any" | "stringOrBinary" | "array" | "map" | "struct" | "datetime";

/** The type an argument of type `from` is cast to so that it fits `expected`, or null when it cannot. */
export function implicitCast(from: DataType, expected: ExpectedType): DataType | null {
  if (typeof expected === "string") {
    switch (expected) {
      case "any": return from;
      case "numeric":
        if (isNumeric(from)) return from;
        if (from.kind === "string" || from.kind === "null") return DoubleType;
        return null;
      case "integral":
        if (isIntegral(from)) return from;
        if (from.kind === "string" || from.kind === "null") return LongType;
        return null;
      case "fractional":
        if (from.kind === "double" || from.kind === "float" || from.kind === "decimal") return from;
        if (isNumeric(from) || from.kind === "string" || from.kind === "null") return DoubleType;
        return null;
      case "stringOrBinary":
        if (from.kind === "string" || from.kind === "binary") return from;
        if (isAtomic(from) && from.kind !== "interval") return StringType;
        return null;
      case "array": case "map": case "struct":
        return from.kind === expected ? from : from.kind === "null" ? null : null;
      case "datetime":
        if (from.kind === "date" || from.kind === "timestamp") return from;
        if (from.kind === "string" || from.kind === "null") return TimestampType;
        return null;
    }
  }
  const to = expected;
  if (sameType(from, to, true)) return to;
  if (from.kind === "null") return to;
  if (to.kind === "decimal" && isNumeric(from)) return from.kind === "decimal" ? from : to;
  if (isNumeric(from) && isNumeric(to)) return to;
  if (from.kind === "timestamp" && to.kind === "date") return to;
  if (from.kind === "date" && to.kind === "timestamp") return to;
  if (from.kind === "string" && (isNumeric(to) || to.kind === "date" || to.kind === "timestamp" || to.kind === "binary")) return to;
  if (to.kind === "string" && isAtomic(from) && from.kind !== "interval") return to;
  if (from.kind === "array" && to.kind === "array") {
    const e = implicitCast(from.elementType, to.elementType);
    return e ? arrayType(e, true) : null;
  }
  return null;
}

/** `"INT"` for messages. */
export function quoted(t: DataType): string {
  return `"${sqlTypeName(t)}"`;
}

export const INTEGRAL_TYPES: readonly DataType[] = [ByteType, ShortType, IntegerType, LongType];
export const FRACTIONAL_TYPES: readonly DataType[] = [FloatType, DoubleType];
