import { test } from "node:test";
import assert from "node:assert/strict";
import { BooleanType, DateType, IntegerType, LongType, NullType, StringType, arrayType, mapType, structField, structType } from "../../src/types/data-type.js";
import { ExecutionError } from "../../src/errors/errors.js";
import type { ArgInfo } from "../../src/expr/function-def.js";
import { type Arg, CTX, def, ev, evalCall } from "./eval-helper.js";

const ai = (v: (number | null)[] | null): Arg => [v, arrayType(IntegerType)];
const as = (v: (string | null)[] | null): Arg => [v, arrayType(StringType)];
const i = (v: number | null): Arg => [v, IntegerType];
const s = (v: string | null): Arg => [v, StringType];
const m = (entries: [string, number | null][]): Arg => [new Map(entries), mapType(StringType, IntegerType)];

void test("array and map functions match Spark's documented examples", () => {
  const cases: [string, Arg[], unknown][] = [
    ["array", [i(1), i(2), i(3)], [1, 2, 3]], ["array", [i(1), s("a")], ["1", "a"]], ["array", [i(1), i(null)], [1, null]],
    ["array_contains", [ai([1, 2, 3]), i(2)], true], ["array_contains", [ai([1, null]), i(2)], null], ["array_contains", [ai([1, 2]), i(3)], false],
    ["array_distinct", [ai([1, 2, 3, null, 3, null])], [1, 2, 3, null]],
    ["array_except", [ai([1, 2, 3]), ai([1, 3, 5])], [2]], ["array_intersect", [ai([1, 2, 3]), ai([1, 3, 5])], [1, 3]],
    ["array_union", [ai([1, 2, 3]), ai([1, 3, 5])], [1, 2, 3, 5]],
    ["array_join", [as(["hello", "world"]), s(" ")], "hello world"], ["array_join", [as(["hello", null, "world"]), s(" ")], "hello world"],
    ["array_join", [as(["hello", null, "world"]), s(" "), s(",")], "hello , world"],
    ["array_max", [ai([1, 20, null, 3])], 20], ["array_min", [ai([1, 20, null, 3])], 1],
    ["array_position", [ai([3, 2, 1]), i(1)], 3], ["array_remove", [ai([1, 2, 3, null, 3]), i(3)], [1, 2, null]],
    ["array_repeat", [s("123"), i(2)], ["123", "123"]], ["array_repeat", [s(null), i(2)], [null, null]],
    ["arrays_overlap", [ai([1, 2, 3]), ai([3, 4, 5])], true], ["arrays_overlap", [ai([1, null]), ai([3])], null],
    ["arrays_zip", [ai([1, 2, 3]), ai([2, 3])], [[1, 2], [2, 3], [3, null]]],
    ["sort_array", [as(["b", "d", null, "c", "a"]), [true, BooleanType]], [null, "a", "b", "c", "d"]],
    ["sort_array", [as(["b", "d", null, "c", "a"]), [false, BooleanType]], ["d", "c", "b", "a", null]],
    ["array_sort", [as(["b", "d", null, "c", "a"])], ["a", "b", "c", "d", null]],
    ["slice", [ai([1, 2, 3, 4]), i(2), i(2)], [2, 3]], ["slice", [ai([1, 2, 3, 4]), i(-2), i(2)], [3, 4]],
    ["flatten", [[[[1, 2], [3, 4]], arrayType(arrayType(IntegerType))]], [1, 2, 3, 4]],
    ["flatten", [[[[1, 2], null], arrayType(arrayType(IntegerType))]], null],
    ["sequence", [i(1), i(5)], [1, 2, 3, 4, 5]], ["sequence", [i(5), i(1)], [5, 4, 3, 2, 1]],
    ["sequence", [[17897, DateType], [17956, DateType], [{ months: 1, days: 0, micros: 0 }, { kind: "interval" }]], [17897, 17928, 17956]],
    ["size", [ai([1, 2])], 2], ["size", [ai(null)], -1], ["cardinality", [m([["a", 1]])], 1],
    ["element_at", [ai([1, 2, 3]), i(2)], 2], ["element_at", [ai([1, 2, 3]), i(-1)], 3], ["element_at", [ai([1, 2, 3]), i(5)], null],
    ["element_at", [m([["a", 1], ["b", 2]]), s("b")], 2], ["element_at", [m([["a", 1]]), s("z")], null],
    ["get", [ai([1, 2, 3]), i(0)], 1], ["get", [ai([1, 2, 3]), i(3)], null],
    ["map", [i(1), s("a"), i(2), s("b")], new Map([[1, "a"], [2, "b"]])],
    ["map_keys", [m([["a", 1], ["b", 2]])], ["a", "b"]], ["map_values", [m([["a", 1], ["b", null]])], [1, null]],
    ["map_entries", [m([["a", 1]])], [["a", 1]]],
    ["map_from_arrays", [ai([1, 2]), as(["a", "b"])], new Map([[1, "a"], [2, "b"]])],
    ["map_from_entries", [[[[1, "a"], [2, "b"]], arrayType(structType([structField("k", IntegerType), structField("v", StringType)]))]], new Map([[1, "a"], [2, "b"]])],
    ["map_concat", [m([["a", 1]]), m([["b", 2]])], new Map([["a", 1], ["b", 2]])],
    ["map_contains_key", [m([["a", 1]]), s("a")], true],
    ["str_to_map", [s("a:1,b:2,c:3"), s(","), s(":")], new Map([["a", "1"], ["b", "2"], ["c", "3"]])],
    ["str_to_map", [s("a")], new Map([["a", null]])],
    ["named_struct", [s("a"), i(1), s("b"), s("x")], [1, "x"]],
    ["array_contains", [ai(null), i(1)], null],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(ev(name, ...args), want, `${name}(${args.map((a) => String(a[0])).join(", ")})`);
});

void test("errors: duplicate map keys, index 0, ANSI out of bounds", () => {
  assert.throws(() => ev("map", i(1), s("a"), i(1), s("b")), (e: unknown) => e instanceof ExecutionError && e.errorClass === "DUPLICATED_MAP_KEY");
  assert.throws(() => ev("element_at", ai([1]), i(0)), /INVALID_INDEX_OF_ZERO/);
  assert.throws(() => evalCall("element_at", [ai([1]), i(5)], { ...CTX, ansi: true }), /INVALID_ARRAY_INDEX_IN_ELEMENT_AT/);
  assert.equal(evalCall("size", [ai(null)], { ...CTX, ansi: true }).value, null);
  assert.throws(() => ev("array_contains", i(1), i(1)), /ARRAY/);
});

void test("struct field names come from ArgInfo.name; named_struct from its literals", () => {
  const d = def("struct");
  const args: (ArgInfo & { name?: string })[] = [
    { dataType: IntegerType, nullable: false, foldable: false, name: "a" },
    { dataType: StringType, nullable: true, foldable: false },
  ];
  const sig = d.resolve(args, CTX);
  assert.deepEqual(sig.dataType, structType([structField("a", IntegerType, false), structField("col2", StringType, true)]));
  const ns = evalCall("named_struct", [s("x"), i(1)]);
  assert.deepEqual(ns.type, structType([structField("x", IntegerType, false)]));
});

void test("higher-order functions: two-pass resolution and lambdas at run time", () => {
  const d = def("transform");
  const pass1 = d.resolve([{ dataType: arrayType(IntegerType), nullable: false, foldable: false }, { dataType: NullType, nullable: true, foldable: false }], CTX);
  assert.deepEqual(pass1.lambdaParams, [null, [IntegerType, IntegerType]]);
  const pass2 = d.resolve([{ dataType: arrayType(IntegerType), nullable: false, foldable: false }, { dataType: LongType, nullable: true, foldable: false }], CTX);
  assert.deepEqual(pass2.dataType, arrayType(LongType));
  const lam = (f: (...xs: never[]) => unknown, t: typeof IntegerType | typeof BooleanType | typeof LongType | typeof StringType): Arg => [f, t];
  assert.deepEqual(ev("transform", ai([1, 2, 3]), lam((x: number) => x + 1, IntegerType)), [2, 3, 4]);
  assert.deepEqual(ev("transform", ai([1, 2, 3]), lam((x: number, i2: number) => x + i2, IntegerType)), [1, 3, 5]);
  assert.deepEqual(ev("filter", ai([1, 2, 3]), lam((x: number) => x % 2 === 1, BooleanType)), [1, 3]);
  assert.equal(ev("exists", ai([1, 2, 3]), lam((x: number) => x % 2 === 0, BooleanType)), true);
  assert.equal(ev("exists", ai([1, null, 3]), lam((x: number | null) => (x === null ? null : x % 2 === 0), BooleanType)), null);
  assert.equal(ev("forall", ai([1, 2, 3]), lam((x: number) => x % 2 === 0, BooleanType)), false);
  assert.equal(ev("aggregate", ai([1, 2, 3]), i(0), lam((acc: number, x: number) => acc + x, IntegerType)), 6);
  assert.equal(ev("reduce", ai([1, 2, 3]), i(0), lam((acc: number, x: number) => acc + x, IntegerType), lam((acc: number) => acc * 10, IntegerType)), 60);
  assert.deepEqual(ev("zip_with", ai([1, 2, 3]), as(["a", "b", "c"]), lam((x: number, y: string) => `${y}${x}`, StringType)), ["a1", "b2", "c3"]);
  assert.deepEqual(ev("map_filter", m([["a", 1], ["b", 2]]), lam((_k: string, v: number) => v > 1, BooleanType)), new Map([["b", 2]]));
  assert.deepEqual(ev("transform_values", m([["a", 1]]), lam((_k: string, v: number) => v + 1, IntegerType)), new Map([["a", 2]]));
  assert.deepEqual(ev("transform_keys", m([["a", 1]]), lam((k: string) => k + "!", StringType)), new Map([["a!", 1]]));
  assert.deepEqual(ev("array_sort", ai([3, 1, 2]), lam((x: number, y: number) => y - x, IntegerType)), [3, 2, 1]);
  assert.throws(() => evalCall("filter", [ai([1]), lam(() => 1, IntegerType)]), /BOOLEAN/);
});
