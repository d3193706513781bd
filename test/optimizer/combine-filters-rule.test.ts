import { describe, it } from "node:test";
import { functions as F } from "../../src/index.js";
import { combineFiltersRule } from "../../src/optimizer/combine-filters-rule.js";
import { checkRule, checkUnchanged, t1 } from "./rule-harness.js";

describe("combineFiltersRule", () => {
  it("merges adjacent filters, lower condition first, without repeating conjuncts", () => {
    checkRule(combineFiltersRule, t1().where("n > 1").where("n < 5 AND n > 1"),
      `Filter ((n#1 < 5) AND (n#1 > 1))
+- Filter (n#1 > 1)
   +- LocalRelation [word#2, n#1]`,
      `Filter ((n#1 > 1) AND (n#1 < 5))
+- LocalRelation [word#2, n#1]`);
  });

  it("keeps a filter above a non-deterministic one", () => {
    checkUnchanged(combineFiltersRule, t1().where(F.rand(1).gt(0.5)).where("n < 5"), `Filter (n#1 < 5)
+- Filter (rand(1) > 0.5)
   +- LocalRelation [word#2, n#1]`);
  });

});
