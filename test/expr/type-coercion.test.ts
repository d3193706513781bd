import { test } from "node:test";
import assert from "node:assert/strict";
import {
  binaryArithmeticTypes, comparisonType, findWiderCommonType, findWiderType, implicitCast,
} from "../../src/expr/type-coercion.js";
import { AnalysisError } from "../../src/errors/errors.js";
import {
  BooleanType, ByteType, DateType, DoubleType, FloatType, IntegerType, LongType, NullType, StringType, TimestampType,
  arrayType, decimalType, sameType,
} from "../../src/types/data-type.js";

void test("findWiderType widens numbers, decimals, dates and strings as Spark", () => {
  const eq = (a: unknown, b: unknown): void => assert.deepEqual(a, b);
  eq(findWiderType(IntegerType, LongType), LongType);
  eq(findWiderType(LongType, FloatType), FloatType);
  eq(findWiderType(NullType, DateType), DateType);
  eq(findWiderType(DateType, TimestampType), TimestampType);
  eq(findWiderType(IntegerType, decimalType(5, 2)), decimalType(12, 2));
  eq(findWiderType(decimalType(10, 2), decimalType(5, 4)), decimalType(12, 4));
  eq(findWiderType(decimalType(38, 10), LongType), decimalType(38, 10));
  eq(findWiderType(decimalType(5, 2), DoubleType), DoubleType);
  eq(findWiderType(StringType, IntegerType), StringType);
  eq(findWiderType(StringType, BooleanType), null);
  eq(findWiderType(arrayType(IntegerType), arrayType(LongType)), arrayType(LongType));
  eq(findWiderType(arrayType(IntegerType), IntegerType), null);
  eq(findWiderCommonType([IntegerType, NullType, DoubleType]), DoubleType);
  eq(findWiderCommonType([IntegerType, StringType], false), null);
});

void test("arithmetic result types follow Spark 3 (non-ANSI)", () => {
  const r = (op: Parameters<typeof binaryArithmeticTypes>[0], a: Parameters<typeof binaryArithmeticTypes>[1], b: Parameters<typeof binaryArithmeticTypes>[2]) => binaryArithmeticTypes(op, a, b).result;
  assert.deepEqual(r("+", IntegerType, LongType), LongType);
  assert.deepEqual(r("+", ByteType, ByteType), ByteType);
  assert.deepEqual(r("/", IntegerType, IntegerType), DoubleType);
  assert.deepEqual(r("div", IntegerType, IntegerType), LongType);
  assert.deepEqual(r("+", StringType, IntegerType), DoubleType);
  assert.deepEqual(r("%", IntegerType, LongType), LongType);
  assert.deepEqual(r("+", decimalType(10, 2), decimalType(5, 3)), decimalType(12, 3));
  assert.deepEqual(r("*", decimalType(10, 2), decimalType(5, 3)), decimalType(16, 5));
  assert.deepEqual(r("/", decimalType(10, 2), decimalType(5, 3)), decimalType(19, 8));
  assert.deepEqual(r("*", decimalType(38, 10), decimalType(38, 10)), decimalType(38, 6));
  assert.deepEqual(r("/", decimalType(38, 18), decimalType(38, 18)), decimalType(38, 6));
  assert.deepEqual(r("+", IntegerType, decimalType(5, 2)), decimalType(13, 2));
  assert.deepEqual(r("+", decimalType(5, 2), DoubleType), DoubleType);
  assert.deepEqual(binaryArithmeticTypes("*", decimalType(38, 10), decimalType(38, 10), { allowPrecisionLoss: false }).result, decimalType(38, 20));
});

void test("impossible arithmetic names the operands", () => {
  assert.throws(() => binaryArithmeticTypes("+", IntegerType, arrayType(IntegerType), { leftSql: "a", rightSql: "b" }), (e: unknown) =>
    e instanceof AnalysisError && e.errorClass.startsWith("DATATYPE_MISMATCH") && e.message.includes('"(a + b)"') && e.message.includes('"ARRAY<INT>"'));
  assert.throws(() => binaryArithmeticTypes("+", BooleanType, IntegerType), AnalysisError);
});

void test("comparisons cast strings to the other side's type", () => {
  assert.deepEqual(comparisonType(StringType, IntegerType), IntegerType);
  assert.deepEqual(comparisonType(LongType, StringType), LongType);
  assert.deepEqual(comparisonType(StringType, decimalType(5, 2)), DoubleType);
  assert.deepEqual(comparisonType(StringType, DateType), DateType);
  assert.deepEqual(comparisonType(TimestampType, StringType), TimestampType);
  assert.deepEqual(comparisonType(DateType, TimestampType), TimestampType);
  assert.deepEqual(comparisonType(IntegerType, DoubleType), DoubleType);
  assert.throws(() => comparisonType(IntegerType, arrayType(IntegerType)), AnalysisError);
});

void test("implicit casts for function arguments", () => {
  assert.ok(sameType(implicitCast(StringType, IntegerType)!, IntegerType));
  assert.deepEqual(implicitCast(IntegerType, StringType), StringType);
  assert.deepEqual(implicitCast(StringType, "numeric"), DoubleType);
  assert.deepEqual(implicitCast(TimestampType, DateType), DateType);
  assert.equal(implicitCast(arrayType(IntegerType), StringType), null);
  assert.equal(implicitCast(BooleanType, DateType), null);
});
