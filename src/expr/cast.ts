import { ExecutionError } from "../errors/errors.js";
import {
  type ArrayType, type DataType, type DecimalType, type MapType, type StructType, isIntegral, isNumeric, sameType, sqlTypeName,
} from "../types/data-type.js";
import { formatDate, fromLocal, localFields, parseDate, parseTimestamp } from "../types/datetime.js";
import { MICROS_PER_SECOND, parseInterval } from "../types/interval.js";
import { LONG_MAX, LONG_MIN, type Long, normalizeLong } from "../types/long.js";
import { decimalToString } from "../types/values.js";
import {
  decimalToNumber, divPow10, doubleToDecimalParts, fitsPrecision, parseDecimalText, rescale, toBig,
} from "./functions/decimal-util.js";
import { javaDoubleToString, javaFloatToString, valueToString } from "./value-string.js";

/**
 * CAST between Spark types over internal values (see types/data-type.ts).
 *
 * - "legacy": Spark's non-ANSI cast: malformed input and decimal overflow give null, integral
 *   overflow wraps like Java, NaN → 0.
 * - "ansi": the same input is an ExecutionError (CAST_INVALID_INPUT, CAST_OVERFLOW, ...).
 * - "try": ANSI parsing rules, but null instead of an error (try_cast).
 */
export type CastMode = "legacy" | "ansi" | "try";

/** A compiled cast of one non-null internal value (null in, never called). */
export type CastFn = (v: unknown) => unknown;

const ANSI_HINT = `If necessary set "sluice.sql.ansi.enabled" to "false" to bypass this error.`;

/** Spark's Cast.canCast (non-ANSI); with `ansi`, Spark's stricter ANSI cast table. */
export function canCast(from: DataType, to: DataType, ansi = false): boolean {
  if (sameType(from, to, true)) return true;
  if (from.kind === "null") return true;
  const f = from.kind, t = to.kind;
  if (t === "string") return true;
  switch (to.kind) {
    case "binary": return f === "string" || (!ansi && isIntegral(from));
    case "boolean": return f === "string" || isNumeric(from) || (!ansi && (f === "date" || f === "timestamp"));
    case "timestamp": return f === "string" || f === "date" || isNumeric(from) || (!ansi && f === "boolean");
    case "date": return f === "string" || f === "timestamp";
    case "interval": return f === "string";
    case "array": return from.kind === "array" && canCast(from.elementType, to.elementType, ansi);
    case "map": return from.kind === "map" && canCast(from.keyType, to.keyType, ansi) && canCast(from.valueType, to.valueType, ansi);
    case "struct":
      return from.kind === "struct" && from.fields.length === to.fields.length && from.fields.every((fl, i) => canCast(fl.dataType, to.fields[i]!.dataType, ansi));
    default:
      if (isNumeric(to)) return f === "string" || f === "boolean" || isNumeric(from) || f === "timestamp" || (!ansi && f === "date");
      return false;
  }
}

const NUMERIC_ORDER = ["byte", "short", "int", "long", "float", "double"];

/** Spark's Cast.canUpCast: casts that never lose information (used for implicit widening). */
export function canUpCast(from: DataType, to: DataType): boolean {
  if (sameType(from, to, true)) return true;
  if (from.kind === "null") return true;
  if (to.kind === "decimal") {
    if (from.kind === "decimal") return to.precision - to.scale >= from.precision - from.scale && to.scale >= from.scale;
    const digits = { byte: 3, short: 5, int: 10, long: 20 }[from.kind as "byte"];
    return digits !== undefined && to.precision - to.scale >= digits;
  }
  if (from.kind === "decimal") {
    if (to.kind === "double") return true;
    if (to.kind === "float") return true;
    return to.kind === "string";
  }
  const a = NUMERIC_ORDER.indexOf(from.kind), b = NUMERIC_ORDER.indexOf(to.kind);
  if (a >= 0 && b >= 0) return a <= b;
  if (from.kind === "date" && to.kind === "timestamp") return true;
  if (to.kind === "string") return from.kind !== "binary" && from.kind !== "array" && from.kind !== "map" && from.kind !== "struct";
  if (from.kind === "array" && to.kind === "array") return canUpCast(from.elementType, to.elementType) && (to.containsNull || !from.containsNull);
  if (from.kind === "map" && to.kind === "map") return canUpCast(from.keyType, to.keyType) && canUpCast(from.valueType, to.valueType);
  if (from.kind === "struct" && to.kind === "struct") {
    return from.fields.length === to.fields.length && from.fields.every((f, i) => canUpCast(f.dataType, to.fields[i]!.dataType));
  }
  return false;
}

