import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DoubleType, IntegerType, LongType, DateType, TimestampType, StringType, arrayType, decimalType, NullType,
} from "../../../src/types/data-type.js";
import { AnalysisError } from "../../../src/errors/errors.js";
import { col, compileAgg, lit, runAgg, runSplit, runTree } from "./agg-harness.js";

const d = (...xs: (number | null)[]): (number | null)[][] => xs.map((x) => [x]);

void test("percentile and median: Spark's documented examples", () => {
  assert.equal(runAgg("percentile", [col(IntegerType), lit(DoubleType, 0.3)], d(0, 10)), 3);
  assert.deepEqual(runAgg("percentile", [col(IntegerType), lit(arrayType(DoubleType), [0.25, 0.75])], d(0, 10)), [2.5, 7.5]);
  assert.equal(runAgg("median", [col(IntegerType)], d(0, 10)), 5);
  assert.equal(runAgg("median", [col(IntegerType)], d(1, 2, 3, null)), 2);
  assert.equal(runAgg("median", [col(IntegerType)], []), null);
  assert.equal(runAgg("percentile", [col(IntegerType), lit(DoubleType, null)], d(1, 2)), null);
  assert.deepEqual(compileAgg("percentile", [col(IntegerType), lit(arrayType(DoubleType), [0.5])]).sig.dataType, arrayType(DoubleType, false));
  assert.throws(() => compileAgg("percentile", [col(IntegerType), lit(DoubleType, 1.5)]), /between 0.0 and 1.0/);
  assert.throws(() => compileAgg("percentile", [col(IntegerType), col(DoubleType)]), /must be a constant/);
  assert.throws(() => compileAgg("median", [col(DateType)]), AnalysisError);
});

void test("percentile with a frequency column counts each row that many times", () => {
  const c = [col(IntegerType), lit(DoubleType, 0.5), col(LongType)];
  assert.equal(runAgg("percentile", c, [[1, 3], [10, 1]]), 1);
  assert.equal(runAgg("percentile", c, [[1, 1], [10, 3]]), 10);
  assert.equal(runAgg("percentile", c, [[1, 0], [10, 1]]), 10);
  assert.throws(() => runAgg("percentile", c, [[1, -1]]), /frequency/);
});

void test("mode returns the most frequent value, ties to the smallest", () => {
  assert.equal(runAgg("mode", [col(IntegerType)], d(0, 10, 10, null, null, null)), 10);
  assert.equal(runAgg("mode", [col(StringType)], [["b"], ["a"], ["b"], ["a"]]), "a");
  assert.equal(runAgg("mode", [col(IntegerType)], []), null);
});

void test("percentile_approx: Spark's documented examples and result types", () => {
  assert.deepEqual(runAgg("percentile_approx", [col(IntegerType), lit(arrayType(DoubleType), [0.5, 0.4, 0.1]), lit(IntegerType, 100)], d(0, 1, 2, 10)), [1, 1, 0]);
  assert.equal(runAgg("percentile_approx", [col(IntegerType), lit(DoubleType, 0.5), lit(IntegerType, 100)], d(0, 6, 7, 9, 10)), 7);
  assert.equal(runAgg("approx_percentile", [col(IntegerType), lit(DoubleType, 0.5)], d(0, 6, 7, 9, 10, null)), 7);
  assert.equal(runAgg("percentile_approx", [col(IntegerType), lit(DoubleType, 0)], d(5, 3, 9)), 3);
  assert.equal(runAgg("percentile_approx", [col(IntegerType), lit(DoubleType, 1)], d(5, 3, 9)), 9);
  assert.equal(runAgg("percentile_approx", [col(IntegerType), lit(DoubleType, 0.5)], []), null);
  assert.deepEqual(compileAgg("percentile_approx", [col(DateType), lit(DoubleType, 0.5)]).sig.dataType, DateType);
  assert.deepEqual(compileAgg("percentile_approx", [col(TimestampType), lit(arrayType(DoubleType), [0.5])]).sig.dataType, arrayType(TimestampType, false));
  assert.deepEqual(compileAgg("percentile_approx", [col(decimalType(10, 2)), lit(DoubleType, 0.5)]).sig.dataType, decimalType(10, 2));
  assert.equal(runAgg("percentile_approx", [col(decimalType(10, 2)), lit(DoubleType, 0.5)], d(150, 250, 350)), 250);
  assert.throws(() => compileAgg("percentile_approx", [col(IntegerType), lit(DoubleType, 0.5), lit(IntegerType, 0)]), /accuracy/);
  assert.throws(() => compileAgg("percentile_approx", [col(NullType), lit(StringType, "x")]), AnalysisError);
});

