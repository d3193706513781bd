import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BooleanType, DoubleType, IntegerType, LongType, StringType, DateType, TimestampType, BinaryType, ShortType,
  arrayType, decimalType, structField, structType, NullType, FloatType, CalendarIntervalType, mapType,
} from "../../../src/types/data-type.js";
import { AnalysisError } from "../../../src/errors/errors.js";
import { col, compileAgg, lit, runAgg } from "./agg-harness.js";

const ints = (...xs: (number | null)[]): (number | null)[][] => xs.map((x) => [x]);

void test("count counts non-null rows, count(*) counts all rows, both BIGINT and 0 over no rows", () => {
  assert.equal(runAgg("count", [col(IntegerType)], ints(1, null, 3)), 2);
  assert.equal(runAgg("count", [], [[], [], []]), 3);
  assert.equal(runAgg("count", [col(IntegerType), col(StringType)], [[1, "a"], [null, "b"], [2, null], [3, "c"]]), 2);
  assert.equal(runAgg("count", [col(IntegerType)], []), 0);
  const c = compileAgg("count", [col(StringType)]);
  assert.deepEqual(c.sig.dataType, LongType);
  assert.equal(c.sig.nullable, false);
});

void test("count_if counts true predicates only", () => {
  assert.equal(runAgg("count_if", [col(BooleanType)], [[true], [false], [null], [true]]), 2);
  assert.equal(runAgg("count_if", [col(BooleanType)], []), 0);
  assert.throws(() => compileAgg("count_if", [col(IntegerType)]), AnalysisError);
});

void test("sum: result types follow Spark", () => {
  assert.deepEqual(compileAgg("sum", [col(IntegerType)]).sig.dataType, LongType);
  assert.deepEqual(compileAgg("sum", [col(ShortType)]).sig.inputTypes, [LongType]);
  assert.deepEqual(compileAgg("sum", [col(FloatType)]).sig.dataType, DoubleType);
  assert.deepEqual(compileAgg("sum", [col(decimalType(10, 2))]).sig.dataType, decimalType(20, 2));
  assert.deepEqual(compileAgg("sum", [col(decimalType(35, 5))]).sig.dataType, decimalType(38, 5));
  // Non-ANSI implicit cast: strings are summed as doubles.
  assert.deepEqual(compileAgg("sum", [col(StringType)]).sig, { inputTypes: [DoubleType], dataType: DoubleType, argTypes: [StringType] });
  assert.throws(() => compileAgg("sum", [col(BooleanType)]), (e: unknown) => e instanceof AnalysisError && /parameter 1 requires the "NUMERIC"/.test(e.message) && /"BOOLEAN"/.test(e.message));
  assert.throws(() => compileAgg("sum", [col(CalendarIntervalType)]), AnalysisError);
  assert.throws(() => compileAgg("sum", [col(IntegerType), col(IntegerType)]), /requires 1 parameters but 2/);
});

void test("sum: Spark examples, nulls, exact longs beyond 2^53 and Java overflow", () => {
  assert.equal(runAgg("sum", [col(LongType)], ints(5, 10, 15)), 30);
  assert.equal(runAgg("sum", [col(LongType)], ints(null, 10, 15)), 25);
  assert.equal(runAgg("sum", [col(LongType)], ints(null, null)), null);
  assert.equal(runAgg("sum", [col(LongType)], []), null);
  assert.equal(runAgg("sum", [col(LongType)], [[2 ** 53 - 1], [2 ** 53 - 1], [3]]), 2n ** 54n + 1n);
  assert.equal(runAgg("sum", [col(LongType)], [[2n ** 63n - 1n], [1]]), -(2n ** 63n));
  assert.equal(runAgg("try_sum", [col(LongType)], [[2n ** 63n - 1n], [1]]), null);
  assert.equal(runAgg("try_sum", [col(LongType)], [[2n ** 63n - 1n], [1], [-1]]), 2n ** 63n - 1n);
  assert.equal(runAgg("sum", [col(DoubleType)], [[0.5], [null], [1.25]]), 1.75);
  assert.ok(Number.isNaN(runAgg("sum", [col(DoubleType)], [[1], [NaN]]) as number));
});

