/**
 * Update-mode chains (beyond Spark, which refuses them): an aggregation after an update-mode
 * aggregation replaces each upstream group's previous row when it changes; after an insert-only
 * operator (deduplication) it aggregates as usual. The latest row per group always equals the
 * batch answer, whatever the micro-batch boundaries and restarts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session, col, functions as F } from "../../src/index.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckLastBatch, CheckNewAnswer, StartStream, StopStream, canonicalRow, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const t = (s: number): Date => new Date(s * 1000);

/** Visits per user and region, then per region: the users' total, how many users, the busiest user's count. */
function perRegion<R>(df: DataFrame<R>): DataFrame {
  return (df as unknown as DataFrame).groupBy("user", "region").count()
    .groupBy("region").agg(F.sum("count").alias("visits"), F.count("user").alias("users"), F.max("count").alias("top"));
}

void describe("update-mode chains", () => {
  void it("aggregation after aggregation: a user's new count replaces the old one (sum, count, max), across a restart", async () => {
    const input = spark.memoryStream("user STRING, region STRING");
    const v = (user: string, region: string) => ({ user, region });
    await testStream(perRegion(input.toDF()), "update", [
      AddData(input, [v("u1", "eu"), v("u1", "eu"), v("u2", "eu"), v("u3", "us")]),
      CheckLastBatch([{ region: "eu", visits: 3, users: 2, top: 2 }, { region: "us", visits: 1, users: 1, top: 1 }]),
      AddData(input, [v("u1", "eu")]),
      CheckLastBatch([{ region: "eu", visits: 4, users: 2, top: 3 }]),
      StopStream,
      StartStream(),
      AddData(input, [v("u3", "us"), v("u4", "us"), v("u2", "eu")]),
      CheckLastBatch([{ region: "eu", visits: 5, users: 2, top: 3 }, { region: "us", visits: 3, users: 2, top: 2 }]),
    ]);
  });

  void it("a group's row moves to another group of the second aggregation (a histogram of counts)", async () => {
    const input = spark.memoryStream("user STRING");
    const histogram = input.toDF().groupBy("user").count().groupBy(col("count").alias("visits")).agg(F.count("user").alias("users"), F.collect_set("user").alias("who"));
    await testStream(histogram, "update", [
      AddData(input, ["u1", "u1", "u2", "u3"].map((user) => ({ user }))),
      CheckLastBatch([{ visits: 2, users: 1, who: ["u1"] }, { visits: 1, users: 2, who: ["u2", "u3"] }]),
      AddData(input, [{ user: "u2" }]), // u2 leaves the group of 1 visit for the group of 2
      CheckLastBatch([{ visits: 2, users: 2, who: ["u1", "u2"] }, { visits: 1, users: 1, who: ["u3"] }]),
    ]);
  });

  void it("a filter between: a group enters the second aggregation once it passes, and leaves when it stops passing", async () => {
    const input = spark.memoryStream("user STRING, amount INT");
    const df = input.toDF().groupBy("user").agg(F.sum("amount").alias("balance"))
      .filter(col("balance").gt(0))
      .groupBy().agg(F.count("user").alias("positive"), F.sum("balance").alias("total"));
    await testStream(df, "update", [
      AddData(input, [{ user: "a", amount: 5 }, { user: "b", amount: -1 }]),
      CheckLastBatch([{ positive: 1, total: 5 }]),
      AddData(input, [{ user: "b", amount: 3 }]),
      CheckLastBatch([{ positive: 2, total: 7 }]),
      AddData(input, [{ user: "a", amount: -10 }]),
      CheckLastBatch([{ positive: 1, total: 2 }]),
    ]);
  });

  void it("windowed counts, then per window: late rows dropped by the first aggregation, windows evicted by the watermark", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = input.toDF().withWatermark("ts", "10 seconds")
      .groupBy(F.window(col("ts"), "10 seconds"), col("word")).count()
      .groupBy("window").agg(F.count("word").alias("words"), F.max("count").alias("top"));
    const w = (s: number) => ({ start: t(s), end: t(s + 10) });
    await testStream(df, "update", [
      AddData(input, [{ word: "a", ts: t(1) }, { word: "b", ts: t(2) }, { word: "a", ts: t(3) }]),
      CheckNewAnswer([{ window: w(0), words: 2, top: 2 }]),
      AddData(input, [{ word: "b", ts: t(4) }, { word: "c", ts: t(25) }]), // watermark -> 15 s afterwards: window 0 evicted
      CheckNewAnswer([{ window: w(0), words: 2, top: 2 }, { window: w(20), words: 1, top: 1 }]),
      AddData(input, [{ word: "d", ts: t(5) }, { word: "c", ts: t(26) }]), // d@5 is late
      CheckNewAnswer([{ window: w(20), words: 1, top: 2 }]),
      AssertOnQuery((q) => q.recentProgress.some((p) => p.stateOperators[0]?.numRowsDroppedByWatermark === 1), "d@5 dropped by the first aggregation"),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[1]?.numRowsTotal === 2, "the second aggregation keeps only window 20's row (and its index entry)"),
    ]);
  });

  void it("deduplication then aggregation in update mode", async () => {
    const input = spark.memoryStream("id INT, user STRING, ts TIMESTAMP");
    const df = input.toDF().withWatermark("ts", "10 seconds").dropDuplicates(["id", "ts"]).groupBy("user").count();
    await testStream(df, "update", [
      AddData(input, [{ id: 1, user: "a", ts: t(1) }, { id: 1, user: "a", ts: t(1) }, { id: 2, user: "b", ts: t(2) }]),
      CheckLastBatch([{ user: "a", count: 1 }, { user: "b", count: 1 }]),
      AddData(input, [{ id: 1, user: "a", ts: t(1) }, { id: 3, user: "a", ts: t(3) }]),
      CheckLastBatch([{ user: "a", count: 2 }]),
    ]);
  });

  void it("the second aggregation's state (each upstream group's latest row) reads back with format(\"state\")", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-update-chain-state-"));
    try {
      const input = spark.memoryStream("user STRING, region STRING");
      const q = await perRegion(input.toDF()).writeStream.format("memory").queryName("update_chain_state").outputMode("update").option("checkpointLocation", dir).start();
      input.addData([{ user: "u1", region: "eu" }, { user: "u1", region: "eu" }, { user: "u2", region: "us" }]);
      await q.processAllAvailable();
      assert.equal(q.lastProgress?.stateOperators[1]?.operatorName, "stateStoreSaveOverUpdates");
      await q.stop();
      const rows = await spark.read.format("state").option("operatorId", 1).load(dir)
        .filter(col("key.entry").equalTo("g")).selectExpr("key.region AS region", "key.`upstream.user` AS user", "value.row.count AS count").orderBy("user").collect();
      assert.deepEqual(rows, [{ region: "eu", user: "u1", count: 2 }, { region: "us", user: "u2", count: 1 }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("refuses what cannot replace earlier rows, saying why", async () => {
    const input = spark.memoryStream("user STRING, region STRING, ts TIMESTAMP");
    const start = (d: DataFrame, mode: string) => d.writeStream.format("memory").queryName("update_chain_refused").outputMode(mode).start();
    const dropsKey = input.toDF().groupBy("user", "region").count().select(col("region"), col("count")).groupBy("region").agg(F.sum("count"));
    await assert.rejects(start(dropsKey, "update"), (e: unknown) => e instanceof StreamingError && /need the first aggregation's grouping columns \(user, region\) in the input of the second one/.test(e.message));
    await assert.rejects(start(perRegion(input.toDF()), "complete"), (e: unknown) => e instanceof StreamingError && /Complete output mode/.test(e.message));
    const sessions = input.toDF().withWatermark("ts", "10 seconds").groupBy(F.session_window(col("ts"), "5 seconds"), col("user")).count().groupBy("user").agg(F.sum("count"));
    await assert.rejects(start(sessions, "update"), (e: unknown) => e instanceof StreamingError && /after a session-window aggregation/.test(e.message));
  });
});

void describe("update-mode chains equal the batch answer", () => {
  void it("the latest row per region after random batches and restarts", async () => {
    const eventArb = fc.record({ user: fc.constantFrom("u1", "u2", "u3", "u4", "u5"), region: fc.constantFrom("eu", "us", "ap") });
    const caseArb = fc.record({
      events: fc.array(eventArb, { minLength: 1, maxLength: 30 }),
      cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
      restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ events, cuts, restarts }) => {
        const expected = await perRegion(spark.createDataFrame(events, "user STRING, region STRING")).collect();
        const input = spark.memoryStream("user STRING, region STRING");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-update-chain-"));
        // Every update, in batch order; a batch re-run after a restart is not counted twice.
        const updates: Record<string, unknown>[] = [];
        let lastBatch = -1;
        const start = () =>
          perRegion(input.toDF()).writeStream.outputMode("update").option("checkpointLocation", dir)
            .foreachBatch(async (df, batchId) => {
              if (batchId <= lastBatch) return;
              updates.push(...(await df.collect()));
              lastBatch = batchId;
            })
            .start();
        let q = await start();
        try {
          for (let i = 0, b = 0; i < events.length; b++) {
            const size = cuts[b % cuts.length]!;
            input.addData(events.slice(i, i + size));
            await q.processAllAvailable();
            if (restarts[b % restarts.length]) {
              await q.stop();
              q = await start();
            }
            i += size;
          }
        } finally {
          await q.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        }
        const latest = new Map<unknown, Record<string, unknown>>();
        for (const r of updates) latest.set(r["region"], r);
        assert.deepEqual([...latest.values()].map(canonicalRow).sort(), expected.map(canonicalRow).sort());
      }),
      { numRuns: 25, seed: 20261121 },
    );
  });
});
