import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { type DataFrame, Session, broadcast, col, expr, functions as F, window } from "../../src/index.js";
import { explainPhysical } from "../../src/physical/planner.js";

const spark = Session.builder().appName("eager-aggregation").config("sluice.executor.threads", 1).create();
after(() => spark.stop());

const physical = (df: DataFrame): string => explainPhysical(df.session.physicalPlan(df.plan));
const canon = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort();

/** The aggregation pushed below the join runs before it: a HashAggregate under the join. */
const eager = (plan: string): boolean => /Join[^\n]*\n(\s*\+- )+HashAggregate/.test(plan);

/** Rows of `build(true)` (small side hinted: eager) and `build(false)` (no hint, nothing broadcast: as written) must be equal. */
async function sameWithAndWithout(build: (hint: boolean) => DataFrame, expectEager: boolean): Promise<Record<string, unknown>[]> {
  const hinted = build(true);
  assert.equal(eager(physical(hinted)), expectEager, physical(hinted));
  const got = await hinted.collect();
  spark.conf.set("sluice.sql.autoBroadcastJoinThreshold", -1);
  try {
    const plain = build(false);
    assert.ok(!eager(physical(plain)), physical(plain));
    assert.deepEqual(canon(got), canon(await plain.collect()));
  } finally {
    spark.conf.set("sluice.sql.autoBroadcastJoinThreshold", 10 * 1024 * 1024);
  }
  return got;
}

type Fact = { k: number | null; g: number | null; v: number | null };
type Dim = { k: number | null; name: string | null };

function tables(facts: readonly Fact[], dims: readonly Dim[]) {
  return { fact: spark.createDataFrame(facts, "k INT, g INT, v INT"), dim: spark.createDataFrame(dims, "k INT, name STRING").withColumnRenamed("k", "dk") };
}

