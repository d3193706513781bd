import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F, udf } from "../../src/index.js";
import { explainPhysical } from "../../src/physical/planner.js";

const spark = Session.builder().appName("reused-result").config("sluice.executor.threads", 1).create();

describe("an aggregation used twice in one plan", () => {
  it("is computed once and replayed (ReusedResult), with the answer of computing it twice", async () => {
    let calls = 0;
    const bucket = udf((x: number) => {
      calls++;
      return x % 7;
    }, "int", { name: "bucket" });
    const counts = spark.range(0, 1000).groupBy(bucket(col("id")).alias("b")).agg(F.count("*").alias("n"));
    const best = counts.agg(F.max("n").alias("top"));
    const df = counts.join(best, col("n").equalTo(col("top"))).select("b", "n");
    const plan = explainPhysical(spark.physicalPlan(df.plan));
    assert.match(plan, /ReusedResult \[b#\d+, n#\d+\] of HashAggregate/, plan);
    assert.equal((plan.match(/HashAggregate \(keys=\[bucket\(id\) AS b\]/g) ?? []).length, 1, plan);
    const rows = await df.orderBy("b").collect();
    assert.equal(calls, 1000, "the grouping udf ran once per input row, not twice");
    // 1000 = 142 * 7 + 6: buckets 0..5 have 143 rows, bucket 6 has 142.
    assert.deepEqual(rows, [0, 1, 2, 3, 4, 5].map((b) => ({ b, n: 143 })));
  });

  it("in SQL, a CTE referenced twice (analyzed twice, other column ids) is computed once", async () => {
    let calls = 0;
    spark.udf.register("bucket7", (x: number) => {
      calls++;
      return x % 7;
    }, "int");
    spark.range(0, 1000).createOrReplaceTempView("numbers");
    const df = spark.sql(`WITH counts AS (SELECT bucket7(id) AS b, count(*) AS n FROM numbers GROUP BY bucket7(id))
      SELECT c.b, c.n FROM counts c JOIN (SELECT max(n) AS top FROM counts) m ON c.n = m.top ORDER BY c.b`);
    const plan = explainPhysical(spark.physicalPlan(df.plan));
    assert.match(plan, /ReusedResult \[b#\d+, n#\d+\] of HashAggregate/, plan);
    const rows = await df.collect();
    assert.equal(calls, 1000, "the grouping udf ran once per input row, not twice");
    assert.deepEqual(rows, [0, 1, 2, 3, 4, 5].map((b) => ({ b, n: 143 })));
  });

  it("in SQL, a CTE with a non-deterministic expression is computed per reference (even with the same seed)", () => {
    spark.range(0, 100).createOrReplaceTempView("hundred");
    const df = spark.sql(`WITH r AS (SELECT h, count(*) AS n FROM (SELECT rand(7) > 0.5 AS h FROM hundred) GROUP BY h) SELECT * FROM r a JOIN r b ON a.h = b.h`);
    assert.doesNotMatch(explainPhysical(spark.physicalPlan(df.plan)), /ReusedResult/);
  });

  it("is not shared when it is non-deterministic", () => {
    const r = spark.range(0, 100).groupBy(F.rand(3).gt(0.5).alias("h")).count();
    const plan = explainPhysical(spark.physicalPlan(r.join(r.withColumnRenamed("count", "c2"), "h").plan));
    assert.doesNotMatch(plan, /ReusedResult/);
  });
});
