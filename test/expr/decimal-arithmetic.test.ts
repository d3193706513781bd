import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Session } from "../../src/index.js";

// Decimal +, - and * run on doubles while the unscaled values and the result stay safe integers,
// and on bigints otherwise; both must give the exact result Spark defines: the product or sum at
// full scale, rounded HALF_UP to the result type's scale, NULL when it overflows the precision.

const spark = Session.builder().appName("decimal-arithmetic").config("sluice.executor.threads", 1).create();

/** An unscaled value as decimal text at `scale`. */
const text = (u: bigint, scale: number): string => {
  const neg = u < 0n;
  const digits = (neg ? -u : u).toString().padStart(scale + 1, "0");
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${body}` : body;
};

const halfUp = (x: bigint, d: bigint): bigint => {
  const m = x < 0n ? -x : x;
  let q = m / d;
  if ((m % d) * 2n >= d) q += 1n;
  return x < 0n ? -q : q;
};

/** The exact answer at the result type (p, s): null when it does not fit. */
function reference(op: string, a: bigint, s1: number, b: bigint, s2: number, p: number, s: number): bigint | null {
  let exact: bigint, scale: number;
  if (op === "*") {
    exact = a * b;
    scale = s1 + s2;
  } else {
    scale = Math.max(s1, s2);
    const x = a * 10n ** BigInt(scale - s1), y = b * 10n ** BigInt(scale - s2);
    exact = op === "+" ? x + y : x - y;
  }
  const r = s >= scale ? exact * 10n ** BigInt(s - scale) : halfUp(exact, 10n ** BigInt(scale - s));
  const lim = 10n ** BigInt(p);
  return r >= lim || r <= -lim ? null : r;
}

const operand = fc
  .record({ p: fc.integer({ min: 1, max: 24 }), sFrac: fc.double({ min: 0, max: 1, noNaN: true }), mag: fc.integer({ min: 0, max: 24 }), neg: fc.boolean(), seed: fc.bigInt({ min: 0n, max: 10n ** 24n }) })
  .map(({ p, sFrac, mag, neg, seed }) => {
    const s = Math.min(p - 1, Math.floor(sFrac * p));
    const digits = Math.min(p, mag);
    const u = digits === 0 ? 0n : seed % 10n ** BigInt(digits);
    return { p, s, u: neg ? -u : u };
  });

test("decimal +, - and * equal exact bigint arithmetic (rounding HALF_UP, NULL on overflow), small and large values", async () => {
  await fc.assert(
    fc.asyncProperty(operand, operand, fc.constantFrom("+", "-", "*"), async (x, y, op) => {
      const df = spark.createDataFrame([{ a: text(x.u, x.s), b: text(y.u, y.s) }], `a DECIMAL(${x.p},${x.s}), b DECIMAL(${y.p},${y.s})`).selectExpr(`a ${op} b AS r`);
      const m = /^decimal\((\d+),(\d+)\)$/.exec(df.dtypes[0]![1])!;
      const p = Number(m[1]), s = Number(m[2]);
      const got = (await df.selectExpr("CAST(r AS STRING) AS t").collect())[0]!["t"] as string | null;
      const want = reference(op, x.u, x.s, y.u, y.s, p, s);
      assert.equal(got === null ? null : BigInt(got.replace(".", "")), want, `${text(x.u, x.s)} ${op} ${text(y.u, y.s)} as decimal(${p},${s})`);
    }),
    { numRuns: 300 },
  );
});

test("a sum whose result scale is below an operand's rounds the exact sum, not each operand (found by the property above)", async () => {
  const rows = await spark.sql("SELECT CAST(a + b AS STRING) AS s, CAST(a - c AS STRING) AS d FROM VALUES (CAST('0.00000000000005' AS DECIMAL(15,14)), CAST(-1 AS DECIMAL(24,0)), CAST(1 AS DECIMAL(24,0))) AS t(a, b, c)").collect();
  // decimal(15,14) ± decimal(24,0) is decimal(38,13): -0.99999999999995 rounds HALF_UP to -1 (rounding 0.00000000000005 first gave -0.9999999999999).
  assert.deepEqual(rows, [{ s: "-1.0000000000000", d: "-1.0000000000000" }]);
});

test("a product past 38 digits of precision rounds HALF_UP to the reduced scale, also for small values", async () => {
  const product = async (a: string, b: string): Promise<unknown> =>
    (await spark.createDataFrame([{ a, b }], "a DECIMAL(20,10), b DECIMAL(20,10)").selectExpr("CAST(a * b AS STRING) AS t").collect())[0]!["t"];
  // decimal(20,10) * decimal(20,10) is decimal(38,17): the exact product has scale 20.
  assert.equal(await product("0.0000000009", "0.0000000095"), "0.00000000000000001"); // 0.855e-17
  assert.equal(await product("-0.0000000009", "0.0000000095"), "-0.00000000000000001");
  assert.equal(await product("0.0000000005", "0.0000000100"), "0.00000000000000001"); // exactly half
  assert.equal(await product("0.0000000004", "0.0000000100"), "0.00000000000000000");
  assert.equal(await product("1.5000000000", "2.0000000001"), "3.00000000015000000");
});

test("Nexmark's currency conversion stays exact on the fast path: 0.908 * price", async () => {
  const rows = await spark.sql("SELECT CAST(0.908 * price AS STRING) AS e FROM VALUES (CAST(1 AS BIGINT)), (CAST(12345678 AS BIGINT)), (CAST(-3 AS BIGINT)), (CAST(0 AS BIGINT)) AS t(price)").collect();
  assert.deepEqual(rows.map((r) => r["e"]), ["0.908", "11209875.624", "-2.724", "0.000"]);
});

test("a long cast to DECIMAL(20,0) and multiplied stays exact past 2^53 (bigint longs, products beyond the double fast path)", async () => {
  const prices = [9_007_199_254n, 9_999_999_999_999n, 10_000_000_000_000n, -9_920_000_000_000n, 9_007_199_254_740_993n, -9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n];
  const rows = await spark.sql(`SELECT CAST(0.908 * price AS STRING) AS e, CAST(CAST(price AS DECIMAL(20,0)) AS STRING) AS d FROM VALUES ${prices.map((p) => `(CAST(${p} AS BIGINT))`).join(", ")} AS t(price)`).collect();
  assert.deepEqual(rows.map((r) => r["d"]), prices.map((p) => p.toString()));
  assert.deepEqual(rows.map((r) => r["e"]), prices.map((p) => text(p * 908n, 3)));
});
