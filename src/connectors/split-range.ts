/**
 * [from, to) cut into at most `parts` contiguous ranges on multiples of `batchSize`, so that the
 * splits produce the same batches as one scan.
 */
export function splitEventRange(from: number, to: number, batchSize: number, parts: number): [number, number][] {
  const batches = Math.ceil((to - from) / batchSize);
  const n = Math.max(1, Math.min(parts, batches));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const s = from + Math.floor((batches * i) / n) * batchSize;
    const e = i === n - 1 ? to : from + Math.floor((batches * (i + 1)) / n) * batchSize;
    if (e > s) out.push([s, e]);
  }
  return out;
}
