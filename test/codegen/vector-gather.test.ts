// takeVector and concatVectors copy typed storage directly; they must agree with the
// value-by-value path (VectorBuilder) on random vectors with nulls, for every storage kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Vector, VectorBuilder, concatVectors, isNullAt, takeVector, valueAt } from "../../src/batch/vector.js";
import { BooleanType, type DataType, DoubleType, FloatType, IntegerType, LongType, ShortType, StringType, TimestampType } from "../../src/types/data-type.js";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gens: [DataType, (r: () => number) => unknown][] = [
  [IntegerType, (r) => Math.floor(r() * 2000) - 1000],
  [ShortType, (r) => Math.floor(r() * 200) - 100],
  [DoubleType, (r) => (r() < 0.1 ? NaN : r() * 10)],
  [FloatType, (r) => Math.fround(r())],
  [BooleanType, (r) => r() < 0.5],
  [StringType, (r) => String(Math.floor(r() * 10))],
  [TimestampType, (r) => Math.floor(r() * 1e12)],
  [LongType, (r) => Math.floor(r() * 1e9)],
  [LongType, (r) => (r() < 0.3 ? 9007199254740993n : Math.floor(r() * 1e9))],
];

function randomVector(t: DataType, gen: (r: () => number) => unknown, r: () => number, n: number, nullRate: number): Vector {
  const b = new VectorBuilder(t, n);
  for (let i = 0; i < n; i++) b.append(r() < nullRate ? null : gen(r));
  return b.finish();
}

function values(v: Vector): unknown[] {
  return Array.from({ length: v.length }, (_, i) => (isNullAt(v, i) ? null : valueAt(v, i)));
}

for (const [t, gen] of gens) {
  test(`takeVector / concatVectors agree with value-by-value copies: ${t.kind}`, () => {
    const r = rng(t.kind.length * 7 + 1);
    for (const nullRate of [0, 0.2]) {
      const v = randomVector(t, gen, r, 300, nullRate);
      const idx = Int32Array.from({ length: 500 }, () => Math.floor(r() * 300));
      const taken = takeVector(v, idx);
      assert.deepStrictEqual(values(taken), Array.from(idx, (i) => values(v)[i]));
      assert.equal(taken.nulls === null, values(taken).every((x) => x !== null));
      const parts = [v, randomVector(t, gen, r, 50, nullRate), randomVector(t, gen, r, 0, 0), randomVector(t, gen, r, 70, 0)];
      const cat = concatVectors(t, parts);
      assert.deepStrictEqual(values(cat), parts.flatMap(values));
    }
  });
}
