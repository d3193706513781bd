import { createHash } from "node:crypto";
import { AnalysisError } from "../../errors/errors.js";
import { BinaryType, type DataType, IntegerType, LongType, StringType } from "../../types/data-type.js";
import type { Interval } from "../../types/interval.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { registerFunctions } from "../function-registry.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { checkArgCount, fn, row, scalar } from "./define.js";
import { utf8 } from "./text-util.js";

/**
 * hash (Murmur3 x86_32, Spark's variant) and xxhash64 with seed 42, bit-for-bit as Spark computes
 * them per type, plus md5, sha1, sha2 and crc32.
 *
 * Changing the seed or the per-type encoding changes every hash value and therefore breaks
 * anything persisted by it (hash partitioning of existing checkpoints, stored hash columns).
 */
export const HASH_SEED = 42;

// ---------------------------------------------------------------------------------------------
// Murmur3 x86_32 (Spark's Murmur3_x86_32: tail bytes are mixed one at a time, sign-extended)

const C1 = 0xcc9e2d51, C2 = 0x1b873593;
const rotl32 = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const mixK1 = (k: number): number => Math.imul(rotl32(Math.imul(k, C1), 15), C2);
const mixH1 = (h: number, k: number): number => (Math.imul(rotl32(h ^ k, 13), 5) + 0xe6546b64) | 0;
function fmix32(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function murmur3Int(v: number, seed: number): number {
  return fmix32(mixH1(seed, mixK1(v | 0)), 4);
}
export function murmur3Long(v: Long, seed: number): number {
  let lo: number, hi: number;
  if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) { lo = v | 0; hi = v < 0 ? -1 : 0; }
  else {
    const b = BigInt.asUintN(64, BigInt(v));
    lo = Number(b & 0xffffffffn) | 0;
    hi = Number(b >> 32n) | 0;
  }
  return fmix32(mixH1(mixH1(seed, mixK1(lo)), mixK1(hi)), 8);
}
export function murmur3Bytes(b: Uint8Array, seed: number): number {
  const aligned = b.length - (b.length % 4);
  let h = seed;
  for (let i = 0; i < aligned; i += 4) h = mixH1(h, mixK1(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)));
  for (let i = aligned; i < b.length; i++) h = mixH1(h, mixK1((b[i]! << 24) >> 24));
  return fmix32(h, b.length);
}

// ---------------------------------------------------------------------------------------------
// XXH64

const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n, P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
function fmix64(h: bigint): bigint {
  h ^= h >> 33n; h = (h * P2) & M64;
  h ^= h >> 29n; h = (h * P3) & M64;
  return h ^ (h >> 32n);
}
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export function xxhashInt(v: number, seed: bigint): bigint {
  let h = u64(seed + P5 + 4n);
  h ^= (BigInt(v >>> 0) * P1) & M64;
  h = (rotl64(h, 23n) * P2 + P3) & M64;
  return BigInt.asIntN(64, fmix64(h));
}
export function xxhashLong(v: Long, seed: bigint): bigint {
  let h = u64(seed + P5 + 8n);
  h ^= (rotl64((u64(BigInt(v)) * P2) & M64, 31n) * P1) & M64;
  h = (rotl64(h, 27n) * P1 + P4) & M64;
  return BigInt.asIntN(64, fmix64(h));
}
export function xxhashBytes(b: Uint8Array, seed: bigint): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = b.length;
  let off = 0;
  let h: bigint;
  const s = u64(seed);
  if (len >= 32) {
    let v1 = u64(s + P1 + P2), v2 = u64(s + P2), v3 = s, v4 = u64(s - P1);
    const round = (v: bigint, k: bigint): bigint => (rotl64((v + k * P2) & M64, 31n) * P1) & M64;
    do {
      v1 = round(v1, dv.getBigUint64(off, true));
      v2 = round(v2, dv.getBigUint64(off + 8, true));
      v3 = round(v3, dv.getBigUint64(off + 16, true));
      v4 = round(v4, dv.getBigUint64(off + 24, true));
      off += 32;
    } while (off <= len - 32);
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & M64;
    for (const v of [v1, v2, v3, v4]) {
      h ^= (rotl64((v * P2) & M64, 31n) * P1) & M64;
      h = (h * P1 + P4) & M64;
    }
  } else h = u64(s + P5);
  h = (h + BigInt(len)) & M64;
  while (off <= len - 8) {
    h ^= (rotl64((dv.getBigUint64(off, true) * P2) & M64, 31n) * P1) & M64;
    h = (rotl64(h, 27n) * P1 + P4) & M64;
    off += 8;
  }
  if (off <= len - 4) {
    h ^= (BigInt(dv.getUint32(off, true)) * P1) & M64;
    h = (rotl64(h, 23n) * P2 + P3) & M64;
    off += 4;
  }
  while (off < len) {
    h ^= (BigInt(b[off]!) * P5) & M64;
    h = (rotl64(h, 11n) * P1) & M64;
    off++;
  }
  return BigInt.asIntN(64, fmix64(h));
}

// ---------------------------------------------------------------------------------------------
// Per-type hashing, as Spark's HashExpression

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

function floatBits(v: number): number {
  if (Number.isNaN(v)) return 0x7fc00000;
  f32[0] = v === 0 ? 0 : v;
  return i32[0]!;
}
function doubleBits(v: number): bigint {
  if (Number.isNaN(v)) return 0x7ff8000000000000n;
  f64[0] = v === 0 ? 0 : v;
  return i64[0]!;
}

