/**
 * A streaming aggregation groups a micro-batch's rows columnar (a group table, as the batch engine
 * does) and keeps one state entry per key. For random rows whose keys mix nulls, -0.0 against 0.0,
 * NaN, strings and event-time windows, cut into random micro-batches with random restarts, the
 * complete-mode result equals the batch engine's answer over all rows: the same groups (Spark's
 * grouping: -0.0 = 0.0, NaN = NaN, null a group of its own) and the same aggregates. The
 * aggregates (count, sum of integers, min, max) are those a streaming aggregation takes as the
 * batch's partial aggregates (physical/parallel/partial-aggregation.ts), merged into state.
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, count, max, min, sum, window } from "../../src/api/functions.js";
import { AddDataInBatches, CheckAnswer, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("streaming-aggregation-keys-property").getOrCreate();
const SCHEMA = "k INT, d DOUBLE, s STRING, v INT, ts TIMESTAMP";

const rowArb = fc.record({
  k: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  d: fc.constantFrom<number | null>(0, -0, Number.NaN, 1.5, null),
  s: fc.option(fc.constantFrom("a", "b", ""), { nil: null }),
  v: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
  sec: fc.integer({ min: 0, max: 40 }),
});

const caseArb = fc.record({
  rows: fc.array(rowArb, { minLength: 1, maxLength: 50 }),
  cuts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
  restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  byWindow: fc.boolean(),
});

void describe("streaming aggregation keys equal the batch answer", () => {
  void it("random keys with nulls, -0.0, NaN and windows; random micro-batches and restarts", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ rows, cuts, restarts, byWindow }) => {
        const events = rows.map((r) => ({ k: r.k, d: r.d, s: r.s, v: r.v, ts: new Date(1_000_000 + r.sec * 1000) }));
        const query = <R>(df: DataFrame<R>): DataFrame =>
          df.groupBy(...(byWindow ? [window(col("ts"), "10 seconds"), col("s")] : [col("k"), col("d"), col("s")]))
            .agg(count("*").alias("n"), sum("v").alias("total"), min("v").alias("lo"), max("v").alias("hi"), count("v").alias("nv"), min("s").alias("first_s"), max("d").alias("top_d"));
        const input = spark.memoryStream(SCHEMA);
        const expected = await query(spark.createDataFrame(events, SCHEMA)).collect();
        const actions = AddDataInBatches(input, events, cuts, restarts);
        actions.push(CheckAnswer(expected));
        await testStream(query(input.toDF()), "complete", actions);
      }),
      { numRuns: 30, seed: 20261121 },
    );
  });
});
