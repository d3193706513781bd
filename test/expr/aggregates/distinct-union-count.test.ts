import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NumberSet } from "../../../src/expr/aggregates/number-set.js";
import { DISTINCT_UNION_COUNT } from "../../../src/expr/aggregates/collect.js";
import { type DataType, DoubleType, LongType, StringType, arrayType } from "../../../src/types/data-type.js";
import type { Accumulator } from "../../../src/expr/function-def.js";

/** SQL's distinct values: -0 is 0, NaN is one value (what count(DISTINCT) counts). */
const reference = (xs: readonly number[]): Set<number> => new Set(xs.map((x) => (x === 0 ? 0 : x)));
const sorted = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));

// Ids in a run (the bitmap), spreading both ways (it widens), then far off or fractional (hashed).
const near = fc.integer({ min: 5000, max: 7000 });
const anyNumber = fc.oneof(near, near, fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53));

describe("NumberSet", () => {
  it("holds the distinct values, by SQL equality, as a bitmap and past it", () => {
    fc.assert(
      fc.property(fc.array(near, { maxLength: 300 }), fc.array(anyNumber, { maxLength: 300 }), (ids, others) => {
        const set = new NumberSet();
        const all = [...ids, ...others];
        for (const x of all) set.add(x);
        const want = reference(all);
        assert.equal(set.size, want.size);
        assert.deepEqual(sorted(set.values()), sorted(want));
      }),
      { numRuns: 300 },
    );
  });

  it("widens its bitmap below and above the first values, then hashes past 2^24 apart", () => {
    const set = new NumberSet();
    const values = [1_000_000, 999_999, 1_000_031, 1_000_032, 990_000, 1_100_000, 1_000_000, 0, -0, 16_000_000];
    for (const x of values) set.add(x);
    assert.deepEqual(sorted(set.values()), sorted(reference(values)));
    set.add(1_000_000 + 2 ** 24);
    set.add(0.5);
    assert.equal(set.size, reference(values).size + 2);
  });

  it("hashes a few values far apart, and turns back to a bitmap when they fill their span", () => {
    const set = new NumberSet();
    const values = [60_000, 1000, 120_000, ...Array.from({ length: 5000 }, (_, i) => 1000 + ((i * 7919) % 119_001))];
    for (const x of values) set.add(x);
    assert.deepEqual(sorted(set.values()), sorted(reference(values)));
    const mode = set as unknown as { bits: Uint32Array | null };
    assert.ok(mode.bits !== null && mode.bits.length * 32 < 200_000, "a bitmap of the span");
    set.add(7.25);
    set.add(NaN);
    assert.equal(set.size, reference(values).size + 2);
  });
});

describe("__distinct_union_count", () => {
  const compile = (elementType: DataType): Accumulator => {
    const sig = DISTINCT_UNION_COUNT.resolve([{ dataType: arrayType(elementType), nullable: false, foldable: false, name: "" }], { timeZone: "UTC", ansi: false });
    return DISTINCT_UNION_COUNT.compile({ ...sig, argTypes: [arrayType(elementType)] }, { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 });
  };

  it("counts the distinct non-null values of all the sets, merged in any split and through its JSON form", () => {
    const longs = fc.oneof(near, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b)));
    const cases: [DataType, fc.Arbitrary<unknown>, (v: unknown) => unknown][] = [
      [LongType, longs, (v) => v],
      [DoubleType, anyNumber, (v) => (v === 0 ? 0 : v)],
      [StringType, fc.constantFrom("a", "b", "é", ""), (v) => v],
    ];
    for (const [type, element, key] of cases) {
      const acc = compile(type), update = acc.update as (buf: unknown, set: unknown) => unknown;
      fc.assert(
        fc.property(fc.array(fc.array(fc.option(element, { nil: null, freq: 6 }), { maxLength: 40 }), { maxLength: 8 }), fc.nat(8), (sets, cut) => {
          const want = new Set(sets.flat().filter((v) => v !== null).map(key)).size;
          const one = sets.reduce((buf, s) => update(buf, s), acc.init());
          assert.equal(acc.finish(one), want);
          const through = (buf: unknown): unknown => acc.deserialize(JSON.parse(JSON.stringify(acc.serialize(buf))));
          const a = sets.slice(0, cut).reduce((buf, s) => update(buf, s), acc.init());
          const b = sets.slice(cut).reduce((buf, s) => update(buf, s), acc.init());
          assert.equal(acc.finish(acc.merge(through(a), through(b))), want);
        }),
        { numRuns: 100 },
      );
    }
  });
});
