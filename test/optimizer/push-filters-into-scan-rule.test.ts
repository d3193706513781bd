import { describe, it } from "node:test";
import { col } from "../../src/index.js";
import { pushFiltersIntoScanRule } from "../../src/optimizer/push-filters-into-scan-rule.js";
import { checkRule, checkUnchanged, spark, tempFile } from "./rule-harness.js";

const path = tempFile("t.json", '{"a":1,"b":"x","c":2.5,"d":10}\n');
const src = () => spark.read.schema("a INT, b STRING, c DOUBLE, d BIGINT").json(path);

describe("pushFiltersIntoScanRule", () => {
  it("translates comparisons, IN, null tests, NOT and OR; leaves doubles and functions", () => {
    checkRule(pushFiltersIntoScanRule, src().where("a = 1 AND b > 'q' AND c > 1.0 AND d IS NOT NULL AND upper(b) = 'X' AND a IN (1, 2) AND NOT (a != 3) AND (a < 5 OR b = 'z')"),
      `Filter ((((((((a#1 = 1) AND (b#2 > 'q')) AND (c#3 > CAST(1.0 AS DOUBLE))) AND (d#4 IS NOT NULL)) AND (upper(b#2) = 'X')) AND (a#1 IN (1, 2))) AND (NOT (a#1 != 3))) AND ((a#1 < 5) OR (b#2 = 'z')))
+- Relation [a#1, b#2, c#3, d#4] json`,
      `Filter ((((((((a#1 = 1) AND (b#2 > 'q')) AND (c#3 > CAST(1.0 AS DOUBLE))) AND (d#4 IS NOT NULL)) AND (upper(b#2) = 'X')) AND (a#1 IN (1, 2))) AND (NOT (a#1 != 3))) AND ((a#1 < 5) OR (b#2 = 'z')))
+- Relation [a#1, b#2, c#3, d#4] json, PushedFilters: [EqualTo(a,1), GreaterThan(b,q), IsNotNull(d), In(a, [1,2]), Not(Not(EqualTo(a,3))), Or(LessThan(a,5),EqualTo(b,z))]`);
  });

  it("flips literal-first comparisons and translates startswith", () => {
    checkRule(pushFiltersIntoScanRule, src().where("1 < a AND startswith(b, 'x')"),
      `Filter ((1 < a#1) AND startswith(b#2, 'x'))
+- Relation [a#1, b#2, c#3, d#4] json`,
      `Filter ((1 < a#1) AND startswith(b#2, 'x'))
+- Relation [a#1, b#2, c#3, d#4] json, PushedFilters: [GreaterThan(a,1), StringStartsWith(b,x)]`);
  });

  it("sees through renaming projections", () => {
    checkRule(pushFiltersIntoScanRule, src().select(col("a").alias("x"), col("b")).where("x = 1 AND b = 'u'"),
      `Filter ((x#1 = 1) AND (b#2 = 'u'))
+- Project [a#3 AS x#1, b#2]
   +- Relation [a#3, b#2, c#4, d#5] json`,
      `Filter ((x#1 = 1) AND (b#2 = 'u'))
+- Project [a#3 AS x#1, b#2]
   +- Relation [a#3, b#2, c#4, d#5] json, PushedFilters: [EqualTo(a,1), EqualTo(b,u)]`);
  });

  it("returns the same plan when nothing translates", () => {
    checkUnchanged(pushFiltersIntoScanRule, src().where("a + 1 = 2"), `Filter ((a#1 + 1) = 2)
+- Relation [a#1, b#2, c#3, d#4] json`);
  });

});
