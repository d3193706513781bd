import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { broadcast, col, count, current_timestamp, lit, window } from "../../src/api/functions.js";
import { Plan } from "../../src/plan/logical-plan.js";
import { incrementalPlan } from "../../src/streaming/incremental-plan.js";
import { microBatchPlanning, sameShape } from "../../src/streaming/micro-batch-plans.js";
import { ManualClock } from "../../src/streaming/clock.js";
import { AddData, AdvanceClock, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, testStream } from "./stream-test.js";

const spark = Session.builder().config("sluice.executor.threads", 1).getOrCreate();

describe("micro-batch plans", () => {
  it("of one query's batches have the same shape whatever their rows; another filter or other columns do not", () => {
    const input = spark.memoryStream("k INT, v STRING");
    const df = input.toDF().filter(col("k").gt(lit(1))).select(col("v"));
    const source = input;
    const a = incrementalPlan(df.plan, 0, new Map([[source, []]]));
    const b = incrementalPlan(df.plan, 1, new Map([[source, []]]));
    assert.notEqual(a, b);
    assert.ok(sameShape(a, b));
    const other = incrementalPlan(input.toDF().filter(col("k").gt(lit(2))).select(col("v")).plan, 0, new Map([[source, []]]));
    assert.ok(!sameShape(a, other), "another filter");
    assert.ok(!sameShape(Plan.localRelation(input.output, []), Plan.localRelation(input.output.slice(0, 1), [])), "other columns");
  });

  it("are planned once per shape, and each batch still reads its own rows", async () => {
    const input = spark.memoryStream("ad STRING, t TIMESTAMP");
    const ads = spark.createDataFrame([{ ad: "a", campaign: "x" }, { ad: "b", campaign: "y" }], "ad string, campaign string");
    const counts = input.toDF().withWatermark("t", "10 seconds").join(broadcast(ads), "ad").groupBy(col("campaign"), window(col("t"), "10 seconds")).agg(count("*").alias("n")).select(col("campaign"), col("window.start").alias("start"), col("n"));
    const at = (s: number) => new Date(s * 1000);
    const before = { ...microBatchPlanning };
    await testStream(counts, "update", [
      AddData(input, [{ ad: "a", t: at(1) }, { ad: "b", t: at(2) }]),
      CheckAnswer([{ campaign: "x", start: at(0), n: 1 }, { campaign: "y", start: at(0), n: 1 }]),
      AddData(input, [{ ad: "a", t: at(3) }]),
      CheckNewAnswer([{ campaign: "x", start: at(0), n: 2 }]),
      AddData(input, [{ ad: "b", t: at(4) }, { ad: "c", t: at(5) }]),
      CheckNewAnswer([{ campaign: "y", start: at(0), n: 2 }]),
      AddData(input, [{ ad: "a", t: at(11) }]),
      CheckNewAnswer([{ campaign: "x", start: at(10), n: 1 }]),
    ]);
    const planned = microBatchPlanning.planned - before.planned, reused = microBatchPlanning.reused - before.reused;
    // Two plans a batch (the partial aggregation below the state, which measures the watermark's
    // event times on the way, and the sink's), each planned once for batches with rows and once
    // for the no-data batch after t=11.
    assert.ok(planned <= 4, `plans planned: ${planned}`);
    assert.ok(reused >= 6, `plans reused: ${reused}`);
  });

  it("compute current_timestamp() per batch (a reused plan is not compiled for the first batch's time)", async () => {
    const input = spark.memoryStream("v INT");
    const clock = new ManualClock(0);
    const df = input.toDF().select(col("v"), current_timestamp().alias("now"));
    await testStream(df, "append", [
      StartStream({ trigger: { processingTime: "10 seconds" }, clock }),
      AddData(input, [{ v: 1 }]),
      AdvanceClock(10_000),
      CheckAnswer([{ v: 1, now: new Date(10_000) }]),
      AddData(input, [{ v: 2 }]),
      AdvanceClock(10_000),
      CheckNewAnswer([{ v: 2, now: new Date(20_000) }]),
      AddData(input, [{ v: 3 }]),
      AdvanceClock(10_000),
      CheckNewAnswer([{ v: 3, now: new Date(30_000) }]),
      AssertOnQuery((q) => q.recentProgress.length === 3, "three batches"),
    ]);
  });
});
