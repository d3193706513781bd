/**
 * The semantics of Spark's EventTimeWatermarkSuite, ported: when the watermark moves (end of a
 * batch, used from the next), what append and update emit, late data dropped and counted,
 * no-data batches, recovery from the checkpoint, several watermarks and their policy.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, count, timestamp_seconds, window } from "../../src/api/functions.js";
import { OffsetLog } from "../../src/checkpoint/offset-log.js";
import { CommitLog } from "../../src/checkpoint/commit-log.js";
import type { StreamingQuery } from "../../src/api/streaming-query.js";
import { WatermarkTracker } from "../../src/streaming/watermark-tracker.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-watermark-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const ckpt = (): string => path.join(root, `ckpt-${n++}`);

const values = (...xs: number[]): { value: number }[] => xs.map((value) => ({ value }));
/** Spark's test query: 5-second windows over `timestamp_seconds(value)` with a 10-second watermark, as (start seconds, count). */
function windowedCounts(delay = "10 seconds") {
  const input = spark.memoryStream("value INT");
  const df = input
    .toDF()
    .withColumn("eventTime", timestamp_seconds(col("value")))
    .withWatermark("eventTime", delay)
    .groupBy(window(col("eventTime"), "5 seconds").alias("window"))
    .agg(count("*").alias("count"))
    .select(col("window.start").cast("long").alias("start"), col("count"));
  return { input, df };
}
const r = (start: number, c: number): Record<string, unknown> => ({ start, count: c });
const numStateRows = (k: number) => AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === k, `${k} state rows`);
/** Rows dropped by the last batch that had data (a no-data batch may follow it), as Spark's assertNumRowsDroppedByWatermark. */
const numDropped = (k: number) =>
  AssertOnQuery((q) => q.recentProgress.filter((p) => p.numInputRows > 0).at(-1)?.stateOperators[0]?.numRowsDroppedByWatermark === k, `${k} rows dropped by the watermark`);
const watermarkMs = (q: StreamingQuery): number => Date.parse(q.lastProgress?.eventTime["watermark"] ?? "x");

