/**
 * Order-independent result digests: the row count and the sum of one numeric column, so the
 * engines' answers can be compared without moving millions of rows into row objects.
 */
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { valueAt } from "../../src/batch/vector.js";

export interface Digest {
  rows: number;
  sum: number;
}

/** Digest of result batches: `column` (by name, case-insensitive) summed as numbers; decimals scaled. */
export function digestBatches(batches: readonly RecordBatch[], column: string | null): Digest {
  let rows = 0, sum = 0;
  for (const b of batches) {
    rows += b.numRows;
    if (column === null) continue;
    const i = b.schema.fields.findIndex((f) => f.name.toLowerCase() === column.toLowerCase());
    if (i < 0) throw new Error(`digest column ${column} not in ${b.schema.fields.map((f) => f.name).join(", ")}`);
    const v = b.columns[i]!, t = v.type;
    const scale = t.kind === "decimal" ? Math.pow(10, t.scale) : 1;
    if (!Array.isArray(v.values) && v.nulls === null) {
      const xs = v.values as Float64Array;
      let s = 0;
      for (let r = 0; r < b.numRows; r++) s += xs[r]!;
      sum += s / scale;
    } else {
      for (let r = 0; r < b.numRows; r++) {
        const x = valueAt(v, r);
        if (x !== null) sum += Number(x) / scale;
      }
    }
  }
  return { rows, sum };
}

/** Null when the digests agree (exact row counts, sums within a relative 1e-9), else what differs. */
export function compareDigest(a: Digest, b: Digest): string | null {
  if (a.rows !== b.rows) return `rows ${a.rows} vs ${b.rows}`;
  if (Math.abs(a.sum - b.sum) > 1e-9 * Math.max(1, Math.abs(a.sum), Math.abs(b.sum))) return `sum ${a.sum} vs ${b.sum}`;
  return null;
}
