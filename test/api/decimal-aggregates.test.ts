import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col, session_window } from "../../src/index.js";

// Aggregates over DECIMAL keep decimal arithmetic: avg(decimal(p,s)) is decimal(p+4, s+4), exact.
test("avg and sum of decimals are exact, in the result type Spark gives", async () => {
  const spark = Session.builder().create();
  spark.createDataFrame([{ x: true }, { x: false }, { x: true }], "x BOOLEAN").createOrReplaceTempView("dec_t");
  const df = spark.sql("SELECT avg(CASE WHEN x THEN 1.0 ELSE 0.0 END) AS a, avg(CAST(1.25 AS DECIMAL(5,2))) AS b, sum(CASE WHEN x THEN 1.5 ELSE 0.0 END) AS s FROM dec_t");
  assert.deepEqual(df.dtypes, [["a", "decimal(6,5)"], ["b", "decimal(9,6)"], ["s", "decimal(12,1)"]]);
  assert.deepEqual(await df.collect(), [{ a: 0.66667, b: 1.25, s: 3 }]);
});

test("decimal avg in a window and in a streaming aggregation", async () => {
  const spark = Session.builder().create();
  const rows = await spark.sql("SELECT k, avg(v) OVER (PARTITION BY k) AS a FROM VALUES ('a', 1.5), ('a', 2.5), ('b', 0.1) AS t(k, v) ORDER BY k").collect();
  assert.deepEqual(rows, [{ k: "a", a: 2 }, { k: "a", a: 2 }, { k: "b", a: 0.1 }]);
  const input = spark.memoryStream("k STRING, v DECIMAL(4,2)");
  const q = await input.toDF().groupBy("k").agg({ v: "avg" }).writeStream.outputMode("complete").format("memory").queryName("dec_avg").start();
  input.addData([{ k: "a", v: "1.25" }, { k: "a", v: "2.75" }]);
  await q.processAllAvailable();
  assert.deepEqual(await spark.table("dec_avg").collect(), [{ k: "a", "avg(v)": 2 }]);
  await q.stop();
});

test("decimal avg in a streaming session window", async () => {
  const spark = Session.builder().create();
  const input = spark.memoryStream("user STRING, ts TIMESTAMP, v DECIMAL(4,2)");
  const q = await input
    .toDF()
    .withWatermark("ts", "1 minute")
    .groupBy(session_window(col("ts"), "5 minutes"), col("user"))
    .agg({ v: "avg" })
    .writeStream.outputMode("complete").format("memory").queryName("dec_sessions")
    .start();
  input.addData([
    { user: "u", ts: new Date("2026-01-01T12:00:00Z"), v: "1.25" },
    { user: "u", ts: new Date("2026-01-01T12:02:00Z"), v: "2.75" },
  ]);
  await q.processAllAvailable();
  const rows = await spark.sql("SELECT user, `avg(v)` AS a FROM dec_sessions").collect();
  assert.deepEqual(rows, [{ user: "u", a: 2 }]);
  await q.stop();
});
