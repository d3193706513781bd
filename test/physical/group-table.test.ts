import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Vector, VectorBuilder, valueAt } from "../../src/batch/vector.js";
import { GroupTable } from "../../src/physical/aggregate/group-table.js";
import type { DataType } from "../../src/types/data-type.js";

const vector = (type: DataType, values: readonly unknown[]): Vector => {
  const b = new VectorBuilder(type, values.length);
  for (const v of values) b.append(v);
  return b.finish();
};

/** Spark's grouping equality for the reference: NaN = NaN, -0 = 0, null = null (as a key). */
const keyText = (v: unknown): string => (v === null ? "null" : typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "0" : Number.isNaN(v) ? "NaN" : JSON.stringify(v));

describe("GroupTable", () => {
  it("numbers groups in first-seen order as Spark groups keys: NaN = NaN, -0 = 0, nulls one group; probe finds them (property)", () => {
    const intArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1e9, -1e9, 2 ** 31 - 1));
    const longArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(2 ** 52), fc.bigInt({ min: 2n ** 60n, max: 2n ** 60n + 2n }));
    const doubleArb = fc.constantFrom(Number.NaN, -0, 0, 1.5, -1.5);
    const row = fc.tuple(fc.option(intArb, { nil: null }), fc.option(longArb, { nil: null }), fc.option(doubleArb, { nil: null }), fc.option(fc.boolean(), { nil: null }), fc.option(fc.constantFrom("a", "b", ""), { nil: null }));
    const types: DataType[] = [{ kind: "int" }, { kind: "long" }, { kind: "double" }, { kind: "boolean" }, { kind: "string" }];
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }), fc.array(row, { maxLength: 20 }), (rows, cols, probes) => {
        const keysOf = (rs: typeof rows): Vector[] => cols.map((c) => vector(types[c]!, rs.map((r) => r[c])));
        const table = new GroupTable(cols.map((c) => types[c]!));
        const gids = new Int32Array(rows.length);
        table.lookup(keysOf(rows), rows.length, gids);
        const want = new Map<string, number>();
        rows.forEach((r, i) => {
          const k = cols.map((c) => keyText(r[c])).join("|");
          if (!want.has(k)) want.set(k, want.size);
          assert.equal(gids[i], want.get(k), `row ${i}`);
        });
        assert.equal(table.size, want.size);
        // The kept keys, in group order.
        const keys = table.groupKeys();
        const kv = keys.slice(0, table.size);
        [...want.keys()].forEach((k, g) => assert.equal(cols.map((_, j) => keyText(valueAt(kv[j]!, g))).join("|"), k));
        // A slice of the groups (one output batch) holds those groups' keys.
        const from = Math.floor(table.size / 3), to = Math.max(from, table.size - 1);
        const part = keys.slice(from, to);
        [...want.keys()].slice(from, to).forEach((k, g) => assert.equal(cols.map((_, j) => keyText(valueAt(part[j]!, g))).join("|"), k, `group ${from + g}`));
        // Probing: null keys match only null-safe columns.
        const out = new Int32Array(probes.length);
        const nullSafe = cols.map((c) => c % 2 === 0);
        table.probe(keysOf(probes), probes.length, out, nullSafe);
        probes.forEach((r, i) => {
          const blocked = cols.some((c, j) => r[c] === null && !nullSafe[j]);
          assert.equal(out[i], blocked ? -1 : want.get(cols.map((c) => keyText(r[c])).join("|")) ?? -1, `probe ${i}`);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("with no key columns has one group, even over no rows", () => {
    const t = new GroupTable([]);
    t.lookup([], 0, new Int32Array(0));
    assert.equal(t.size, 1);
  });
});
