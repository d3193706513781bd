import { type Literal, Expr } from "../expr/expression.js";
import {
  BinaryType, ByteType, CalendarIntervalType, DateType, DoubleType, FloatType, IntegerType, LongType, MAX_DECIMAL_PRECISION,
  ShortType, StringType, TimestampType, decimalType,
} from "../types/data-type.js";
import { parseDate, parseTimestamp } from "../types/datetime.js";
import { parseInterval } from "../types/interval.js";
import { normalizeLong } from "../types/long.js";

/** A literal, or the reason the text is not one (the parser turns it into a ParseError at the token). */
export type LiteralResult = Literal | { readonly error: string };

const INT_MIN = -(2n ** 31n), INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n), LONG_MAX = 2n ** 63n - 1n;
const RANGES: Record<string, readonly [bigint, bigint, string]> = {
  Y: [-128n, 127n, "TINYINT"],
  S: [-32768n, 32767n, "SMALLINT"],
  L: [LONG_MIN, LONG_MAX, "BIGINT"],
};

/**
 * Types a numeric literal the way Spark does:
 * - `12` is INT when it fits, else BIGINT, else DECIMAL(p,0) up to 38 digits;
 * - `1.5` is DECIMAL(2,1) (precision = significant digits, at least the scale); over 38 digits it is DOUBLE;
 * - `1.5e3` is DOUBLE; suffixes: `10L` BIGINT, `10S` SMALLINT, `10Y` TINYINT, `1.5D` DOUBLE, `1.5F` FLOAT, `1.5BD` DECIMAL.
 * Decimal values are the unscaled integer as a normalized long (12.34 → 1234 at scale 2).
 */
export function numberLiteral(raw: string, negative: boolean): LiteralResult {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(BD|[LSYDF])?$/i.exec(raw);
  if (!m) return { error: `Invalid number '${raw}'` };
  const intPart = m[1] ?? "", frac = m[2], exp = m[3], suffix = (m[4] ?? "").toUpperCase();
  const text = (negative ? "-" : "") + raw.slice(0, raw.length - suffix.length);
  const shown = (negative ? "-" : "") + raw;
  if (suffix === "D") return Expr.literal(Number(text), DoubleType);
  if (suffix === "F") return Expr.literal(Math.fround(Number(text)), FloatType);
  if (suffix === "BD") return decimalLiteral(intPart, frac ?? "", exp === undefined ? 0 : Number(exp), negative) ?? { error: `The decimal literal ${shown} has more than ${MAX_DECIMAL_PRECISION} digits` };
  if (suffix !== "") {
    if (frac !== undefined || exp !== undefined) return { error: `Invalid number '${shown}': the suffix ${suffix} needs an integer` };
    const v = BigInt(text);
    const [lo, hi, name] = RANGES[suffix]!;
    if (v < lo || v > hi) return { error: `The number ${shown} is out of range for ${name} (${lo} to ${hi})` };
    return Expr.literal(suffix === "L" ? normalizeLong(v) : Number(v), suffix === "Y" ? ByteType : suffix === "S" ? ShortType : LongType);
  }
  if (exp !== undefined) return Expr.literal(Number(text), DoubleType);
  if (frac !== undefined) return decimalLiteral(intPart, frac, 0, negative) ?? Expr.literal(Number(text), DoubleType);
  const v = BigInt(text);
  if (v >= INT_MIN && v <= INT_MAX) return Expr.literal(Number(v), IntegerType);
  if (v >= LONG_MIN && v <= LONG_MAX) return Expr.literal(normalizeLong(v), LongType);
  return decimalLiteral(intPart, "", 0, negative) ?? { error: `The number ${shown} is out of range: it has more than ${MAX_DECIMAL_PRECISION} digits` };
}

/** DECIMAL(p,s) of digits `intPart.frac` × 10^exp, or undefined when it needs more than 38 digits. */
function decimalLiteral(intPart: string, frac: string, exp: number, negative: boolean): Literal | undefined {
  let scale = frac.length - exp;
  let unscaled = BigInt((intPart + frac) || "0");
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  const digits = unscaled === 0n ? 1 : unscaled.toString().length;
  const precision = Math.max(digits, scale);
  if (precision > MAX_DECIMAL_PRECISION) return undefined;
  return Expr.literal(normalizeLong(negative ? -unscaled : unscaled), decimalType(precision, scale));
}

export function stringLiteral(value: string): Literal {
  return Expr.literal(value, StringType);
}

/** `DATE '2024-01-01'`: days since the epoch. */
export function dateLiteral(text: string): LiteralResult {
  const d = parseDate(text);
  return d === null ? { error: `Cannot parse the DATE value '${text}': expected 'yyyy-mm-dd'` } : Expr.literal(d, DateType);
}

/**
 * `TIMESTAMP '2024-01-01 00:00:00'`: microseconds since the epoch. Text without a zone is read as
 * UTC here (the parser does not know the session time zone).
 */
export function timestampLiteral(text: string): LiteralResult {
  const t = parseTimestamp(text, "UTC");
  return t === null ? { error: `Cannot parse the TIMESTAMP value '${text}': expected 'yyyy-mm-dd hh:mm:ss[.ffffff][zone]'` } : Expr.literal(t, TimestampType);
}

/** `X'CAFE'`: bytes; an odd number of digits is padded with a leading zero. */
export function binaryLiteral(hex: string): Literal {
  const h = hex.length % 2 === 1 ? "0" + hex : hex;
  const bytes = new Uint8Array(h.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return Expr.literal(bytes, BinaryType);
}

/** An interval literal from text such as `10 minutes` or `1 hours 30 minutes` (CalendarIntervalType). */
export function intervalLiteral(text: string): LiteralResult {
  try {
    return Expr.literal(parseInterval(text, "interval literal"), CalendarIntervalType);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
