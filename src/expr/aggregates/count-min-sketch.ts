import { IllegalArgumentError } from "../../errors/errors.js";
import { BinaryType, type DataType, isIntegral } from "../../types/data-type.js";
import type { Long } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, checkArgCount, constantNumber, unexpectedType } from "./agg-args.js";
import { JavaRandom } from "./java-random.js";
import { decodeBytes, encodeBytes } from "./value-codec.js";
import { murmur3Bytes } from "../hash/murmur3.js";
import { splitLong } from "../hash/spark-hash.js";
import { mul64, resultHi, resultLo } from "../hash/xxhash64.js";

/**
 * A count-min sketch in Spark's layout and binary format, so sketches interchange with Spark
 * (`CountMinSketch.readFrom`): width ⌈2/eps⌉, depth ⌈−ln(1−confidence)/ln 2⌉, row hash
 * multipliers from java.util.Random(seed).nextInt(2^31−1). Integers are hashed as longs
 * (multiply-shift per row), strings as UTF-8 bytes and binaries by Murmur3 (h1 + i·h2 per row).
 *
 * Binary format, big-endian: int32 version (1), int64 total count, int32 depth, int32 width,
 * depth × int64 hash multipliers, depth × width × int64 counts (row-major).
 */
export interface CountMinSketch {
  depth: number;
  width: number;
  hashA: number[];
  total: number;
  table: Float64Array;
}

export function newCountMinSketch(eps: number, confidence: number, seed: number): CountMinSketch {
  if (!(eps > 0)) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `Relative error must be positive, but got ${eps}.`);
  if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `Confidence must be within range (0.0, 1.0), but got ${confidence}.`);
  const width = Math.ceil(2 / eps);
  const depth = Math.ceil(-Math.log(1 - confidence) / Math.log(2));
  const rnd = new JavaRandom(seed);
  const hashA: number[] = [];
  for (let i = 0; i < depth; i++) hashA.push(rnd.nextInt(2147483647));
  return { depth, width, hashA, total: 0, table: new Float64Array(depth * width) };
}

/** Bucket of a long item in row i (hi, lo: its unsigned 32-bit halves). */
function longBucket(s: CountMinSketch, i: number, hi: number, lo: number): number {
  mul64(0, s.hashA[i]!, hi, lo);
  // hash += hash >> 32; hash &= 2^31 - 1 — only the low 31 bits survive.
  return (((resultLo() + resultHi()) >>> 0) & 0x7fffffff) % s.width;
}

const encoder = new TextEncoder();

/** Visits the index in `table` of `item`'s counter in each row. */
function forEachCell(s: CountMinSketch, item: Long | string | Uint8Array, visit: (cell: number) => void): void {
  if (typeof item === "number" || typeof item === "bigint") {
    const [hi, lo] = splitLong(item);
    for (let i = 0; i < s.depth; i++) visit(i * s.width + longBucket(s, i, hi, lo));
  } else {
    const bytes = typeof item === "string" ? encoder.encode(item) : item;
    const h1 = murmur3Bytes(bytes, 0), h2 = murmur3Bytes(bytes, h1);
    for (let i = 0; i < s.depth; i++) {
      let h = (h1 + Math.imul(i, h2)) | 0;
      if (h < 0) h = ~h;
      visit(i * s.width + (h % s.width));
    }
  }
}

export function cmsAdd(s: CountMinSketch, item: Long | string | Uint8Array, count = 1): void {
  forEachCell(s, item, (c) => { s.table[c] += count; });
  s.total += count;
}

/** The estimated count of `item` (never below the true count). */
export function cmsEstimate(s: CountMinSketch, item: Long | string | Uint8Array): number {
  let best = Infinity;
  forEachCell(s, item, (c) => { best = Math.min(best, s.table[c]!); });
  return best;
}

export function cmsMerge(a: CountMinSketch, b: CountMinSketch): CountMinSketch {
  if (a.depth !== b.depth || a.width !== b.width || a.hashA.some((h, i) => h !== b.hashA[i])) {
    throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", "Cannot merge count-min sketches with different depth, width or seed.");
  }
  for (let i = 0; i < a.table.length; i++) a.table[i] += b.table[i]!;
  a.total += b.total;
  return a;
}