void test("sum of decimals is exact and null on overflow of the result precision", () => {
  const t = decimalType(10, 2);
  assert.equal(runAgg("sum", [col(t)], [[123], [877], [null]]), 1000); // 1.23 + 8.77 = 10.00
  const big = decimalType(38, 0);
  const max = 10n ** 38n - 1n;
  assert.equal(runAgg("sum", [col(big)], [[max], [1]]), null);
  assert.equal(runAgg("sum", [col(big)], [[max], [1], [-1]]), max);
});

void test("avg and mean: DOUBLE, decimal widened by 4 digits of scale, null over no rows", () => {
  assert.equal(runAgg("avg", [col(IntegerType)], ints(1, 2, 3)), 2);
  assert.equal(runAgg("mean", [col(IntegerType)], ints(1, 2, null)), 1.5);
  assert.equal(runAgg("avg", [col(IntegerType)], ints(null)), null);
  assert.deepEqual(compileAgg("avg", [col(IntegerType)]).sig.dataType, DoubleType);
  const c = compileAgg("avg", [col(decimalType(10, 2))]);
  assert.deepEqual(c.sig.dataType, decimalType(14, 6));
  // (1.00 + 2.00 + 2.00) / 3 = 1.666667 (HALF_UP)
  assert.equal(runAgg("avg", [col(decimalType(10, 2))], [[100], [200], [200]]), 1666667);
  assert.equal(runAgg("avg", [col(decimalType(10, 2))], [[-100], [-200], [-200]]), -1666667);
  assert.deepEqual(compileAgg("avg", [col(decimalType(38, 36))]).sig.dataType, decimalType(38, 38));
});

void test("min and max over numbers, strings (code point order), dates, booleans, arrays and structs", () => {
  assert.equal(runAgg("max", [col(IntegerType)], ints(10, 50, null, 20)), 50);
  assert.equal(runAgg("min", [col(IntegerType)], ints(10, -1, null, 20)), -1);
  assert.equal(runAgg("max", [col(IntegerType)], ints(null)), null);
  assert.ok(Number.isNaN(runAgg("max", [col(DoubleType)], [[1], [NaN], [3]]) as number));
  assert.equal(runAgg("min", [col(DoubleType)], [[1], [NaN], [3]]), 1);
  // U+1F600 (a surrogate pair in UTF-16) sorts after U+FFFD by code point, as Spark's UTF-8 byte order does.
  assert.equal(runAgg("max", [col(StringType)], [["\uFFFD"], ["😀"], ["a"]]), "😀");
  assert.equal(runAgg("min", [col(StringType)], [["b"], ["ab"], ["abc"]]), "ab");
  assert.equal(runAgg("max", [col(LongType)], [[2n ** 60n], [5]]), 2n ** 60n);
  assert.equal(runAgg("max", [col(DateType)], ints(18000, 19000)), 19000);
  assert.equal(runAgg("min", [col(TimestampType)], ints(5_000_000, 1_000)), 1_000);
  assert.equal(runAgg("max", [col(BooleanType)], [[false], [true]]), true);
  assert.deepEqual(runAgg("max", [col(arrayType(IntegerType))], [[[1, 2]], [[1, 2, 0]], [[1, null, 5]]]), [1, 2, 0]);
  const st = structType([structField("a", IntegerType), structField("b", StringType)]);
  assert.deepEqual(runAgg("min", [col(st)], [[[2, "a"]], [[1, "z"]], [[1, "b"]]]), [1, "b"]);
  assert.deepEqual(runAgg("max", [col(BinaryType)], [[new Uint8Array([1, 255])], [new Uint8Array([2])]]), new Uint8Array([2]));
  assert.throws(() => compileAgg("max", [col(mapType(StringType, IntegerType))]), AnalysisError);
});

void test("first and last, with and without ignoreNulls; any_value, first_value, last_value", () => {
  assert.equal(runAgg("first", [col(IntegerType)], ints(10, 5, 20)), 10);
  assert.equal(runAgg("first", [col(IntegerType)], ints(null, 5, 20)), null);
  assert.equal(runAgg("first", [col(IntegerType), lit(BooleanType, true)], ints(null, 5, 20)), 5);
  assert.equal(runAgg("last", [col(IntegerType)], ints(10, 5, 20)), 20);
  assert.equal(runAgg("last", [col(IntegerType)], ints(10, 5, null)), null);
  assert.equal(runAgg("last", [col(IntegerType), lit(BooleanType, true)], ints(10, 5, null)), 5);
  assert.equal(runAgg("first_value", [col(IntegerType)], ints(7, 8)), 7);
  assert.equal(runAgg("last_value", [col(IntegerType)], ints(7, 8)), 8);
  assert.equal(runAgg("any_value", [col(IntegerType), lit(BooleanType, true)], ints(null, 5, 20)), 5);
  assert.equal(runAgg("first", [col(IntegerType)], []), null);
  assert.throws(() => compileAgg("first", [col(IntegerType), col(BooleanType)]), /must be a constant/);
});

