// count(DISTINCT x) calls over one argument share a pass with a bit per call (agg-slot.ts
// SharedDistinctCounts), and counts of a one-branch CASE become counts with a FILTER
// (count-when-to-filter-rule.ts): both must give what a plain reading of the SQL gives.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session, col, functions as F, parseSchemaDDL } from "../../src/index.js";

const spark = Session.builder().appName("distinct-counts-test").create();
spark.conf.set("sluice.executor.threads", 1);

interface Row { g: number; x: number | null; s: string | null; c: boolean | null }

/** The reference: per group, distinct non-null values among the rows `keep` admits. */
function distinctCount(rows: readonly Row[], value: (r: Row) => unknown, keep: (r: Row) => boolean): Map<number, number> {
  const sets = new Map<number, Set<unknown>>();
  for (const r of rows) {
    if (!sets.has(r.g)) sets.set(r.g, new Set());
    const v = value(r);
    if (v !== null && keep(r)) sets.get(r.g)!.add(typeof v === "number" && Object.is(v, -0) ? 0 : v);
  }
  return new Map([...sets].map(([g, s]) => [g, s.size]));
}

const rowArb = fc.record({
  g: fc.integer({ min: 0, max: 3 }),
  x: fc.oneof(fc.constant(null), fc.constantFrom(0, -0, 1.5, NaN, 2, 3, -1), fc.integer({ min: -5, max: 5 })),
  s: fc.oneof(fc.constant(null), fc.constantFrom("a", "b", "", "é")),
  c: fc.oneof(fc.constant(null), fc.boolean()),
});

