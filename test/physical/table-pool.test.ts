// Aggregation tables' arrays go back to a per-thread pool when an aggregation is done, and the
// next aggregation of the thread gets them with the last one's values still in them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F } from "../../src/index.js";
import { tablePool } from "../../src/physical/aggregate/table-pool.js";

const spark = Session.builder().appName("table-pool-test").create();
spark.conf.set("sluice.executor.threads", 1);

/** Rows (k, v) for k in [0, groups), v = sign * (k * 7 + i) for the i-th row of each group. */
function rows(groups: number, perGroup: number, sign: number): { k: number; v: number }[] {
  const out: { k: number; v: number }[] = [];
  for (let i = 0; i < perGroup; i++) for (let k = 0; k < groups; k++) out.push({ k, v: sign * (k * 7 + i) || 0 });
  return out;
}

function expected(data: readonly { k: number; v: number }[]): Map<number, [number, number, number, number]> {
  const m = new Map<number, [number, number, number, number]>();
  for (const { k, v } of data) {
    const e = m.get(k);
    if (!e) m.set(k, [1, v, v, v]);
    else m.set(k, [e[0] + 1, e[1] + v, Math.max(e[2], v), Math.min(e[3], v)]);
  }
  return m;
}

async function aggregate(data: readonly { k: number; v: number }[]): Promise<Map<number, [number, number, number, number]>> {
  const df = spark.createDataFrame(data, "k INT, v INT").groupBy(col("k"), (col("k").mod(3)).alias("m")).agg(F.count("*").alias("n"), F.sum("v").alias("s"), F.max("v").alias("hi"), F.min("v").alias("lo"));
  const out = new Map<number, [number, number, number, number]>();
  for (const r of await df.collect()) out.set(r.k as number, [Number(r.n), Number(r.s), r.hi as number, r.lo as number]);
  return out;
}

void describe("aggregation table pool", () => {
  void it("hands back an array given back, by length, and keeps no small arrays or views", () => {
    tablePool.clear();
    const a = tablePool.int32(1 << 16);
    tablePool.giveBack(a);
    assert.equal(tablePool.pooledBytes, a.byteLength);
    assert.equal(tablePool.int32(1 << 16), a);
    assert.notEqual(tablePool.int32(1 << 16), a);
    tablePool.giveBack(new Float64Array(16));
    tablePool.giveBack(new Int32Array(1 << 17).subarray(0, 1 << 16));
    assert.equal(tablePool.pooledBytes, 0);
  });

  void it("keeps bytes and arrays of a few kilobytes (a window's slot table) too", () => {
    tablePool.clear();
    const marks = tablePool.uint8(1 << 14), slots = tablePool.int32(2048);
    tablePool.giveBack(marks);
    tablePool.giveBack(slots);
    assert.equal(tablePool.pooledBytes, marks.byteLength + slots.byteLength);
    assert.equal(tablePool.uint8(1 << 14), marks);
    assert.equal(tablePool.int32(2048), slots);
    tablePool.giveBack(new Uint8Array(1024));
    assert.equal(tablePool.pooledBytes, 0, "1 KB is not kept");
  });

  void it("a long past 2^53 marks its group in a pooled array; the next aggregation starts unmarked", async () => {
    tablePool.clear();
    const top = 2n ** 60n;
    const huge = Array.from({ length: 12_000 }, (_, i) => ({ k: i % 6000, v: (i % 6000) % 2 === 0 && i >= 6000 ? top + BigInt(i) : BigInt(i) }));
    const first = await spark.createDataFrame(huge, "k INT, v BIGINT").groupBy("k").agg(F.max("v").alias("hi"), F.sum("v").alias("s")).collect();
    assert.equal(first.length, 6000);
    for (const r of first) {
      const k = r.k as number;
      assert.equal(BigInt(r.hi as number | bigint), k % 2 === 0 ? top + BigInt(k + 6000) : BigInt(k + 6000), `k = ${k}`);
    }
    assert.ok(tablePool.pooledBytes > 0);
    // Small values in the same groups: a mark left from the first run would send them to its bigints.
    const small = Array.from({ length: 12_000 }, (_, i) => ({ k: i % 6000, v: BigInt(i % 5) }));
    const second = await spark.createDataFrame(small, "k INT, v BIGINT").groupBy("k").agg(F.max("v").alias("hi"), F.sum("v").alias("s")).collect();
    for (const r of second) {
      const k = r.k as number;
      assert.deepEqual([Number(r.hi), Number(r.s)], [Math.max(k % 5, (k + 6000) % 5), (k % 5) + ((k + 6000) % 5)], `k = ${k}`);
    }
  });

  void it("an aggregation after another on the thread gets the same answer from arrays with stale values", async () => {
    tablePool.clear();
    // Large enough for pooled tables (two keys: a tuple table; sums, maxima and minima).
    const first = rows(40_000, 3, 1), second = rows(25_000, 2, -1);
    assert.deepEqual(await aggregate(first), expected(first));
    assert.ok(tablePool.pooledBytes > 0, "the first aggregation gave its tables back");
    // Negative values: a max accumulator that kept the first run's values would be wrong.
    assert.deepEqual(await aggregate(second), expected(second));
    assert.deepEqual(await aggregate(first), expected(first));
  });
});
