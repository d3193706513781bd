/**
 * XXH64 (Yann Collet's xxHash, 64-bit) over 32-bit halves, without BigInt or allocation:
 * every 64-bit value is a pair (hi, lo) of unsigned 32-bit numbers, and the functions leave
 * their result in a shared register read with `resultHi()` / `resultLo()`. Spark hashes
 * values for approx_count_distinct with XXH64 and seed 42; `xxh64Int`, `xxh64Long` and
 * `xxh64Bytes` are Spark's hashInt, hashLong and hashUnsafeBytes (the standard algorithm over
 * 4 little-endian bytes, 8 little-endian bytes and a byte string).
 */

let RH = 0, RL = 0;

export const resultHi = (): number => RH;
export const resultLo = (): number => RL;

// Primes as (hi, lo).
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;
// -P1 mod 2^64
const NP1H = 0x61c8864e, NP1L = 0x7a143579;

/** (ah, al) * (bh, bl) mod 2^64 → register. */
export function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 65536) * 65536;
  RL = low >>> 0;
  const carry = Math.floor(low / 4294967296);
  RH = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (ah, al) + (bh, bl) mod 2^64 → register. */
export function add64(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  RL = lo >>> 0;
  RH = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate left by r (0 < r < 32) → register. */
function rotl(h: number, l: number, r: number): void {
  const nh = ((h << r) | (l >>> (32 - r))) >>> 0;
  RL = ((l << r) | (h >>> (32 - r))) >>> 0;
  RH = nh;
}

/** rotl(acc + lane * P2, 31) * P1 → register. */
function round(accH: number, accL: number, laneH: number, laneL: number): void {
  mul64(laneH, laneL, P2H, P2L);
  add64(accH, accL, RH, RL);
  rotl(RH, RL, 31);
  mul64(RH, RL, P1H, P1L);
}

/** h = rotl(h ^ round(0, lane), 27) * P1 + P4 → register. */
function mixLane(h: number, l: number, laneH: number, laneL: number): void {
  round(0, 0, laneH, laneL);
  rotl((h ^ RH) >>> 0, (l ^ RL) >>> 0, 27);
  mul64(RH, RL, P1H, P1L);
  add64(RH, RL, P4H, P4L);
}

/** h = rotl(h ^ (u32 * P1), 23) * P2 + P3 → register. */
function mixInt(h: number, l: number, u32: number): void {
  mul64(0, u32 >>> 0, P1H, P1L);
  rotl((h ^ RH) >>> 0, (l ^ RL) >>> 0, 23);
  mul64(RH, RL, P2H, P2L);
  add64(RH, RL, P3H, P3L);
}

/** h = rotl(h ^ (byte * P5), 11) * P1 → register. */
function mixByte(h: number, l: number, byte: number): void {
  mul64(0, byte, P5H, P5L);
  rotl((h ^ RH) >>> 0, (l ^ RL) >>> 0, 11);
  mul64(RH, RL, P1H, P1L);
}

function avalanche(h: number, l: number): void {
  l = (l ^ (h >>> 1)) >>> 0; // h ^= h >>> 33
  mul64(h, l, P2H, P2L);
  h = RH; l = RL;
  l = (l ^ ((l >>> 29) | (h << 3))) >>> 0; // h ^= h >>> 29
  h = (h ^ (h >>> 29)) >>> 0;
  mul64(h, l, P3H, P3L);
  RL = (RL ^ RH) >>> 0; // h ^= h >>> 32
}

/** Spark's hashInt(i, seed): XXH64 of the 4 little-endian bytes of i. */
export function xxh64Int(i: number, seedH: number, seedL: number): void {
  add64(seedH, seedL, P5H, P5L);
  add64(RH, RL, 0, 4);
  mixInt(RH, RL, i);
  avalanche(RH, RL);
}

/** Spark's hashLong(v, seed): XXH64 of the 8 little-endian bytes of (hi, lo). */
export function xxh64Long(hi: number, lo: number, seedH: number, seedL: number): void {
  add64(seedH, seedL, P5H, P5L);
  add64(RH, RL, 0, 8);
  mixLane(RH, RL, hi, lo);
  avalanche(RH, RL);
}

const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** Spark's hashUnsafeBytes(bytes, seed): XXH64 of a byte string. */
export function xxh64Bytes(b: Uint8Array, seedH: number, seedL: number): void {
  const len = b.length;
  let i = 0;
  let h: number, l: number;
  if (len >= 32) {
    add64(seedH, seedL, P1H, P1L);
    add64(RH, RL, P2H, P2L);
    let v1h = RH, v1l = RL;
    add64(seedH, seedL, P2H, P2L);
    let v2h = RH, v2l = RL;
    let v3h = seedH >>> 0, v3l = seedL >>> 0;
    add64(seedH, seedL, NP1H, NP1L);
    let v4h = RH, v4l = RL;
    for (; i + 32 <= len; i += 32) {
      round(v1h, v1l, u32(b, i + 4), u32(b, i)); v1h = RH; v1l = RL;
      round(v2h, v2l, u32(b, i + 12), u32(b, i + 8)); v2h = RH; v2l = RL;
      round(v3h, v3l, u32(b, i + 20), u32(b, i + 16)); v3h = RH; v3l = RL;
      round(v4h, v4l, u32(b, i + 28), u32(b, i + 24)); v4h = RH; v4l = RL;
    }
    rotl(v1h, v1l, 1); h = RH; l = RL;
    rotl(v2h, v2l, 7); add64(h, l, RH, RL); h = RH; l = RL;
    rotl(v3h, v3l, 12); add64(h, l, RH, RL); h = RH; l = RL;
    rotl(v4h, v4l, 18); add64(h, l, RH, RL); h = RH; l = RL;
    for (const [vh, vl] of [[v1h, v1l], [v2h, v2l], [v3h, v3l], [v4h, v4l]] as const) {
      round(0, 0, vh, vl);
      h = (h ^ RH) >>> 0; l = (l ^ RL) >>> 0;
      mul64(h, l, P1H, P1L);
      add64(RH, RL, P4H, P4L);
      h = RH; l = RL;
    }
  } else {
    add64(seedH, seedL, P5H, P5L);
    h = RH; l = RL;
  }
  add64(h, l, 0, len);
  h = RH; l = RL;
  for (; i + 8 <= len; i += 8) {
    mixLane(h, l, u32(b, i + 4), u32(b, i));
    h = RH; l = RL;
  }
  if (i + 4 <= len) {
    mixInt(h, l, u32(b, i));
    h = RH; l = RL;
    i += 4;
  }
  for (; i < len; i++) {
    mixByte(h, l, b[i]!);
    h = RH; l = RL;
  }
  avalanche(h, l);
}
