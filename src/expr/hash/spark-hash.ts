import type { DataType } from "../../types/data-type.js";
import type { Interval } from "../../types/interval.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { murmur3Bytes, murmur3Int, murmur3Long, murmur3String } from "./murmur3.js";
import { resultHi, resultLo, xxh64Bytes, xxh64Int, xxh64Long } from "./xxhash64.js";

/**
 * The seed of hash() and xxhash64() (and of approx_count_distinct's XXH64). Changing it, or the
 * per-type encoding below, changes every hash value and therefore breaks anything persisted by
 * it (hash partitioning of existing checkpoints, stored hash columns, checkpointed sketches).
 */
export const HASH_SEED = 42;

/**
 * A running hash of one of Spark's hash families: each call hashes one primitive with the current
 * state as the seed, and the result becomes the state — so a sequence of calls is Spark's fold of
 * the hash over several values.
 */
export interface HashState {
  int(v: number): void;
  /** A 64-bit value as its 32-bit halves. */
  long(hi: number, lo: number): void;
  bytes(b: Uint8Array): void;
  /** A string as its UTF-8 bytes. */
  string(v: string): void;
}

/** Murmur3 x86_32 (Spark's `hash`). */
export class Murmur3State implements HashState {
  constructor(public h: number = HASH_SEED) {}
  int(v: number): void { this.h = murmur3Int(v, this.h); }
  long(hi: number, lo: number): void { this.h = murmur3Long(hi, lo, this.h); }
  bytes(b: Uint8Array): void { this.h = murmur3Bytes(b, this.h); }
  string(v: string): void { this.h = murmur3String(v, this.h); }
}

/** XXH64 (Spark's `xxhash64`), the 64-bit state as unsigned halves. */
export class XxHash64State implements HashState {
  constructor(public hi = 0, public lo: number = HASH_SEED) {}
  int(v: number): void { xxh64Int(v, this.hi, this.lo); this.hi = resultHi(); this.lo = resultLo(); }
  long(hi: number, lo: number): void { xxh64Long(hi, lo, this.hi, this.lo); this.hi = resultHi(); this.lo = resultLo(); }
  bytes(b: Uint8Array): void { xxh64Bytes(b, this.hi, this.lo); this.hi = resultHi(); this.lo = resultLo(); }
  string(v: string): void { this.bytes(encoder.encode(v)); }
  /** The state as a signed 64-bit value. */
  get value(): Long {
    return normalizeLong(BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)));
  }
}

/** Hashes one non-null internal value into the state. */
export type ValueHasher = (v: unknown, s: HashState) => void;

const scratch = new DataView(new ArrayBuffer(8));
const encoder = new TextEncoder();

/**
 * Spark's per-type hashing (HashExpression): booleans and 32-bit-or-narrower integers and dates
 * hash as an int, longs and timestamps as a long, floats and doubles by their IEEE bits with -0
 * as 0 and one NaN, strings by UTF-8 bytes, decimals with precision ≤ 18 by unscaled long else by
 * the unscaled value's two's-complement bytes, arrays and structs by folding the hash over their
 * non-null elements, map entries key then value; calendar intervals fold micros, days, months.
 */
export function sparkValueHasher(t: DataType): ValueHasher {
  switch (t.kind) {
    case "null": return () => {};
    case "boolean": return (v, s) => s.int(v ? 1 : 0);
    case "byte": case "short": case "int": case "date": return (v, s) => s.int(v as number);
    case "long": case "timestamp": return (v, s) => hashLong(v as Long, s);
    case "float": return (v, s) => {
      const x = v as number;
      if (Number.isNaN(x)) return s.int(0x7fc00000);
      scratch.setFloat32(0, x === 0 ? 0 : x, true);
      s.int(scratch.getInt32(0, true));
    };
    case "double": return (v, s) => {
      const x = v as number;
      if (Number.isNaN(x)) return s.long(0x7ff80000, 0);
      scratch.setFloat64(0, x === 0 ? 0 : x, true);
      s.long(scratch.getUint32(4, true), scratch.getUint32(0, true));
    };
    case "decimal":
      if (t.precision <= 18) return (v, s) => hashLong(v as Long, s);
      return (v, s) => s.bytes(twosComplementBytes(BigInt(v as Long)));
    case "string": return (v, s) => s.string(v as string);
    case "binary": return (v, s) => s.bytes(v as Uint8Array);
    case "interval": return (v, s) => {
      const iv = v as Interval;
      hashLong(iv.micros, s);
      s.int(iv.days);
      s.int(iv.months);
    };
    case "array": {
      const el = sparkValueHasher(t.elementType);
      return (v, s) => {
        for (const e of v as unknown[]) if (e !== null && e !== undefined) el(e, s);
      };
    }
    case "struct": {
      const fs = t.fields.map((f) => sparkValueHasher(f.dataType));
      return (v, s) => {
        const a = v as unknown[];
        for (let i = 0; i < fs.length; i++) if (a[i] !== null && a[i] !== undefined) fs[i]!(a[i], s);
      };
    }
    case "map": {
      const k = sparkValueHasher(t.keyType), x = sparkValueHasher(t.valueType);
      return (v, s) => {
        for (const [key, val] of v as Map<unknown, unknown>) {
          if (key !== null) k(key, s);
          if (val !== null) x(val, s);
        }
      };
    }
  }
}

/** A 64-bit value as unsigned 32-bit halves [hi, lo]. */
export function splitLong(v: Long): [number, number] {
  if (typeof v === "number") return [Math.floor(v / 4294967296) >>> 0, v >>> 0];
  const u = BigInt.asUintN(64, v);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

function hashLong(v: Long, s: HashState): void {
  if (typeof v === "number") s.long(Math.floor(v / 4294967296) >>> 0, v >>> 0);
  else {
    const [hi, lo] = splitLong(v);
    s.long(hi, lo);
  }
}

/** Java's BigInteger.toByteArray: minimal big-endian two's complement. */
export function twosComplementBytes(v: bigint): Uint8Array {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  const u = BigInt.asUintN(8 * n, v);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[n - 1 - i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return out;
}

function rowHasher(types: readonly DataType[]): (values: readonly unknown[], s: HashState) => void {
  const hs = types.map(sparkValueHasher);
  return (values, s) => {
    for (let i = 0; i < hs.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) hs[i]!(v, s);
    }
  };
}

/** Spark's hash(a, b, ...) over values of these types: Murmur3 folded over the non-null values. */
export function murmur3RowHash(types: readonly DataType[], seed = HASH_SEED): (values: readonly unknown[]) => number {
  const hashRow = rowHasher(types);
  return (values) => {
    const s = new Murmur3State(seed);
    hashRow(values, s);
    return s.h;
  };
}

/** Spark's xxhash64(a, b, ...) over values of these types; the seed is a 64-bit value. */
export function xxhash64RowHash(types: readonly DataType[], seed: Long = HASH_SEED): (values: readonly unknown[]) => Long {
  const hashRow = rowHasher(types);
  const [hi, lo] = splitLong(seed);
  return (values) => {
    const s = new XxHash64State(hi, lo);
    hashRow(values, s);
    return s.value;
  };
}