describe("eager aggregation: an aggregation over a join with a small side is first aggregated on the large side", () => {
  it("under ANSI, a large-side partial sum past BIGINT whose total comes back is the exact total, as without eager aggregation", async () => {
    // Join key 0's rows add 2^62 three times (its partial: 3 x 2^62, past BIGINT), key 1's take it
    // away again; both keys join the name "a", whose sum is 3.
    const big = "4611686018427387904";
    const facts = spark.sql(`SELECT CASE WHEN id < 3 THEN 0 ELSE 1 END AS k, CASE WHEN id < 3 THEN CAST('${big}' AS BIGINT) ELSE CAST('-${big}' AS BIGINT) + 1 END AS v FROM range(6)`);
    const dims = spark.createDataFrame([{ k: 0, name: "a" }, { k: 1, name: "a" }], "k INT, name STRING").withColumnRenamed("k", "dk");
    spark.conf.set("spark.sql.ansi.enabled", true);
    try {
      const rows = await sameWithAndWithout((hint) => facts.join(hint ? broadcast(dims) : dims, col("k").eq(col("dk"))).groupBy("name").agg(F.sum("v").alias("s")), true);
      assert.deepEqual(canon(rows), canon([{ name: "a", s: 3 }]));
    } finally {
      spark.conf.set("spark.sql.ansi.enabled", false);
    }
  });

  it("counts, sums, min and max per small-side column and large-side expression, with duplicate and null keys on both sides", async () => {
    const facts = Array.from({ length: 3000 }, (_, i) => ({ k: i % 17 === 0 ? null : i % 13, g: i % 4, v: i % 29 === 0 ? null : (i * 7) % 101 }));
    const dims = [...Array.from({ length: 12 }, (_, i) => ({ k: i, name: `n${i % 5}` })), { k: 3, name: "dup" }, { k: null, name: "nullkey" }];
    const rows = await sameWithAndWithout((hint) => {
      const { fact, dim } = tables(facts, dims);
      return fact.join(hint ? broadcast(dim) : dim, col("k").eq(col("dk")))
        .groupBy(col("name"), expr("g * 10").alias("g10"))
        .agg(F.count("*").alias("n"), F.count("v").alias("nv"), F.sum("v").alias("s"), F.min("v").alias("lo"), F.max("v").alias("hi"), expr("count(*) + max(v)").alias("mix"));
    }, true);
    assert.ok(rows.some((r) => r.name === "dup"), "the duplicated dimension key contributes its own rows");
  });

  it("keeps the names and ids of grouping expressions given as aliased outputs (SQL)", async () => {
    const facts = Array.from({ length: 800 }, (_, i) => ({ k: i % 11, g: i % 6, v: i % 17 }));
    const dims = Array.from({ length: 11 }, (_, i) => ({ k: i, name: `n${i % 3}` }));
    const rows = await sameWithAndWithout((hint) => {
      const { fact, dim } = tables(facts, dims);
      fact.createOrReplaceTempView("fact");
      dim.createOrReplaceTempView("dim");
      return spark.sql(`SELECT ${hint ? "/*+ BROADCAST(dim) */ " : ""}g * 10 AS g10, upper(name) AS uname, count(*) AS n, max(v) AS hi FROM fact JOIN dim ON k = dk GROUP BY g * 10, upper(name)`);
    }, true);
    assert.deepEqual(Object.keys(rows[0]!), ["g10", "uname", "n", "hi"]);
  });

  it("a time window of the large side is grouped by its index before the join (null and pre-1970 times, a start offset)", async () => {
    const events = Array.from({ length: 2000 }, (_, i) => ({ k: i % 7, ts: i % 53 === 0 ? null : new Date(Date.UTC(1969, 11, 31, 23, 59, 0) + i * 731), v: i % 5 }));
    const dims = Array.from({ length: 7 }, (_, i) => ({ k: i, name: `n${i % 3}` }));
    const specs: [string, string | undefined, string | undefined][] = [["10 seconds", undefined, undefined], ["10 seconds", "10 seconds", "3 seconds"], ["7 seconds", "7 seconds", "-2 seconds"]];
    for (const [duration, slide, start] of specs) {
      const rows = await sameWithAndWithout((hint) => {
        const ev = spark.createDataFrame(events, "k INT, ts TIMESTAMP, v INT");
        const dim = spark.createDataFrame(dims, "k INT, name STRING").withColumnRenamed("k", "dk");
        return ev.join(hint ? broadcast(dim) : dim, col("k").eq(col("dk"))).groupBy(col("name"), window(col("ts"), duration, slide, start)).agg(F.count("*").alias("n"), F.max("v").alias("hi"));
      }, true);
      // Every 53rd event has no time: as in Spark, it belongs to no window.
      assert.ok(!rows.some((r) => r.window === null), "rows without a time are in no window");
      assert.ok(rows.some((r) => r.window !== null && (r.window as { start: Date }).start.getTime() < 0), "windows before 1970");
    }
  });

  it("does not apply to aggregates of the small side, non-exact aggregates, global aggregates or residual conditions", async () => {
    const facts = Array.from({ length: 500 }, (_, i) => ({ k: i % 9, g: i % 3, v: i }));
    const dims = Array.from({ length: 9 }, (_, i) => ({ k: i, name: `n${i % 4}` }));
    const join = (hint: boolean): DataFrame => {
      const { fact, dim } = tables(facts, dims);
      return fact.join(hint ? broadcast(dim) : dim, col("k").eq(col("dk")));
    };
    await sameWithAndWithout((h) => join(h).groupBy("g").agg(F.max("name").alias("m")), false);
    await sameWithAndWithout((h) => join(h).groupBy("name").agg(F.avg("v").alias("a")), false);
    await sameWithAndWithout((h) => join(h).agg(F.count("*").alias("n")), false);
    await sameWithAndWithout((h) => {
      const { fact, dim } = tables(facts, dims);
      return fact.join(h ? broadcast(dim) : dim, col("k").eq(col("dk")).and(col("v").gt(col("dk")))).groupBy("name").count();
    }, false);
  });

  it("gives the plain plan's rows for any tables (property)", async () => {
    const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });
    const factArb = fc.record({ k: nullable(fc.integer({ min: 0, max: 5 })), g: nullable(fc.integer({ min: 0, max: 2 })), v: nullable(fc.integer({ min: -50, max: 50 })) });
    const dimArb = fc.record({ k: nullable(fc.integer({ min: 0, max: 5 })), name: nullable(fc.constantFrom("a", "b", "c")) });
    await fc.assert(
      fc.asyncProperty(fc.array(factArb, { maxLength: 40 }), fc.array(dimArb, { maxLength: 8 }), async (facts, dims) => {
        await sameWithAndWithout((hint) => {
          const { fact, dim } = tables(facts, dims);
          return fact.join(hint ? broadcast(dim) : dim, col("k").eq(col("dk"))).groupBy("name", "g").agg(F.count("*").alias("n"), F.sum("v").alias("s"), F.min("v").alias("lo"));
        }, true);
      }),
      { numRuns: 40 },
    );
  });
});