/** Rank error of `value` for percentile p over sorted data: distance from the target rank ⌈p·n⌉. */
function rankError(sorted: number[], value: number, p: number): number {
  const n = sorted.length;
  const target = Math.min(n, Math.max(1, Math.ceil(p * n)));
  let lo = sorted.findIndex((x) => x >= value) + 1; // smallest possible 1-based rank of value
  let hi = n - [...sorted].reverse().findIndex((x) => x <= value); // largest
  if (lo === 0) lo = n;
  if (hi > n) hi = n;
  if (target >= lo && target <= hi) return 0;
  return Math.min(Math.abs(target - lo), Math.abs(target - hi));
}

void test("percentile_approx stays within n/accuracy ranks on large data, one pass and merged", () => {
  const n = 200_000, accuracy = 100;
  let seed = 12345;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const values = Array.from({ length: n }, () => Math.floor(rnd() * 1e6) + (rnd() < 0.1 ? 5e6 : 0));
  const sorted = [...values].sort((a, b) => a - b);
  const ps = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1];
  const c = compileAgg("percentile_approx", [col(IntegerType), lit(arrayType(DoubleType), ps), lit(IntegerType, accuracy)]);
  const rows = values.map((v) => [v]);
  const results = [
    c.acc.finish((() => { let b = c.acc.init(); for (const r of rows) b = (c.acc.update as (b: unknown, v: number) => unknown)(b, r[0]!); return b; })()),
    runSplit(c, rows, [1, 777, 50_000, 123_456]),
    runTree(c, rows, 37),
  ] as number[][];
  for (const res of results) {
    res.forEach((v, i) => {
      assert.ok(sorted.includes(v), "an actual input value");
      assert.ok(rankError(sorted, v, ps[i]!) <= n / accuracy, `p=${ps[i]} error ${rankError(sorted, v, ps[i]!)}`);
    });
  }
});

void test("exact percentile: merged partial buffers equal one pass (property)", () => {
  const c = compileAgg("percentile", [col(IntegerType), lit(arrayType(DoubleType), [0, 0.3, 0.5, 0.9, 1])]);
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: -50, max: 50 }), { nil: null })), fc.array(fc.nat(60), { maxLength: 4 }), (xs, cuts) => {
      const rows = xs.map((x) => [x]);
      assert.deepEqual(runSplit(c, rows, cuts), runAgg("percentile", c.specs, rows));
    }),
  );
});

void test("percentile_approx is exact while n·(1/accuracy) < 1, whatever the split (property)", () => {
  const c = compileAgg("percentile_approx", [col(DoubleType), lit(arrayType(DoubleType), [0, 0.2, 0.5, 0.8, 1])]);
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1 }), fc.array(fc.nat(40), { maxLength: 4 }), (xs, cuts) => {
      const rows = xs.map((x) => [x]);
      const sorted = [...xs].sort((a, b) => a - b);
      const expected = [0, 0.2, 0.5, 0.8, 1].map((p) => sorted[Math.min(xs.length, Math.max(1, Math.ceil(p * xs.length))) - 1]);
      assert.deepEqual(runSplit(c, rows, cuts), expected);
    }),
  );
});
