import { describe, it } from "node:test";
import { removeNoopProjectRule } from "../../src/optimizer/remove-noop-project-rule.js";
import { checkRule, t1 } from "./rule-harness.js";

describe("removeNoopProjectRule", () => {
  it("removes a projection equal to its child's output", () => {
    checkRule(removeNoopProjectRule, t1().select("word", "n").select("n"),
      `Project [n#1]
+- Project [word#2, n#1]
   +- LocalRelation [word#2, n#1]`,
      `Project [n#1]
+- LocalRelation [word#2, n#1]`);
  });

});
