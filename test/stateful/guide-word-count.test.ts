/**
 * The windowed word count with a watermark from Spark's Structured Streaming programming guide
 * ("Handling Late Data and Watermarking"): 10-minute windows sliding every 5 minutes, a
 * 10-minute watermark on the event time, and the guide's input, one trigger at a time:
 *
 *   trigger 1: dog 12:07, owl 12:08
 *   trigger 2: dog 12:14, cat 12:09         (cat is out of order but ahead of the watermark 12:04)
 *   trigger 3: cat 12:15, dog 12:08, owl 12:13, owl 12:21   (the watermark becomes 12:11)
 *   trigger 4: donkey 12:04, owl 12:17      (donkey is too late: its windows end by 12:11)
 *
 * The guide's pictures predate no-data micro-batches; with them (the default) the window
 * 12:00-12:10 is emitted by the no-data batch right after trigger 3, and without them by
 * trigger 4, as the append-mode picture shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, window } from "../../src/api/functions.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const at = (hm: string): Date => new Date(`2024-05-01T${hm}:00.000Z`);
const ev = (word: string, hm: string): { word: string; ts: Date } => ({ word, ts: at(hm) });
const w = (start: string, end: string, word: string, count: number): Record<string, unknown> => ({ window: { start: at(start), end: at(end) }, word, count });

const trigger1 = [ev("dog", "12:07"), ev("owl", "12:08")];
const trigger2 = [ev("dog", "12:14"), ev("cat", "12:09")];
const trigger3 = [ev("cat", "12:15"), ev("dog", "12:08"), ev("owl", "12:13"), ev("owl", "12:21")];
const trigger4 = [ev("donkey", "12:04"), ev("owl", "12:17")];

function windowedCounts() {
  const input = spark.memoryStream("word STRING, ts TIMESTAMP");
  const df = input.toDF().withWatermark("ts", "10 minutes").groupBy(window(col("ts"), "10 minutes", "5 minutes"), col("word")).count();
  return { input, df };
}

const watermarkIs = (hm: string) =>
  AssertOnQuery((q) => q.lastProgress?.eventTime["watermark"] === at(hm).toISOString(), `the last batch ran with watermark ${hm}`);
const droppedIs = (n: number) => AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsDroppedByWatermark === n, `${n} late groups dropped in the last batch`);

void describe("the programming guide's windowed word count with watermark", () => {
  void it("update mode: each trigger writes the windows it changed; donkey is dropped as too late", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "update", [
      AddData(input, trigger1),
      CheckNewAnswer([w("12:00", "12:10", "dog", 1), w("12:00", "12:10", "owl", 1), w("12:05", "12:15", "dog", 1), w("12:05", "12:15", "owl", 1)]),
      AddData(input, trigger2),
      CheckNewAnswer([w("12:00", "12:10", "cat", 1), w("12:05", "12:15", "cat", 1), w("12:05", "12:15", "dog", 2), w("12:10", "12:20", "dog", 1)]),
      AddData(input, trigger3),
      CheckNewAnswer([
        w("12:00", "12:10", "dog", 2),
        w("12:05", "12:15", "dog", 3),
        w("12:05", "12:15", "owl", 2),
        w("12:10", "12:20", "cat", 1),
        w("12:10", "12:20", "owl", 1),
        w("12:15", "12:25", "cat", 1),
        w("12:15", "12:25", "owl", 1),
        w("12:20", "12:30", "owl", 1),
      ]),
      watermarkIs("12:11"),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsRemoved === 3, "the no-data batch evicted the three 12:00-12:10 windows"),
      AddData(input, trigger4),
      CheckNewAnswer([w("12:10", "12:20", "owl", 2), w("12:15", "12:25", "owl", 2)]),
      watermarkIs("12:11"),
      droppedIs(2),
    ]);
  });

  void it("append mode: a window is written once, when the watermark passes its end (no-data batches on)", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "append", [
      AddData(input, trigger1),
      CheckNewAnswer([]),
      AddData(input, trigger2),
      CheckNewAnswer([]),
      AddData(input, trigger3),
      // The watermark moved to 12:11: the no-data batch that follows closes 12:00-12:10.
      CheckNewAnswer([w("12:00", "12:10", "cat", 1), w("12:00", "12:10", "dog", 2), w("12:00", "12:10", "owl", 1)]),
      AddData(input, trigger4),
      CheckNewAnswer([]),
      droppedIs(2),
      // Late data for a window already written never changes it, and nothing is written twice.
      AddData(input, [ev("dog", "12:30")]), // watermark -> 12:20
      CheckNewAnswer([
        w("12:05", "12:15", "dog", 3),
        w("12:05", "12:15", "owl", 2),
        w("12:05", "12:15", "cat", 1),
        w("12:10", "12:20", "dog", 1),
        w("12:10", "12:20", "cat", 1),
        w("12:10", "12:20", "owl", 2),
      ]),
    ]);
  });

  void it("append mode without no-data batches matches the guide's picture: 12:00-12:10 appears at trigger 4", async () => {
    spark.conf.set("sluice.sql.streaming.noDataMicroBatches.enabled", "false");
    try {
      const { input, df } = windowedCounts();
      await testStream(df, "append", [
        AddData(input, trigger1),
        AddData(input, trigger2),
        CheckNewAnswer([]),
        AddData(input, trigger3),
        CheckNewAnswer([]),
        watermarkIs("12:04"),
        AddData(input, trigger4),
        CheckNewAnswer([w("12:00", "12:10", "cat", 1), w("12:00", "12:10", "dog", 2), w("12:00", "12:10", "owl", 1)]),
        watermarkIs("12:11"),
        droppedIs(2),
        AssertOnQuery((q) => q.recentProgress.every((p) => p.numInputRows > 0), "no batch without data ran"),
      ]);
    } finally {
      spark.conf.unset("sluice.sql.streaming.noDataMicroBatches.enabled");
    }
  });

  void it("complete mode keeps every window and rewrites the whole result each trigger", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "complete", [
      AddData(input, trigger1),
      CheckAnswer([w("12:00", "12:10", "dog", 1), w("12:00", "12:10", "owl", 1), w("12:05", "12:15", "dog", 1), w("12:05", "12:15", "owl", 1)]),
      AddData(input, [ev("dog", "12:40")]),
      AddData(input, [ev("owl", "12:01")]), // behind the watermark, but complete mode keeps all data
      CheckAnswer([
        w("12:00", "12:10", "dog", 1),
        w("12:00", "12:10", "owl", 2),
        w("11:55", "12:05", "owl", 1),
        w("12:05", "12:15", "dog", 1),
        w("12:05", "12:15", "owl", 1),
        w("12:35", "12:45", "dog", 1),
        w("12:40", "12:50", "dog", 1),
      ]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 7, "complete mode evicts nothing"),
    ]);
  });

  void it("reports eventTime {avg, max, min, watermark} as ISO strings", async () => {
    const { input, df } = windowedCounts();
    const q = await df.writeStream.format("memory").queryName("guide_event_time").outputMode("update").start();
    try {
      input.addData(trigger2);
      await q.processAllAvailable();
      const first = q.recentProgress.find((p) => p.numInputRows > 0)!;
      assert.deepEqual(first.eventTime, { avg: at("12:11").toISOString().replace("12:11:00", "12:11:30"), max: at("12:14").toISOString(), min: at("12:09").toISOString(), watermark: new Date(0).toISOString() });
      assert.equal(q.lastProgress?.eventTime["watermark"], at("12:04").toISOString());
      const op = q.lastProgress!.stateOperators[0]!;
      for (const k of ["numRowsTotal", "numRowsUpdated", "numRowsRemoved", "numRowsDroppedByWatermark", "memoryUsedBytes", "commitTimeMs", "allUpdatesTimeMs", "allRemovalsTimeMs", "numShufflePartitions"] as const) {
        assert.equal(typeof op[k], "number", k);
      }
      assert.equal(op.operatorName, "stateStoreSave");
      assert.equal(typeof op.customMetrics, "object");
      assert.ok(spark.streams.active.some((x) => x.id === q.id), "spark.streams lists the stateful query");
    } finally {
      await q.stop();
    }
  });
});
