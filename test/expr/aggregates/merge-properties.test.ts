import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BooleanType, DoubleType, IntegerType, LongType, StringType, arrayType, decimalType,
} from "../../../src/types/data-type.js";
import { type ArgSpec, col, compileAgg, lit, roundTrip, runAgg, runSplit, runTree } from "./agg-harness.js";

const cuts = fc.array(fc.nat(80), { maxLength: 5 });
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });
const longs = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b)));
const strings = fc.string({ unit: "binary", maxLength: 4 });

/** Exact aggregates: any split, merged left to right or as a tree, through JSON, equals one pass. */
const exact: [string, ArgSpec[], fc.Arbitrary<unknown[]>][] = [
  ["count", [col(IntegerType)], maybe(fc.integer()).map((x) => [x])],
  ["count", [], fc.constant([])],
  ["count_if", [col(BooleanType)], maybe(fc.boolean()).map((x) => [x])],
  ["sum", [col(LongType)], maybe(longs).map((x) => [x])],
  ["try_sum", [col(LongType)], maybe(longs).map((x) => [x])],
  ["sum", [col(decimalType(38, 2))], maybe(longs).map((x) => [x])],
  ["avg", [col(decimalType(20, 3))], maybe(fc.integer()).map((x) => [x])],
  ["avg", [col(DoubleType)], maybe(fc.integer({ min: -1e6, max: 1e6 })).map((x) => [x])],
  ["avg", [col(LongType)], maybe(longs).map((x) => [x])],
  ["min", [col(DoubleType)], maybe(fc.double()).map((x) => [x])],
  ["max", [col(StringType)], maybe(strings).map((x) => [x])],
  ["max", [col(arrayType(IntegerType))], maybe(fc.array(maybe(fc.integer({ min: 0, max: 3 })), { maxLength: 3 })).map((x) => [x])],
  ["min", [col(LongType)], maybe(longs).map((x) => [x])],
  ["first", [col(IntegerType)], maybe(fc.integer()).map((x) => [x])],
  ["last", [col(IntegerType), lit(BooleanType, true)], maybe(fc.integer()).map((x) => [x])],
  ["max_by", [col(StringType), col(IntegerType)], fc.tuple(maybe(strings), maybe(fc.integer({ min: 0, max: 5 })))],
  ["min_by", [col(IntegerType), col(DoubleType)], fc.tuple(maybe(fc.integer()), maybe(fc.double({ noNaN: true })))],
  ["bool_and", [col(BooleanType)], maybe(fc.boolean()).map((x) => [x])],
  ["bool_or", [col(BooleanType)], maybe(fc.boolean()).map((x) => [x])],
  ["bit_and", [col(LongType)], maybe(longs).map((x) => [x])],
  ["bit_or", [col(LongType)], maybe(longs).map((x) => [x])],
  ["bit_xor", [col(IntegerType)], maybe(fc.integer()).map((x) => [x])],
  ["collect_list", [col(DoubleType)], maybe(fc.double()).map((x) => [x])],
  ["collect_set", [col(StringType)], maybe(fc.constantFrom("a", "b", "c", "é", "😀")).map((x) => [x])],
  ["mode", [col(IntegerType)], maybe(fc.integer({ min: 0, max: 4 })).map((x) => [x])],
  ["approx_count_distinct", [col(StringType)], maybe(strings).map((x) => [x])],
  ["count_min_sketch", [col(LongType), lit(DoubleType, 0.1), lit(DoubleType, 0.9), lit(IntegerType, 7)], maybe(longs).map((x) => [x])],
  ["bloom_filter_agg", [col(LongType), lit(LongType, 100), lit(LongType, 1024)], maybe(longs).map((x) => [x])],
];

for (const [name, specs, row] of exact) {
  void test(`${name}(${specs.length} args): merged partial buffers equal one pass, through JSON`, () => {
    const c = compileAgg(name, specs);
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), cuts, fc.integer({ min: 1, max: 9 }), (rows, cs, parts) => {
        const one = runAgg(name, specs, rows);
        assert.deepEqual(runSplit(c, rows, cs), one);
        // Order-dependent functions (first/last/collect_list) still merge in input order in the tree.
        assert.deepEqual(runTree(c, rows, parts), one);
        assert.deepEqual(c.acc.finish(roundTrip(c, c.acc.init())), c.acc.finish(c.acc.init()));
      }),
      { numRuns: 60 },
    );
  });
}

/** Floating-point aggregates: merged equals one pass up to rounding. */
const approx: [string, number][] = [
  ["stddev_samp", 1], ["stddev_pop", 1], ["var_samp", 1], ["var_pop", 1], ["skewness", 1], ["kurtosis", 1],
  ["covar_pop", 2], ["covar_samp", 2], ["corr", 2], ["regr_slope", 2], ["regr_intercept", 2], ["regr_r2", 2],
];

for (const [name, arity] of approx) {
  void test(`${name}: merged partial buffers equal one pass up to rounding`, () => {
    const specs = Array.from({ length: arity }, () => col(DoubleType));
    const c = compileAgg(name, specs);
    fc.assert(
      fc.property(fc.array(fc.array(maybe(fc.integer({ min: -1000, max: 1000 })), { minLength: arity, maxLength: arity }), { maxLength: 60 }), cuts, (rows, cs) => {
        const one = runAgg(name, specs, rows) as number | null;
        for (const merged of [runSplit(c, rows, cs), runTree(c, rows, 4)] as (number | null)[]) {
          if (one === null || merged === null) {
            // Near-zero denominators may flip between exactly zero and a rounding residue.
            if (one !== merged) assert.ok(name.match(/skew|kurt|corr|regr/), `${name}: ${one} vs ${merged}`);
            continue;
          }
          assert.ok(Math.abs(merged - one) <= 1e-6 * Math.max(1, Math.abs(one)), `${name}: ${one} vs ${merged}`);
        }
      }),
      { numRuns: 60 },
    );
  });
}
