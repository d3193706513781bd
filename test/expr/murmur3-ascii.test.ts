import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { murmur3Ascii, murmur3Bytes, murmur3String } from "../../src/expr/hash/murmur3.js";
import { makeVector } from "../../src/batch/vector.js";
import { partitionIds } from "../../src/physical/parallel/hash-partitioner.js";
import { StringType } from "../../src/types/data-type.js";
import { ev } from "./eval-helper.js";

const utf8 = new TextEncoder();

void test("murmur3 of a string equals murmur3 of its UTF-8 bytes (an ASCII one read from its char codes; any other has no ASCII hash)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 40 }), fc.integer(), (s, seed) => {
      assert.equal(murmur3Ascii(s, seed), murmur3Bytes(utf8.encode(s), seed));
    }),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 10 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }).filter((t) => /[^\x00-\x7f]/.test(t)), (a, b) => {
      assert.equal(murmur3Ascii(a + b, 42), null);
    }),
  );
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 10 })), fc.integer(), (s, seed) => {
      assert.equal(murmur3String(s, seed), murmur3Bytes(utf8.encode(s), seed));
    }),
  );
});

void test("string keys land in the partition of pmod(hash(key), n), Spark's hash, ASCII or not", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 4 }), fc.constant(null)), { minLength: 1, maxLength: 20 }), (keys) => {
      const nulls = Uint8Array.from(keys, (k) => (k === null ? 1 : 0));
      const twoCols = [makeVector(StringType, keys.length, keys, nulls), makeVector(StringType, keys.length, [...keys].reverse(), Uint8Array.from(nulls).reverse())];
      const ids = partitionIds(twoCols, keys.length, 7);
      keys.forEach((k, i) => {
        const other = keys[keys.length - 1 - i] ?? null;
        const h = ev("hash", [k, StringType], [other, StringType]) as number;
        assert.equal(ids[i], ((h % 7) + 7) % 7);
      });
    }),
  );
});
