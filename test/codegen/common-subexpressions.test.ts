import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Column, Session, col, expr, functions as F, lit, udf } from "../../src/index.js";

const spark = Session.builder().config("sluice.executor.threads", 1).create();

/** A function that counts its calls (a deterministic UDF unless said otherwise). */
function counted(deterministic = true): { f: (c: Column) => Column; calls: () => number } {
  let calls = 0;
  const tick = udf(
    (x: number) => {
      calls++;
      return x * 10;
    },
    "bigint",
    { deterministic },
  );
  return { f: (c) => tick(c), calls: () => calls };
}

describe("subexpression elimination in generated loops", () => {
  it("computes a call that several outputs use once per row", async () => {
    const { f, calls } = counted();
    const rows = await spark.range(6).select(f(col("id")).plus(1).alias("a"), f(col("id")).multiply(2).alias("b"), f(col("id")).alias("c")).collect();
    assert.deepEqual(rows.map((r) => [r.a, r.b, r.c]), [0, 1, 2, 3, 4, 5].map((i) => [i * 10 + 1, i * 20, i * 10]));
    assert.equal(calls(), 6);
  });

  it("computes a call that the filter and the outputs use once per row, for every row", async () => {
    const { f, calls } = counted();
    const rows = await spark.range(6).filter(f(col("id")).gt(20)).select(f(col("id")).plus(1).alias("a")).collect();
    assert.deepEqual(rows.map((r) => r.a), [31, 41, 51]);
    assert.equal(calls(), 6);
  });

  it("splits a string once for several of its parts (Nexmark q22), with nulls and short arrays", async () => {
    const df = spark.createDataFrame([{ url: "https://h/a/b/c" }, { url: null }, { url: "https://h/a" }], "url string");
    const parts = F.split(col("url"), "/");
    const rows = await df.select(parts.getItem(3).alias("d1"), parts.getItem(4).alias("d2"), parts.getItem(5).alias("d3")).collect();
    assert.deepEqual(rows, [{ d1: "a", d2: "b", d3: "c" }, { d1: null, d2: null, d3: null }, { d1: "a", d2: null, d3: null }]);
  });

  it("computes a call in CASE branches only for the rows whose branch takes it", async () => {
    const { f, calls } = counted();
    const big = col("id").gt(3);
    const rows = await spark.range(6).select(F.when(big, f(col("id"))).alias("a"), F.when(big, f(col("id")).plus(1)).alias("b")).collect();
    assert.deepEqual(rows.map((r) => [r.a, r.b]), [[null, null], [null, null], [null, null], [null, null], [40, 41], [50, 51]]);
    assert.equal(calls(), 4, "two rows take the branches, in two outputs");
  });

  it("never computes ahead what a row would skip: no division by zero from a guarded branch", async () => {
    const ansi = Session.builder().config("sluice.executor.threads", 1).config("sluice.sql.ansi.enabled", true).create();
    const df = ansi.createDataFrame([{ a: 6, b: 0 }, { a: 6, b: 3 }], "a int, b int");
    const safe = F.when(col("b").eqNullSafe(0), lit(-1)).otherwise(col("a").divide(col("b")));
    const rows = await df.select(safe.alias("x"), safe.plus(1).alias("y")).collect();
    assert.deepEqual(rows, [{ x: -1, y: 0 }, { x: 2, y: 3 }]);
  });

  it("computes a non-deterministic call at each place it is written", async () => {
    const { f, calls } = counted(false);
    await spark.range(5).select(f(col("id")).alias("a"), f(col("id")).alias("b")).collect();
    assert.equal(calls(), 10);
    const ids = await spark.range(50).select(expr("uuid()").alias("u"), expr("uuid()").alias("v")).collect();
    assert.ok(ids.every((r) => r.u !== r.v));
  });
});
