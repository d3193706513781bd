import { describe, it } from "node:test";
import { eliminateSubqueryAliasesRule } from "../../src/optimizer/eliminate-subquery-aliases-rule.js";
import { checkRule, t1 } from "./rule-harness.js";

describe("eliminateSubqueryAliasesRule", () => {
  it("removes subquery aliases", () => {
    checkRule(eliminateSubqueryAliasesRule, t1().alias("t").select("t.word"),
      `Project [word#1]
+- SubqueryAlias t
   +- LocalRelation [word#1, n#2]`,
      `Project [word#1]
+- LocalRelation [word#1, n#2]`);
  });

});
