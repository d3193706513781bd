import { describe, it } from "node:test";
import { col, functions as F, Window } from "../../src/index.js";
import { pushDownPredicatesRule } from "../../src/optimizer/push-down-predicates-rule.js";
import { checkRule, checkUnchanged, t1, t2 } from "./rule-harness.js";

describe("pushDownPredicatesRule", () => {
  it("pushes through a projection, substituting aliases", () => {
    checkRule(pushDownPredicatesRule, t1().select(col("word"), col("n").plus(1).alias("x")).where("x > 3"),
      `Filter (x#1 > 3)
+- Project [word#2, (n#3 + 1) AS x#1]
   +- LocalRelation [word#2, n#3]`,
      `Project [word#1, (n#2 + 1) AS x#3]
+- Filter ((n#2 + 1) > 3)
   +- LocalRelation [word#1, n#2]`);
  });

  it("does not push through a non-deterministic projection", () => {
    checkUnchanged(pushDownPredicatesRule, t1().select(col("word"), F.rand(1).alias("r")).where("word = 'a'"), `Filter (word#1 = 'a')
+- Project [word#1, rand(1) AS r#2]
   +- LocalRelation [word#1, n#3]`);
  });

  it("pushes conjuncts over grouping columns below an aggregate", () => {
    checkRule(pushDownPredicatesRule, t1().groupBy("word").agg(F.sum("n").alias("s")).where("word = 'a' AND s > 1"),
      `Filter ((word#1 = 'a') AND (s#2 > CAST(1 AS BIGINT)))
+- Aggregate [word#1], [word#1, sum(CAST(n#3 AS BIGINT)) AS s#2]
   +- LocalRelation [word#1, n#3]`,
      `Filter (s#1 > CAST(1 AS BIGINT))
+- Aggregate [word#2], [word#2, sum(CAST(n#3 AS BIGINT)) AS s#1]
   +- Filter (word#2 = 'a')
      +- LocalRelation [word#2, n#3]`);
  });

  it("keeps filters above a global aggregate", () => {
    checkUnchanged(pushDownPredicatesRule, t1().agg(F.sum("n").alias("s")).where("s > 1"), `Filter (s#1 > CAST(1 AS BIGINT))
+- Aggregate [], [sum(CAST(n#2 AS BIGINT)) AS s#1]
   +- LocalRelation [word#3, n#2]`);
  });

  it("inner join: one-sided conjuncts to their side, two-sided ones into the condition", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k"))).where("n > 1 AND m < 5 AND n < m"),
      `Filter (((n#1 > 1) AND (m#2 < CAST(5 AS BIGINT))) AND (CAST(n#1 AS BIGINT) < m#2))
+- Join Inner, (word#3 = k#4)
   :- LocalRelation [word#3, n#1]
   +- LocalRelation [k#4, m#2]`,
      `Join Inner, ((word#1 = k#2) AND (CAST(n#3 AS BIGINT) < m#4))
:- Filter (n#3 > 1)
:  +- LocalRelation [word#1, n#3]
+- Filter (m#4 < CAST(5 AS BIGINT))
   +- LocalRelation [k#2, m#4]`);
  });

  it("left outer join: only left conjuncts go down", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")), "left").where("n > 1 AND m < 5"),
      `Filter ((n#1 > 1) AND (m#2 < CAST(5 AS BIGINT)))
+- Join LeftOuter, (word#3 = k#4)
   :- LocalRelation [word#3, n#1]
   +- LocalRelation [k#4, m#2]`,
      `Filter (m#1 < CAST(5 AS BIGINT))
+- Join LeftOuter, (word#2 = k#3)
   :- Filter (n#4 > 1)
   :  +- LocalRelation [word#2, n#4]
   +- LocalRelation [k#3, m#1]`);
  });

  it("right outer join: only right conjuncts go down", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")), "right").where("n > 1 AND m < 5"),
      `Filter ((n#1 > 1) AND (m#2 < CAST(5 AS BIGINT)))
+- Join RightOuter, (word#3 = k#4)
   :- LocalRelation [word#3, n#1]
   +- LocalRelation [k#4, m#2]`,
      `Filter (n#1 > 1)
+- Join RightOuter, (word#2 = k#3)
   :- LocalRelation [word#2, n#1]
   +- Filter (m#4 < CAST(5 AS BIGINT))
      +- LocalRelation [k#3, m#4]`);
  });

  it("full outer join: nothing goes down", () => {
    checkUnchanged(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")), "full").where("n > 1 AND m < 5"), `Filter ((n#1 > 1) AND (m#2 < CAST(5 AS BIGINT)))
+- Join FullOuter, (word#3 = k#4)
   :- LocalRelation [word#3, n#1]
   +- LocalRelation [k#4, m#2]`);
  });

  it("inner join condition: one-sided conjuncts go to their side", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")).and(col("n").gt(1)).and(col("m").lt(5))),
      `Join Inner, (((word#1 = k#2) AND (n#3 > 1)) AND (m#4 < CAST(5 AS BIGINT)))
:- LocalRelation [word#1, n#3]
+- LocalRelation [k#2, m#4]`,
      `Join Inner, (word#1 = k#2)
:- Filter (n#3 > 1)
:  +- LocalRelation [word#1, n#3]
+- Filter (m#4 < CAST(5 AS BIGINT))
   +- LocalRelation [k#2, m#4]`);
  });

  it("left outer join condition: right conjuncts go right, left ones stay", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")).and(col("n").gt(1)).and(col("m").lt(5)), "left"),
      `Join LeftOuter, (((word#1 = k#2) AND (n#3 > 1)) AND (m#4 < CAST(5 AS BIGINT)))
:- LocalRelation [word#1, n#3]
+- LocalRelation [k#2, m#4]`,
      `Join LeftOuter, ((word#1 = k#2) AND (n#3 > 1))
:- LocalRelation [word#1, n#3]
+- Filter (m#4 < CAST(5 AS BIGINT))
   +- LocalRelation [k#2, m#4]`);
  });

  it("left anti join condition: left conjuncts stay", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")).and(col("n").gt(1)).and(col("m").lt(5)), "left_anti"),
      `Join Leftanti, (((word#1 = k#2) AND (n#3 > 1)) AND (m#4 < CAST(5 AS BIGINT)))
:- LocalRelation [word#1, n#3]
+- LocalRelation [k#2, m#4]`,
      `Join Leftanti, ((word#1 = k#2) AND (n#3 > 1))
:- LocalRelation [word#1, n#3]
+- Filter (m#4 < CAST(5 AS BIGINT))
   +- LocalRelation [k#2, m#4]`);
  });

  it("left semi join condition: both sides", () => {
    checkRule(pushDownPredicatesRule, t1().join(t2(), col("word").equalTo(col("k")).and(col("n").gt(1)).and(col("m").lt(5)), "left_semi"),
      `Join Leftsemi, (((word#1 = k#2) AND (n#3 > 1)) AND (m#4 < CAST(5 AS BIGINT)))
:- LocalRelation [word#1, n#3]
+- LocalRelation [k#2, m#4]`,
      `Join Leftsemi, (word#1 = k#2)
:- Filter (n#3 > 1)
:  +- LocalRelation [word#1, n#3]
+- Filter (m#4 < CAST(5 AS BIGINT))
   +- LocalRelation [k#2, m#4]`);
  });

  it("pushes into every union child with attributes by position", () => {
    checkRule(pushDownPredicatesRule, t1().union(t1().select(col("word"), col("n").plus(1).alias("n"))).where("n > 1"),
      `Filter (n#1 > 1)
+- Union
   :- LocalRelation [word#2, n#1]
   +- Project [word#3, (n#4 + 1) AS n#5]
      +- LocalRelation [word#3, n#4]`,
      `Union
:- Filter (n#1 > 1)
:  +- LocalRelation [word#2, n#1]
+- Project [word#3, (n#4 + 1) AS n#5]
   +- Filter ((n#4 + 1) > 1)
      +- LocalRelation [word#3, n#4]`);
  });

  it("pushes only partition-column conjuncts below a window", () => {
    checkRule(pushDownPredicatesRule, t1().withColumn("rn", F.row_number().over(Window.partitionBy("word").orderBy("n"))).where("word = 'a' AND n > 1 AND rn = 1"),
      `Filter (((word#1 = 'a') AND (n#2 > 1)) AND (rn#3 = 1))
+- Project [word#1, n#2, rn#3]
   +- Window [row_number() OVER (PARTITION BY word#1 ORDER BY n#2 ASC NULLS FIRST) AS rn#3], [word#1], [n#2 ASC NULLS FIRST]
      +- LocalRelation [word#1, n#2]`,
      `Project [word#1, n#2, rn#3]
+- Filter ((n#2 > 1) AND (rn#3 = 1))
   +- Window [row_number() OVER (PARTITION BY word#1 ORDER BY n#2 ASC NULLS FIRST) AS rn#3], [word#1], [n#2 ASC NULLS FIRST]
      +- Filter (word#1 = 'a')
         +- LocalRelation [word#1, n#2]`);
  });

  it("pushes below a sort", () => {
    checkRule(pushDownPredicatesRule, t1().orderBy("n").where("n > 1"),
      `Filter (n#1 > 1)
+- Sort [n#1 ASC NULLS FIRST], true
   +- LocalRelation [word#2, n#1]`,
      `Sort [n#1 ASC NULLS FIRST], true
+- Filter (n#1 > 1)
   +- LocalRelation [word#2, n#1]`);
  });

  it("never pushes below a limit", () => {
    checkUnchanged(pushDownPredicatesRule, t1().limit(1).where("n > 1"), `Filter (n#1 > 1)
+- Limit 1
   +- LocalRelation [word#2, n#1]`);
  });

  it("pushes through a subquery alias", () => {
    checkRule(pushDownPredicatesRule, t1().alias("t").where("n > 1"),
      `Filter (n#1 > 1)
+- SubqueryAlias t
   +- LocalRelation [word#2, n#1]`,
      `SubqueryAlias t
+- Filter (n#1 > 1)
   +- LocalRelation [word#2, n#1]`);
  });

  it("leaves non-deterministic conjuncts above", () => {
    checkRule(pushDownPredicatesRule, t1().orderBy("n").where(col("n").gt(1).and(F.rand(1).gt(0.5))),
      `Filter ((n#1 > 1) AND (rand(1) > 0.5))
+- Sort [n#1 ASC NULLS FIRST], true
   +- LocalRelation [word#2, n#1]`,
      `Filter (rand(1) > 0.5)
+- Sort [n#1 ASC NULLS FIRST], true
   +- Filter (n#1 > 1)
      +- LocalRelation [word#2, n#1]`);
  });

  it("returns the same plan when nothing moves", () => {
    checkUnchanged(pushDownPredicatesRule, t1().where("n > 1"), `Filter (n#1 > 1)
+- LocalRelation [word#2, n#1]`);
  });

});
