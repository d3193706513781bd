import type { Vector } from "../../batch/vector.js";
import { HASH_SEED, Murmur3State, sparkValueHasher } from "../../expr/hash/spark-hash.js";
import { murmur3Int, murmur3Long, murmur3String } from "../../expr/hash/murmur3.js";

/**
 * The shuffle partition of each row: `pmod(hash(keys...), numPartitions)` with Spark's Murmur3
 * `hash` (null keys leave the running hash unchanged), so a key lands in the same partition as
 * Spark's HashPartitioning would put it, in every batch, on every thread and after a restart.
 */
export function partitionIds(keys: readonly Vector[], numRows: number, numPartitions: number, out = new Int32Array(numRows)): Int32Array {
  const h = out;
  h.fill(HASH_SEED, 0, numRows);
  keys.forEach((k, j) => foldColumn(k, numRows, h, j === 0));
  for (let i = 0; i < numRows; i++) {
    const m = h[i]! % numPartitions;
    h[i] = m < 0 ? m + numPartitions : m;
  }
  return h;
}

/** Folds column `v` into the running hashes `h`; `first`: every h[i] is still HASH_SEED. */
function foldColumn(v: Vector, n: number, h: Int32Array, first: boolean): void {
  const nulls = v.nulls;
  const values = v.values;
  switch (v.type.kind) {
    case "int": case "date": case "short": case "byte": {
      const a = values as Int32Array | Int16Array | Int8Array;
      for (let i = 0; i < n; i++) if (nulls === null || nulls[i] !== 1) h[i] = murmur3Int(a[i]!, h[i]!);
      return;
    }
    case "boolean": {
      const a = values as Uint8Array;
      for (let i = 0; i < n; i++) if (nulls === null || nulls[i] !== 1) h[i] = murmur3Int(a[i]!, h[i]!);
      return;
    }
    case "long": case "timestamp":
      if (values instanceof Float64Array) {
        for (let i = 0; i < n; i++) {
          if (nulls !== null && nulls[i] === 1) continue;
          const x = values[i]!;
          h[i] = murmur3Long(Math.floor(x / 4294967296) >>> 0, x >>> 0, h[i]!);
        }
        return;
      }
      break;
    case "string": {
      // Strings repeat within a batch (campaigns, channels): in the first key column (same seed
      // for every row) each distinct one is hashed once.
      const a = values as readonly unknown[];
      if (first) {
        const hashes = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const s = a[i] as string | null | undefined;
          if (s === null || s === undefined) continue;
          let x = hashes.get(s);
          if (x === undefined) hashes.set(s, (x = murmur3String(s, HASH_SEED)));
          h[i] = x;
        }
        return;
      }
      for (let i = 0; i < n; i++) {
        const s = a[i] as string | null | undefined;
        if (s !== null && s !== undefined) h[i] = murmur3String(s, h[i]!);
      }
      return;
    }
    case "struct":
      // A struct of longs or timestamps (the `window` struct): its fields folded in order, nulls skipped.
      if (v.type.fields.every((f) => f.dataType.kind === "long" || f.dataType.kind === "timestamp")) {
        const a = values as readonly (readonly unknown[] | null)[];
        for (let i = 0; i < n; i++) {
          const t = a[i];
          if ((nulls !== null && nulls[i] === 1) || t === null || t === undefined) continue;
          let x = h[i]!;
          for (let j = 0; j < t.length; j++) {
            const f = t[j];
            if (typeof f === "number") x = murmur3Long(Math.floor(f / 4294967296) >>> 0, f >>> 0, x);
            else if (f !== null && f !== undefined) return foldGeneric(v, n, h, i);
          }
          h[i] = x;
        }
        return;
      }
      break;
    default:
      break;
  }
  foldGeneric(v, n, h, 0);
}

/** Folds rows [from, n) of `v` through Spark's hash of any value. */
function foldGeneric(v: Vector, n: number, h: Int32Array, from: number): void {
  const nulls = v.nulls, values = v.values;
  const hashValue = sparkValueHasher(v.type);
  const state = new Murmur3State();
  for (let i = from; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const x = values[i];
    if (x === null || x === undefined) continue;
    state.h = h[i]!;
    hashValue(x, state);
    h[i] = state.h;
  }
}

/** Row indices of each partition, in input order. */
export function rowsByPartition(ids: Int32Array, numRows: number, numPartitions: number): Int32Array[] {
  const counts = new Int32Array(numPartitions);
  for (let i = 0; i < numRows; i++) counts[ids[i]!]!++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(numPartitions);
  for (let i = 0; i < numRows; i++) {
    const p = ids[i]!;
    out[p]![fill[p]!++] = i;
  }
  return out;
}