/** Java's BigInteger.toByteArray: minimal big-endian two's complement. */
export function bigIntToJavaBytes(v: bigint): Uint8Array {
  let hex = BigInt.asUintN(8 * (byteLen(v)), v).toString(16);
  if (hex.length % 2) hex = "0" + hex;
  return new Uint8Array(Buffer.from(hex.padStart(byteLen(v) * 2, "0"), "hex"));
}
function byteLen(v: bigint): number {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  return n;
}

interface Hasher<H> {
  int(v: number, h: H): H;
  long(v: Long, h: H): H;
  bytes(b: Uint8Array, h: H): H;
}
const MURMUR: Hasher<number> = { int: murmur3Int, long: murmur3Long, bytes: murmur3Bytes };
const XX: Hasher<bigint> = { int: xxhashInt, long: (v, h) => xxhashLong(v, h), bytes: xxhashBytes };

function hashValue<H>(hs: Hasher<H>, v: unknown, t: DataType, seed: H): H {
  if (v === null || v === undefined) return seed;
  switch (t.kind) {
    case "null": return seed;
    case "boolean": return hs.int(v ? 1 : 0, seed);
    case "byte": case "short": case "int": case "date": return hs.int(v as number, seed);
    case "long": case "timestamp": return hs.long(v as Long, seed);
    case "float": return hs.int(floatBits(v as number), seed);
    case "double": return hs.long(normalizeLong(doubleBits(v as number)), seed);
    case "decimal":
      return t.precision <= 18 ? hs.long(v as Long, seed) : hs.bytes(bigIntToJavaBytes(BigInt(v as Long)), seed);
    case "string": return hs.bytes(utf8.encode(v as string), seed);
    case "binary": return hs.bytes(v as Uint8Array, seed);
    case "interval": {
      const iv = v as Interval;
      return hs.int(iv.months, hs.int(iv.days, hs.long(iv.micros, seed)));
    }
    case "array": {
      let h = seed;
      for (const e of v as unknown[]) h = hashValue(hs, e, t.elementType, h);
      return h;
    }
    case "map": {
      let h = seed;
      for (const [k, x] of v as Map<unknown, unknown>) {
        h = hashValue(hs, k, t.keyType, h);
        h = hashValue(hs, x, t.valueType, h);
      }
      return h;
    }
    case "struct": {
      let h = seed;
      const a = v as unknown[];
      t.fields.forEach((f, i) => { h = hashValue(hs, a[i], f.dataType, h); });
      return h;
    }
  }
}

/** Spark's hash(...) of internal values with their types. */
export function sparkHash(values: readonly unknown[], types: readonly DataType[], seed = HASH_SEED): number {
  let h = seed;
  for (let i = 0; i < values.length; i++) h = hashValue(MURMUR, values[i], types[i]!, h);
  return h;
}

/** Spark's xxhash64(...) of internal values with their types. */
export function sparkXxhash64(values: readonly unknown[], types: readonly DataType[], seed = HASH_SEED): Long {
  let h = BigInt(seed);
  for (let i = 0; i < values.length; i++) h = hashValue(XX, values[i], types[i]!, h);
  return normalizeLong(h);
}

function hashDef(name: string, result: DataType, f: (xs: unknown[], ts: readonly DataType[]) => unknown): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 1,
    maxArgs: Infinity,
    nullSafe: true,
    doc: `${name}(a, ...) - Spark's ${name === "hash" ? "Murmur3" : "xxHash64"} hash of the arguments (seed 42).`,
    resolve(args) {
      if (args.length === 0) throw new AnalysisError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", `The \`${name}\` requires at least 1 parameters but the actual number is 0.`);
      checkArgCount(name, args.length, 1, Infinity);
      return { inputTypes: args.map(() => null), dataType: result, nullable: false };
    },
    compile(sig) {
      const ts = sig.argTypes;
      return row((...xs: unknown[]) => f(xs, ts));
    },
  });
}

const hash = hashDef("hash", IntegerType, (xs, ts) => sparkHash(xs, ts));
const xxhash64 = hashDef("xxhash64", LongType, (xs, ts) => sparkXxhash64(xs, ts));

function digest(algo: string): (b: Uint8Array) => string {
  return (b) => createHash(algo).update(b).digest("hex");
}
const md5 = fn({ name: "md5", args: [BinaryType], result: StringType, impl: () => row(digest("md5")) });
const sha1 = fn({ name: "sha1", aliases: ["sha"], args: [BinaryType], result: StringType, impl: () => row(digest("sha1")) });
const sha2 = fn({
  name: "sha2", args: [BinaryType, IntegerType], result: StringType,
  doc: "sha2(bin, bits) - SHA-2 hex digest; bits is 224, 256 (or 0), 384 or 512, else null.",
  impl: () => row((b: Uint8Array, bits: number) => {
    const algo = bits === 0 || bits === 256 ? "sha256" : bits === 224 ? "sha224" : bits === 384 ? "sha384" : bits === 512 ? "sha512" : null;
    return algo ? createHash(algo).update(b).digest("hex") : null;
  }),
});

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
export function crc32Of(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
const crc32 = fn({ name: "crc32", args: [BinaryType], result: LongType, impl: () => row(crc32Of) });

export const HASH_FUNCTIONS: readonly ScalarFunctionDef[] = [hash, xxhash64, md5, sha1, sha2, crc32];

registerFunctions(HASH_FUNCTIONS);
