/**
 * Exact 64-bit integers with a fast path. A long is a JS number while it is a safe integer
 * (|v| <= 2^53-1) and a bigint beyond that: "normalized", so equal values always have the same
 * representation and `===`, Map keys and hashing stay correct. Comparisons with < > work across
 * number and bigint in JavaScript.
 */
export type Long = number | bigint;

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

export function normalizeLong(v: bigint): Long {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Wraps to 64 bits (Java overflow semantics, as Spark's non-ANSI arithmetic). */
export function wrapLong(v: bigint): Long {
  return normalizeLong(BigInt.asIntN(64, v));
}

export function isSafe(v: number): boolean {
  return v <= MAX_SAFE && v >= -MAX_SAFE;
}

export function longAdd(a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  return wrapLong(BigInt(a) + BigInt(b));
}

/** a + b without wrapping: a number while the sum is a safe integer, else a bigint of any size (exact sums). */
export function exactAdd(a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  return normalizeLong(BigInt(a) + BigInt(b));
}

export function longSub(a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number") {
    const r = a - b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  return wrapLong(BigInt(a) - BigInt(b));
}

export function longMul(a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  return wrapLong(BigInt(a) * BigInt(b));
}

/** Integral division truncating toward zero (Spark's `div`). b must not be zero. */
export function longDiv(a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number") return Math.trunc(a / b);
  return wrapLong(BigInt(a) / BigInt(b));
}

/** Remainder with the sign of the dividend (Java's %). b must not be zero. */
export function longRem(a: Long, b: Long): Long {
  // `+ 0` turns -0 (e.g. -2 % 2 in JavaScript) into 0: a long has no negative zero.
  if (typeof a === "number" && typeof b === "number") return (a % b) + 0;
  return normalizeLong(BigInt(a) % BigInt(b));
}

export function longNeg(a: Long): Long {
  return typeof a === "number" ? (a === 0 ? 0 : -a) : wrapLong(-a);
}

/** Converts any integral JS value to a normalized long, truncating fractions. */
export function toLong(v: number | bigint): Long {
  if (typeof v === "bigint") return wrapLong(v);
  const t = Math.trunc(v);
  return isSafe(t) ? t : wrapLong(BigInt(t));
}

export function longToNumber(v: Long): number {
  return typeof v === "number" ? v : Number(v);
}
