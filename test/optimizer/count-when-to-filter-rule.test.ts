import { describe, it } from "node:test";
import { col, functions as F, lit } from "../../src/index.js";
import { countWhenToFilterRule } from "../../src/optimizer/count-when-to-filter-rule.js";
import { checkRule, checkUnchanged, spark, t1 } from "./rule-harness.js";

describe("countWhenToFilterRule", () => {
  it("turns counts of a one-branch CASE into counts with a FILTER, joined to the call's own", () => {
    const df = t1().groupBy("word").agg(
      F.countDistinct(F.when(col("n").gt(1), col("word"))).alias("d"),
      F.count(F.when(col("n").lt(5), lit(1))).alias("c"),
    );
    checkRule(countWhenToFilterRule, df,
      `Aggregate [word#1], [word#1, count(DISTINCT CASE WHEN (n#2 > 1) THEN word#1 END) AS d#3, count(CASE WHEN (n#2 < 5) THEN 1 END) AS c#4]
+- LocalRelation [word#1, n#2]`,
      `Aggregate [word#1], [word#1, count(DISTINCT word#1) FILTER (WHERE (n#2 > 1)) AS d#3, count(1) FILTER (WHERE (n#2 < 5)) AS c#4]
+- LocalRelation [word#1, n#2]`);
    const sql = spark.sql("SELECT count(CASE WHEN n > 1 THEN word END) FILTER (WHERE n < 5) AS c FROM VALUES ('a', 1) AS t(word, n)");
    checkRule(countWhenToFilterRule, sql,
      `Aggregate [], [count(CASE WHEN (n#1 > 1) THEN word#2 END) FILTER (WHERE (n#1 < 5)) AS c#3]
+- SubqueryAlias t
   +- LocalRelation [word#2, n#1] VALUES`,
      `Aggregate [], [count(word#1) FILTER (WHERE ((n#2 < 5) AND (n#2 > 1))) AS c#3]
+- SubqueryAlias t
   +- LocalRelation [word#1, n#2] VALUES`);
  });

  it("leaves a CASE with an ELSE value or two branches, and other aggregates", () => {
    const df = t1().groupBy("word").agg(
      F.count(F.when(col("n").gt(1), lit(1)).otherwise(lit(0))).alias("a"),
      F.count(F.when(col("n").gt(1), lit(1)).when(col("n").gt(0), lit(2))).alias("b"),
      F.sum(F.when(col("n").gt(1), col("n"))).alias("s"),
    );
    checkUnchanged(countWhenToFilterRule, df,
      `Aggregate [word#1], [word#1, count(CASE WHEN (n#2 > 1) THEN 1 ELSE 0 END) AS a#3, count(CASE WHEN (n#2 > 1) THEN 1 WHEN (n#2 > 0) THEN 2 END) AS b#4, sum(CAST(CASE WHEN (n#2 > 1) THEN n#2 END AS BIGINT)) AS s#5]
+- LocalRelation [word#1, n#2]`);
  });
});
