import { IllegalArgumentError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { BinaryType, BooleanType, DoubleType, IntegerType, LongType, NullType, StringType, TimestampType, arrayType, type DataType } from "../types/data-type.js";
import { microsFromDate } from "../types/datetime.js";
import { normalizeLong } from "../types/long.js";
import { toInternal } from "../types/values.js";

/** The type lit() gives a JS value, as PySpark infers Python values. */
export function inferLiteralType(v: unknown): DataType {
  if (v === null || v === undefined) return NullType;
  if (typeof v === "boolean") return BooleanType;
  if (typeof v === "string") return StringType;
  if (typeof v === "bigint") return LongType;
  if (typeof v === "number") return Number.isInteger(v) ? (v >= -2147483648 && v <= 2147483647 ? IntegerType : LongType) : DoubleType;
  if (v instanceof Date) return TimestampType;
  if (v instanceof Uint8Array) return BinaryType;
  if (Array.isArray(v)) return arrayType(v.length ? inferLiteralType(v.find((x) => x !== null) ?? null) : NullType);
  throw new IllegalArgumentError("UNSUPPORTED_LITERAL", `[UNSUPPORTED_FEATURE.LITERAL_TYPE] Literal for '${String(v)}' of ${typeof v} is not supported.`);
}

export function literalExpr(v: unknown): Expr {
  const t = inferLiteralType(v);
  if (v === null || v === undefined) return E.literal(null, NullType);
  if (v instanceof Date) return E.literal(microsFromDate(v), TimestampType);
  if (typeof v === "bigint") return E.literal(normalizeLong(v), LongType);
  return E.literal(toInternal(v, t, "lit()"), t);
}
