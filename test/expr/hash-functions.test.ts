import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryType, DoubleType, IntegerType, LongType, StringType, arrayType, decimalType } from "../../src/types/data-type.js";
import { type Arg, ev } from "./eval-helper.js";

const s = (v: string | null): Arg => [v, StringType];
const i = (v: number | null): Arg => [v, IntegerType];

void test("hash and xxhash64 equal Spark's values", () => {
  assert.equal(ev("hash", i(1)), -559580957);
  assert.equal(ev("hash", s("Spark"), [[123], arrayType(IntegerType)], i(2)), -1321691492);
  assert.equal(ev("xxhash64", s("Spark"), [[123], arrayType(IntegerType)], i(2)), 5602566077635097486n);
  assert.equal(ev("hash", i(null)), 42);
  assert.equal(ev("hash", [0, DoubleType]), ev("hash", [-0, DoubleType]));
  assert.equal(ev("hash", [5, LongType]), ev("hash", [5, decimalType(10, 0)]));
});

void test("digests and checksums", () => {
  assert.equal(ev("md5", s("Spark")), "8cde774d6f7333752ed72cacddb05126");
  assert.equal(ev("sha1", s("Spark")), "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c");
  assert.equal(ev("sha2", s("Spark"), i(256)), "529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b");
  assert.equal(ev("sha2", s("Spark"), i(7)), null);
  assert.equal(ev("crc32", s("Spark")), 1557323817);
  assert.equal(ev("md5", [null, BinaryType]), null);
});