void describe("distinct counts", () => {
  void it("with FILTERs and CASEs, on doubles with NaN and -0, strings and nulls, agree with the reference (property)", async () => {
    await fc.assert(fc.asyncProperty(fc.array(rowArb, { maxLength: 60 }), async (rows) => {
      const df = spark.createDataFrame(rows.map((r) => ({ ...r })), parseSchemaDDL("g INT, x DOUBLE, s STRING, c BOOLEAN"));
      const got = await df.groupBy("g").agg(
        F.countDistinct("x").alias("all_x"),
        F.countDistinct(F.when(col("c"), col("x"))).alias("x_when_c"),
        F.countDistinct(F.when(col("x").gt(0), col("x"))).alias("x_pos"),
        F.countDistinct(F.when(col("c").isNull(), col("s"))).alias("s_null_c"),
        F.countDistinct("s").alias("all_s"),
        F.count(F.when(col("c"), col("s"))).alias("n_s_when_c"),
      ).collect();
      const byG = new Map(got.map((r) => [Number(r["g"]), r]));
      const groups = [...new Set(rows.map((r) => r.g))];
      assert.equal(byG.size, groups.length);
      const check = (name: string, want: Map<number, number>): void => {
        for (const g of groups) assert.equal(Number(byG.get(g)![name]), want.get(g) ?? 0, `${name} of group ${g}`);
      };
      check("all_x", distinctCount(rows, (r) => r.x, () => true));
      check("x_when_c", distinctCount(rows, (r) => r.x, (r) => r.c === true));
      // Spark orders NaN above every number.
      check("x_pos", distinctCount(rows, (r) => r.x, (r) => r.x !== null && (Number.isNaN(r.x) || r.x > 0)));
      check("s_null_c", distinctCount(rows, (r) => r.s, (r) => r.c === null));
      check("all_s", distinctCount(rows, (r) => r.s, () => true));
      const counts = new Map<number, number>();
      for (const r of rows) counts.set(r.g, (counts.get(r.g) ?? 0) + (r.c === true && r.s !== null ? 1 : 0));
      check("n_s_when_c", counts);
    }), { numRuns: 150 });
  });

  void it("integer values kept in dense tables while they fit, across batches that widen the range either way, then in maps (property)", async () => {
    // SharedDistinctCounts: a table per group indexed by value for integers within 2^20 of each
    // other; a wider span, a fraction or too many groups moves everything to maps mid-query.
    const batchArb = fc.array(fc.record({
      g: fc.integer({ min: 0, max: 12 }),
      x: fc.oneof(
        { weight: 30, arbitrary: fc.integer({ min: -40, max: 40 }) },
        { weight: 12, arbitrary: fc.integer({ min: 500, max: 560 }) },
        { weight: 1, arbitrary: fc.constantFrom(null, null, null, 3.5, 2 ** 21, -(2 ** 31)) },
      ),
    }), { maxLength: 25 });
    await fc.assert(fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 5 }), async (batches) => {
      const schema = parseSchemaDDL("g INT, x DOUBLE");
      const dfs = batches.map((b) => spark.createDataFrame(b, schema));
      const df = dfs.slice(1).reduce((a, b) => a.unionAll(b), dfs[0]!);
      const got = await df.groupBy("g").agg(F.countDistinct("x").alias("all_x"), F.countDistinct(F.when(col("x").lt(100), col("x"))).alias("small_x")).collect();
      const rows = batches.flat().map((r) => ({ g: r.g, x: r.x, s: null, c: null }));
      const all = distinctCount(rows, (r) => r.x, () => true), small = distinctCount(rows, (r) => r.x, (r) => r.x !== null && r.x < 100);
      assert.equal(got.length, all.size);
      for (const r of got) assert.deepEqual([Number(r["all_x"]), Number(r["small_x"])], [all.get(Number(r["g"])), small.get(Number(r["g"])) ?? 0], `group ${String(r["g"])}`);
    }), { numRuns: 300 });
  });

  void it("more groups than the dense tables' budget allows: counted in maps, the same", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ g: i % 40, x: i % 3 === 0 ? 600_000 + (i % 7) : i % 5 }));
    const got = await spark.createDataFrame(rows, parseSchemaDDL("g INT, x BIGINT")).groupBy("g").agg(F.countDistinct("x").alias("n")).collect();
    const want = distinctCount(rows.map((r) => ({ ...r, s: null, c: null })), (r) => r.x, () => true);
    assert.equal(got.length, 40);
    for (const r of got) assert.equal(Number(r["n"]), want.get(Number(r["g"])), `group ${String(r["g"])}`);
  });

  void it("thousands of groups of ids far apart (one hash table of group and value, growing), then a bigint moving them to maps", async () => {
    // 3,000 groups, values spread over 2^30: past the dense tables at once.
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ g: (i * 7) % 3000, x: (i * 2654435761) % 2 ** 30 % 977 === 0 ? null : ((i * 2654435761) % 2 ** 30) % 50_000_000 }));
    const want = distinctCount(rows.map((r) => ({ ...r, s: null, c: null })), (r) => r.x, () => true);
    const evenWant = distinctCount(rows.map((r) => ({ ...r, s: null, c: null })), (r) => r.x, (r) => r.x !== null && r.x % 2 === 0);
    const df = spark.createDataFrame(rows, parseSchemaDDL("g INT, x BIGINT"));
    const q = (d: typeof df): Promise<Record<string, unknown>[]> => d.groupBy("g").agg(F.countDistinct("x").alias("n"), F.countDistinct(F.when(col("x").mod(2).eq(0), col("x"))).alias("even")).collect();
    const got = await q(df);
    assert.equal(got.length, 3000);
    for (const r of got) assert.deepEqual([Number(r["n"]), Number(r["even"])], [want.get(Number(r["g"])), evenWant.get(Number(r["g"])) ?? 0], `group ${String(r["g"])}`);
    // A later batch holding a bigint (a long past 2^53 keeps its values in an array).
    const big = spark.createDataFrame([{ g: 5, x: 2n ** 60n }, { g: 5, x: 2n ** 60n }, { g: 6, x: 12 }], parseSchemaDDL("g INT, x BIGINT"));
    const withBig = new Map((await q(df.unionAll(big))).map((r) => [Number(r["g"]), Number(r["n"])]));
    assert.equal(withBig.get(5), want.get(5)! + 1);
    assert.equal(withBig.get(6), want.get(6)! + (rows.some((r) => r.g === 6 && r.x === 12) ? 0 : 1));
    assert.equal(withBig.get(7), want.get(7));
  });

  void it("more calls over one argument than fit one shared pass (31 and more) count each call's rows", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ g: i % 3, v: (i * 7) % 97 }));
    const df = spark.createDataFrame(rows, parseSchemaDDL("g INT, v INT"));
    const calls = Array.from({ length: 34 }, (_, k) => `count(DISTINCT v) FILTER (WHERE v >= ${k * 3}) AS c${k}`);
    df.createOrReplaceTempView("many_distinct");
    const got = await spark.sql(`SELECT g, ${calls.join(", ")} FROM many_distinct GROUP BY g ORDER BY g`).collect();
    assert.equal(got.length, 3);
    for (const r of got) {
      for (let k = 0; k < 34; k++) {
        const want = new Set(rows.filter((x) => x.g === r["g"] && x.v >= k * 3).map((x) => x.v)).size;
        assert.equal(Number(r[`c${k}`]), want, `g ${String(r["g"])} c${k}`);
      }
    }
  });
});
