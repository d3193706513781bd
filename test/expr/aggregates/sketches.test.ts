import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryType, DoubleType, IntegerType, LongType, StringType, arrayType, decimalType, structField, structType, BooleanType, DateType } from "../../../src/types/data-type.js";
import type { DataType } from "../../../src/types/data-type.js";
import type { Long } from "../../../src/types/long.js";
import { xxhash64RowHash } from "../../../src/expr/hash/spark-hash.js";
import { add64, mul64, resultHi, resultLo } from "../../../src/expr/hash/xxhash64.js";
import { countMinSketchEstimate, cmsFromBytes } from "../../../src/expr/aggregates/count-min-sketch.js";
import { mightContain } from "../../../src/expr/aggregates/bloom-filter.js";
import { col, compileAgg, lit, runAgg, runSplit, runTree } from "./agg-harness.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
const sparkXxHash64 = (v: unknown, t: DataType, seed: Long = 42): Long => xxhash64RowHash([t], seed)([v]);

void test("64-bit helpers agree with BigInt arithmetic", () => {
  let s = 7;
  const r32 = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0));
  for (let i = 0; i < 2000; i++) {
    const [ah, al, bh, bl] = [r32(), r32(), r32(), r32()];
    const a = (BigInt(ah) << 32n) | BigInt(al), b = (BigInt(bh) << 32n) | BigInt(bl);
    mul64(ah, al, bh, bl);
    assert.equal((BigInt(resultHi()) << 32n) | BigInt(resultLo()), BigInt.asUintN(64, a * b));
    add64(ah, al, bh, bl);
    assert.equal((BigInt(resultHi()) << 32n) | BigInt(resultLo()), BigInt.asUintN(64, a + b));
  }
});

void test("Spark's XXH64 value hashing matches Spark's documented xxhash64 example", () => {
  // SELECT xxhash64('Spark', array(123), 2) = 5602566077635097486: the hash folds over the arguments.
  const h1 = sparkXxHash64("Spark", StringType, 42);
  const h2 = sparkXxHash64([123], arrayType(IntegerType), h1);
  assert.equal(sparkXxHash64(2, IntegerType, h2), 5602566077635097486n);
  // A struct folds its fields exactly like separate arguments.
  const st = structType([structField("a", StringType), structField("b", arrayType(IntegerType)), structField("c", IntegerType)]);
  assert.equal(sparkXxHash64(["Spark", [123], 2], st), 5602566077635097486n);
  assert.equal(sparkXxHash64(-0, DoubleType), sparkXxHash64(0, DoubleType));
  assert.equal(sparkXxHash64(5, LongType), sparkXxHash64(5n as unknown as number, LongType));
  assert.equal(sparkXxHash64(12345, decimalType(10, 2)), sparkXxHash64(12345, LongType));
});

void test("approx_count_distinct: Spark's example, result type, 0 over no rows", () => {
  assert.equal(runAgg("approx_count_distinct", [col(IntegerType)], [[1], [1], [2], [2], [3], [null]]), 3);
  assert.equal(runAgg("approx_count_distinct", [col(IntegerType)], []), 0);
  const c = compileAgg("approx_count_distinct", [col(StringType)]);
  assert.deepEqual(c.sig.dataType, LongType);
  assert.equal(c.sig.nullable, false);
  assert.throws(() => compileAgg("approx_count_distinct", [col(IntegerType), lit(DoubleType, 0.5)]), /at least 4 bits/);
  assert.throws(() => compileAgg("approx_count_distinct", [col(IntegerType), col(DoubleType)]), /constant/);
  for (const [t, v] of [[BooleanType, true], [DateType, 1], [BinaryType, new Uint8Array([1])], [arrayType(StringType), ["a"]]] as const) {
    assert.equal(runAgg("approx_count_distinct", [col(t)], [[v], [v]]), 1);
  }
});

void test("approx_count_distinct stays within the rsd bounds and merges like one pass", () => {
  for (const [rsd, n] of [[0.05, 1_000], [0.05, 100_000], [0.01, 200_000], [0.1, 5_000], [0.02, 3_000]] as const) {
    const c = compileAgg("approx_count_distinct", [col(LongType), lit(DoubleType, rsd)]);
    const rows: number[][] = [];
    let s = n;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      rows.push([s * 4096 + i]); // distinct
      if (i % 3 === 0) rows.push([s * 4096 + i]); // duplicates do not count
    }
    const one = runAgg("approx_count_distinct", c.specs, rows) as number;
    assert.ok(Math.abs(one - n) / n <= 3 * rsd, `rsd ${rsd} n ${n}: ${one}`);
    assert.equal(runSplit(c, rows, [7, n / 2, n]), one);
    assert.equal(runTree(c, rows, 13), one);
  }
});

