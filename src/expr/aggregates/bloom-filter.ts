import { IllegalArgumentError } from "../../errors/errors.js";
import { BinaryType, BooleanType, LongType, isIntegral } from "../../types/data-type.js";
import type { Long } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, checkArgCount, constantNumber, unexpectedType } from "./agg-args.js";
import { murmur3Long } from "../hash/murmur3.js";
import { splitLong } from "../hash/spark-hash.js";
import { decodeBytes, encodeBytes } from "./value-codec.js";

/**
 * A bloom filter of longs in Spark's layout and binary format (`BloomFilter.readFrom`):
 * k = max(1, round(bits/items · ln 2)) hash functions, bit i of the filter for
 * combined = h1 + i·h2 (i = 1..k, Murmur3 of the long with seeds 0 and h1; negative values
 * complemented) modulo the bit count, which is rounded up to whole 64-bit words.
 *
 * Binary format, big-endian: int32 version (1), int32 number of hash functions, int32 number of
 * words, then the words as int64 (bit j of the filter is bit j mod 64 of word ⌊j/64⌋).
 */
export interface BloomFilter { k: number; words: Uint32Array /* (lo, hi) per 64-bit word */ }

/** Spark's defaults and caps (spark.sql.optimizer.runtime.bloomFilter.*). */
export const DEFAULT_EXPECTED_ITEMS = 1_000_000;
export const DEFAULT_NUM_BITS = 8_388_608;
export const MAX_EXPECTED_ITEMS = 4_000_000;
export const MAX_NUM_BITS = 67_108_864;

export function newBloomFilter(expectedItems: number, numBits: number): BloomFilter {
  const k = Math.max(1, Math.round((numBits / expectedItems) * Math.LN2));
  return { k, words: new Uint32Array(2 * Math.ceil(numBits / 64)) };
}

/**
 * Visits the k bits of `v` as (index into `words`, bit mask); stops, returning false, as soon
 * as `visit` returns false.
 */
function probe(f: BloomFilter, v: Long, visit: (word: number, mask: number) => boolean): boolean {
  const [hi, lo] = splitLong(v);
  const h1 = murmur3Long(hi, lo, 0), h2 = murmur3Long(hi, lo, h1);
  const bits = f.words.length * 32;
  for (let i = 1; i <= f.k; i++) {
    let c = (h1 + Math.imul(i, h2)) | 0;
    if (c < 0) c = ~c;
    const j = c % bits;
    if (!visit(2 * (j >>> 6) + ((j >>> 5) & 1), 1 << (j & 31))) return false;
  }
  return true;
}

export function bloomPut(f: BloomFilter, v: Long): void {
  probe(f, v, (w, mask) => {
    f.words[w]! |= mask;
    return true;
  });
}

export function bloomMightContain(f: BloomFilter, v: Long): boolean {
  return probe(f, v, (w, mask) => (f.words[w]! & mask) !== 0);
}

export function bloomMerge(a: BloomFilter, b: BloomFilter): BloomFilter {
  if (a.k !== b.k || a.words.length !== b.words.length) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", "Cannot merge bloom filters of different sizes.");
  for (let i = 0; i < a.words.length; i++) a.words[i]! |= b.words[i]!;
  return a;
}

function isEmpty(f: BloomFilter): boolean {
  return f.words.every((w) => w === 0);
}

export function bloomToBytes(f: BloomFilter): Uint8Array {
  const n = f.words.length / 2;
  const out = new Uint8Array(12 + 8 * n);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 1);
  dv.setInt32(4, f.k);
  dv.setInt32(8, n);
  for (let i = 0; i < n; i++) {
    dv.setUint32(12 + 8 * i, f.words[2 * i + 1]!);
    dv.setUint32(16 + 8 * i, f.words[2 * i]!);
  }
  return out;
}

export function bloomFromBytes(b: Uint8Array): BloomFilter {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getInt32(0);
  if (version !== 1) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `Unexpected bloom filter version ${version}; only version 1 is supported.`);
  const k = dv.getInt32(4), n = dv.getInt32(8);
  const words = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    words[2 * i + 1] = dv.getUint32(12 + 8 * i);
    words[2 * i] = dv.getUint32(16 + 8 * i);
  }
  return { k, words };
}

