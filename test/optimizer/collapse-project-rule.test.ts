import { describe, it } from "node:test";
import { col, functions as F } from "../../src/index.js";
import { collapseProjectRule } from "../../src/optimizer/collapse-project-rule.js";
import { checkRule, checkUnchanged, t1 } from "./rule-harness.js";

describe("collapseProjectRule", () => {
  it("does not compute a non-trivial alias twice", () => {
    checkUnchanged(collapseProjectRule, t1().select(col("n").multiply(2).alias("a"), col("word")).select(col("a").plus(1).alias("b"), col("word"), col("a")), `Project [(a#1 + 1) AS b#2, word#3, a#1]
+- Project [(n#4 * 2) AS a#1, word#3]
   +- LocalRelation [word#3, n#4]`);
  });

  it("does not duplicate a function call used twice", () => {
    checkUnchanged(collapseProjectRule, t1().select(F.upper(col("word")).alias("u")).select(F.concat(col("u"), col("u")).alias("uu")), `Project [concat(u#1, u#1) AS uu#2]
+- Project [upper(word#3) AS u#1]
   +- LocalRelation [word#3, n#4]`);
  });

  it("substitutes cheap aliases even when used twice", () => {
    checkRule(collapseProjectRule, t1().select(col("n").alias("a")).select(col("a").plus(col("a")).alias("b")),
      `Project [(a#1 + a#1) AS b#2]
+- Project [n#3 AS a#1]
   +- LocalRelation [word#4, n#3]`,
      `Project [(n#1 + n#1) AS b#2]
+- LocalRelation [word#3, n#1]`);
  });

});
