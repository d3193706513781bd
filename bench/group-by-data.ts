/**
 * The benchmark's data: `rows` rows generated from the row number by integer arithmetic that
 * JavaScript and DuckDB's SQL compute identically (every intermediate stays below 2^53), so the
 * three engines see exactly the same values without shipping 10 M rows into DuckDB.
 *
 *   h   = (i * 48271) % 2147483647
 *   k   INT    = h % 1000
 *   x   DOUBLE = (h % 1000003) / 1000003            in [0, 1)
 *   y   INT    = (i * 7919) % 2001 - 1000           in [-1000, 1000]
 *   cat STRING = 'c' || ((i * 31 + (i / 1000)) % 20) (integer division), 20 values
 */
export interface GroupByData {
  readonly rows: number;
  readonly k: Int32Array;
  readonly x: Float64Array;
  readonly y: Int32Array;
  readonly cat: string[];
}

export const DATA_SQL = (rows: number): string => `
  SELECT CAST(h % 1000 AS INTEGER) AS k,
         CAST(h % 1000003 AS DOUBLE) / 1000003.0 AS x,
         CAST((i * 7919) % 2001 - 1000 AS INTEGER) AS y,
         'c' || CAST((i * 31 + i // 1000) % 20 AS VARCHAR) AS cat
  FROM (SELECT i, (i * 48271) % 2147483647 AS h FROM range(${rows}) r(i))`;

export function generateData(rows: number): GroupByData {
  const k = new Int32Array(rows), y = new Int32Array(rows), x = new Float64Array(rows);
  const names = Array.from({ length: 20 }, (_, j) => `c${j}`);
  const cat = new Array<string>(rows);
  for (let i = 0; i < rows; i++) {
    const h = (i * 48271) % 2147483647;
    k[i] = h % 1000;
    x[i] = (h % 1000003) / 1000003;
    y[i] = ((i * 7919) % 2001) - 1000;
    cat[i] = names[(i * 31 + Math.floor(i / 1000)) % 20]!;
  }
  return { rows, k, x, y, cat };
}

/** One result group, whatever engine produced it. */
export interface GroupRow {
  k: number;
  cat: string;
  n: number;
  sumV: number;
  avgV: number;
  maxX: number;
}

/** Order-independent digest of a result, for checking that engines agree. */
export interface Digest {
  groups: number;
  count: number;
  sumV: number;
  avgV: number;
  maxX: number;
}

export function digest(rows: readonly GroupRow[]): Digest {
  const d: Digest = { groups: rows.length, count: 0, sumV: 0, avgV: 0, maxX: 0 };
  for (const r of rows) {
    d.count += r.n;
    d.sumV += r.sumV;
    d.avgV += r.avgV;
    d.maxX += r.maxX;
  }
  return d;
}

/** Null when the digests agree (exact counts, sums within a relative tolerance), else what differs. */
export function compareDigests(a: Digest, b: Digest): string | null {
  if (a.groups !== b.groups) return `groups ${a.groups} vs ${b.groups}`;
  if (a.count !== b.count) return `count ${a.count} vs ${b.count}`;
  for (const key of ["sumV", "avgV", "maxX"] as const) {
    const x = a[key], y = b[key];
    if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) return `${key} ${x} vs ${y}`;
  }
  return null;
}
