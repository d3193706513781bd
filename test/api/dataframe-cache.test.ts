import assert from "node:assert/strict";
import { test } from "node:test";
import { type DataFrame, Session, col, udf } from "../../src/index.js";

const spark = Session.builder().create();

/** A DataFrame whose every computation is counted (a UDF called once per row). */
function counted(n: number): { df: DataFrame; calls: () => number } {
  let calls = 0;
  const tick = udf((x: number) => {
    calls++;
    return x * 10;
  }, "bigint");
  const df = spark.range(n).select(col("id"), tick(col("id")).alias("v"));
  return { df, calls: () => calls };
}

test("cache() returns the same DataFrame and runs nothing until the first action", async () => {
  const { df, calls } = counted(5);
  assert.equal(df.cache(), df);
  assert.equal(df.isCached, true);
  assert.equal(df.storageLevel, "MEMORY_AND_DISK");
  assert.equal(calls(), 0);
  assert.equal(await df.count(), 5);
  assert.equal(calls(), 5);
  assert.equal(await df.count(), 5);
  assert.deepEqual((await df.collect()).map((r) => r.v), [0, 10, 20, 30, 40]);
  assert.equal(calls(), 5, "later actions read the kept rows");
});

test("DataFrames, temp views and SQL built on a cached DataFrame reuse its rows", async () => {
  const { df, calls } = counted(4);
  df.persist("MEMORY_ONLY");
  assert.equal(df.storageLevel, "MEMORY_ONLY");
  assert.deepEqual(await df.filter(col("id").gt(1)).select("v").collect(), [{ v: 20 }, { v: 30 }]);
  assert.equal(calls(), 4);
  df.createOrReplaceTempView("cached_v");
  assert.deepEqual(await spark.sql("SELECT sum(v) AS s FROM cached_v").collect(), [{ s: 60 }]);
  assert.deepEqual(await spark.table("cached_v").join(df.select(col("id").alias("k")), col("id").equalTo(col("k"))).count(), 4);
  assert.equal(calls(), 4);
  assert.equal(spark.catalog.isCached("cached_v"), true);
});

test("actions running at the same time compute the rows once", async () => {
  const { df, calls } = counted(3);
  df.cache();
  const [a, b] = await Promise.all([df.count(), df.collect()]);
  assert.equal(a, 3);
  assert.equal(b.length, 3);
  assert.equal(calls(), 3);
});

test("unpersist() forgets the rows; without cache every action recomputes", async () => {
  const { df, calls } = counted(2);
  await df.count();
  await df.count();
  assert.equal(calls(), 4);
  df.cache();
  await df.count();
  await df.count();
  assert.equal(calls(), 6);
  assert.equal(df.unpersist(), df);
  assert.equal(df.isCached, false);
  assert.equal(df.storageLevel, "NONE");
  await df.count();
  assert.equal(calls(), 8);
});

test("spark.catalog cacheTable / isCached / uncacheTable / clearCache and CACHE TABLE / UNCACHE TABLE", async () => {
  const { df, calls } = counted(3);
  df.createOrReplaceTempView("cat_v");
  assert.equal(spark.catalog.isCached("cat_v"), false);
  spark.catalog.cacheTable("cat_v");
  assert.equal(spark.catalog.isCached("cat_v"), true);
  await spark.sql("SELECT * FROM cat_v").count();
  await spark.sql("SELECT max(v) FROM cat_v").collect();
  assert.equal(calls(), 3);
  spark.catalog.uncacheTable("cat_v");
  assert.equal(spark.catalog.isCached("cat_v"), false);
  spark.sql("CACHE TABLE cat_v");
  assert.equal(spark.catalog.isCached("cat_v"), true);
  spark.sql("UNCACHE TABLE cat_v");
  spark.sql("UNCACHE TABLE IF EXISTS no_such_view");
  assert.equal(spark.catalog.isCached("cat_v"), false);
  spark.sql("CACHE LAZY TABLE cat_v2 AS SELECT id FROM cat_v WHERE id > 0");
  assert.equal(spark.catalog.isCached("cat_v2"), true);
  assert.deepEqual(await spark.sql("SELECT * FROM cat_v2").collect(), [{ id: 1 }, { id: 2 }]);
  spark.catalog.clearCache();
  assert.equal(spark.catalog.isCached("cat_v2"), false);
  assert.throws(() => spark.catalog.isCached("missing"), /TABLE_OR_VIEW_NOT_FOUND/);
});

test("cache() on a streaming DataFrame is refused", () => {
  const stream = spark.memoryStream("x INT").toDF();
  assert.throws(() => stream.cache(), /writeStream.start\(\)/);
});

test("explain shows a cached DataFrame as the InMemoryRelation it is read from (and computes nothing)", () => {
  const { df, calls } = counted(3);
  df.cache();
  assert.match(df.groupBy().count().explainString("extended"), /== Optimized Logical Plan ==[\s\S]*LocalRelation \[[^\]]*\] InMemoryRelation/);
  assert.equal(calls(), 0);
});
