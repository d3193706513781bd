import type { DataType } from "../types/data-type.js";
import type { Interval } from "../types/interval.js";

/** Compares two non-null internal values of one type: negative, zero or positive. */
export type Comparator = (a: unknown, b: unknown) => number;

/**
 * Spark's ordering of internal values: numbers with NaN above everything and -0 equal to 0;
 * strings by UTF-8 bytes (which is Unicode code point order — not JavaScript's UTF-16 order,
 * the two differ only for characters above U+FFFF against U+E000..U+FFFF); binary by unsigned
 * bytes; false < true; intervals field by field; arrays and structs lexicographically with
 * null elements first. Maps are not orderable (callers reject them at analysis); their
 * comparator only tells equal (0) from different (1).
 */
export function comparatorFor(t: DataType): Comparator {
  switch (t.kind) {
    case "float": case "double": return compareDoubles as Comparator;
    case "byte": case "short": case "int": case "long": case "decimal": case "date": case "timestamp":
      // number | bigint mix compares correctly; decimals are unscaled values of the same scale.
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
    case "string": return compareStrings as Comparator;
    case "boolean": return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case "binary": return compareBytes as Comparator;
    case "interval": return (a, b) => {
      const x = a as Interval, y = b as Interval;
      return x.months - y.months || x.days - y.days || x.micros - y.micros;
    };
    case "array": {
      const el = nullsFirst(comparatorFor(t.elementType));
      return (a, b) => {
        const x = a as unknown[], y = b as unknown[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const c = el(x[i], y[i]);
          if (c !== 0) return c;
        }
        return x.length - y.length;
      };
    }
    case "struct": {
      const fs = t.fields.map((f) => nullsFirst(comparatorFor(f.dataType)));
      return (a, b) => {
        const x = a as unknown[], y = b as unknown[];
        for (let i = 0; i < fs.length; i++) {
          const c = fs[i]!(x[i], y[i]);
          if (c !== 0) return c;
        }
        return 0;
      };
    }
    case "map": return (a, b) => (valueEquals(t)(a, b) ? 0 : 1);
    case "null": return () => 0;
  }
}

/** The comparator extended to nulls, which sort first. */
export function nullsFirst(c: Comparator): Comparator {
  return (a, b) => (a === null ? (b === null ? 0 : -1) : b === null ? 1 : c(a, b));
}

export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

/** Spark compares strings by UTF-8 bytes, which is code point order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) encode code points above FFFF, which sort above every BMP character.
      const xs = x >= 0xd800 && x <= 0xdfff, ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** True when Spark can order values of the type (min, max, max_by, sort keys, ...). */
export function isOrderableForAgg(t: DataType): boolean {
  switch (t.kind) {
    case "map": case "interval": return false;
    case "array": return isOrderableForAgg(t.elementType);
    case "struct": return t.fields.every((f) => isOrderableForAgg(f.dataType));
    default: return true;
  }
}

/** Spark's equality of two non-null internal values of type t (NaN = NaN, nested nulls equal). */
export function valueEquals(t: DataType): (a: unknown, b: unknown) => boolean {
  switch (t.kind) {
    case "float": case "double": return (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b));
    case "map": {
      const k = valueEquals(t.keyType), v = valueEquals(t.valueType);
      return (a, b) => {
        const x = a as Map<unknown, unknown>, y = b as Map<unknown, unknown>;
        if (x.size !== y.size) return false;
        const ys = [...y];
        let i = 0;
        for (const [xk, xv] of x) {
          const [yk, yv] = ys[i++]!;
          if (!k(xk, yk)) return false;
          if (xv === null || yv === null ? xv !== yv : !v(xv, yv)) return false;
        }
        return true;
      };
    }
    case "array": case "struct": case "binary": case "interval": {
      const c = comparatorFor(t);
      return (a, b) => c(a, b) === 0;
    }
    default: return (a, b) => a === b;
  }
}

/**
 * A key for values of type t in JS Maps/Sets with Spark's equality (for arrays, structs, maps,
 * binaries: a string; doubles: -0.0 normalized). Other primitives key as themselves.
 */
export function keyOf(t: DataType): (v: unknown) => unknown {
  switch (t.kind) {
    case "float": case "double": return (v) => (v === 0 ? 0 : v);
    case "binary": return (v) => (v === null ? null : "b:" + Buffer.from(v as Uint8Array).toString("hex"));
    case "array": case "struct": case "map": case "interval": return (v) => (v === null ? null : "j:" + JSON.stringify(v, jsonReplacer));
    default: return (v) => v;
  }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return "b:" + Buffer.from(v).toString("hex");
  if (v instanceof Map) return ["m", ...v];
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}
