/**
 * How a parallel stage divides a scan among its tasks: each task's fraction of the rows, in
 * order, summing to 1 (physical/parallel/stage-fragments.ts, taskShares).
 */
export type TaskShares = readonly number[];

/** `parts` equal shares. */
export function equalShares(parts: number): TaskShares {
  const n = Math.max(1, parts);
  return Array.from({ length: n }, () => 1 / n);
}

/** Where each share ends, as a fraction of the whole (the last exactly 1). */
export function cumulativeShares(shares: TaskShares): number[] {
  const total = shares.reduce((s, x) => s + x, 0);
  let acc = 0;
  return shares.map((x, k) => (k === shares.length - 1 ? 1 : (acc += x) / total));
}

/**
 * [from, to) cut into contiguous ranges of about `shares` of it, on multiples of `batchSize` (so
 * that the splits produce the same batches as one scan); a share too small for a whole batch
 * joins the next.
 */
export function splitEventRange(from: number, to: number, batchSize: number, shares: TaskShares): [number, number][] {
  const out: [number, number][] = [];
  let s = from;
  for (const end of cumulativeShares(shares)) {
    const e = end === 1 ? to : Math.min(to, from + Math.round(((to - from) * end) / batchSize) * batchSize);
    if (e > s) {
      out.push([s, e]);
      s = e;
    }
  }
  return out;
}
