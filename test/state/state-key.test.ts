import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeKey, decodeKeyElement, encodeKey, prefixUpperBound } from "../../src/state/state-key.js";
import { KeyEncoder } from "../../src/state/key-encoder.js";

// Spark's ordering of internal values, written out independently of the encoder (the oracle).
type Col = "long" | "double" | "string" | "boolean" | "binary" | "numeric";
function cmpValue(t: Col, a: unknown, b: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (t) {
    case "long": case "numeric": return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case "double": {
      const x = a as number, y = b as number;
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "string": return Buffer.compare(Buffer.from(a as string, "utf8"), Buffer.from(b as string, "utf8"));
    case "binary": return Buffer.compare(a as Uint8Array, b as Uint8Array);
    case "boolean": return a === b ? 0 : a ? 1 : -1;
  }
}
function cmpTuple(types: Col[], a: unknown[], b: unknown[]): number {
  for (let i = 0; i < types.length; i++) {
    const c = cmpValue(types[i]!, a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmpKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const normalize = (v: bigint): number | bigint => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v);
const longArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: 2n ** 53n - 4n, max: 2n ** 53n + 4n }),
  fc.bigInt({ min: -(2n ** 53n) - 4n, max: -(2n ** 53n) + 4n }),
  fc.bigInt({ min: -1000n, max: 1000n }),
).map(normalize);
// Well-formed strings (Spark strings are UTF-8): ASCII incl. NUL, BMP, astral.
const stringArb = fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.string({ maxLength: 6 }), fc.constantFrom("", "\u0000", "a\u0000", "\uffff", "😀", "\ue000"));
const arbFor: Record<Col, fc.Arbitrary<unknown>> = {
  long: longArb,
  double: fc.double(),
  string: stringArb,
  boolean: fc.boolean(),
  binary: fc.uint8Array({ maxLength: 5 }),
  numeric: fc.oneof(fc.double({ noNaN: true }), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), fc.bigInt({ min: 2n ** 60n - 300n, max: 2n ** 60n + 300n })),
};
const schemaArb = fc.array(fc.constantFrom<Col>("long", "double", "string", "boolean", "binary"), { minLength: 1, maxLength: 3 });
const tupleArb = (types: Col[]): fc.Arbitrary<unknown[]> => fc.tuple(...types.map((t) => fc.option(arbFor[t], { nil: null, freq: 5 })));

void describe("encodeKey", () => {
  void it("orders tuples as Spark does (nulls first, NaN last, UTF-8 order)", () => {
    fc.assert(
      fc.property(schemaArb.chain((types) => fc.tuple(fc.constant(types), tupleArb(types), tupleArb(types))), ([types, a, b]) => {
        assert.equal(sign(cmpKey(encodeKey(a), encodeKey(b))), sign(cmpTuple(types, a, b)), `${String(a)} vs ${String(b)}`);
      }),
      { numRuns: 3000 },
    );
  });

  void it("orders numbers and bigints together exactly", () => {
    fc.assert(
      fc.property(arbFor.numeric, arbFor.numeric, (a, b) => {
        const c = cmpValue("numeric", a, b);
        if (c !== 0) assert.equal(sign(cmpKey(encodeKey([a]), encodeKey([b]))), c, `${String(a)} vs ${String(b)}`);
      }),
      { numRuns: 3000 },
    );
    assert.ok(encodeKey([2 ** 60]) < encodeKey([2n ** 60n + 1n]));
    assert.ok(encodeKey([2n ** 60n + 1n]) < encodeKey([2n ** 60n + 2n]));
    assert.ok(encodeKey([-(2n ** 63n)]) < encodeKey([-(2 ** 53) + 1]));
  });

  void it("round-trips, and a tuple prefix encodes to a byte prefix", () => {
    fc.assert(
      fc.property(schemaArb.chain(tupleArb), (t) => {
        const e = encodeKey(t);
        assert.deepStrictEqual(decodeKey(e), t.map((v) => (v === 0 ? 0 : v)));
        for (let i = 0; i <= t.length; i++) {
          const p = encodeKey(t.slice(0, i));
          assert.ok(e.startsWith(p));
          const ub = prefixUpperBound(p);
          if (ub !== undefined) assert.ok(e < ub);
        }
        for (let j = 0; j < e.length; j++) assert.ok(e.charCodeAt(j) <= 255);
      }),
      { numRuns: 2000 },
    );
  });

  void it("round-trips lone surrogates, nested arrays and -0/NaN normalization", () => {
    const t = ["\ud800", "x\udfffy", [1, [null, "a"], []], new Uint8Array([0, 0, 255]), true, null];
    assert.deepStrictEqual(decodeKey(encodeKey(t)), t);
    assert.equal(encodeKey([-0]), encodeKey([0]));
    assert.equal(encodeKey([NaN]), encodeKey([-NaN]));
    assert.ok(encodeKey([Infinity]) < encodeKey([NaN]));
    assert.ok(encodeKey([[1]]) < encodeKey([[1, null]]));
    assert.ok(encodeKey([["a"]]) < encodeKey([["a\u0000"]]));
    assert.throws(() => encodeKey([new Map()]), /state key cannot hold a Map/);
    assert.throws(() => encodeKey([{ a: 1 }]), /state key cannot hold/);
  });
});

void describe("decodeKeyElement and KeyEncoder", () => {
  void it("decodeKeyElement(encodeKey(t), i) is decodeKey(encodeKey(t))[i], without decoding the rest", () => {
    fc.assert(
      fc.property(schemaArb.chain((types) => tupleArb(types)), fc.nat(), (t, n) => {
        const key = encodeKey(t);
        const i = n % t.length;
        assert.deepEqual(decodeKeyElement(key, i), decodeKey(key)[i]);
      }),
    );
    // Nested (window structs) and bigints are skipped whole.
    const key = encodeKey([[1, 2], 2n ** 70n, "x\u0000y", null, "last"]);
    assert.equal(decodeKeyElement(key, 4), "last");
    assert.throws(() => decodeKeyElement(key, 5), /not a valid key encoding/);
  });

  void it("KeyEncoder gives encodeKey's bytes for rows that repeat values or not", () => {
    fc.assert(
      fc.property(schemaArb.chain((types) => fc.array(tupleArb(types), { maxLength: 12 })), (rows) => {
        if (rows.length === 0) return;
        const enc = new KeyEncoder(rows[0]!.length);
        // Each row twice in a row, then with a window-like array value in front.
        for (const r of rows) for (let rep = 0; rep < 2; rep++) assert.equal(enc.encode(r), encodeKey(r));
        const enc2 = new KeyEncoder(2);
        for (const r of rows) assert.equal(enc2.encode([[r[0], 1], r[0]]), encodeKey([[r[0], 1], r[0]]));
      }),
    );
  });
});
