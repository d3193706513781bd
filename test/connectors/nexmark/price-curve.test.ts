import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { priceAt } from "../../../src/connectors/nexmark/price-curve.js";

const viaPow = (x: number): number => Math.round(Math.pow(10, x) * 100);
/** x as the generator draws it: a 32-bit uniform k / 2^32, times 6. */
const draw = (k: number): number => (k / 4294967296) * 6;

void test("a price equals Math.round(10^x * 100) by Math.pow, for the generator's draws", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (k) => priceAt(draw(k)) === viaPow(draw(k))), { numRuns: 20_000 });
  for (let k = 0; k < 2 ** 32; k += 2003) assert.equal(priceAt(draw(k)), viaPow(draw(k)), `draw ${k}`);
  assert.deepEqual([priceAt(0), priceAt(6)], [100, 100_000_000]);
});

void test("a price within a hair of a half cent rounds as Math.pow rounds it", () => {
  // x where 10^x * 100 lands on m + 0.5 give or take an ulp: the cases an approximation alone gets wrong.
  let checked = 0;
  for (let m = 100; m < 100_000_000; m = Math.ceil(m * 1.0007)) {
    const x = Math.log10((m + 0.5) / 100);
    for (const near of [x, x - 2 ** -52 * x, x + 2 ** -52 * x]) {
      assert.equal(priceAt(near), viaPow(near), `x ${near} (half cent above ${m})`);
      checked++;
    }
  }
  assert.ok(checked > 20_000);
});