void test("approx_count_distinct over many sets: the mean relative error is near rsd", () => {
  const rsd = 0.05, n = 20_000, trials = 30;
  const c = compileAgg("approx_count_distinct", [col(StringType)]);
  let sq = 0;
  for (let t = 0; t < trials; t++) {
    const rows = Array.from({ length: n }, (_, i) => [`t${t}-v${i}`]);
    const e = runAgg("approx_count_distinct", c.specs, rows) as number;
    sq += ((e - n) / n) ** 2;
  }
  const observed = Math.sqrt(sq / trials);
  assert.ok(observed < 1.5 * rsd, `observed rsd ${observed}`);
});

void test("count_min_sketch: Spark's documented example, byte for byte", () => {
  const r = runAgg("count_min_sketch", [col(IntegerType), lit(DoubleType, 0.5), lit(DoubleType, 0.5), lit(IntegerType, 1)], [[1], [2], [1], [null]]) as Uint8Array;
  assert.equal(hex(r), "0000000100000000000000030000000100000004000000005D8D6AB90000000000000000000000000000000200000000000000010000000000000000");
  assert.equal(countMinSketchEstimate(r, 1), 2);
  assert.equal(countMinSketchEstimate(r, 2), 1);
});

void test("count_min_sketch estimates never undercount, stay within eps·total with high probability, and merge exactly", () => {
  const specs = [col(StringType), lit(DoubleType, 0.001), lit(DoubleType, 0.99), lit(IntegerType, 42)];
  const c = compileAgg("count_min_sketch", specs);
  const rows: string[][] = [];
  const truth = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const k = `k${Math.floor(Math.sqrt(i * 37 % 10007) * 10)}`;
    rows.push([k]);
    truth.set(k, (truth.get(k) ?? 0) + 1);
  }
  const one = runAgg("count_min_sketch", specs, rows) as Uint8Array;
  assert.deepEqual(runSplit(c, rows, [100, 5000]), one);
  const sketch = cmsFromBytes(one);
  assert.equal(sketch.total, rows.length);
  let over = 0;
  for (const [k, n] of truth) {
    const e = countMinSketchEstimate(one, k);
    assert.ok(e >= n);
    if (e - n > 0.001 * rows.length) over++;
  }
  assert.ok(over / truth.size <= 0.01 + 0.02, `${over} of ${truth.size} over the bound`);
  const empty = runAgg("count_min_sketch", specs, []) as Uint8Array;
  assert.equal(cmsFromBytes(empty).total, 0);
});

void test("bloom_filter_agg and might_contain: no false negatives, few false positives, null over no rows", () => {
  const specs = [col(LongType), lit(LongType, 1000), lit(LongType, 10_000)];
  const c = compileAgg("bloom_filter_agg", specs);
  const rows = Array.from({ length: 1000 }, (_, i) => [i * 7919 - 3_000_000]);
  const bloom = runAgg("bloom_filter_agg", specs, rows) as Uint8Array;
  assert.deepEqual(runSplit(c, rows, [10, 500]), bloom);
  assert.deepEqual(runTree(c, rows, 7), bloom);
  const contains = mightContain.compile({ ...mightContain.resolve([{ dataType: BinaryType, nullable: true, foldable: false }, { dataType: LongType, nullable: true, foldable: false }], { timeZone: "UTC", ansi: false }), argTypes: [BinaryType, LongType] }, { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 }) as unknown as (b: Uint8Array, v: number | bigint) => boolean;
  for (const [v] of rows) assert.equal(contains(bloom, v!), true);
  let fp = 0;
  for (let i = 0; i < 10_000; i++) if (contains(bloom, 10_000_000 + i)) fp++;
  assert.ok(fp / 10_000 < 0.05, `false positive rate ${fp / 10_000}`);
  assert.equal(runAgg("bloom_filter_agg", [col(LongType)], []), null);
  // Spark's format header: version 1, k = round(10000/1000 · ln 2) = 7, 157 words.
  assert.equal(hex(bloom.slice(0, 12)), "00000001" + "00000007" + "0000009D");
});
