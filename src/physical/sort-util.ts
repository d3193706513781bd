import type { Vector } from "../batch/vector.js";
import { comparatorFor } from "../expr/aggregates/value-order.js";
import type { DataType } from "../types/data-type.js";

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

/** A comparator of row indices within one set of key vectors. Ties keep input order (Array.sort is stable). */
export function rowComparator(keys: readonly Vector[], specs: readonly SortKeySpec[]): (a: number, b: number) => number {
  const cross = crossComparator(keys.map((k) => k.type), specs);
  return (a, b) => cross(keys, a, keys, b);
}