interface BloomArgs { items: number; bits: number }

/**
 * bloom_filter_agg(col[, expectedItems = 1000000[, numBits = 8388608]]): BINARY, a bloom filter
 * of the non-null BIGINT values (integral columns are widened); null over no rows, as Spark.
 * expectedItems is capped at 4000000 and numBits at 67108864 (Spark's defaults for the caps).
 */
export const bloomFilterAgg: AggregateFunctionDef = {
  type: "aggregate",
  name: "bloom_filter_agg",
  minArgs: 1,
  maxArgs: 3,
  resolve(args) {
    const fn = "bloom_filter_agg";
    checkArgCount(fn, args, 1, 3);
    const t = args[0]!.dataType;
    if (!isIntegral(t) && t.kind !== "null") throw unexpectedType(fn, 0, `"BIGINT"`, t);
    let items = DEFAULT_EXPECTED_ITEMS, bits = DEFAULT_NUM_BITS;
    for (const i of [1, 2]) {
      if (args.length <= i) continue;
      const at = args[i]!.dataType;
      if (!isIntegral(at)) throw unexpectedType(fn, i, `"BIGINT"`, at);
      const v = constantNumber(fn, args, i, i === 1 ? "estimatedNumItems" : "numBits");
      if (v === null || v <= 0) throw badArgument(fn, i, `(${i === 1 ? "estimatedNumItems" : "numBits"}) must be a positive value, but got ${v}`);
      if (i === 1) items = Math.min(v, MAX_EXPECTED_ITEMS);
      else bits = Math.min(v, MAX_NUM_BITS);
    }
    const state: BloomArgs = { items, bits };
    return { inputTypes: [LongType, ...args.slice(1).map(() => null)], dataType: BinaryType, state };
  },
  compile(sig) {
    const { items, bits } = sig.state as BloomArgs;
    const acc: Accumulator<BloomFilter> = {
      init: () => newBloomFilter(items, bits),
      update(buf, v: Long) {
        bloomPut(buf, v);
        return buf;
      },
      merge: bloomMerge,
      finish: (buf) => (isEmpty(buf) ? null : bloomToBytes(buf)),
      serialize: (buf) => encodeBytes(bloomToBytes(buf)),
      deserialize: (j) => bloomFromBytes(decodeBytes(j)),
    };
    return acc as Accumulator;
  },
  doc: "bloom_filter_agg(col[, estimatedNumItems[, numBits]]) builds a bloom filter of a BIGINT column (BINARY, Spark's format).",
};

/**
 * might_contain(bloomFilter, value): BOOLEAN, false when value is certainly not in the filter
 * built by bloom_filter_agg; null when either argument is null. Parsed filters are cached per
 * binary value.
 */
export const mightContain: ScalarFunctionDef = {
  type: "scalar",
  name: "might_contain",
  minArgs: 2,
  maxArgs: 2,
  resolve(args) {
    checkArgCount("might_contain", args, 2, 2);
    const bt = args[0]!.dataType, vt = args[1]!.dataType;
    if (bt.kind !== "binary" && bt.kind !== "null") throw unexpectedType("might_contain", 0, `"BINARY"`, bt);
    if (!isIntegral(vt) && vt.kind !== "null") throw unexpectedType("might_contain", 1, `"BIGINT"`, vt);
    return { inputTypes: [BinaryType, LongType], dataType: BooleanType };
  },
  compile() {
    const cache = new WeakMap<Uint8Array, BloomFilter>();
    return ((bloom: Uint8Array, v: Long): boolean => {
      let f = cache.get(bloom);
      if (f === undefined) { f = bloomFromBytes(bloom); cache.set(bloom, f); }
      return bloomMightContain(f, v);
    }) as never;
  },
  doc: "might_contain(bloomFilter, value) tests a value against a bloom filter from bloom_filter_agg.",
};

registerFunctions([bloomFilterAgg, mightContain]);
