import type { DataType } from "../../types/data-type.js";
import type { Long } from "../../types/long.js";
import { add64, resultHi, resultLo, xxh64Bytes, xxh64Int, xxh64Long } from "./xxhash64.js";

/**
 * Spark's XxHash64 of an internal value (as its `xxhash64` function and approx_count_distinct
 * compute it): booleans and 32-bit-or-narrower integers and dates hash as an int, longs and
 * timestamps as a long, floats and doubles by their IEEE bits with -0 as 0 and one NaN, strings
 * by UTF-8 bytes, decimals with precision ≤ 18 by unscaled long else by the unscaled value's
 * two's-complement bytes, arrays and structs by folding the hash over their non-null elements.
 * (Map entries fold key then value; calendar intervals fold micros, days, months — Spark does
 * not hash those types in SQL, so no result to match.) The result is left in the XXH64
 * register: read it with `resultHi()` / `resultLo()`.
 */
export type Hasher = (v: unknown, seedHi: number, seedLo: number) => void;

const scratch = new DataView(new ArrayBuffer(8));
const encoder = new TextEncoder();

export function sparkXxHasher(t: DataType): Hasher {
  switch (t.kind) {
    case "boolean": return (v, h, l) => xxh64Int(v ? 1 : 0, h, l);
    case "byte": case "short": case "int": case "date": return (v, h, l) => xxh64Int(v as number, h, l);
    case "long": case "timestamp": return (v, h, l) => hashLong(v as Long, h, l);
    case "float": return (v, h, l) => {
      const x = v as number;
      if (Number.isNaN(x)) return xxh64Int(0x7fc00000, h, l);
      scratch.setFloat32(0, x === 0 ? 0 : x, true);
      xxh64Int(scratch.getUint32(0, true), h, l);
    };
    case "double": return (v, h, l) => {
      const x = v as number;
      if (Number.isNaN(x)) return xxh64Long(0x7ff80000, 0, h, l);
      scratch.setFloat64(0, x === 0 ? 0 : x, true);
      xxh64Long(scratch.getUint32(4, true), scratch.getUint32(0, true), h, l);
    };
    case "decimal":
      if (t.precision <= 18) return (v, h, l) => hashLong(v as Long, h, l);
      return (v, h, l) => xxh64Bytes(twosComplementBytes(BigInt(v as Long)), h, l);
    case "string": return (v, h, l) => xxh64Bytes(encoder.encode(v as string), h, l);
    case "binary": return (v, h, l) => xxh64Bytes(v as Uint8Array, h, l);
    case "null": return (_v, h, l) => setRegister(h, l);
    case "interval": return (v, h, l) => {
      const iv = v as { months: number; days: number; micros: number };
      hashLong(iv.micros, h, l);
      xxh64Int(iv.days, resultHi(), resultLo());
      xxh64Int(iv.months, resultHi(), resultLo());
    };
    case "array": {
      const el = sparkXxHasher(t.elementType);
      return (v, h, l) => fold(v as unknown[], () => el, h, l);
    }
    case "struct": {
      const fs = t.fields.map((f) => sparkXxHasher(f.dataType));
      return (v, h, l) => fold(v as unknown[], (i) => fs[i]!, h, l);
    }
    case "map": {
      const k = sparkXxHasher(t.keyType), x = sparkXxHasher(t.valueType);
      return (v, h, l) => {
        for (const [key, val] of v as Map<unknown, unknown>) {
          k(key, h, l); h = resultHi(); l = resultLo();
          if (val !== null) { x(val, h, l); h = resultHi(); l = resultLo(); }
        }
        setRegister(h, l);
      };
    }
  }
}

function fold(a: unknown[], hasher: (i: number) => Hasher, h: number, l: number): void {
  for (let i = 0; i < a.length; i++) {
    const e = a[i];
    if (e === null || e === undefined) continue;
    hasher(i)(e, h, l);
    h = resultHi(); l = resultLo();
  }
  setRegister(h, l);
}

/** Leaves (h, l) in the register unchanged (a fold over nothing keeps the seed). */
function setRegister(h: number, l: number): void {
  add64(h, l, 0, 0);
}

export function hashLong(v: Long, h: number, l: number): void {
  if (typeof v === "number") xxh64Long(Math.floor(v / 4294967296) >>> 0, v >>> 0, h, l);
  else {
    const u = BigInt.asUintN(64, v);
    xxh64Long(Number(u >> 32n), Number(u & 0xffffffffn), h, l);
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

/** The signed 64-bit Spark hash of one value with a seed (for tests and the xxhash64 function). */
export function sparkXxHash64(v: unknown, t: DataType, seed: bigint = 42n): bigint {
  const s = BigInt.asUintN(64, seed);
  if (v === null) return BigInt.asIntN(64, s);
  sparkXxHasher(t)(v, Number(s >> 32n), Number(s & 0xffffffffn));
  return BigInt.asIntN(64, (BigInt(resultHi()) << 32n) | BigInt(resultLo()));
}
