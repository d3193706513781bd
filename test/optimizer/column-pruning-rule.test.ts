import { describe, it } from "node:test";
import { col, functions as F, Window, window } from "../../src/index.js";
import { columnPruningRule } from "../../src/optimizer/column-pruning-rule.js";
import { checkRule, checkUnchanged, spark, t1, t2, tempFile } from "./rule-harness.js";

const path = tempFile("t.json", '{"a":1,"b":"x","c":2.5,"d":10}\n');
const src = () => spark.read.schema("a INT, b STRING, c DOUBLE, d BIGINT").json(path);

describe("columnPruningRule", () => {
  it("drops the Expand outputs nobody reads (sliding windows read only the time column)", () => {
    const p = tempFile("w.json", '{"ts":"2024-01-01T00:00:03Z","k":1,"s":"x"}\n');
    checkRule(columnPruningRule, spark.read.schema("ts TIMESTAMP, k INT, s STRING").json(p).groupBy(window(col("ts"), "10 seconds", "5 seconds")).count(),
      `Aggregate [window#1], [window#1, count(*) AS count#2]
+- Filter (((window#1 IS NOT NULL) AND (window#1.start <= ts#3)) AND (ts#3 < window#1.end))
   +- Expand [[ts#3, k#4, s#5, window], [ts#3, k#4, s#5, window]], [ts#3, k#4, s#5, window#1]
      +- Relation [ts#3, k#4, s#5] json`,
      `Aggregate [window#1], [window#1, count(*) AS count#2]
+- Filter (((window#1 IS NOT NULL) AND (window#1.start <= ts#3)) AND (ts#3 < window#1.end))
   +- Expand [[ts#3, window], [ts#3, window]], [ts#3, window#1]
      +- Relation [ts#3] json`);
  });

  it("reads only the projected columns, in schema order", () => {
    checkRule(columnPruningRule, src().select("b", "a"),
      `Project [b#1, a#2]
+- Relation [a#2, b#1, c#3, d#4] json`,
      `Project [b#1, a#2]
+- Relation [a#2, b#1] json`);
  });

  it("keeps the columns a filter needs", () => {
    checkRule(columnPruningRule, src().where("d > 1").select("b"),
      `Project [b#1]
+- Filter (d#2 > CAST(1 AS BIGINT))
   +- Relation [a#3, b#1, c#4, d#2] json`,
      `Project [b#1]
+- Filter (d#2 > CAST(1 AS BIGINT))
   +- Relation [b#1, d#2] json`);
  });

  it("reads one column for count(*)", () => {
    checkRule(columnPruningRule, src().groupBy().count(),
      `Aggregate [], [count(*) AS count#1]
+- Relation [a#2, b#3, c#4, d#5] json`,
      `Aggregate [], [count(*) AS count#1]
+- Relation [a#2] json`);
  });

  it("projects join inputs down to the columns used above and in the condition", () => {
    checkRule(columnPruningRule, t1().join(t2(), col("word").equalTo(col("k"))).groupBy("word").count(),
      `Aggregate [word#1], [word#1, count(*) AS count#2]
+- Join Inner, (word#1 = k#3)
   :- LocalRelation [word#1, n#4]
   +- LocalRelation [k#3, m#5]`,
      `Aggregate [word#1], [word#1, count(*) AS count#2]
+- Join Inner, (word#1 = k#3)
   :- Project [word#1]
   :  +- LocalRelation [word#1, n#4]
   +- Project [k#3]
      +- LocalRelation [k#3, m#5]`);
  });

  it("a semi join's right side keeps only the condition's columns", () => {
    checkRule(columnPruningRule, t1().join(t2(), col("word").equalTo(col("k")), "left_semi").select("n"),
      `Project [n#1]
+- Join Leftsemi, (word#2 = k#3)
   :- LocalRelation [word#2, n#1]
   +- LocalRelation [k#3, m#4]`,
      `Project [n#1]
+- Join Leftsemi, (word#2 = k#3)
   :- LocalRelation [word#2, n#1]
   +- Project [k#3]
      +- LocalRelation [k#3, m#4]`);
  });

  it("drops projection items nobody reads", () => {
    checkRule(columnPruningRule, t1().select(col("word"), col("n").plus(1).alias("x"), col("n")).join(t2(), col("word").equalTo(col("k"))).select("x", "m"),
      `Project [x#1, m#2]
+- Join Inner, (word#3 = k#4)
   :- Project [word#3, (n#5 + 1) AS x#1, n#5]
   :  +- LocalRelation [word#3, n#5]
   +- LocalRelation [k#4, m#2]`,
      `Project [x#1, m#2]
+- Join Inner, (word#3 = k#4)
   :- Project [word#3, (n#5 + 1) AS x#1]
   :  +- LocalRelation [word#3, n#5]
   +- LocalRelation [k#4, m#2]`);
  });

  it("removes a window whose results nobody reads", () => {
    checkRule(columnPruningRule, t1().withColumn("rn", F.row_number().over(Window.partitionBy("word").orderBy("n"))).select("word"),
      `Project [word#1]
+- Project [word#1, n#2, rn#3]
   +- Window [row_number() OVER (PARTITION BY word#1 ORDER BY n#2 ASC NULLS FIRST) AS rn#3], [word#1], [n#2 ASC NULLS FIRST]
      +- LocalRelation [word#1, n#2]`,
      `Project [word#1]
+- Project [word#1]
   +- LocalRelation [word#1, n#2]`);
  });

  it("prunes union children by position", () => {
    checkRule(columnPruningRule, src().select("a", "b").union(src().select("a", "b")).select("b"),
      `Project [b#1]
+- Union
   :- Project [a#2, b#1]
   :  +- Relation [a#2, b#1, c#3, d#4] json
   +- Project [a#5, b#6]
      +- Relation [a#5, b#6, c#7, d#8] json`,
      `Project [b#1]
+- Union
   :- Project [b#1]
   :  +- Relation [b#1] json
   +- Project [b#2]
      +- Relation [b#2] json`);
  });

  it("keeps every column under a distinct", () => {
    checkRule(columnPruningRule, src().select("a", "b").distinct().select("b"),
      `Project [b#1]
+- Distinct
   +- Project [a#2, b#1]
      +- Relation [a#2, b#1, c#3, d#4] json`,
      `Project [b#1]
+- Distinct
   +- Project [a#2, b#1]
      +- Relation [a#2, b#1] json`);
  });

  it("returns the same plan when every column is used", () => {
    checkUnchanged(columnPruningRule, t1().where("n > 1"), `Filter (n#1 > 1)
+- LocalRelation [word#2, n#1]`);
  });

});
