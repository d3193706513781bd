import { describe, it } from "node:test";
import { limitRule } from "../../src/optimizer/limit-rule.js";
import { checkRule, t1 } from "./rule-harness.js";

describe("limitRule", () => {
  it("merges adjacent limits and offsets", () => {
    checkRule(limitRule, t1().limit(5).offset(1).limit(2),
      `Limit 2
+- Offset 1 Limit 9007199254740991
   +- Limit 5
      +- LocalRelation [word#1, n#2]`,
      `Offset 1 Limit 2
+- LocalRelation [word#1, n#2]`);
  });

  it("moves a limit below a deterministic projection", () => {
    checkRule(limitRule, t1().orderBy("n").select("word").limit(1),
      `Limit 1
+- Project [word#1]
   +- Sort [n#2 ASC NULLS FIRST], true
      +- LocalRelation [word#1, n#2]`,
      `Project [word#1]
+- Limit 1
   +- Sort [n#2 ASC NULLS FIRST], true
      +- LocalRelation [word#1, n#2]`);
  });

});
