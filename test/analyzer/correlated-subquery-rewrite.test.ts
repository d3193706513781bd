import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";
import type { LogicalPlan } from "../../src/plan/logical-plan.js";
import { children } from "../../src/plan/logical-plan.js";

const spark = Session.builder().create();
spark.sql("CREATE OR REPLACE TEMP VIEW rw_o AS SELECT * FROM VALUES (1, 10) AS o(id, v)");
spark.sql("CREATE OR REPLACE TEMP VIEW rw_i AS SELECT * FROM VALUES (1, 'a') AS i(id, tag)");

const joinTypes = (p: LogicalPlan, out: string[] = []): string[] => {
  if (p.kind === "Join") out.push(p.joinType);
  for (const c of children(p)) joinTypes(c, out);
  return out;
};

test("correlated EXISTS / NOT EXISTS / IN / NOT IN analyze into semi and anti joins", () => {
  const plan = (q: string): string[] => joinTypes(spark.sql(q).plan);
  assert.deepEqual(plan("SELECT * FROM rw_o WHERE EXISTS (SELECT 1 FROM rw_i WHERE rw_i.id = rw_o.id)"), ["left_semi"]);
  assert.deepEqual(plan("SELECT * FROM rw_o WHERE NOT EXISTS (SELECT 1 FROM rw_i WHERE rw_i.id = rw_o.id) AND v > 1"), ["left_anti"]);
  assert.deepEqual(plan("SELECT * FROM rw_o o WHERE id IN (SELECT id FROM rw_i i WHERE i.tag = 'a' AND o.v > 0)"), ["left_semi"]);
  assert.deepEqual(plan("SELECT * FROM rw_o o WHERE id NOT IN (SELECT id FROM rw_i i WHERE i.id = o.id)"), ["left_anti"]);
  // Uncorrelated subqueries are left to be evaluated once before execution.
  assert.deepEqual(plan("SELECT * FROM rw_o WHERE id IN (SELECT id FROM rw_i)"), []);
});

test("correlation under an aggregation in the subquery is refused with a clear error", () => {
  assert.throws(
    () => spark.sql("SELECT * FROM rw_o WHERE EXISTS (SELECT count(*) FROM rw_i WHERE rw_i.id = rw_o.id GROUP BY tag)"),
    /UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.*under Aggregate/,
  );
});