/** A SQL literal for messages, as Spark renders values in errors: `'abc'`, `300`, `128L`, `1.0E10D`. */
export function toSqlValue(v: unknown, t: DataType): string {
  switch (t.kind) {
    case "string": return `'${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    case "byte": return `${String(v)}Y`;
    case "short": return `${String(v)}S`;
    case "long": return `${String(v)}L`;
    case "double": return `${javaDoubleToString(v as number)}D`;
    case "float": return `${javaFloatToString(v as number)}F`;
    case "decimal": return `${decimalToString(v as Long, t.scale)}BD`;
    case "date": return `DATE '${formatDate(v as number)}'`;
    case "timestamp": return `TIMESTAMP '${valueToString(v, t, "UTC")}'`;
    default: return valueToString(v, t, "UTC");
  }
}

export function castInvalidInput(v: unknown, from: DataType, to: DataType): ExecutionError {
  return new ExecutionError(
    "CAST_INVALID_INPUT",
    `[CAST_INVALID_INPUT] The value ${toSqlValue(v, from)} of the type "${sqlTypeName(from)}" cannot be cast to "${sqlTypeName(to)}" because it is malformed. ` +
      `Correct the value as per the syntax, or change its target type. Use \`try_cast\` to tolerate malformed input and return NULL instead. ${ANSI_HINT}`,
  );
}

export function castOverflow(v: unknown, from: DataType, to: DataType): ExecutionError {
  if (to.kind === "decimal") {
    return new ExecutionError(
      "NUMERIC_VALUE_OUT_OF_RANGE",
      `[NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION] ${valueToString(v, from, "UTC")} cannot be represented as Decimal(${to.precision}, ${to.scale}). ` +
        `If necessary set "sluice.sql.ansi.enabled" to "false" to bypass this error, and return NULL instead.`,
    );
  }
  return new ExecutionError(
    "CAST_OVERFLOW",
    `[CAST_OVERFLOW] The value ${toSqlValue(v, from)} of the type "${sqlTypeName(from)}" cannot be cast to "${sqlTypeName(to)}" due to an overflow. ` +
      `Use \`try_cast\` to tolerate overflow and return NULL instead. ${ANSI_HINT}`,
  );
}

// ------------------------------------------------------------------------------------------
// Integral helpers (Java narrowing semantics)

const INT_RANGE: Record<string, readonly [number, number]> = {
  byte: [-128, 127], short: [-32768, 32767], int: [-2147483648, 2147483647],
};

function wrapTo(kind: string, n: number): number {
  switch (kind) {
    case "byte": return (n << 24) >> 24;
    case "short": return (n << 16) >> 16;
    default: return n | 0;
  }
}

/** Long → narrower integral with Java wrapping. */
function wrapLongTo(kind: string, v: Long): number {
  if (typeof v === "bigint") return wrapTo(kind, Number(BigInt.asIntN(32, v)));
  return wrapTo(kind, v);
}

const TWO63 = 2 ** 63;

/** Java's (long) d: NaN → 0, saturating at the long range. */
export function doubleToLongJava(d: number): Long {
  if (Number.isNaN(d)) return 0;
  if (d >= TWO63) return normalizeLong(LONG_MAX);
  if (d <= -TWO63) return normalizeLong(LONG_MIN);
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : normalizeLong(BigInt(t));
}

/** Java's (int) d: NaN → 0, saturating at the int range. */
export function doubleToIntJava(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= 2147483647) return 2147483647;
  if (d <= -2147483648) return -2147483648;
  return Math.trunc(d) | 0;
}

