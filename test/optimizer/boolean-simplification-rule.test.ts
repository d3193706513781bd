import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { col, functions as F, lit } from "../../src/index.js";
import { booleanSimplificationRule } from "../../src/optimizer/boolean-simplification-rule.js";
import { checkRule, checkUnchanged, t1, t2 } from "./rule-harness.js";

describe("booleanSimplificationRule", () => {
  it("drops true from AND and false from OR", () => {
    checkRule(booleanSimplificationRule, t1().where(col("n").gt(1).and(lit(true)).or(lit(false))),
      `Filter (((n#1 > 1) AND true) OR false)
+- LocalRelation [word#2, n#1]`,
      `Filter (n#1 > 1)
+- LocalRelation [word#2, n#1]`);
  });

  it("removes double negation and negates comparisons and null tests", () => {
    checkRule(booleanSimplificationRule, t1().where("NOT NOT (n = 2) AND NOT (n < 3) AND NOT (word IS NULL)"),
      `Filter (((NOT (NOT (n#1 = 2))) AND (NOT (n#1 < 3))) AND (NOT (word#2 IS NULL)))
+- LocalRelation [word#2, n#1]`,
      `Filter (((n#1 = 2) AND (n#1 >= 3)) AND (word#2 IS NOT NULL))
+- LocalRelation [word#2, n#1]`);
  });

  it("turns a filter that is never true into an empty relation with the same output", () => {
    const out = checkRule(booleanSimplificationRule, t1().where(col("n").gt(1).and(lit(false))),
      `Filter ((n#1 > 1) AND false)
+- LocalRelation [word#2, n#1]`,
      `LocalRelation [word#1, n#2] (empty: filter is never true)`);
    assert.equal(out.kind, "LocalRelation");
  });

  it("keeps a non-deterministic operand of AND false", () => {
    checkUnchanged(booleanSimplificationRule, t1().where(F.rand(1).gt(0.5).and(lit(false))),
      `Filter ((rand(1) > 0.5) AND false)
+- LocalRelation [word#1, n#2]`);
  });

  it("removes a filter that is always true", () => {
    checkRule(booleanSimplificationRule, t1().where(lit(true)),
      `Filter true
+- LocalRelation [word#1, n#2]`,
      `LocalRelation [word#1, n#2]`);
  });

  it("drops CASE branches that are never taken and takes a leading true branch", () => {
    checkRule(booleanSimplificationRule, t1().selectExpr("CASE WHEN false THEN 1 WHEN true THEN n ELSE 3 END AS c", "CASE WHEN false THEN 1 WHEN n > 1 THEN 2 END AS d"),
      `Project [CASE WHEN false THEN 1 WHEN true THEN n#1 ELSE 3 END AS c#2, CASE WHEN false THEN 1 WHEN (n#1 > 1) THEN 2 END AS d#3]
+- LocalRelation [word#4, n#1]`,
      `Project [n#1 AS c#2, CASE WHEN (n#1 > 1) THEN 2 END AS d#3]
+- LocalRelation [word#4, n#1]`);
  });

  it("drops ON true from an inner join", () => {
    checkRule(booleanSimplificationRule, t1().join(t2(), lit(true), "inner"),
      `Join Inner, true
:- LocalRelation [word#1, n#2]
+- LocalRelation [k#3, m#4]`,
      `Join Inner
:- LocalRelation [word#1, n#2]
+- LocalRelation [k#3, m#4]`);
  });

  it("returns the same plan when nothing simplifies", () => {
    checkUnchanged(booleanSimplificationRule, t1().where("n > 2 OR word = 'a'"), `Filter ((n#1 > 2) OR (word#2 = 'a'))
+- LocalRelation [word#2, n#1]`);
  });
});
