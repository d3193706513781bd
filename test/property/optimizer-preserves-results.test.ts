import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session } from "../../src/index.js";
import { explainLogical } from "../../src/plan/explain-logical.js";
import { buildQuery, canonicalRows, queryArb, tableArb, tableOf, withOptimizer } from "./query-gen.js";

const spark = Session.builder().appName("optimizer-property").create();

describe("optimizer preserves results", () => {
  it("random DataFrame queries give the same rows with the optimizer on and off", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, tableArb, queryArb, async (r0, r1, q) => {
        const tables = [tableOf(spark, r0), tableOf(spark, r1)];
        const df = buildQuery(q, tables);
        const off = canonicalRows(await withOptimizer(spark, false, () => df.collect()));
        const on = canonicalRows(await withOptimizer(spark, true, () => df.collect()));
        assert.deepEqual(on, off, `optimized plan:\n${explainLogical(spark.optimize(df.plan))}`);
      }),
      { numRuns: 80 },
    );
  });
});