const INT_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
/** Spark's trimAll: whitespace and ISO control characters at both ends. */
function trimAll(s: string): string {
  let a = 0, b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * The common case of integral text, digits with an optional sign and no spaces: its value, exact
 * (at most 15 digits); NaN for any other text, which parseIntegralText then reads. (A regular
 * expression and a BigInt per value cost more than reading epoch milliseconds from JSON.)
 */
function plainIntegerText(s: string): number {
  const n = s.length;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43) i = 1;
  if (n - i < 1 || n - i > 15) return NaN;
  let v = 0;
  for (let k = i; k < n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  // 0 - 0 is +0: a long has no negative zero.
  return c0 === 45 ? 0 - v : v;
}

/** UTF8String.toLong: digits, optionally a fraction that is dropped (not in ANSI). Null if malformed or out of range. */
function parseIntegralText(text: string, allowDecimal: boolean): bigint | null {
  const s = trimAll(text);
  const m = INT_TEXT.exec(s);
  if (!m) return null;
  const ip = m[2]!, fp = m[3];
  if (fp !== undefined && !allowDecimal) return null;
  if (ip === "" && (fp === undefined || fp === "")) return null;
  if (ip === "") return fp !== undefined && allowDecimal ? 0n : null;
  const v = BigInt(ip);
  return m[1] === "-" ? -v : v;
}

const DOUBLE_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?$/;
/** Java's Double.parseDouble plus Spark's special literals (inf, infinity, nan); null if malformed. */
export function parseDoubleText(text: string): number | null {
  const s = trimAll(text);
  if (DOUBLE_TEXT.test(s)) return Number(s.replace(/[fFdD]$/, ""));
  switch (s.toLowerCase()) {
    case "inf": case "+inf": case "infinity": case "+infinity": return Infinity;
    case "-inf": case "-infinity": return -Infinity;
    case "nan": case "+nan": case "-nan": return NaN;
    default: return null;
  }
}

const TRUE_STRINGS = new Set(["t", "true", "y", "yes", "1"]);
const FALSE_STRINGS = new Set(["f", "false", "n", "no", "0"]);

/** Spark's string → boolean: t, true, y, yes, 1 / f, false, n, no, 0 (case-insensitive, trimmed); else null. */
export function parseBooleanText(s: string): boolean | null {
  const t = trimAll(s).toLowerCase();
  if (TRUE_STRINGS.has(t)) return true;
  if (FALSE_STRINGS.has(t)) return false;
  return null;
}

const encoder = new TextEncoder();

// ------------------------------------------------------------------------------------------

/**
 * Compiles a cast from `from` to `to`. The returned function takes a non-null internal value and
 * returns the internal value of `to` (or null). The conversion is chosen here, once.
 */
export function compileCast(from: DataType, to: DataType, mode: CastMode, timeZone: string): CastFn {
  if (sameType(from, to, true) && to.kind !== "decimal") return identity;
  if (from.kind === "null") return () => null;
  const ansi = mode !== "legacy";
  const strict = mode === "ansi";
  const invalid = (v: unknown): null => {
    if (strict) throw castInvalidInput(v, from, to);
    return null;
  };
  const overflow = (v: unknown): null => {
    if (strict) throw castOverflow(v, from, to);
    return null;
  };
  switch (to.kind) {
    case "string": return toStringCast(from, timeZone);
    case "boolean": return toBooleanCast(from, invalid);
    case "byte": case "short": case "int": return toIntCast(from, to.kind, ansi, invalid, overflow);
    case "long": return toLongCast(from, ansi, invalid, overflow);
    case "float": case "double": return toFractionalCast(from, to.kind === "float", ansi, invalid);
    case "decimal": return toDecimalCast(from, to, ansi, invalid, overflow);
    case "date": return toDateCast(from, timeZone, ansi, invalid);
    case "timestamp": return toTimestampCast(from, timeZone, ansi, invalid, overflow);
    case "binary": return toBinaryCast(from);
    case "interval":
      if (from.kind === "string") {
        return (v) => {
          try { return parseInterval(v as string); } catch { return invalid(v); }
        };
      }
      break;
    case "array": if (from.kind === "array") return arrayCast(from, to, mode, timeZone); break;
    case "map": if (from.kind === "map") return mapCast(from, to, mode, timeZone); break;
    case "struct": if (from.kind === "struct") return structCast(from, to, mode, timeZone); break;
    case "null": return () => null;
  }
  return () => null;
}

const identity: CastFn = (v) => v;

function toStringCast(from: DataType, tz: string): CastFn {
  switch (from.kind) {
    case "string": return identity;
    case "byte": case "short": case "int": case "long": return (v) => String(v as Long);
    case "double": return (v) => javaDoubleToString(v as number);
    case "float": return (v) => javaFloatToString(v as number);
    case "boolean": return (v) => (v ? "true" : "false");
    case "binary": return (v) => valueToString(v, from, tz, { binary: "utf8" });
    default: return (v) => valueToString(v, from, tz, { binary: "utf8" });
  }
}

function toBooleanCast(from: DataType, invalid: (v: unknown) => null): CastFn {
  switch (from.kind) {
    case "string": return (v) => parseBooleanText(v as string) ?? invalid(v);
    case "byte": case "short": case "int": case "long": case "float": case "double": case "timestamp":
      return (v) => v !== 0 && v !== 0n;
    case "decimal": return (v) => v !== 0 && v !== 0n;
    case "date": return () => null;
    default: return () => null;
  }
}

function toIntCast(from: DataType, kind: "byte" | "short" | "int", ansi: boolean, invalid: (v: unknown) => null, overflow: (v: unknown) => null): CastFn {
  const [lo, hi] = INT_RANGE[kind]!;
  const checkInt = (n: number, v: unknown): number | null => (n < lo || n > hi ? (ansi ? overflow(v) : wrapTo(kind, n)) : n);
  switch (from.kind) {
    case "string": {
      return (v) => {
        const q = plainIntegerText(v as string);
        if (q === q) return q < lo || q > hi ? invalid(v) : q;
        const b = parseIntegralText(v as string, !ansi);
        if (b === null || b < BigInt(lo) || b > BigInt(hi)) return invalid(v);
        return Number(b);
      };
    }
    case "boolean": return (v) => (v ? 1 : 0);
    case "byte": case "short": case "int":
      return (v) => checkInt(v as number, v);
    case "long":
      return (v) => {
        const n = v as Long;
        if (n < lo || n > hi) return ansi ? overflow(v) : wrapLongTo(kind, n);
        return n as number;
      };
    case "float": case "double":
      return (v) => {
        const d = v as number;
        if (ansi) {
          if (!Number.isFinite(d) || Math.trunc(d) < lo || Math.trunc(d) > hi) return overflow(v);
          return Math.trunc(d) | 0;
        }
        return wrapTo(kind, doubleToIntJava(d));
      };
    case "decimal": {
      const scale = from.scale;
      return (v) => {
        const q = divPow10(toBig(v as Long), scale, "DOWN");
        if (q < BigInt(lo) || q > BigInt(hi)) return ansi ? overflow(v) : wrapLongTo(kind, BigInt.asIntN(64, q));
        return Number(q);
      };
    }
    case "timestamp":
      return (v) => {
        const secs = Math.floor((v as number) / MICROS_PER_SECOND);
        return checkInt(secs, v);
      };
    default: return () => null;
  }
}

function toLongCast(from: DataType, ansi: boolean, invalid: (v: unknown) => null, overflow: (v: unknown) => null): CastFn {
  switch (from.kind) {
    case "string":
      return (v) => {
        const q = plainIntegerText(v as string);
        if (q === q) return q;
        const b = parseIntegralText(v as string, !ansi);
        if (b === null || b < LONG_MIN || b > LONG_MAX) return invalid(v);
        return normalizeLong(b);
      };
    case "boolean": return (v) => (v ? 1 : 0);
    case "byte": case "short": case "int": return identity;
    case "float": case "double":
      return (v) => {
        const d = v as number;
        if (ansi && (!Number.isFinite(d) || d >= TWO63 || d < -TWO63)) return overflow(v);
        return doubleToLongJava(d);
      };
    case "decimal": {
      const scale = from.scale;
      return (v) => {
        const q = divPow10(toBig(v as Long), scale, "DOWN");
        if (q < LONG_MIN || q > LONG_MAX) return ansi ? overflow(v) : normalizeLong(BigInt.asIntN(64, q));
        return normalizeLong(q);
      };
    }
    case "timestamp": return (v) => Math.floor((v as number) / MICROS_PER_SECOND);
    default: return () => null;
  }
}

function toFractionalCast(from: DataType, isFloat: boolean, ansi: boolean, invalid: (v: unknown) => null): CastFn {
  const out = isFloat ? Math.fround : (x: number): number => x;
  switch (from.kind) {
    case "string":
      return (v) => {
        const d = parseDoubleText(v as string);
        return d === null ? invalid(v) : out(d);
      };
    case "boolean": return (v) => (v ? 1 : 0);
    case "byte": case "short": case "int": case "double": return isFloat ? (v) => Math.fround(v as number) : identity;
    case "float": return identity;
    case "long": return (v) => out(Number(v as Long));
    case "decimal": {
      const scale = from.scale;
      return (v) => out(decimalToNumber(v as Long, scale));
    }
    case "timestamp": return (v) => out((v as number) / MICROS_PER_SECOND);
    default: return () => null;
  }
}

function toDecimalCast(from: DataType, to: DecimalType, ansi: boolean, invalid: (v: unknown) => null, overflow: (v: unknown) => null): CastFn {
  const { precision, scale } = to;
  const finish = (u: bigint, v: unknown): Long | null => (fitsPrecision(u, precision) ? normalizeLong(u) : overflow(v));
  const fromParts = (p: { unscaled: bigint; scale: number }, v: unknown): Long | null => finish(rescale(p.unscaled, p.scale, scale), v);
  switch (from.kind) {
    case "decimal": {
      const fs = from.scale;
      if (fs === scale && from.precision <= precision) return identity;
      return (v) => finish(rescale(toBig(v as Long), fs, scale), v);
    }
    case "byte": case "short": case "int": case "long":
      return (v) => finish(toBig(v as Long) * 10n ** BigInt(scale), v);
    case "boolean": return (v) => finish(v ? 10n ** BigInt(scale) : 0n, v);
    case "float": case "double":
      return (v) => {
        const p = doubleToDecimalParts(v as number);
        if (p === null) return ansi ? invalid(v) : null;
        return fromParts(p, v);
      };
    case "string":
      return (v) => {
        const p = parseDecimalText(trimAll(v as string));
        if (p === null) return invalid(v);
        return fromParts(p, v);
      };
    case "timestamp":
      return (v) => fromParts({ unscaled: BigInt(v as number), scale: 6 }, v);
    default: return () => null;
  }
}

function toDateCast(from: DataType, tz: string, _ansi: boolean, invalid: (v: unknown) => null): CastFn {
  switch (from.kind) {
    case "string": return (v) => parseDate(v as string) ?? invalid(v);
    case "timestamp": return (v) => localFields(v as number, tz).days;
    default: return () => null;
  }
}

function toTimestampCast(from: DataType, tz: string, ansi: boolean, invalid: (v: unknown) => null, overflow: (v: unknown) => null): CastFn {
  const MAX_SECS = Number(LONG_MAX / 1_000_000n);
  switch (from.kind) {
    case "string": return (v) => parseTimestamp(v as string, tz) ?? invalid(v);
    case "date": return (v) => fromLocal(v as number, 0, tz);
    case "boolean": return (v) => (v ? 1 : 0);
    case "byte": case "short": case "int": return (v) => (v as number) * MICROS_PER_SECOND;
    case "long":
      return (v) => {
        const n = Number(v as Long);
        if (n > MAX_SECS || n < -MAX_SECS) return ansi ? overflow(v) : n > 0 ? Number(LONG_MAX) : Number(LONG_MIN);
        return n * MICROS_PER_SECOND;
      };
    case "float": case "double":
      return (v) => {
        const d = v as number;
        if (!Number.isFinite(d)) return ansi ? overflow(v) : null;
        return Math.trunc(d * MICROS_PER_SECOND);
      };
    case "decimal": {
      const s = from.scale;
      return (v) => Number(rescale(toBig(v as Long), s, 6, "DOWN"));
    }
    default: return () => null;
  }
}

function toBinaryCast(from: DataType): CastFn {
  switch (from.kind) {
    case "string": return (v) => encoder.encode(v as string);
    case "byte": return (v) => Uint8Array.of((v as number) & 0xff);
    case "short": return (v) => bigEndian(BigInt(v as number), 2);
    case "int": return (v) => bigEndian(BigInt(v as number), 4);
    case "long": return (v) => bigEndian(BigInt(v as Long), 8);
    default: return () => null;
  }
}

function bigEndian(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(n * 8, v);
  for (let i = n - 1; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

function arrayCast(from: ArrayType, to: ArrayType, mode: CastMode, tz: string): CastFn {
  const el = compileCast(from.elementType, to.elementType, mode, tz);
  if (el === identity) return identity;
  return (v) => (v as unknown[]).map((e) => (e === null ? null : el(e)));
}

function mapCast(from: MapType, to: MapType, mode: CastMode, tz: string): CastFn {
  const k = compileCast(from.keyType, to.keyType, mode, tz);
  const x = compileCast(from.valueType, to.valueType, mode, tz);
  if (k === identity && x === identity) return identity;
  return (v) => {
    const out = new Map<unknown, unknown>();
    for (const [a, b] of v as Map<unknown, unknown>) out.set(k(a), b === null ? null : x(b));
    return out;
  };
}

function structCast(from: StructType, to: StructType, mode: CastMode, tz: string): CastFn {
  const fns = from.fields.map((f, i) => compileCast(f.dataType, to.fields[i]!.dataType, mode, tz));
  if (fns.every((f) => f === identity)) return identity;
  return (v) => (v as unknown[]).map((e, i) => (e === null ? null : fns[i]!(e)));
}

