import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { Session, Window, col, functions as F } from "../../src/index.js";
import { inferWindowGroupLimitRule } from "../../src/optimizer/infer-window-group-limit-rule.js";
import { checkRule, checkUnchanged, planText, t1 } from "./rule-harness.js";
import { Plan, transformUp } from "../../src/plan/logical-plan.js";
import { planOutput } from "../../src/analyzer/plan-output.js";

const on = { windowGroupLimitThreshold: 1000 };
const byWord = Window.partitionBy("word").orderBy(col("n").desc());

describe("inferWindowGroupLimitRule", () => {
  const before = `Filter (rn#1 <= 2)
+- Project [word#2, n#3, rn#1, r#4]
   +- Window [rank() OVER (PARTITION BY word#2 ORDER BY n#3 DESC NULLS LAST) AS r#4], [word#2], [n#3 DESC NULLS LAST]
      +- Project [word#2, n#3, rn#1]
         +- Window [row_number() OVER (PARTITION BY word#2 ORDER BY n#3 DESC NULLS LAST) AS rn#1], [word#2], [n#3 DESC NULLS LAST]
            +- LocalRelation [word#2, n#3]`;
  const ranked = () => t1().withColumn("rn", F.row_number().over(byWord)).withColumn("r", F.rank().over(byWord));

  it("limits each partition to k rows under the window whose row number a filter bounds, through ranking windows of the same spec", () => {
    checkRule(inferWindowGroupLimitRule, ranked().filter(col("rn").leq(2)), before,
      `Filter (rn#1 <= 2)
+- Project [word#2, n#3, rn#1, r#4]
   +- Window [rank() OVER (PARTITION BY word#2 ORDER BY n#3 DESC NULLS LAST) AS r#4], [word#2], [n#3 DESC NULLS LAST]
      +- Project [word#2, n#3, rn#1]
         +- Window [row_number() OVER (PARTITION BY word#2 ORDER BY n#3 DESC NULLS LAST) AS rn#1], [word#2], [n#3 DESC NULLS LAST]
            +- WindowGroupLimit [word#2], [n#3 DESC NULLS LAST], 2
               +- LocalRelation [word#2, n#3]`, on);
  });

  it("adds one limit: a plan it already limited (with a projection put between by column pruning) stays as it is", () => {
    const once = inferWindowGroupLimitRule.apply(ranked().filter(col("rn").leq(2)).plan, on);
    assert.equal(inferWindowGroupLimitRule.apply(once, on), once);
    const pruned = transformUp(once, (p) => (p.kind === "WindowGroupLimit" ? Plan.project(planOutput(p), p) : p));
    assert.equal(inferWindowGroupLimitRule.apply(pruned, on), pruned);
  });

  it("reads rn < k + 1, rn = 1 and k >= rn as bounds", () => {
    for (const [cond, k] of [[col("rn").lt(3), 2], [col("rn").eq(1), 1], [F.lit(4).geq(col("rn")), 4]] as const) {
      const out = inferWindowGroupLimitRule.apply(ranked().filter(cond).plan, on);
      assert.match(planText(out), new RegExp(`WindowGroupLimit \\[word#\\d+\\], \\[n#\\d+ DESC NULLS LAST\\], ${k}\\n`));
    }
  });

  it("leaves alone a bound on rank, a window with other functions or another spec, a k over the threshold, and the rule when off", () => {
    const text = (df: ReturnType<typeof t1>) => planText(df.plan);
    const cases = [
      ranked().filter(col("r").leq(2)),
      t1().withColumn("rn", F.row_number().over(byWord)).withColumn("s", F.sum("n").over(Window.partitionBy("word"))).filter(col("rn").leq(2)),
      t1().withColumn("rn", F.row_number().over(byWord)).withColumn("r", F.rank().over(Window.partitionBy("word").orderBy("n"))).filter(col("rn").leq(2)),
      ranked().filter(col("rn").leq(2000)),
    ];
    for (const df of cases) checkUnchanged(inferWindowGroupLimitRule, df, text(df), on);
    checkUnchanged(inferWindowGroupLimitRule, ranked().filter(col("rn").leq(2)), before, { windowGroupLimitThreshold: -1 });
    checkUnchanged(inferWindowGroupLimitRule, ranked().filter(col("rn").leq(2)), before);
  });
});

describe("WindowGroupLimit keeps what the window and filter keep", () => {
  const sessions = [true, false].map((limit) =>
    Session.builder().appName(`wgl-${limit}`).config("sluice.executor.threads", 1).config("sluice.sql.optimizer.windowGroupLimitThreshold", limit ? 1000 : -1).create(),
  );
  after(() => sessions.forEach((s) => s.stop()));
  const texts = (rows: readonly unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

  it("row_number, rank and dense_rank with ties, nulls in both keys, ascending or descending (property)", async () => {
    const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });
    const rowArb = fc.record({ p: nullable(fc.integer({ min: 0, max: 3 })), o: nullable(fc.integer({ min: 0, max: 4 })), v: fc.integer({ min: 0, max: 1000 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), async (rows, k, asc, nullsFirst) => {
        const [limited, plain] = await Promise.all(sessions.map((s) => {
          const o = asc ? (nullsFirst ? col("o").asc_nulls_first() : col("o").asc_nulls_last()) : nullsFirst ? col("o").desc_nulls_first() : col("o").desc_nulls_last();
          const w = Window.partitionBy("p").orderBy(o);
          const df = s.createDataFrame(rows, "p INT, o INT, v INT")
            .withColumn("rn", F.row_number().over(w)).withColumn("r", F.rank().over(w)).withColumn("d", F.dense_rank().over(w)).filter(col("rn").leq(k));
          return df.collect().then(texts);
        }));
        assert.deepEqual(limited, plain);
      }),
      { numRuns: 60 },
    );
  });
});
