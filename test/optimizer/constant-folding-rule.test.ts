import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { functions as F, lit } from "../../src/index.js";
import { constantFoldingRule } from "../../src/optimizer/constant-folding-rule.js";
import { checkRule, checkUnchanged, spark, t1 } from "./rule-harness.js";

describe("constantFoldingRule", () => {
  it("folds constant sub-expressions, keeping aliases", () => {
    checkRule(constantFoldingRule, t1().selectExpr("1 + 2 * 3 AS c", "upper(concat('a', 'b')) AS u", "n + (2 * 5) AS m"),
      `Project [(1 + (2 * 3)) AS c#1, upper(concat('a', 'b')) AS u#2, (n#3 + (2 * 5)) AS m#4]
+- LocalRelation [word#5, n#3]`,
      `Project [7 AS c#1, 'AB' AS u#2, (n#3 + 10) AS m#4]
+- LocalRelation [word#5, n#3]`);
  });

  it("leaves an expression that fails under ANSI (a CASE branch maybe never taken) when ANSI is unknown", () => {
    checkRule(constantFoldingRule, t1().selectExpr("CASE WHEN n > 0 THEN 1 ELSE 1 DIV 0 END AS d"),
      `Project [CASE WHEN (n#1 > 0) THEN CAST(1 AS BIGINT) ELSE (CAST(1 AS BIGINT) div CAST(0 AS BIGINT)) END AS d#2]
+- LocalRelation [word#3, n#1]`,
      `Project [CASE WHEN (n#1 > 0) THEN 1L ELSE (1L div 0L) END AS d#2]
+- LocalRelation [word#3, n#1]`);
  });

  it("folds to what the session's ANSI setting gives when it is known and evaluation succeeds", () => {
    checkRule(constantFoldingRule, t1().selectExpr("CASE WHEN n > 0 THEN 1 ELSE 1 DIV 0 END AS d"),
      `Project [CASE WHEN (n#1 > 0) THEN CAST(1 AS BIGINT) ELSE (CAST(1 AS BIGINT) div CAST(0 AS BIGINT)) END AS d#2]
+- LocalRelation [word#3, n#1]`,
      `Project [CASE WHEN (n#1 > 0) THEN 1L ELSE NULL END AS d#2]
+- LocalRelation [word#3, n#1]`, { ansi: false });
    checkRule(constantFoldingRule, t1().selectExpr("CAST('x' AS INT) AS e"),
      `Project [CAST('x' AS INT) AS e#1]
+- LocalRelation [word#2, n#3]`,
      `Project [NULL AS e#1]
+- LocalRelation [word#2, n#3]`, { ansi: false });
    checkUnchanged(constantFoldingRule, t1().selectExpr("CAST('x' AS INT) AS e"), `Project [CAST('x' AS INT) AS e#1]
+- LocalRelation [word#2, n#3]`, { ansi: true });
  });

  it("folds an invalid cast only where the result does not depend on ANSI", () => {
    checkRule(constantFoldingRule, t1().selectExpr("CAST('x' AS INT) AS e", "CAST('12' AS INT) AS f"),
      `Project [CAST('x' AS INT) AS e#1, CAST('12' AS INT) AS f#2]
+- LocalRelation [word#3, n#4]`,
      `Project [CAST('x' AS INT) AS e#1, 12 AS f#2]
+- LocalRelation [word#3, n#4]`);
  });

  it("keeps the query's time and zone-dependent values unless the zone is known", () => {
    checkRule(constantFoldingRule, t1().selectExpr("current_timestamp() AS now", "current_date() AS d", "CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts", "CAST(CAST('2024-01-02' AS DATE) AS STRING) AS ds"),
      `Project [current_timestamp() AS now#1, current_date() AS d#2, CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts#3, CAST(CAST('2024-01-02' AS DATE) AS STRING) AS ds#4]
+- LocalRelation [word#5, n#6]`,
      `Project [current_timestamp() AS now#1, current_date() AS d#2, CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts#3, '2024-01-02' AS ds#4]
+- LocalRelation [word#5, n#6]`);
    checkRule(constantFoldingRule, t1().selectExpr("CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts", "current_date() AS d"),
      `Project [CAST('2024-01-02 03:04:05' AS TIMESTAMP) AS ts#1, current_date() AS d#2]
+- LocalRelation [word#3, n#4]`,
      `Project [TIMESTAMP '2024-01-02 03:04:05' AS ts#1, current_date() AS d#2]
+- LocalRelation [word#3, n#4]`, { timeZone: "UTC", ansi: true });
  });

  it("never folds non-deterministic calls", () => {
    checkRule(constantFoldingRule, t1().selectExpr("rand(1) + 1 AS r"),
      `Project [(rand(1) + CAST(1 AS DOUBLE)) AS r#1]
+- LocalRelation [word#2, n#3]`,
      `Project [(rand(1) + 1.0) AS r#1]
+- LocalRelation [word#2, n#3]`);
  });

  it("folds in filters and aggregates", () => {
    checkRule(constantFoldingRule, t1().where("n > 1 + 1 AND 2 > 1"),
      `Filter ((n#1 > (1 + 1)) AND (2 > 1))
+- LocalRelation [word#2, n#1]`,
      `Filter ((n#1 > 2) AND true)
+- LocalRelation [word#2, n#1]`);
    checkRule(constantFoldingRule, t1().groupBy("word").agg(F.sum(lit(1).plus(1)).alias("s")),
      `Aggregate [word#1], [word#1, sum(CAST((1 + 1) AS BIGINT)) AS s#2]
+- LocalRelation [word#1, n#3]`,
      `Aggregate [word#1], [word#1, sum(2L) AS s#2]
+- LocalRelation [word#1, n#3]`);
  });

  it("returns the same plan when nothing folds", () => {
    checkUnchanged(constantFoldingRule, t1().where("n > 2"), `Filter (n#1 > 2)
+- LocalRelation [word#2, n#1]`);
  });

  it("gives the same rows as the unfolded plan, and the ANSI error only when the branch is taken", async () => {
    const s = spark;
    s.conf.set("sluice.sql.ansi.enabled", true);
    try {
      const df = t1().selectExpr("n", "CASE WHEN n > 0 THEN 1 ELSE 1 DIV 0 END AS d", "1 + 2 AS c");
      assert.deepEqual(await df.collect(), [{ n: 1, d: 1, c: 3 }, { n: 2, d: 1, c: 3 }]);
      await assert.rejects(t1().selectExpr("CASE WHEN n > 1 THEN 1 ELSE 1 DIV 0 END AS d").collect(), /DIVIDE_BY_ZERO|divide|zero/i);
    } finally {
      s.conf.unset("sluice.sql.ansi.enabled");
    }
  });
});
