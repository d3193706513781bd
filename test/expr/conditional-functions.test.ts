import { test } from "node:test";
import assert from "node:assert/strict";
import { BooleanType, DoubleType, IntegerType, NullType, StringType } from "../../src/types/data-type.js";
import { ExecutionError } from "../../src/errors/errors.js";
import { type Arg, ev, evalCall } from "./eval-helper.js";

const i = (v: number | null): Arg => [v, IntegerType];
const s = (v: string | null): Arg => [v, StringType];
const b = (v: boolean | null): Arg => [v, BooleanType];

void test("conditional and null functions", () => {
  const cases: [string, Arg[], unknown][] = [
    ["coalesce", [[null, NullType], i(1), i(null)], 1], ["coalesce", [i(null), i(null)], null], ["coalesce", [i(null), s("a")], "a"],
    ["nvl", [i(null), i(2)], 2], ["ifnull", [i(1), i(2)], 1], ["nvl2", [i(null), i(2), i(1)], 1], ["nvl2", [i(0), i(2), i(1)], 2],
    ["nullif", [i(2), i(2)], null], ["nullif", [i(2), i(3)], 2], ["nullif", [i(null), i(3)], null],
    ["if", [b(true), i(1), i(2)], 1], ["if", [b(null), i(1), i(2)], 2], ["if", [b(false), i(1), s("x")], "x"],
    ["isnull", [i(null)], true], ["isnotnull", [i(1)], true], ["equal_null", [i(null), i(null)], true], ["equal_null", [i(1), i(null)], false],
    ["typeof", [i(1)], "int"], ["typeof", [[1, DoubleType]], "double"], ["assert_true", [b(true)], null],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(ev(name, ...args), want, `${name}(${args.map((a) => String(a[0])).join(", ")})`);
  assert.deepEqual(evalCall("coalesce", [i(1), [1.5, DoubleType]]).type, DoubleType);
  assert.throws(() => ev("assert_true", b(false)), ExecutionError);
  assert.throws(() => ev("raise_error", s("boom")), /boom/);
  assert.throws(() => evalCall("coalesce", [i(1), [true, BooleanType]]), /DATA_DIFF_TYPES|same type/);
});
