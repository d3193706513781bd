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
  void it("writes a well-formed string as tag 8, its UTF-8 length and bytes, whatever path encodes it", () => {
    // The bytes are the checkpoint format: short ASCII strings are copied a char at a time,
    // others written by Buffer with the length moved in front once known.
    const varint = (n: number): number[] => {
      const out: number[] = [];
      for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
      return [...out, n];
    };
    const expected = (s: string): Buffer => {
      const bytes = Buffer.from(s, "utf8");
      return Buffer.concat([Buffer.from([8, ...varint(bytes.length)]), bytes]);
    };
    const pieces = fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "grapheme" }), fc.string({ unit: fc.constantFrom("é", "ā", "€", "😀", "a", "\x00", "\x7f", "\x80") }));
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }).map((xs) => xs.join("")), (s) => assert.deepStrictEqual(encodeValue(s), expected(s))), { numRuns: 3000 });
    // Around the one-byte length (127/128 bytes) and the short-string cut (24 chars): ASCII, and
    // chars of 2, 3 and 4 bytes whose bytes pass 127 when the chars do not.
    for (const unit of ["a", "é", "€", "😀"]) for (const n of [0, 1, 23, 24, 25, 42, 43, 63, 64, 65, 127, 128, 129, 16383, 16384]) {
      const s = unit.repeat(Math.ceil(n / unit.length));
      assert.deepStrictEqual(encodeValue(s), expected(s), `${JSON.stringify(unit)} x ${s.length}`);
      assert.deepStrictEqual(encodeValue([s, 1]), Buffer.concat([Buffer.from([11, 2]), expected(s), Buffer.from([4, 1])]));
    }
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
