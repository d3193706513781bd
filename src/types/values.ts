import { IllegalArgumentError } from "../errors/errors.js";
import type { DataType, DecimalType } from "./data-type.js";
import { simpleString } from "./data-type.js";
import { MILLIS_PER_DAY, dateFromMicros, formatDate, microsFromDate, parseDate, parseTimestamp } from "./datetime.js";
import { type Long, normalizeLong, toLong } from "./long.js";

/**
 * Conversions between row values (what users pass to createDataFrame / addData and get from
 * collect) and internal values (what batches hold). The table is in types/data-type.ts.
 */

/** A row value → internal value of `type`. `where` names the column for errors. */
export function toInternal(v: unknown, type: DataType, where: string, timeZone = "UTC"): unknown {
  if (v === null || v === undefined) return null;
  // Not a closure: this runs per value (createDataFrame, every udf result).
  const bad = notOfType;
  switch (type.kind) {
    case "null": return null;
    case "boolean":
      if (typeof v === "boolean") return v;
      return bad(v, type, where);
    case "byte": case "short": case "int": {
      const n = typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isInteger(n)) return bad(v, type, where);
      const lim = type.kind === "byte" ? 0x80 : type.kind === "short" ? 0x8000 : 0x80000000;
      if (n < -lim || n >= lim) return bad(v, type, where);
      return n;
    }
    case "long":
      if (typeof v === "bigint") {
        if (v < -(2n ** 63n) || v >= 2n ** 63n) return bad(v, type, where);
        return normalizeLong(v);
      }
      if (typeof v === "number" && Number.isInteger(v)) return toLong(v);
      return bad(v, type, where);
    case "float": case "double":
      if (typeof v === "number") return type.kind === "float" ? Math.fround(v) : v;
      if (typeof v === "bigint") return Number(v);
      return bad(v, type, where);
    case "decimal":
      return toDecimalUnscaled(v, type) ?? bad(v, type, where);
    case "string":
      if (typeof v === "string") return v;
      return bad(v, type, where);
    case "binary":
      if (v instanceof Uint8Array) return v;
      if (typeof v === "string") return new TextEncoder().encode(v);
      return bad(v, type, where);
    case "date":
      if (v instanceof Date) return Math.floor(v.getTime() / MILLIS_PER_DAY);
      if (typeof v === "string") return parseDate(v) ?? bad(v, type, where);
      return bad(v, type, where);
    case "timestamp":
      if (v instanceof Date) return microsFromDate(v);
      if (typeof v === "string") return parseTimestamp(v, timeZone) ?? bad(v, type, where);
      if (typeof v === "number") return v * 1000; // epoch milliseconds, as `new Date(n)`
      return bad(v, type, where);
    case "interval":
      if (typeof v === "object" && v !== null && "months" in v && "days" in v && "micros" in v) return v;
      return bad(v, type, where);
    case "array":
      if (!Array.isArray(v)) return bad(v, type, where);
      return v.map((e, i) => toInternal(e, type.elementType, `${where}[${i}]`, timeZone));
    case "map": {
      const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : typeof v === "object" ? Object.entries(v as object) : bad(v, type, where);
      const m = new Map<unknown, unknown>();
      for (const [k, x] of entries) m.set(toInternal(k, type.keyType, `${where} key`, timeZone), toInternal(x, type.valueType, `${where}[${String(k)}]`, timeZone));
      return m;
    }
    case "struct": {
      if (Array.isArray(v)) return type.fields.map((f, i) => toInternal(v[i], f.dataType, `${where}.${f.name}`, timeZone));
      if (typeof v !== "object") return bad(v, type, where);
      const o = v as Record<string, unknown>;
      return type.fields.map((f) => toInternal(o[f.name], f.dataType, `${where}.${f.name}`, timeZone));
    }
  }
}

function notOfType(v: unknown, type: DataType, where: string): never {
  throw new IllegalArgumentError("INVALID_ROW_VALUE", `Value ${describe(v)} for ${where} does not fit its type ${simpleString(type)}.`);
}

/** An internal value of `type` → the row value users see. */
export function toExternal(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case "timestamp": return dateFromMicros(v as number);
    case "date": return formatDate(v as number);
    case "decimal": return decimalToExternal(v as Long, type);
    case "array": {
      const a = v as unknown[];
      return a.map((e) => toExternal(e, type.elementType));
    }
    case "map": {
      const out = new Map<unknown, unknown>();
      for (const [k, x] of v as Map<unknown, unknown>) out.set(toExternal(k, type.keyType), toExternal(x, type.valueType));
      return out;
    }
    case "struct": {
      const a = v as unknown[];
      const o: Record<string, unknown> = {};
      type.fields.forEach((f, i) => (o[f.name] = toExternal(a[i], f.dataType)));
      return o;
    }
    default: return v;
  }
}

/** The unscaled integer of a decimal value, or null when it does not fit precision/scale. */
export function toDecimalUnscaled(v: unknown, t: DecimalType): Long | null {
  let text: string;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    text = v.toFixed(Math.min(100, t.scale + 1));
  } else if (typeof v === "bigint") text = v.toString();
  else if (typeof v === "string") text = v.trim();
  else return null;
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  let digits = (m[2] ?? "") + (m[3] ?? "");
  let exp = -(m[3] ?? "").length + Number(m[4] ?? 0);
  // Rescale to t.scale with HALF_UP rounding.
  const shift = exp + t.scale;
  let unscaled: bigint;
  if (shift >= 0) unscaled = BigInt(digits || "0") * 10n ** BigInt(shift);
  else {
    const keep = digits.length + shift;
    const head = keep > 0 ? digits.slice(0, keep) : "0";
    const next = keep >= 0 ? Number(digits[keep] ?? "0") : 0;
    unscaled = BigInt(head) + (next >= 5 ? 1n : 0n);
  }
  digits = "";
  exp = 0;
  if (m[1] === "-") unscaled = -unscaled;
  const abs = unscaled < 0n ? -unscaled : unscaled;
  if (abs >= 10n ** BigInt(t.precision)) return null;
  return normalizeLong(unscaled);
}

/** Decimal text of an unscaled value: `1234` at scale 2 → `12.34`. */
export function decimalToString(unscaled: Long, scale: number): string {
  const neg = unscaled < 0;
  let s = (neg ? -BigInt(unscaled) : BigInt(unscaled)).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, "0");
    s = s.slice(0, s.length - scale) + "." + s.slice(s.length - scale);
  }
  return (neg ? "-" : "") + s;
}

function decimalToExternal(unscaled: Long, t: DecimalType): number | string {
  const s = decimalToString(unscaled, t.scale);
  return t.precision <= 15 ? Number(s) : s;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return String(v);
}
