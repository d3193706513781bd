import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReusableArrays } from "../../src/batch/reusable-arrays.js";
import { makeVector, takeVector, valueAt } from "../../src/batch/vector.js";
import { IntegerType, StringType } from "../../src/types/data-type.js";

void describe("ReusableArrays", () => {
  void it("hands a slot's array out again, as long as it is asked for, growing it only when too short", () => {
    const r = new ReusableArrays();
    const a = r.float64(0, 100);
    a.fill(7);
    assert.equal(a.length, 100);
    assert.equal(r.float64(0, 110).buffer, a.buffer, "a little more than the first size fits");
    const b = r.float64(0, 60);
    assert.equal(b.length, 60);
    assert.equal(b.buffer, a.buffer);
    assert.equal(b[59], 7, "the values stay what the last user left");
    assert.notEqual(r.float64(1, 60).buffer, a.buffer, "another slot has its own array");
    const c = r.float64(0, 200);
    assert.equal(c.length, 200);
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(r.float64(0, 10).buffer, c.buffer);
    const i = r.int32(0, 30);
    assert.ok(i instanceof Int32Array && i.length === 30);
    assert.equal(r.int32(0, 30).buffer, i.buffer);
    const u = r.uint8(0, 5);
    assert.ok(u instanceof Uint8Array && u.length === 5);
    assert.notEqual(u.buffer, i.buffer, "each element type has its own slots");
  });
});

void describe("takeVector into reused arrays", () => {
  void it("gathers typed values into the slot's array, nulls as 0 with a fresh mask; other storage as usual", () => {
    const r = new ReusableArrays();
    const v = makeVector(IntegerType, 4, Int32Array.from([10, 0, 30, 40]), Uint8Array.from([0, 1, 0, 0]));
    const a = takeVector(v, [3, 1, 0], 3, { arrays: r, slot: 2 });
    assert.equal((a.values as Int32Array).buffer, r.int32(2, 3).buffer);
    assert.deepEqual([0, 1, 2].map((i) => valueAt(a, i)), [40, null, 10]);
    assert.equal(a.values[1], 0);
    const b = takeVector(v, [2], 1, { arrays: r, slot: 2 });
    assert.equal(valueAt(b, 0), 30);
    assert.equal(b.nulls, null);
    const s = takeVector(makeVector(StringType, 2, ["x", "y"], null), [1, 0], 2, { arrays: r, slot: 2 });
    assert.deepEqual(s.values, ["y", "x"]);
  });
});
