import type { DataType } from "../../types/data-type.js";

/** Compares two non-null internal values of one type: negative, zero or positive. */
export type Comparator = (a: unknown, b: unknown) => number;

/**
 * Spark's ordering of internal values: numbers with NaN above everything and -0 equal to 0;
 * strings by UTF-8 bytes (which is Unicode code point order — not JavaScript's UTF-16 order,
 * the two differ only for characters above U+FFFF against U+E000..U+FFFF); binary by unsigned
 * bytes; false < true; arrays and structs lexicographically with null elements first.
 * Maps and calendar intervals are not orderable (callers reject them at analysis).
 */
export function comparatorFor(t: DataType): Comparator {
  switch (t.kind) {
    case "float": case "double": return compareDoubles as Comparator;
    case "string": return compareStrings as Comparator;
    case "binary": return compareBytes as Comparator;
    case "boolean": return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case "array": {
      const el = comparatorFor(t.elementType);
      return (a, b) => compareSequences(a as unknown[], b as unknown[], () => el);
    }
    case "struct": {
      const fs = t.fields.map((f) => comparatorFor(f.dataType));
      return (a, b) => compareSequences(a as unknown[], b as unknown[], (i) => fs[i]!);
    }
    default:
      // byte/short/int/long (number | bigint mix compares correctly), decimal (unscaled, same scale), date, timestamp.
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  }
}

export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
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

function compareSequences(a: unknown[], b: unknown[], cmp: (i: number) => Comparator): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? -1 : 1;
    }
    const c = cmp(i)(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** True when Spark can order values of the type (min, max, max_by, ...). */
export function isOrderableForAgg(t: DataType): boolean {
  switch (t.kind) {
    case "map": case "interval": return false;
    case "array": return isOrderableForAgg(t.elementType);
    case "struct": return t.fields.every((f) => isOrderableForAgg(f.dataType));
    default: return true;
  }
}
