import { IllegalArgumentError } from "../../errors/errors.js";
import { BIAS_DATA, RAW_ESTIMATE_DATA } from "./hll-bias-data.js";
import { decodeBytes, encodeBytes } from "./value-codec.js";

/**
 * HyperLogLog++ (Heule, Nunkesser, Hall 2013) in the dense form Spark uses: 2^p registers of
 * max leading-zero ranks over 64-bit hashes, the raw HLL estimate with the paper's empirical
 * bias correction below 5m, and linear counting below the paper's per-precision threshold.
 * Spark derives p from the relative standard deviation rsd as ⌈2·log2(1.106 / rsd)⌉
 * (the standard error of HLL is about 1.04/√m; Spark uses the slightly safer 1.106).
 */

/** Linear-counting thresholds for p = 4..18 (paper, appendix). */
const THRESHOLDS = [10, 20, 40, 80, 220, 400, 900, 1800, 3100, 6500, 11500, 20000, 50000, 120000, 350000];
const K_NEAREST = 6;

export function precisionForRsd(rsd: number): number {
  const p = Math.ceil((2 * Math.log(1.106 / rsd)) / Math.LN2);
  if (!(p >= 4)) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", "HLL++ requires at least 4 bits for addressing; use a lower relative standard deviation (at most 0.39).");
  if (p > 18) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `The relative standard deviation ${rsd} needs precision ${p}; at most 18 is supported (rsd >= 0.0043).`);
  return p;
}

/** Registers: one byte per register (ranks are at most 64 - p + 1). */
export function newRegisters(p: number): Uint8Array {
  return new Uint8Array(1 << p);
}

/** Adds a 64-bit hash given as unsigned 32-bit halves. */
export function hllAdd(reg: Uint8Array, p: number, hi: number, lo: number): void {
  const idx = hi >>> (32 - p);
  // w = hash << p with a stop bit at position p-1, so the rank never exceeds 64 - p + 1.
  const wh = ((hi << p) | (lo >>> (32 - p))) >>> 0;
  const wl = ((lo << p) | (1 << (p - 1))) >>> 0;
  const rank = (wh !== 0 ? Math.clz32(wh) : 32 + Math.clz32(wl)) + 1;
  if (rank > reg[idx]!) reg[idx] = rank;
}

export function hllMerge(a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
}

export function hllEstimate(reg: Uint8Array, p: number): number {
  const m = reg.length;
  let zInverse = 0, zeros = 0;
  for (let i = 0; i < m; i++) {
    const r = reg[i]!;
    zInverse += 2 ** -r;
    if (r === 0) zeros++;
  }
  const alpha = p === 4 ? 0.673 : p === 5 ? 0.697 : p === 6 ? 0.709 : 0.7213 / (1 + 1.079 / m);
  const e = (alpha * m * m) / zInverse;
  const corrected = e < 5 * m ? e - estimateBias(e, p) : e;
  let estimate = corrected;
  if (zeros > 0) {
    const h = m * Math.log(m / zeros);
    if (h <= THRESHOLDS[p - 4]!) estimate = h;
  }
  return Math.round(estimate);
}

/** Mean bias of the K nearest raw estimates in the paper's table (k-nearest-neighbour interpolation). */
function estimateBias(e: number, p: number): number {
  const raw = RAW_ESTIMATE_DATA[p - 4]!, bias = BIAS_DATA[p - 4]!;
  const n = raw.length;
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (raw[mid]! < e) lo = mid + 1;
    else hi = mid;
  }
  let l = lo, r = lo;
  while (r - l < K_NEAREST) {
    if (l === 0) r++;
    else if (r === n) l--;
    else if (e - raw[l - 1]! <= raw[r]! - e) l--;
    else r++;
  }
  let s = 0;
  for (let i = l; i < r; i++) s += bias[i]!;
  return s / (r - l);
}

export const registersToJson = encodeBytes;
export const registersFromJson = decodeBytes;
