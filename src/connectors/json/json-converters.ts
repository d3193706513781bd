import type { DataType } from "../../types/data-type.js";
import { LONG_MAX, LONG_MIN, normalizeLong, toLong } from "../../types/long.js";
import { toDecimalUnscaled } from "../../types/values.js";
import type { DatetimeCodec } from "../files/datetime-codec.js";
import { BAD_VALUE } from "../files/text-value.js";
import { jsonValueText } from "./json-records.js";
import { NumberText } from "./json-text-parser.js";

/** A parsed JSON value (not null) → the internal value of a type, or BAD_VALUE. */
export type JsonConverter = (v: unknown) => unknown;

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = {
  NaN: NaN, Infinity: Infinity, "+Infinity": Infinity, "-Infinity": -Infinity, INF: Infinity, "+INF": Infinity, "-INF": -Infinity,
};

function integral(min: number, max: number): JsonConverter {
  return (v) => (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : BAD_VALUE);
}

/** Converters for Spark's JSON reading rules (see JacksonParser's documented behaviour). */
export function jsonConverter(t: DataType, dt: DatetimeCodec): JsonConverter {
  switch (t.kind) {
    case "boolean": return (v) => (typeof v === "boolean" ? v : BAD_VALUE);
    case "byte": return integral(-128, 127);
    case "short": return integral(-32768, 32767);
    case "int": return integral(-2147483648, 2147483647);
    case "long": return (v) => {
      if (typeof v === "number") return Number.isInteger(v) ? toLong(v) : BAD_VALUE;
      if (typeof v === "bigint") return v < LONG_MIN || v > LONG_MAX ? BAD_VALUE : normalizeLong(v);
      return BAD_VALUE;
    };
    case "float": case "double": {
      const f = t.kind === "float" ? Math.fround : (x: number): number => x;
      return (v) => {
        if (typeof v === "number") return f(v);
        if (typeof v === "bigint") return f(Number(v));
        if (v instanceof NumberText) return f(Number(v.text));
        if (typeof v === "string" && Object.hasOwn(SPECIAL_DOUBLES, v)) return SPECIAL_DOUBLES[v];
        return BAD_VALUE;
      };
    }
    case "decimal": return (v) => {
      if (typeof v === "number" || typeof v === "bigint") return toDecimalUnscaled(typeof v === "number" ? String(v) : v, t) ?? BAD_VALUE;
      if (v instanceof NumberText) return toDecimalUnscaled(v.text, t) ?? BAD_VALUE;
      if (typeof v === "string" && v.length > 0) return toDecimalUnscaled(v, t) ?? BAD_VALUE;
      return BAD_VALUE;
    };
    case "string": return jsonValueText;
    case "binary": return (v) => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "base64")) : BAD_VALUE);
    case "date": return (v) => (typeof v === "string" ? (dt.parseDate(v) ?? BAD_VALUE) : BAD_VALUE);
    case "timestamp": return (v) => {
      if (typeof v === "string") return dt.parseTimestamp(v) ?? BAD_VALUE;
      if (typeof v === "number" && Number.isFinite(v)) return Math.round(v * 1_000_000); // seconds since the epoch
      return BAD_VALUE;
    };
    case "null": return () => null;
    case "array": {
      const elem = jsonConverter(t.elementType, dt);
      return (v) => {
        if (!Array.isArray(v)) return BAD_VALUE;
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x === null) { out[i] = null; continue; }
          const c = elem(x);
          if (c === BAD_VALUE) return BAD_VALUE;
          out[i] = c;
        }
        return out;
      };
    }
    case "map": {
      const key = keyConverter(t.keyType, dt);
      const val = jsonConverter(t.valueType, dt);
      return (v) => {
        if (v === null || typeof v !== "object" || Array.isArray(v)) return BAD_VALUE;
        const m = new Map<unknown, unknown>();
        for (const [k, x] of Object.entries(v)) {
          const kk = key(k);
          if (kk === BAD_VALUE) return BAD_VALUE;
          if (x === null) { m.set(kk, null); continue; }
          const c = val(x);
          if (c === BAD_VALUE) return BAD_VALUE;
          m.set(kk, c);
        }
        return m;
      };
    }
    case "struct": {
      const names = t.fields.map((f) => f.name);
      const convs = t.fields.map((f) => jsonConverter(f.dataType, dt));
      return (v) => {
        if (v === null || typeof v !== "object" || Array.isArray(v)) return BAD_VALUE;
        const o = v as Record<string, unknown>;
        const out = new Array<unknown>(names.length);
        for (let i = 0; i < names.length; i++) {
          const x = o[names[i]!];
          if (x === null || x === undefined) { out[i] = null; continue; }
          const c = convs[i]!(x);
          if (c === BAD_VALUE) return BAD_VALUE;
          out[i] = c;
        }
        return out;
      };
    }
    case "interval": return () => BAD_VALUE;
  }
}

/** Map keys arrive as object keys (strings). */
function keyConverter(t: DataType, dt: DatetimeCodec): JsonConverter {
  if (t.kind === "string") return (k) => k;
  const inner = jsonConverter(t, dt);
  return (k) => {
    const s = k as string;
    if (t.kind === "boolean") return s === "true" ? true : s === "false" ? false : BAD_VALUE;
    if (t.kind === "date" || t.kind === "timestamp" || t.kind === "binary") return inner(s);
    const n = /^-?\d{16,}$/.test(s) ? BigInt(s) : Number(s);
    return Number.isNaN(n) ? BAD_VALUE : inner(n);
  };
}
