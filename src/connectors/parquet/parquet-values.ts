import type { DecodedArray, ParquetParsers } from "hyparquet";
import { type Vector, VectorBuilder, makeVector } from "../../batch/vector.js";
import type { DataType } from "../../types/data-type.js";
import { MAX_SAFE, normalizeLong } from "../../types/long.js";

/**
 * hyparquet value parsers that yield Sluice's internal values directly: timestamps as
 * microseconds, dates as days (no Date objects are made).
 */
export const INTERNAL_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms) * 1000,
  timestampFromMicroseconds: (us: bigint) => Number(us),
  timestampFromNanoseconds: (ns: bigint) => Number(ns / 1000n),
  dateFromDays: (days: number) => days,
};

/** Two's-complement big-endian bytes → a normalized long (a decimal's unscaled value). */
export function bytesToLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) {
    let v = 0;
    for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!;
    if (b[0]! & 0x80) v -= 2 ** (8 * b.length);
    return v;
  }
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  if (b[0]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return normalizeLong(v);
}

type Conv = (v: unknown) => unknown;

/** A decoded (non-null) Parquet value of Spark type `t` → its internal value. */
export function parquetValueConverter(t: DataType): Conv {
  switch (t.kind) {
    case "long": return (v) => (typeof v === "bigint" ? normalizeLong(v) : v);
    case "decimal": return (v) => (typeof v === "bigint" ? normalizeLong(v) : v instanceof Uint8Array ? bytesToLong(v) : v);
    case "float": case "double": case "boolean": case "byte": case "short": case "int": case "date": case "timestamp":
      return (v) => (typeof v === "bigint" ? Number(v) : v);
    case "string": return (v) => (v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : v);
    case "binary": return (v) => (typeof v === "string" ? new TextEncoder().encode(v) : v);
    case "array": {
      const e = parquetValueConverter(t.elementType);
      return (v) => (v as unknown[]).map((x) => (x === null || x === undefined ? null : e(x)));
    }
    case "map": {
      const k = mapKeyConverter(t.keyType);
      const val = parquetValueConverter(t.valueType);
      return (v) => {
        const m = new Map<unknown, unknown>();
        const entries = v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : Object.entries(v as object);
        for (const [kk, x] of entries) m.set(k(kk), x === null || x === undefined ? null : val(x));
        return m;
      };
    }
    case "struct": {
      const names = t.fields.map((f) => f.name);
      const convs = t.fields.map((f) => parquetValueConverter(f.dataType));
      return (v) => {
        const o = v as Record<string, unknown>;
        const out = new Array<unknown>(names.length);
        for (let i = 0; i < names.length; i++) {
          const x = o[names[i]!];
          out[i] = x === null || x === undefined ? null : convs[i]!(x);
        }
        return out;
      };
    }
    default: return (v) => v;
  }
}

/** hyparquet returns maps as plain objects, so keys arrive as strings. */
function mapKeyConverter(t: DataType): Conv {
  const inner = parquetValueConverter(t);
  switch (t.kind) {
    case "string": return (k) => k;
    case "long": case "decimal": return (k) => (typeof k === "string" ? normalizeLong(BigInt(k)) : inner(k));
    case "boolean": return (k) => (typeof k === "string" ? k === "true" : k);
    case "binary": return (k) => (typeof k === "string" ? new TextEncoder().encode(k) : k);
    default: return (k) => (typeof k === "string" ? Number(k) : inner(k));
  }
}

/** A decoded column (length n) → a Vector, with typed-array fast paths for flat types. */
export function decodedToVector(t: DataType, data: DecodedArray, n: number): Vector {
  switch (t.kind) {
    case "int": case "date": case "short": case "byte": case "double": case "float": case "timestamp": {
      const values = t.kind === "double" || t.kind === "timestamp" ? new Float64Array(n)
        : t.kind === "float" ? new Float32Array(n)
        : t.kind === "short" ? new Int16Array(n) : t.kind === "byte" ? new Int8Array(n) : new Int32Array(n);
      let nulls: Uint8Array | null = null;
      if (!Array.isArray(data) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array)) {
        values.set(data as unknown as ArrayLike<number>);
        return makeVector(t, n, values, null);
      }
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n);
          nulls[i] = 1;
        } else values[i] = typeof v === "bigint" ? Number(v) : (v as number);
      }
      return makeVector(t, n, values, nulls);
    }
    case "long": {
      const values = new Float64Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = data[i] as number | bigint | null | undefined;
        if (v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n);
          nulls[i] = 1;
          continue;
        }
        const x = Number(v);
        if (x > MAX_SAFE || x < -MAX_SAFE) return slowVector(t, data, n);
        values[i] = x;
      }
      return makeVector(t, n, values, nulls);
    }
    case "boolean": {
      const values = new Uint8Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n);
          nulls[i] = 1;
        } else values[i] = v ? 1 : 0;
      }
      return makeVector(t, n, values, nulls);
    }
    case "string": {
      const values = new Array<unknown>(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n);
          nulls[i] = 1;
          values[i] = null;
        } else values[i] = typeof v === "string" ? v : Buffer.from(v as Uint8Array).toString("utf8");
      }
      return makeVector(t, n, values, nulls);
    }
    default:
      return slowVector(t, data, n);
  }
}

function slowVector(t: DataType, data: DecodedArray, n: number): Vector {
  const conv = parquetValueConverter(t);
  const b = new VectorBuilder(t, n);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    b.append(v === null || v === undefined ? null : conv(v));
  }
  return b.finish();
}
