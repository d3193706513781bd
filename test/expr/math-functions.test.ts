import { test } from "node:test";
import assert from "node:assert/strict";
import { DoubleType, FloatType, IntegerType, LongType, StringType, decimalType, NullType } from "../../src/types/data-type.js";
import { type Arg, ev, evalCall } from "./eval-helper.js";

const d = (v: number | null): Arg => [v, DoubleType];
const i = (v: number | null): Arg => [v, IntegerType];
const l = (v: number | bigint | null): Arg => [v, LongType];

void test("math functions match Spark's documented examples", () => {
  const cases: [string, Arg[], unknown][] = [
    ["abs", [i(-1)], 1], ["abs", [i(-2147483648)], -2147483648], ["abs", [l(-9007199254740993n)], 9007199254740993n],
    ["negative", [i(1)], -1], ["positive", [d(1.5)], 1.5], ["sign", [d(-3.5)], -1], ["signum", [i(40)], 1],
    ["sqrt", [i(4)], 2], ["cbrt", [d(27)], 3], ["exp", [i(0)], 1], ["expm1", [i(0)], 0],
    ["ln", [i(1)], 0], ["ln", [i(0)], null], ["log", [i(10), i(100)], 2], ["log", [d(Math.E)], 1], ["log10", [i(10)], 1], ["log2", [i(2)], 1],
    ["log1p", [i(0)], 0], ["pow", [i(2), i(3)], 8], ["power", [d(2), d(-1)], 0.5],
    ["round", [d(2.5), i(0)], 3], ["round", [d(-2.5)], -3], ["round", [d(0.125), i(2)], 0.13], ["round", [i(25), i(-1)], 30],
    ["round", [d(1.005), i(2)], 1.01], ["round", [[12345, decimalType(5, 2)], i(1)], 1235],
    ["bround", [d(2.5), i(0)], 2], ["bround", [i(25), i(-1)], 20], ["bround", [d(0.125), i(2)], 0.12],
    ["ceil", [d(-0.1)], 0], ["ceil", [i(5)], 5], ["ceiling", [d(3.1)], 4], ["floor", [d(-0.1)], -1], ["floor", [d(5)], 5],
    ["ceil", [[314, decimalType(3, 2)]], 4], ["floor", [[-314, decimalType(3, 2)]], -4],
    ["rint", [d(12.5)], 12], ["rint", [d(13.5)], 14],
    ["sin", [i(0)], 0], ["cos", [i(0)], 1], ["atan2", [i(0), i(0)], 0], ["degrees", [d(Math.PI)], 180], ["radians", [i(180)], Math.PI],
    ["pi", [], Math.PI], ["e", [], Math.E],
    ["greatest", [i(10), i(9), i(2), i(4), i(3)], 10], ["greatest", [i(1), i(null), d(2.5)], 2.5], ["least", [i(10), i(9), i(null)], 9],
    ["greatest", [i(null), i(null)], null], ["greatest", [d(1), d(NaN)], NaN],
    ["mod", [i(2), d(1.8)], 0.19999999999999996], ["mod", [i(-7), i(3)], -1], ["mod", [i(7), i(0)], null],
    ["pmod", [i(10), i(3)], 1], ["pmod", [i(-10), i(3)], 2], ["pmod", [l(-10), l(3)], 2],
    ["try_add", [i(2147483647), i(1)], null], ["try_add", [i(1), i(2)], 3], ["try_divide", [i(3), i(2)], 1.5], ["try_divide", [i(1), i(0)], null],
    ["try_multiply", [l(9007199254740993n), l(2)], 18014398509481986n], ["try_multiply", [l(2n ** 62n), l(2)], null],
    ["hypot", [i(3), i(4)], 5], ["factorial", [i(5)], 120], ["factorial", [i(21)], null], ["factorial", [i(20)], 2432902008176640000n],
    ["bin", [l(13)], "1101"], ["bin", [l(-13)], "1111111111111111111111111111111111111111111111111111111111110011"],
    ["conv", [[ "100", StringType], i(2), i(10)], "4"], ["conv", [["-10", StringType], i(16), i(-10)], "-16"],
    ["nanvl", [d(NaN), d(123)], 123], ["nanvl", [d(1), d(null)], 1], ["isnan", [d(NaN)], true], ["isnan", [d(null)], false],
    ["shiftleft", [i(2), i(1)], 4], ["shiftright", [i(4), i(1)], 2], ["shiftrightunsigned", [i(-4), i(1)], 2147483646],
    ["shiftleft", [l(1), i(62)], 4611686018427387904n],
    ["bit_count", [i(0)], 0], ["bit_count", [i(-1)], 32], ["bit_get", [i(11), i(0)], 1], ["bit_get", [i(11), i(2)], 0],
    ["width_bucket", [d(5.3), d(0.2), d(10.6), l(5)], 3], ["width_bucket", [d(-2.1), d(1.3), d(3.4), l(3)], 0],
    ["width_bucket", [d(-0.9), d(5.2), d(0.5), l(2)], 3],
    ["abs", [i(null)], null], ["sqrt", [d(null)], null], ["round", [d(null)], null],
  ];
  for (const [name, args, want] of cases) {
    const got = ev(name, ...args);
    if (typeof want === "number" && Number.isNaN(want)) assert.ok(Number.isNaN(got as number), name);
    else if (typeof want === "number" && typeof got === "number" && !Number.isInteger(want)) assert.ok(Math.abs(got - want) < 1e-12, `${name}: ${got} vs ${want}`);
    else assert.deepEqual(got, want, `${name}(${args.map((a) => String(a[0])).join(", ")})`);
  }
});

void test("math result types follow Spark", () => {
  assert.deepEqual(evalCall("ceil", [d(1.5)]).type, LongType);
  assert.deepEqual(evalCall("ceil", [[314, decimalType(5, 2)]]).type, decimalType(4, 0));
  assert.deepEqual(evalCall("round", [[12345, decimalType(5, 2)], i(1)]).type, decimalType(5, 1));
  assert.deepEqual(evalCall("round", [[1.5, FloatType]]).type, FloatType);
  assert.deepEqual(evalCall("abs", [[null, NullType]]).type, DoubleType);
  assert.deepEqual(evalCall("mod", [i(1), l(2)]).type, LongType);
  assert.deepEqual(evalCall("sqrt", [["4", StringType]]).value, 2);
  const r1 = evalCall("rand", [i(7)]).value as number, r2 = evalCall("rand", [i(7)]).value as number;
  assert.equal(r1, r2);
  assert.ok(r1 >= 0 && r1 < 1);
  assert.throws(() => evalCall("round", [[[1], { kind: "array", elementType: IntegerType, containsNull: true }]]), /NUMERIC/);
});
