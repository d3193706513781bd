import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeValue, encodeValue } from "../../src/state/state-value-codec.js";

const leaf = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.boolean(), fc.double(), fc.integer(), fc.maxSafeInteger(),
  fc.bigInt(), fc.string({ unit: "binary" }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
  fc.uint8Array({ maxLength: 8 }), fc.date({ noInvalidDate: true }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string(), tie("value"), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(leaf, tie("value")), { maxLength: 3 }).map((es) => new Map(es))),
}));

void describe("state value codec", () => {
  void it("round-trips values exactly (bigints, NaN, -0, lone surrogates, Maps, bytes, Dates)", () => {
    fc.assert(fc.property(value, (v) => assert.deepStrictEqual(decodeValue(encodeValue(v)), v)), { numRuns: 2000 });
  });
  void it("refuses class instances and functions with a clear error", () => {
    assert.throws(() => encodeValue(new (class Foo {})()), /instance of Foo/);
    assert.throws(() => encodeValue(() => 1), /state value cannot hold a function/);
  });
  void it("reports truncated bytes", () => {
    const b = encodeValue({ a: "hello", b: [1, 2, 3] });
    assert.throws(() => decodeValue(b.subarray(0, b.length - 2)), RangeError);
  });
});
