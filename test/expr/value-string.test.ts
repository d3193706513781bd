import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { javaDoubleToString, javaFloatToString, valueToString } from "../../src/expr/value-string.js";
import {
  BinaryType, DateType, IntegerType, StringType, TimestampType, arrayType, decimalType, mapType, structField, structType,
  DoubleType,
} from "../../src/types/data-type.js";
import { interval } from "../../src/types/interval.js";

void test("doubles print as Java's Double.toString", () => {
  const cases: [number, string][] = [
    [1, "1.0"], [0.1, "0.1"], [1e10, "1.0E10"], [1.234e-5, "1.234E-5"], [NaN, "NaN"], [Infinity, "Infinity"],
    [-Infinity, "-Infinity"], [-0, "-0.0"], [0, "0.0"], [1e7, "1.0E7"], [9999999, "9999999.0"], [0.001, "0.001"],
    [0.0001, "1.0E-4"], [123.456, "123.456"], [-1.5, "-1.5"], [1.7976931348623157e308, "1.7976931348623157E308"],
    [4.9e-324, "4.9E-324"], [100, "100.0"], [12345678.9, "1.23456789E7"], [0.30000000000000004, "0.30000000000000004"],
  ];
  for (const [v, s] of cases) assert.equal(javaDoubleToString(v), s, `double ${v}`);
});

void test("floats print as Java's Float.toString", () => {
  const cases: [number, string][] = [[Math.fround(0.1), "0.1"], [Math.fround(1.1), "1.1"], [1, "1.0"], [Math.fround(3.4e38), "3.4E38"], [Math.fround(1e-5), "1.0E-5"]];
  for (const [v, s] of cases) assert.equal(javaFloatToString(v), s, `float ${v}`);
});

void test("double text reads back as the same double (property)", () => {
  fc.assert(fc.property(fc.double({ noNaN: true }), (d) => {
    const s = javaDoubleToString(d);
    assert.ok(Object.is(Number(s), d) || (d === 0 && Number(s) === 0));
    const abs = Math.abs(d);
    if (abs !== 0 && Number.isFinite(d)) assert.equal(s.includes("E"), abs >= 1e7 || abs < 1e-3);
  }));
});

void test("values of every kind print as Spark shows them", () => {
  assert.equal(valueToString(150, decimalType(3, 2), "UTC"), "1.50");
  assert.equal(valueToString(19724, DateType, "UTC"), "2024-01-02");
  assert.equal(valueToString(1704164645123456, TimestampType, "UTC"), "2024-01-02 03:04:05.123456");
  assert.equal(valueToString(1704164645100000, TimestampType, "UTC"), "2024-01-02 03:04:05.1");
  assert.equal(valueToString(Uint8Array.of(1, 2, 255), BinaryType, "UTC"), "[01 02 FF]");
  assert.equal(valueToString([1, 2, null], arrayType(IntegerType), "UTC"), "[1, 2, null]");
  assert.equal(valueToString(new Map([["a", 1], ["b", null]]), mapType(StringType, IntegerType), "UTC"), "{a -> 1, b -> null}");
  assert.equal(valueToString([1, "abc"], structType([structField("x", IntegerType), structField("y", StringType)]), "UTC"), "{1, abc}");
  assert.equal(valueToString([1.0, 2.5], arrayType(DoubleType), "UTC"), "[1.0, 2.5]");
  assert.equal(valueToString(interval(14, 3, 3_723_000_000), { kind: "interval" }, "UTC"), "1 years 2 months 3 days 1 hours 2 minutes 3 seconds");
  assert.equal(valueToString(9007199254740993n, { kind: "long" }, "UTC"), "9007199254740993");
});
