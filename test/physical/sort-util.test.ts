import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Vector, makeVector } from "../../src/batch/vector.js";
import { crossComparator, rowComparator } from "../../src/physical/sort-util.js";
import type { DataType } from "../../src/types/data-type.js";

/** A key column of `type` in typed storage (Float64Array or Int32Array), with a null mask when some value is null. */
function typedKey(type: DataType, values: readonly (number | null)[]): Vector {
  const store = type.kind === "int" ? new Int32Array(values.length) : new Float64Array(values.length);
  const nulls = values.some((v) => v === null) ? Uint8Array.from(values, (v) => (v === null ? 1 : 0)) : null;
  values.forEach((v, i) => (store[i] = v ?? 0));
  return makeVector(type, values.length, store, nulls);
}

describe("rowComparator", () => {
  it("on typed keys (generated code) orders rows as Spark's ordering does: NaN largest, -0 = 0, nulls first or last (property)", () => {
    const doubleArb = fc.oneof(fc.constantFrom(Number.NaN, -0, 0, 1, -1, Infinity, -Infinity), fc.double({ noNaN: true }));
    const specArb = fc.record({ ascending: fc.boolean(), nullsFirst: fc.boolean() });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }).chain((n) =>
          fc.tuple(
            fc.array(fc.option(doubleArb, { nil: null, freq: 4 }), { minLength: n, maxLength: n }),
            fc.array(fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 4 }), { minLength: n, maxLength: n }),
          ),
        ),
        specArb,
        specArb,
        ([doubles, ints], s0, s1) => {
          const keys = [typedKey({ kind: "double" }, doubles), typedKey({ kind: "int" }, ints)];
          const specs = [s0, s1];
          const generic = crossComparator(keys.map((k) => k.type), specs);
          const fast = rowComparator(keys, specs);
          const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
          for (let a = 0; a < doubles.length; a++) for (let b = 0; b < doubles.length; b++) assert.equal(sign(fast(a, b)), sign(generic(keys, a, keys, b)), `rows ${a}, ${b}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