void describe("event-time watermark (Spark's EventTimeWatermarkSuite)", () => {
  void it("WatermarkTracker: max - delay per input, min or max across inputs, never back, idle input holds min at 0", () => {
    const t = new WatermarkTracker("min");
    assert.equal(t.update([{ max: 20_000, min: 0, sum: 0, count: 1 }, { max: 0, min: 0, sum: 0, count: 0 }], [10_000, 5_000]), 0, "input 2 has seen nothing");
    assert.equal(t.update([{ max: 0, min: 0, sum: 0, count: 0 }, { max: 30_000, min: 0, sum: 0, count: 1 }], [10_000, 5_000]), 10_000);
    assert.equal(t.update([{ max: 15_000, min: 0, sum: 0, count: 1 }, { max: 0, min: 0, sum: 0, count: 0 }], [10_000, 5_000]), 10_000, "an input's watermark never moves back");
    const m = new WatermarkTracker("max");
    assert.equal(m.update([{ max: 20_000, min: 0, sum: 0, count: 1 }, { max: 0, min: 0, sum: 0, count: 0 }], [10_000, 5_000]), 10_000);
    const restored = new WatermarkTracker("min", 50_000);
    assert.equal(restored.update([{ max: 20_000, min: 0, sum: 0, count: 1 }], [10_000]), 50_000, "the global watermark never moves back after a restart");
  });

  void it("append mode: emits a window once the watermark passes its end, drops late data and counts it", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "append", [
      AddData(input, values(10, 11, 12, 13, 14, 15)),
      CheckNewAnswer([]),
      AddData(input, values(25)), // watermark -> 15 s
      CheckNewAnswer([r(10, 5)]),
      numStateRows(2),
      numDropped(0),
      AddData(input, values(10)), // behind the watermark
      CheckNewAnswer([]),
      numStateRows(2),
      numDropped(1),
    ]);
  });

  void it("update mode: writes changed windows, evicts the closed ones, drops late data", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "update", [
      AddData(input, values(10, 11, 12, 13, 14, 15)),
      CheckNewAnswer([r(10, 5), r(15, 1)]),
      AddData(input, values(25)), // watermark -> 15 s
      CheckNewAnswer([r(25, 1)]),
      numStateRows(2),
      AddData(input, values(10, 25, 26, 26)),
      CheckNewAnswer([r(25, 4)]),
      numStateRows(2),
      numDropped(1),
    ]);
  });

  void it("the watermark is computed at the end of a batch and used from the next one", async () => {
    const { input, df } = windowedCounts();
    spark.conf.set("sluice.sql.streaming.noDataMicroBatches.enabled", "false");
    try {
      await testStream(df, "append", [
        AddData(input, values(15)),
        CheckNewAnswer([]),
        AssertOnQuery((q) => watermarkMs(q) === 0, "batch 0 runs with watermark 0"),
        AddData(input, values(15, 30)), // this batch still runs with watermark 5 s: 15 is not late
        CheckNewAnswer([]),
        AssertOnQuery((q) => watermarkMs(q) === 5_000, "batch 1 runs with max(15) - 10 s"),
        numDropped(0),
        AddData(input, values(16)), // now the watermark is 20 s: [15, 20) closes, 16 is late
        CheckNewAnswer([r(15, 2)]),
        AssertOnQuery((q) => watermarkMs(q) === 20_000, "batch 2 runs with 20 s"),
        numDropped(1),
      ]);
    } finally {
      spark.conf.unset("sluice.sql.streaming.noDataMicroBatches.enabled");
    }
  });

  void it("no-data batches: on by default they emit as soon as the watermark moves; off, the next data batch does", async () => {
    for (const enabled of [true, false]) {
      spark.conf.set("sluice.sql.streaming.noDataMicroBatches.enabled", String(enabled));
      try {
        const { input, df } = windowedCounts();
        await testStream(df, "append", [
          AddData(input, values(10)),
          CheckNewAnswer([]),
          AddData(input, values(25)),
          CheckNewAnswer(enabled ? [r(10, 1)] : []),
          AssertOnQuery((q) => q.recentProgress.some((p) => p.numInputRows === 0) === enabled, `no-data batches ${enabled ? "ran" : "did not run"}`),
          AddData(input, values(26)),
          CheckNewAnswer(enabled ? [] : [r(10, 1)]),
        ]);
      } finally {
        spark.conf.unset("sluice.sql.streaming.noDataMicroBatches.enabled");
      }
    }
  });

  void it("a no-data batch re-reads nothing: its offsets equal the previous batch's, and it is logged with the new watermark", async () => {
    const { input, df } = windowedCounts();
    const dir = ckpt();
    const q = await df.writeStream.format("memory").queryName("wm_offsets").outputMode("append").option("checkpointLocation", dir).start();
    try {
      input.addData(values(10, 11));
      await q.processAllAvailable();
      input.addData(values(25));
      await q.processAllAvailable();
    } finally {
      await q.stop();
    }
    const log = new OffsetLog(dir);
    const ids = log.batchIds();
    assert.deepEqual(ids, [0, 1, 2, 3], "data, no-data, data, no-data");
    assert.deepEqual(ids.map((i) => log.get(i)!.metadata.batchWatermarkMs), [0, 1_000, 1_000, 15_000]);
    assert.deepEqual(log.get(3)!.offsets, log.get(2)!.offsets);
    assert.equal(new CommitLog(dir).get(3)!.nextBatchWatermarkMs, 15_000);
    assert.equal(log.get(0)!.metadata.conf["sluice.sql.streaming.multipleWatermarkPolicy"], "min", "the policy is recorded in the checkpoint");
  });

  void it("recovery: the watermark and the state resume from the checkpoint (StopStream/StartStream)", async () => {
    const { input, df } = windowedCounts();
    await testStream(df, "append", [
      AddData(input, values(10, 11, 12, 13, 14, 15)),
      CheckAnswer([]),
      AddData(input, values(25)), // watermark -> 15 s
      CheckAnswer([r(10, 5)]),
      StopStream,
      StartStream(),
      AddData(input, values(10, 27, 30)), // 10 is late; watermark -> 20 s
      CheckAnswer([r(10, 5), r(15, 1)]),
      StopStream,
      StartStream(),
      AddData(input, values(17)), // the watermark is still 20 s: 17 is late
      CheckAnswer([r(10, 5), r(15, 1)]),
      AddData(input, values(40)), // watermark -> 30 s
      CheckAnswer([r(10, 5), r(15, 1), r(25, 2)]),
    ]);
  });

  void it("recovery: a batch planned but not committed is re-run with its logged watermark and state version", async () => {
    const { input, df } = windowedCounts();
    const dir = ckpt();
    const q1 = await df.writeStream.format("memory").queryName("wm_rerun").outputMode("append").option("checkpointLocation", dir).start();
    input.addData(values(10, 11, 12, 13, 14, 15));
    await q1.processAllAvailable();
    input.addData(values(25));
    await q1.processAllAvailable();
    await q1.stop();
    const rows1 = await spark.sql("SELECT * FROM wm_rerun").collect();
    assert.deepEqual(rows1.map((x) => [Number(x["start"]), Number(x["count"])]), [[10, 5]]);
    // Forget the last commit (the no-data batch that emitted [10, 15)): it must be re-run identically.
    const commits = new CommitLog(dir);
    const last = commits.getLatest()!.batchId;
    fs.rmSync(path.join(dir, "commits", String(last)));
    const q2 = await df.writeStream.format("memory").queryName("wm_rerun2").outputMode("append").option("checkpointLocation", dir).start();
    await q2.processAllAvailable();
    input.addData(values(40)); // watermark -> 30 s: [15, 20) and [25, 30) close
    await q2.processAllAvailable();
    await q2.stop();
    const rows2 = await spark.sql("SELECT * FROM wm_rerun2").collect();
    assert.deepEqual(rows2.map((x) => [Number(x["start"]), Number(x["count"])]).sort((a, b) => a[0]! - b[0]!), [[10, 5], [15, 1], [25, 1]], "the re-run emits [10, 15) again (into a new sink), from state version N");
  });

  void it("several watermarks: min (default) follows the slowest input, max the fastest; the policy is fixed per checkpoint", async () => {
    const streams = () => {
      const a = spark.memoryStream("value INT");
      const b = spark.memoryStream("value INT");
      const left = a.toDF().withColumn("eventTime", timestamp_seconds(col("value"))).withWatermark("eventTime", "10 seconds");
      const right = b.toDF().withColumn("eventTime", timestamp_seconds(col("value"))).withWatermark("eventTime", "20 seconds");
      return { a, b, df: left.union(right).groupBy(window(col("eventTime"), "5 seconds")).count() };
    };
    const run = async (policy: "min" | "max", dir: string, rows1: number[], rows2: number[], s: ReturnType<typeof streams> = streams()): Promise<number> => {
      spark.conf.set("sluice.sql.streaming.multipleWatermarkPolicy", policy);
      try {
        const { a, b, df } = s;
        const q = await df.writeStream.format("memory").queryName(`wm_policy_${n++}`).outputMode("update").option("checkpointLocation", dir).start();
        try {
          a.addData(values(...rows1));
          b.addData(values(...rows2));
          await q.processAllAvailable();
          a.addData([]);
          await q.processAllAvailable();
          return Math.max(...q.recentProgress.map((p) => Date.parse(p.eventTime["watermark"]!)));
        } finally {
          await q.stop();
        }
      } finally {
        spark.conf.unset("sluice.sql.streaming.multipleWatermarkPolicy");
      }
    };
    assert.equal(await run("min", ckpt(), [100], [100]), 80_000, "min(100-10, 100-20)");
    assert.equal(await run("max", ckpt(), [100], [100]), 90_000, "max(100-10, 100-20)");
    assert.equal(await run("min", ckpt(), [100], []), 0, "under min an input without data holds the watermark");
    const fixed = ckpt();
    const same = streams();
    await run("max", fixed, [100], [100], same);
    assert.equal(await run("min", fixed, [200], [200], same), 190_000, "the checkpoint's max policy wins over the session's min");
  });

  void it("the delay may be given in days and months (a month counts 31 days)", async () => {
    const input = spark.memoryStream("value INT");
    const df = input.toDF().withColumn("eventTime", timestamp_seconds(col("value"))).withWatermark("eventTime", "1 month 2 days").groupBy(window(col("eventTime"), "5 seconds")).count();
    const day = 86_400;
    await testStream(df, "update", [
      AddData(input, values(40 * day)),
      CheckAnswer([{ window: { start: new Date(40 * day * 1000), end: new Date((40 * day + 5) * 1000) }, count: 1 }]),
      AssertOnQuery((q) => watermarkMs(q) === (40 - 33) * day * 1000, "40 days - (31 + 2) days"),
    ]);
  });
});
