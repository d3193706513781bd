import { compareDoubles } from "../value-order.js";
import { decodeDouble, encodeDouble } from "./value-codec.js";

/**
 * A Greenwald–Khanna quantile summary (the sketch Spark uses for percentile_approx), mergeable
 * with exact rank bookkeeping. Tuples (v, g, Δ) in value order: the rank of tuple i lies in
 * [rmin_i, rmin_i + Δ_i] with rmin_i = Σ_{j≤i} g_j. New values wait in a head buffer; a flush
 * inserts them with the tightest valid Δ (successor's g + Δ − 1, or 0 at either end), and
 * compress merges neighbours while g + g' + Δ' ≤ ⌊2εn⌋, which keeps every answer within εn
 * ranks of the true one. merge combines two summaries with rank-correct Δs (an element of one
 * summary gains the uncertainty of its successor in the other), so merging keeps the same ε
 * guarantee, in any order and grouping. While no compression happened (n small, or ε·n < 1),
 * answers are exact.
 */
export interface QuantileSummary {
  eps: number;
  n: number;
  v: number[];
  g: number[];
  d: number[];
  head: number[];
}

/** Values buffered before they are folded into the tuples (a memory/speed trade-off, not part of the format). */
const HEAD_SIZE = 4096;

export function newSummary(eps: number): QuantileSummary {
  return { eps, n: 0, v: [], g: [], d: [], head: [] };
}

export function summaryInsert(s: QuantileSummary, x: number): void {
  s.head.push(x);
  if (s.head.length >= HEAD_SIZE) flushHead(s);
}

function flushHead(s: QuantileSummary): void {
  if (s.head.length === 0) return;
  const head = s.head.sort(compareDoubles);
  const v: number[] = [], g: number[] = [], d: number[] = [];
  let i = 0;
  const m = s.v.length;
  for (const x of head) {
    while (i < m && compareDoubles(s.v[i]!, x) <= 0) { v.push(s.v[i]!); g.push(s.g[i]!); d.push(s.d[i]!); i++; }
    v.push(x);
    g.push(1);
    d.push(i === 0 || i === m ? 0 : s.g[i]! + s.d[i]! - 1);
  }
  for (; i < m; i++) { v.push(s.v[i]!); g.push(s.g[i]!); d.push(s.d[i]!); }
  s.n += head.length;
  s.v = v; s.g = g; s.d = d; s.head = [];
  compress(s);
}

function compress(s: QuantileSummary): void {
  const threshold = Math.floor(2 * s.eps * s.n);
  const m = s.v.length;
  if (threshold < 2 || m < 3) return;
  // Walk right to left, folding tuple i into its right neighbour when the band stays small;
  // the first and last tuples (exact min and max) are always kept.
  const v: number[] = [], g: number[] = [], d: number[] = [];
  let rv = s.v[m - 1]!, rg = s.g[m - 1]!, rd = s.d[m - 1]!;
  for (let i = m - 2; i >= 1; i--) {
    if (s.g[i]! + rg + rd <= threshold) rg += s.g[i]!;
    else {
      v.push(rv); g.push(rg); d.push(rd);
      rv = s.v[i]!; rg = s.g[i]!; rd = s.d[i]!;
    }
  }
  v.push(rv); g.push(rg); d.push(rd);
  v.push(s.v[0]!); g.push(s.g[0]!); d.push(s.d[0]!);
  s.v = v.reverse(); s.g = g.reverse(); s.d = d.reverse();
}

/** Merges b into a (b is left unchanged apart from flushing its head buffer). */
export function summaryMerge(a: QuantileSummary, b: QuantileSummary): QuantileSummary {
  flushHead(a);
  flushHead(b);
  if (b.n === 0) return a;
  if (a.n === 0) {
    a.eps = Math.max(a.eps, b.eps); a.n = b.n; a.v = b.v.slice(); a.g = b.g.slice(); a.d = b.d.slice();
    return a;
  }
  const v: number[] = [], g: number[] = [], d: number[] = [];
  let i = 0, j = 0;
  const ma = a.v.length, mb = b.v.length;
  while (i < ma || j < mb) {
    // Ties: a's tuples first. A tuple gains the rank uncertainty of the other side's successor.
    if (j >= mb || (i < ma && compareDoubles(a.v[i]!, b.v[j]!) <= 0)) {
      v.push(a.v[i]!); g.push(a.g[i]!); d.push(a.d[i]! + (j < mb ? b.g[j]! + b.d[j]! - 1 : 0));
      i++;
    } else {
      v.push(b.v[j]!); g.push(b.g[j]!); d.push(b.d[j]! + (i < ma ? a.g[i]! + a.d[i]! - 1 : 0));
      j++;
    }
  }
  a.eps = Math.max(a.eps, b.eps);
  a.n += b.n;
  a.v = v; a.g = g; a.d = d;
  compress(a);
  return a;
}

/**
 * The value whose rank is closest to ⌈p·n⌉ (at least 1): for exact data, the smallest value such
 * that at least a fraction p of the values are less than or equal to it — Spark's convention.
 * Always an actual input value. Null when the summary is empty.
 */
export function summaryQuery(s: QuantileSummary, p: number): number | null {
  flushHead(s);
  if (s.n === 0) return null;
  const rank = Math.min(s.n, Math.max(1, Math.ceil(p * s.n)));
  let rmin = 0, best = 0, bestErr = Infinity;
  for (let i = 0; i < s.v.length; i++) {
    rmin += s.g[i]!;
    const err = Math.max(rank - rmin, rmin + s.d[i]! - rank);
    if (err < bestErr) { best = i; bestErr = err; }
    if (rmin - rank >= bestErr) break;
  }
  return s.v[best]!;
}

export function summaryToJson(s: QuantileSummary): unknown {
  flushHead(s);
  return { eps: s.eps, n: s.n, v: s.v.map(encodeDouble), g: s.g, d: s.d };
}

export function summaryFromJson(j: unknown): QuantileSummary {
  const o = j as { eps: number; n: number; v: unknown[]; g: number[]; d: number[] };
  return { eps: o.eps, n: o.n, v: o.v.map(decodeDouble), g: o.g.slice(), d: o.d.slice(), head: [] };
}
