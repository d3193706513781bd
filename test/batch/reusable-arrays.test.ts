import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReusableArrays } from "../../src/batch/reusable-arrays.js";

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
