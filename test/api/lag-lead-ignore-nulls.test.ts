import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, Window, col, functions as F } from "../../src/index.js";

const spark = Session.builder().create();
const df = spark.createDataFrame(
  ([["a", 0, null], ["a", 1, "x"], ["b", 2, null], ["c", 3, null], ["a", 4, "y"], ["b", 5, null], ["a", 6, "z"], ["a", 7, "v"], ["a", 8, null]] as const).map(([key, order, value]) => ({ key, order, value })),
  "key STRING, order INT, value STRING",
);
df.withColumnRenamed("order", "o").createOrReplaceTempView("lagt");

// Spark's DataFrameWindowFunctionsSuite "lead/lag with ignoreNulls" (with SPARK-45430's offsets beyond the row count).
const expected = [
  ["a", 0, null, "x", null, null, "x", "y", "z", null, "xa", null, null, null, null, null, null, null, null],
  ["a", 1, "x", null, null, "x", "y", "z", "v", null, "ya", null, null, "x", null, null, null, null, null],
  ["b", 2, null, null, "y", null, "y", "z", "v", null, "ya", "x", null, null, "x", null, null, null, "xa"],
  ["c", 3, null, "y", null, null, "y", "z", "v", null, "ya", null, "x", null, "x", null, null, null, "xa"],
  ["a", 4, "y", null, "z", "y", "z", "v", null, null, "za", null, null, "y", "x", null, null, null, "xa"],
  ["b", 5, null, "z", "v", null, "z", "v", null, null, "za", "y", null, null, "y", "x", null, null, "ya"],
  ["a", 6, "z", "v", null, "z", "v", null, null, null, "va", null, "y", "z", "y", "x", null, null, "ya"],
  ["a", 7, "v", null, null, "v", null, null, null, null, null, "z", null, "v", "z", "y", "x", null, "za"],
  ["a", 8, null, null, null, null, null, null, null, null, null, "v", "z", null, "v", "z", "y", null, "va"],
];

test("lag/lead with ignoreNulls as a function argument: Spark's expected rows", async () => {
  const w = Window.orderBy("order");
  const v = col("value"), kv = F.concat(col("value"), col("key"));
  const rows = await df.select(
    col("key"), col("order"), v,
    F.lead(v, 1).over(w), F.lead(v, 2).over(w), F.lead(v, 0, null, true).over(w), F.lead(v, 1, null, true).over(w),
    F.lead(v, 2, null, true).over(w), F.lead(v, 3, null, true).over(w), F.lead(v, 100, null, true).over(w), F.lead(kv, 1, null, true).over(w),
    F.lag(v, 1).over(w), F.lag(v, 2).over(w), F.lag(v, 0, null, true).over(w), F.lag(v, 1, null, true).over(w),
    F.lag(v, 2, null, true).over(w), F.lag(v, 3, null, true).over(w), F.lag(v, -100, null, true).over(w), F.lag(kv, 1, null, true).over(w),
  ).orderBy("order").collect();
  assert.deepEqual(rows.map((r) => Object.values(r)), expected);
});

test("lag/lead ... IGNORE NULLS OVER (...) in SQL equals the argument form", async () => {
  const rows = await spark.sql(`SELECT key, o, value,
      lead(value) OVER w, lead(value, 2) OVER w, lead(value, 0) IGNORE NULLS OVER w, lead(value) IGNORE NULLS OVER w,
      lead(value, 2) IGNORE NULLS OVER w, lead(value, 3, NULL) IGNORE NULLS OVER w, lead(value, 100) IGNORE NULLS OVER w, lead(concat(value, key)) IGNORE NULLS OVER w,
      lag(value) OVER w, lag(value, 2) OVER w, lag(value, 0) IGNORE NULLS OVER w, lag(value, 1) IGNORE NULLS OVER (ORDER BY o),
      lag(value, 2, NULL, true) OVER w, lag(value, 3) IGNORE NULLS OVER w, lag(value, -100) IGNORE NULLS OVER w, lag(concat(value, key)) IGNORE NULLS OVER w
    FROM lagt WINDOW w AS (ORDER BY o) ORDER BY o`).collect();
  assert.deepEqual(rows.map((r) => Object.values(r)), expected);
});

test("IGNORE NULLS within partitions, with a default; the clause and the argument together are refused", async () => {
  const rows = await spark.sql("SELECT key, o, lag(value, 1, 'none') IGNORE NULLS OVER (PARTITION BY key ORDER BY o) AS p FROM lagt ORDER BY o").collect();
  assert.deepEqual(rows.map((r) => r.p), ["none", "none", "none", "none", "x", "none", "y", "z", "v"]);
  assert.throws(() => spark.sql("SELECT lag(value, 1, NULL, true) IGNORE NULLS OVER (ORDER BY o) FROM lagt"), /not both/);
});
