import type { Vector } from "../batch/vector.js";
import { comparatorFor } from "../expr/aggregates/value-order.js";
import type { DataType } from "../types/data-type.js";
import { instantiate } from "./codegen/kernel-cache.js";

export interface SortKeySpec {
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/** Compares row i of one set of key vectors with row j of another (same key types). */
export type CrossComparator = (ka: readonly Vector[], i: number, kb: readonly Vector[], j: number) => number;

const SIMPLE = new Set(["int", "short", "byte", "date", "timestamp", "long", "decimal", "boolean"]);

/** Spark's ordering: NaN largest, nulls first or last as asked, complex types lexicographic. */
export function crossComparator(types: readonly DataType[], specs: readonly SortKeySpec[]): CrossComparator {
  const parts = types.map((t, k) => {
    const spec = specs[k]!;
    const dir = spec.ascending ? 1 : -1;
    const nullCmp = spec.nullsFirst ? -1 : 1;
    const cmp = SIMPLE.has(t.kind) ? null : comparatorFor(t);
    return (ka: readonly Vector[], i: number, kb: readonly Vector[], j: number): number => {
      const a = ka[k]!, b = kb[k]!;
      const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[j] === 1;
      if (an || bn) return an && bn ? 0 : an ? nullCmp : -nullCmp;
      const x = a.values[i], y = b.values[j];
      if (cmp === null) return ((x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0) * dir;
      return cmp(x, y) * dir;
    };
  });
  return (ka, i, kb, j) => {
    for (const p of parts) {
      const c = p(ka, i, kb, j);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * A comparator of row indices within one set of key vectors. Ties keep input order (Array.sort is
 * stable). Keys held in typed arrays (numbers, dates, times, booleans) compare in generated code
 * that reads the arrays directly; others through crossComparator.
 */
export function rowComparator(keys: readonly Vector[], specs: readonly SortKeySpec[]): (a: number, b: number) => number {
  if (keys.length > 0 && keys.every((k) => !Array.isArray(k.values) && SIMPLE_OR_FLOAT.has(k.type.kind))) return typedRowComparator(keys, specs);
  const cross = crossComparator(keys.map((k) => k.type), specs);
  return (a, b) => cross(keys, a, keys, b);
}

const SIMPLE_OR_FLOAT = new Set([...SIMPLE, "float", "double"]);

/** rowComparator over typed arrays: one generated function per shape of keys (cached by source). */
function typedRowComparator(keys: readonly Vector[], specs: readonly SortKeySpec[]): (a: number, b: number) => number {
  const refs: unknown[] = [];
  let prelude = "", body = "";
  keys.forEach((k, j) => {
    const dir = specs[j]!.ascending ? 1 : -1, nullCmp = specs[j]!.nullsFirst ? -1 : 1;
    prelude += `const V${j} = R[${refs.push(k.values) - 1}];\n`;
    let cmp = `{ const x = V${j}[a], y = V${j}[b]; if (x < y) return ${-dir}; if (x > y) return ${dir};`;
    // Spark orders NaN above every number (and NaN = NaN); -0 and 0 fall through as equal.
    if (k.type.kind === "float" || k.type.kind === "double") cmp += ` if (x !== y) { const xn = x !== x; if (xn !== (y !== y)) return xn ? ${dir} : ${-dir}; }`;
    cmp += " }";
    if (k.nulls !== null) {
      prelude += `const N${j} = R[${refs.push(k.nulls) - 1}];\n`;
      cmp = `{ const an = N${j}[a] === 1, bn = N${j}[b] === 1; if (an || bn) { if (!(an && bn)) return an ? ${nullCmp} : ${-nullCmp}; } else ${cmp} }`;
    }
    body += cmp + "\n";
  });
  return instantiate(`${prelude}return function rowCompare(a, b) {\n${body}return 0;\n};`, refs);
}
