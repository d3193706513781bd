import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col, functions as F } from "../../src/index.js";

const spark = Session.builder().create();
const d = spark.createDataFrame(
  [{ g: "a", x: 1.0, i: 0 }, { g: "a", x: NaN, i: 1 }, { g: "b", x: null, i: 2 }, { g: "b", x: -1.5, i: 3 }, { g: "a", x: 1.0, i: 4 }, { g: "c", x: 3, i: 5 }],
  "g STRING, x DOUBLE, i INT",
);
d.createOrReplaceTempView("sort_d");
const xs = async (q: string): Promise<unknown[]> => (await spark.sql(q).collect()).map((r) => r.x);

test("ascending puts nulls first and NaN after every number; descending reverses both", async () => {
  assert.deepEqual(await xs("SELECT x FROM sort_d ORDER BY x"), [null, -1.5, 1, 1, 3, NaN]);
  assert.deepEqual(await xs("SELECT x FROM sort_d ORDER BY x DESC"), [NaN, 3, 1, 1, -1.5, null]);
  assert.deepEqual(await xs("SELECT x FROM sort_d ORDER BY x ASC NULLS LAST"), [-1.5, 1, 1, 3, NaN, null]);
  assert.deepEqual(await xs("SELECT x FROM sort_d ORDER BY x DESC NULLS FIRST"), [null, NaN, 3, 1, 1, -1.5]);
  const api = await d.orderBy(col("x").desc()).collect();
  assert.deepEqual(api.map((r) => r.x), [NaN, 3, 1, 1, -1.5, null]);
  const apiNullsLast = await d.orderBy(col("x").asc_nulls_last()).collect();
  assert.equal(apiNullsLast[5]!.x, null);
});

test("multi-key sorts are stable: ties keep input order", async () => {
  const rows = await d.orderBy(col("g").desc(), "x").select("g", "i").collect();
  assert.deepEqual(rows, [{ g: "c", i: 5 }, { g: "b", i: 2 }, { g: "b", i: 3 }, { g: "a", i: 0 }, { g: "a", i: 4 }, { g: "a", i: 1 }]);
  const byGroupOnly = await d.orderBy("g").select("i").collect();
  assert.deepEqual(byGroupOnly.map((r) => r.i), [0, 1, 4, 2, 3, 5]);
});

test("ORDER BY a column that is not selected", async () => {
  const rows = await spark.sql("SELECT g FROM sort_d ORDER BY i DESC").collect();
  assert.deepEqual(rows.map((r) => r.g), ["c", "a", "b", "b", "a", "a"]);
  assert.deepEqual(spark.sql("SELECT g FROM sort_d ORDER BY i DESC").columns, ["g"]);
  const api = await d.select("g").orderBy(col("i").desc()).collect();
  assert.deepEqual(api.map((r) => r.g), ["c", "a", "b", "b", "a", "a"]);
});

test("LIMIT and OFFSET after ORDER BY", async () => {
  assert.deepEqual(await spark.sql("SELECT i FROM sort_d ORDER BY i LIMIT 2").collect(), [{ i: 0 }, { i: 1 }]);
  assert.deepEqual(await spark.sql("SELECT i FROM sort_d ORDER BY i DESC LIMIT 3 OFFSET 1").collect(), [{ i: 4 }, { i: 3 }, { i: 2 }]);
  assert.deepEqual(await spark.sql("SELECT i FROM sort_d ORDER BY i LIMIT 0").collect(), []);
  assert.deepEqual(await d.orderBy("i").offset(4).collect().then((r) => r.map((x) => x.i)), [4, 5]);
});

test("a sort spilled to disk under a tiny memory limit gives the in-memory answer", async () => {
  const s = Session.builder().create();
  const big = s.range(0, 4000).select(col("id"), F.expr("(id * 7919) % 997 AS k"), F.expr("CASE WHEN id % 11 = 0 THEN NULL ELSE CAST(id % 13 AS STRING) END AS t"));
  const q = big.orderBy(col("k").desc(), col("t").asc_nulls_last(), "id");
  const inMemory = await q.collect();
  s.conf.set("sluice.sql.execution.memoryLimitBytes", 4096);
  s.conf.set("sluice.sql.execution.batchSize", 128);
  const spilled = await q.collect();
  assert.equal(spilled.length, 4000);
  assert.deepEqual(spilled, inMemory);
  // And the order itself is right (not just equal between the two paths).
  for (let r = 1; r < spilled.length; r++) {
    const a = spilled[r - 1]!, b = spilled[r]!;
    assert.ok((a.k as number) >= (b.k as number), `row ${r} k descending`);
  }
  const limited = await big.orderBy("k", "id").limit(5).collect();
  assert.deepEqual(limited.map((r) => r.k), [0, 0, 0, 0, 0]);
});
