import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Session } from "../../src/index.js";
import { valueAt } from "../../src/batch/vector.js";
import { HashAggregateExec } from "../../src/physical/hash-aggregate-exec.js";
import { findOp } from "../support/find-op.js";

const spark = Session.builder().create();

test("min and max of timestamps and dates per group, nulls skipped and all-null groups null, in the generated loop and the column-wise slots (property)", async () => {
  // Both aggregate paths keep timestamps and dates as numbers (agg-slot.ts numericSpec).
  const rowArb = fc.record({ k: fc.integer({ min: 0, max: 3 }), t: fc.option(fc.integer({ min: -2e15, max: 4e15 }), { nil: null }), d: fc.option(fc.integer({ min: -40000, max: 40000 }), { nil: null }) });
  await fc.assert(fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 25 }), async (rows) => {
    const df = spark.createDataFrame(rows, "k INT, t BIGINT, d INT")
      .selectExpr("k", "timestamp_micros(t) AS t", "date_add(DATE'1970-01-01', d) AS d")
      .groupBy("k").agg({ t: "min" }, { t: "max" }, { d: "min" }, { d: "max" });
    const want = new Map<number, (number | null)[]>();
    for (const r of rows) {
      const w = want.get(r.k) ?? [null, null, null, null];
      if (r.t !== null) { w[0] = w[0] === null ? r.t : Math.min(w[0], r.t); w[1] = w[1] === null ? r.t : Math.max(w[1], r.t); }
      if (r.d !== null) { w[2] = w[2] === null ? r.d : Math.min(w[2], r.d); w[3] = w[3] === null ? r.d : Math.max(w[3], r.d); }
      want.set(r.k, w);
    }
    const op = spark.physicalPlan(df.plan), agg = findOp(op, HashAggregateExec)!;
    for (const fused of [true, false]) {
      agg.allowFused = fused;
      const got = new Map<number, unknown[]>();
      for await (const b of op.execute(spark.execContext())) {
        for (let i = 0; i < b.numRows; i++) got.set(valueAt(b.columns[0]!, i) as number, b.columns.slice(1).map((c) => valueAt(c, i)));
      }
      assert.deepEqual(got, want, fused ? "generated loop" : "column-wise slots");
    }
  }), { numRuns: 100 });
});
