/**
 * writeStream.lateRowsTo(...): rows that stateful operators drop behind the watermark go to a
 * sink of their own (beyond Spark, which only counts them), with the operator's input columns and
 * where they were dropped; once per batch id, across restarts and re-runs of a batch.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, expr, session_window, window } from "../../src/api/functions.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckLateRows, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const t = (s: number): Date => new Date(s * 1000);
const ev = (word: string, s: number) => ({ word, ts: t(s) });
const late = (word: string, s: number, op: number, name: string, wmS: number) => ({ word, ts: t(s), late_operator_id: op, late_operator: name, late_side: null, late_watermark: t(wmS) });

void describe("late rows to a sink", () => {
  void it("windowed aggregation: the dropped input rows, once, across a restart; counted as before", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = input.toDF().withWatermark("ts", "10 seconds").groupBy(window(col("ts"), "5 seconds"), col("word")).count();
    await testStream(df, "append", [
      AddData(input, [ev("a", 11), ev("b", 15)]), // watermark -> 5 s
      CheckNewAnswer([]),
      CheckLateRows([]),
      AddData(input, [ev("a", 3), ev("a", 7), ev("c", 4)]), // [0, 5) is behind 5 s: a@3 and c@4 late
      CheckLateRows([late("a", 3, 0, "stateStoreSave", 5), late("c", 4, 0, "stateStoreSave", 5)]),
      AssertOnQuery((q) => q.recentProgress.some((p) => p.stateOperators[0]?.numRowsDroppedByWatermark === 2), "still counted"),
      AssertOnQuery((q) => q.recentProgress.some((p) => p.lateRowsSink?.numOutputRows === 2 && p.lateRowsSink.description === "MemorySink"), "reported in progress as lateRowsSink"),
      StopStream,
      StartStream(),
      AddData(input, [ev("z", 30)]), // watermark -> 20 s: windows up to 20 s emitted
      CheckNewAnswer([
        { window: { start: t(5), end: t(10) }, word: "a", count: 1 },
        { window: { start: t(10), end: t(15) }, word: "a", count: 1 },
        { window: { start: t(15), end: t(20) }, word: "b", count: 1 },
      ]),
      AddData(input, [ev("b", 19)]),
      CheckLateRows([late("a", 3, 0, "stateStoreSave", 5), late("c", 4, 0, "stateStoreSave", 5), late("b", 19, 0, "stateStoreSave", 20)]),
    ], { lateRows: true });
  });

  void it("dropDuplicatesWithinWatermark and dropDuplicates on the event time", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    await testStream(input.toDF().withWatermark("ts", "10 seconds").dropDuplicatesWithinWatermark(["word"]), "append", [
      AddData(input, [ev("a", 20)]),
      CheckNewAnswer([ev("a", 20)]),
      AddData(input, [ev("b", 9), ev("b", 11)]), // watermark 10 s: b@9 late
      CheckNewAnswer([ev("b", 11)]),
      CheckLateRows([late("b", 9, 0, "dedupeWithinWatermark", 10)]),
    ], { lateRows: true });
    const other = spark.memoryStream("word STRING, ts TIMESTAMP");
    await testStream(other.toDF().withWatermark("ts", "10 seconds").dropDuplicates(["word", "ts"]), "append", [
      AddData(other, [ev("a", 20)]),
      CheckNewAnswer([ev("a", 20)]),
      AddData(other, [ev("a", 5)]),
      CheckNewAnswer([]),
      CheckLateRows([late("a", 5, 0, "dedupe", 10)]),
    ], { lateRows: true });
  });

  void it("stream-stream join: each side's late rows with their side and the columns of that side", async () => {
    const left = spark.memoryStream("k INT, lt TIMESTAMP"), right = spark.memoryStream("k2 INT, rt TIMESTAMP");
    const l = left.toDF().withWatermark("lt", "10 seconds"), r = right.toDF().withWatermark("rt", "10 seconds");
    const joined = l.join(r, expr("k = k2 AND rt BETWEEN lt - INTERVAL 5 SECONDS AND lt + INTERVAL 5 SECONDS"));
    const lateJoin = (side: "left" | "right", k: number, s: number, wm: number) => ({
      k: side === "left" ? k : null, lt: side === "left" ? t(s) : null, k2: side === "right" ? k : null, rt: side === "right" ? t(s) : null,
      late_operator_id: 0, late_operator: "symmetricHashJoin", late_side: side, late_watermark: t(wm),
    });
    await testStream(joined, "append", [
      AddData(left, [{ k: 1, lt: t(30) }]),
      AddData(right, [{ k2: 1, rt: t(31) }]),
      CheckNewAnswer([{ k: 1, lt: t(30), k2: 1, rt: t(31) }]),
      // the watermark is now 20 s (the minimum of both inputs' 30 - 10 and 31 - 10)
      AddData(left, [{ k: 2, lt: t(12) }]),
      AddData(right, [{ k2: 2, rt: t(18) }, { k2: 3, rt: t(40) }]),
      CheckNewAnswer([]),
      CheckLateRows([lateJoin("left", 2, 12, 20), lateJoin("right", 2, 18, 20)]),
    ], { lateRows: true });
  });

  void it("session windows: the late row with its own per-row session", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = input.toDF().withWatermark("ts", "10 seconds").groupBy(session_window(col("ts"), "5 seconds"), col("word")).count();
    await testStream(df, "append", [
      AddData(input, [ev("a", 30)]), // watermark -> 20 s
      CheckNewAnswer([]),
      AddData(input, [ev("b", 12), ev("b", 18)]), // b@12's session [12, 17) is behind 20 s; b@18's [18, 23) is not
      CheckLateRows([{ word: "b", ts: t(12), session_window: { start: t(12), end: t(17) }, late_operator: "sessionWindowStateStoreSaveExec", late_side: null }]),
    ], { lateRows: true });
  });

  void it("a re-run batch (commit lost after the sinks ran) delivers its late rows once to a JSON file sink", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-late-rows-"));
    try {
      const ckpt = path.join(dir, "ckpt"), lateDir = path.join(dir, "late");
      const input = spark.memoryStream("word STRING, ts TIMESTAMP");
      const df = input.toDF().withWatermark("ts", "10 seconds").groupBy(window(col("ts"), "5 seconds"), col("word")).count();
      const start = () =>
        df.writeStream.format("memory").queryName("late_rerun_counts").outputMode("append").option("checkpointLocation", ckpt)
          .lateRowsTo((l) => l.format("json").option("path", lateDir))
          .start();
      let q = await start();
      input.addData([ev("a", 30)]);
      await q.processAllAvailable();
      input.addData([ev("b", 1), ev("c", 2), ev("d", 40)]);
      await q.processAllAvailable();
      const lastBatch = q.lastCommittedBatchId;
      await q.stop();
      // As if the process died after the sinks ran but before commits/N was written.
      fs.rmSync(path.join(ckpt, "commits", String(lastBatch)));
      q = await start();
      await q.processAllAvailable();
      assert.equal(q.lastCommittedBatchId, lastBatch);
      await q.stop();
      const rows = await spark.read.schema("word STRING, ts TIMESTAMP, late_operator_id INT, late_operator STRING").json(lateDir).orderBy("word").collect();
      assert.deepEqual(rows.map((r) => [r["word"], (r["ts"] as Date).getTime(), r["late_operator_id"], r["late_operator"]]), [["b", 1000, 0, "stateStoreSave"], ["c", 2000, 0, "stateStoreSave"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("writeStream.lateRowsTo(memory table) through the public API", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const q = await input.toDF().withWatermark("ts", "10 seconds").dropDuplicates(["word", "ts"])
      .writeStream.format("memory").queryName("late_api_out")
      .lateRowsTo((l) => l.format("memory").queryName("late_api_rows"))
      .start();
    try {
      input.addData([ev("a", 50)]);
      await q.processAllAvailable();
      input.addData([ev("x", 1)]);
      await q.processAllAvailable();
      const rows = await spark.sql("SELECT word, late_operator, late_watermark FROM late_api_rows").collect();
      assert.deepEqual(rows, [{ word: "x", late_operator: "dedupe", late_watermark: t(40) }]);
    } finally {
      await q.stop();
    }
  });

  void it("lateRowsTo(foreachBatch): called every batch with that batch's late rows", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const seen: [number, string[]][] = [];
    const q = await input.toDF().withWatermark("ts", "10 seconds").dropDuplicates(["word", "ts"])
      .writeStream.format("memory").queryName("late_fb_out")
      .lateRowsTo((l) => l.foreachBatch(async (df, batchId) => {
        seen.push([batchId, (await df.collect()).map((r) => `${String(r["word"])}@${(r["ts"] as Date).getTime() / 1000}`)]);
      }))
      .start();
    try {
      input.addData([ev("a", 50)]);
      await q.processAllAvailable();
      input.addData([ev("x", 1), ev("y", 45)]);
      await q.processAllAvailable();
      // (batch 1 is the no-data batch the watermark move called for; the late row comes in batch 2)
      assert.deepEqual(seen.filter(([, rows]) => rows.length > 0), [[2, ["x@1"]]]);
      assert.ok(seen.some(([id]) => id === 0), "called for a batch without late rows too");
    } finally {
      await q.stop();
    }
  });

  void it("refuses a query that never drops late rows, and clashing column types", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    await assert.rejects(
      input.toDF().groupBy("word").count().writeStream.format("memory").queryName("late_none").outputMode("update").lateRowsTo((l) => l.format("memory").queryName("late_none_rows")).start(),
      (e: unknown) => e instanceof StreamingError && /lateRowsTo\(\.\.\.\) needs a stateful operator that drops rows behind a watermark/.test(e.message),
    );
    const a = spark.memoryStream("k INT, ts TIMESTAMP"), b = spark.memoryStream("k STRING, ts2 TIMESTAMP");
    const j = a.toDF().withWatermark("ts", "1 second").alias("a").join(b.toDF().withWatermark("ts2", "1 second").alias("b"), expr("cast(a.k AS STRING) = b.k AND ts2 BETWEEN ts AND ts + INTERVAL 1 SECOND"));
    await assert.rejects(
      j.writeStream.format("memory").queryName("late_clash").lateRowsTo((l) => l.format("memory").queryName("late_clash_rows")).start(),
      /column k is INT in the input of symmetricHashJoin#0 \(left\) but STRING in the input of symmetricHashJoin#0 \(right\)/,
    );
  });
});