export function cmsToBytes(s: CountMinSketch): Uint8Array {
  const out = new Uint8Array(4 + 8 + 4 + 4 + 8 * s.depth + 8 * s.depth * s.width);
  const dv = new DataView(out.buffer);
  let o = 0;
  dv.setInt32(o, 1); o += 4;
  dv.setBigInt64(o, BigInt(s.total)); o += 8;
  dv.setInt32(o, s.depth); o += 4;
  dv.setInt32(o, s.width); o += 4;
  for (const h of s.hashA) { dv.setBigInt64(o, BigInt(h)); o += 8; }
  for (const c of s.table) { dv.setBigInt64(o, BigInt(c)); o += 8; }
  return out;
}

/** Reads Spark's (and our) serialized count-min sketch. */
export function cmsFromBytes(b: Uint8Array): CountMinSketch {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  const version = dv.getInt32(o); o += 4;
  if (version !== 1) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `Unexpected count-min sketch version ${version}; only version 1 is supported.`);
  const total = Number(dv.getBigInt64(o)); o += 8;
  const depth = dv.getInt32(o); o += 4;
  const width = dv.getInt32(o); o += 4;
  const hashA: number[] = [];
  for (let i = 0; i < depth; i++) { hashA.push(Number(dv.getBigInt64(o))); o += 8; }
  const table = new Float64Array(depth * width);
  for (let i = 0; i < table.length; i++) { table[i] = Number(dv.getBigInt64(o)); o += 8; }
  return { depth, width, hashA, total, table };
}

/** The estimated count of `item` in a serialized sketch (the BINARY result of count_min_sketch). */
export function countMinSketchEstimate(sketch: Uint8Array, item: Long | string | Uint8Array): number {
  return cmsEstimate(cmsFromBytes(sketch), item);
}

interface CmsArgs { eps: number; confidence: number; seed: number; itemType: DataType }

/**
 * count_min_sketch(col, eps, confidence, seed): BINARY, a count-min sketch of the non-null
 * values of an integral, string or binary column (an empty sketch over no rows, as Spark).
 */
export const countMinSketch: AggregateFunctionDef = {
  type: "aggregate",
  name: "count_min_sketch",
  minArgs: 4,
  maxArgs: 4,
  resolve(args) {
    const fn = "count_min_sketch";
    checkArgCount(fn, args, 4, 4);
    const t = args[0]!.dataType;
    if (!isIntegral(t) && t.kind !== "string" && t.kind !== "binary") throw unexpectedType(fn, 0, `"INTEGRAL", "STRING" or "BINARY"`, t);
    const eps = constantNumber(fn, args, 1, "eps");
    const confidence = constantNumber(fn, args, 2, "confidence");
    const st = args[3]!.dataType;
    if (!isIntegral(st)) throw unexpectedType(fn, 3, `"INT"`, st);
    const seed = constantNumber(fn, args, 3, "seed");
    if (eps === null || !(eps > 0)) throw badArgument(fn, 1, `(eps) must be positive, but got ${eps}`);
    if (confidence === null || !(confidence > 0 && confidence < 1)) throw badArgument(fn, 2, `(confidence) must be within range (0.0, 1.0), but got ${confidence}`);
    if (seed === null) throw badArgument(fn, 3, "(seed) must not be null");
    const state: CmsArgs = { eps, confidence, seed, itemType: t };
    return { inputTypes: [null, null, null, null], dataType: BinaryType, nullable: false, state };
  },
  compile(sig) {
    const { eps, confidence, seed } = sig.state as CmsArgs;
    const acc: Accumulator<CountMinSketch> = {
      init: () => newCountMinSketch(eps, confidence, seed),
      update(buf, v: Long | string | Uint8Array) {
        cmsAdd(buf, v);
        return buf;
      },
      merge: cmsMerge,
      finish: cmsToBytes,
      serialize: (buf) => encodeBytes(cmsToBytes(buf)),
      deserialize: (j) => cmsFromBytes(decodeBytes(j)),
    };
    return acc as Accumulator;
  },
  doc: "count_min_sketch(col, eps, confidence, seed) returns a count-min sketch of the column (BINARY, Spark's format).",
};

registerFunctions([countMinSketch]);