void test("max_by and min_by pick x at the extreme y, ignoring null y", () => {
  const rows = [["a", 10], ["b", 50], ["c", 20], ["d", null]];
  assert.equal(runAgg("max_by", [col(StringType), col(IntegerType)], rows), "b");
  assert.equal(runAgg("min_by", [col(StringType), col(IntegerType)], rows), "a");
  assert.equal(runAgg("max_by", [col(StringType), col(IntegerType)], [[null, 5], ["x", 1]]), null);
  assert.equal(runAgg("max_by", [col(StringType), col(IntegerType)], [["x", null]]), null);
});

void test("bool_and/every and bool_or/some/any", () => {
  assert.equal(runAgg("bool_and", [col(BooleanType)], [[true], [true], [true]]), true);
  assert.equal(runAgg("every", [col(BooleanType)], [[null], [true], [true]]), true);
  assert.equal(runAgg("bool_and", [col(BooleanType)], [[true], [false], [true]]), false);
  assert.equal(runAgg("bool_or", [col(BooleanType)], [[null], [true], [false]]), true);
  assert.equal(runAgg("some", [col(BooleanType)], [[false], [false], [null]]), false);
  assert.equal(runAgg("any", [col(BooleanType)], [[null]]), null);
  assert.equal(runAgg("bool_and", [col(BooleanType)], []), null);
  assert.throws(() => compileAgg("bool_or", [col(IntegerType)]), AnalysisError);
});

void test("bit_and, bit_or, bit_xor keep the input type and work on 64-bit values", () => {
  assert.equal(runAgg("bit_and", [col(IntegerType)], ints(3, 5)), 1);
  assert.equal(runAgg("bit_or", [col(IntegerType)], ints(3, 5)), 7);
  assert.equal(runAgg("bit_xor", [col(IntegerType)], ints(3, 5)), 6);
  assert.equal(runAgg("bit_xor", [col(IntegerType)], ints(null)), null);
  assert.deepEqual(compileAgg("bit_or", [col(ShortType)]).sig.dataType, ShortType);
  assert.equal(runAgg("bit_or", [col(LongType)], [[2n ** 62n], [1]]), 2n ** 62n + 1n);
  assert.equal(runAgg("bit_and", [col(LongType)], [[-1], [2 ** 40 + 3]]), 2 ** 40 + 3);
  assert.equal(runAgg("bit_xor", [col(LongType)], [[-(2n ** 63n)], [-1]]), 2n ** 63n - 1n);
  assert.throws(() => compileAgg("bit_and", [col(DoubleType)]), AnalysisError);
});

void test("collect_list, array_agg and collect_set skip nulls; [] over no rows", () => {
  assert.deepEqual(runAgg("collect_list", [col(IntegerType)], ints(1, 2, null, 1)), [1, 2, 1]);
  assert.deepEqual(runAgg("array_agg", [col(IntegerType)], ints(1, 2, 1)), [1, 2, 1]);
  assert.deepEqual(runAgg("collect_set", [col(IntegerType)], ints(1, 2, null, 1)), [1, 2]);
  assert.deepEqual(runAgg("collect_list", [col(IntegerType)], []), []);
  assert.deepEqual(runAgg("collect_set", [col(arrayType(IntegerType))], [[[1, 2]], [[1, 2]], [[2]]]), [[1, 2], [2]]);
  assert.deepEqual(runAgg("collect_set", [col(LongType)], [[2n ** 60n], [2n ** 60n]]), [2n ** 60n]);
  const c = compileAgg("collect_list", [col(StringType)]);
  assert.deepEqual(c.sig.dataType, arrayType(StringType, false));
  assert.equal(c.sig.nullable, false);
  assert.throws(() => compileAgg("collect_set", [col(mapType(StringType, IntegerType))]), AnalysisError);
});

void test("NULL-typed input: sum/avg cast to double and return null", () => {
  assert.deepEqual(compileAgg("sum", [col(NullType)]).sig.dataType, DoubleType);
  assert.equal(runAgg("avg", [col(NullType)], [[null]]), null);
});
