/**
 * Ordered per-key window functions on streams (beyond Spark, which refuses non-time windows on
 * streams): rows are buffered per PARTITION BY key and emitted in event-time order once the
 * watermark passes them (and the rows a lead needs); lag rows, row counts, ranks and running
 * aggregates carry over in state, across restarts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Session, Window, col, functions as F } from "../../src/index.js";
import type { DataFrame } from "../../src/api/dataframe.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckLateRows, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const t = (s: number): Date => new Date(s * 1000);
const m = (meter: string, s: number, value: number) => ({ meter, ts: t(s), value });

function meterStream() {
  const input = spark.memoryStream("meter STRING, ts TIMESTAMP, value DOUBLE");
  return { input, df: input.toDF().withWatermark("ts", "10 seconds") };
}

void describe("streaming window functions", () => {
  void it("derivative per meter: value - lag(value), row_number and a running sum, in event-time order, across a restart", async () => {
    const { input, df } = meterStream();
    const w = Window.partitionBy("meter").orderBy("ts");
    const q = df.select(
      col("meter"), col("ts"), col("value"),
      col("value").minus(F.lag("value").over(w)).alias("delta"),
      F.row_number().over(w).alias("n"),
      F.sum("value").over(w).alias("total"),
    );
    const r = (meter: string, s: number, value: number, delta: number | null, n: number, total: number) => ({ meter, ts: t(s), value, delta, n, total });
    await testStream(q, "append", [
      // Out of order within the delay; nothing is final until the watermark passes.
      AddData(input, [m("a", 5, 10), m("a", 2, 4), m("b", 3, 1)]),
      CheckNewAnswer([]),
      AddData(input, [m("a", 14, 30)]), // watermark -> 4 s: a@2 and b@3 final
      CheckNewAnswer([r("a", 2, 4, null, 1, 4), r("b", 3, 1, null, 1, 1)]),
      AddData(input, [m("a", 9, 16), m("b", 12, 5)]),
      StopStream,
      StartStream(),
      AddData(input, [m("c", 30, 0)]), // watermark -> 20 s
      CheckNewAnswer([r("a", 5, 10, 6, 2, 14), r("a", 9, 16, 6, 3, 30), r("a", 14, 30, 14, 4, 60), r("b", 12, 5, 4, 2, 6)]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.operatorName === "windowStateStoreSave", "the operator's progress name"),
      AddData(input, [m("a", 25, 40), m("a", 1, 99)]), // a@1 is late
      AddData(input, [m("c", 50, 0)]), // watermark -> 40 s
      CheckNewAnswer([r("a", 25, 40, 10, 5, 100), r("c", 30, 0, null, 1, 0)]),
      CheckLateRows([{ meter: "a", ts: t(1), value: 99, late_operator: "windowStateStoreSave" }]),
    ], { lateRows: true });
  });

  void it("lead waits for its successors to be final; rank, dense_rank and RANGE peers come out together", async () => {
    const input = spark.memoryStream("k STRING, ts TIMESTAMP, v INT");
    const w = Window.partitionBy("k").orderBy("ts");
    const q = input.toDF().withWatermark("ts", "5 seconds").select(
      col("k"), col("ts"), col("v"),
      F.lead("v").over(w).alias("next"), F.rank().over(w).alias("rk"), F.dense_rank().over(w).alias("dr"), F.count("v").over(w).alias("c"),
    );
    const r = (s: number, v: number, next: number | null, rk: number, dr: number, c: number) => ({ k: "x", ts: t(s), v, next, rk, dr, c });
    await testStream(q, "append", [
      AddData(input, [{ k: "x", ts: t(1), v: 1 }, { k: "x", ts: t(2), v: 2 }, { k: "x", ts: t(2), v: 3 }]),
      AddData(input, [{ k: "x", ts: t(8), v: 4 }]), // watermark 3 s: 1, 2, 2 final; the last 2 waits for its successor
      CheckNewAnswer([r(1, 1, 2, 1, 1, 1)]), // the peers at 2 s go out together, after the lead row
      AddData(input, [{ k: "x", ts: t(20), v: 5 }]), // watermark 15 s: 8 s final, its successor (20 s) is not
      CheckNewAnswer([r(2, 2, 3, 2, 2, 3), r(2, 3, 4, 2, 2, 3)]),
      AddData(input, [{ k: "y", ts: t(40), v: 0 }]), // watermark 35 s
      CheckNewAnswer([r(8, 4, 5, 4, 3, 4)]),
    ]);
  });

  void it("SQL OVER (PARTITION BY ... ORDER BY ...) on a streaming view", async () => {
    const { input, df } = meterStream();
    df.createOrReplaceTempView("meter_readings_sql");
    const q = spark.sql(`SELECT meter, ts, value - lag(value, 1, value) OVER (PARTITION BY meter ORDER BY ts) AS delta,
      avg(value) OVER (PARTITION BY meter ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mean
      FROM meter_readings_sql`);
    await testStream(q, "append", [
      AddData(input, [m("a", 1, 2), m("a", 3, 6)]),
      AddData(input, [m("a", 20, 0)]),
      CheckNewAnswer([{ meter: "a", ts: t(1), delta: 0, mean: 2 }, { meter: "a", ts: t(3), delta: 4, mean: 4 }]),
    ]);
  });

  void it("a sliding ROWS frame (moving average of the last 3 readings) and no PARTITION BY (one ordered stream)", async () => {
    const { input, df } = meterStream();
    const q = df.select(
      col("meter"), col("ts"),
      F.avg("value").over(Window.partitionBy("meter").orderBy("ts").rowsBetween(-2, Window.currentRow)).alias("avg3"),
      F.max("value").over(Window.partitionBy("meter").orderBy("ts").rowsBetween(-1, -1)).alias("prevMax"),
      F.row_number().over(Window.orderBy("ts")).alias("seq"),
    );
    const r = (meter: string, s: number, avg3: number, prevMax: number | null, seq: number) => ({ meter, ts: t(s), avg3, prevMax, seq });
    await testStream(q, "append", [
      AddData(input, [m("a", 1, 3), m("b", 2, 100), m("a", 3, 6)]),
      AddData(input, [m("a", 14, 9)]), // watermark 4 s
      CheckNewAnswer([r("a", 1, 3, null, 1), r("b", 2, 100, null, 2), r("a", 3, 4.5, 3, 3)]),
      StopStream,
      StartStream(),
      AddData(input, [m("a", 20, 12), m("a", 40, 0)]), // watermark 30 s
      CheckNewAnswer([r("a", 14, 6, 6, 4), r("a", 20, 9, 9, 5)]),
    ]);
  });

  void it("RANGE frames of event time: peers share the frame, earlier offsets, across a restart", async () => {
    const input = spark.memoryStream("k STRING, ts TIMESTAMP, x INT");
    const w = Window.partitionBy("k").orderBy("ts");
    const q = input.toDF().withWatermark("ts", "5 seconds").select(
      col("k"), col("ts"), col("x"),
      F.avg("x").over(w.rangeBetween("-10 seconds", Window.currentRow)).alias("avg10"),
      F.count("x").over(w.rangeBetween("-10 seconds", "-5 seconds")).alias("older"),
    );
    const r = (k: string, s: number, x: number | null, avg10: number | null, older: number) => ({ k, ts: t(s), x, avg10, older });
    await testStream(q, "append", [
      AddData(input, [{ k: "a", ts: t(1), x: 1 }, { k: "a", ts: t(5), x: 2 }, { k: "a", ts: t(5), x: 3 }, { k: "b", ts: t(3), x: null }]),
      AddData(input, [{ k: "a", ts: t(12), x: 4 }]), // watermark 7 s
      CheckNewAnswer([r("a", 1, 1, 1, 0), r("a", 5, 2, 2, 0), r("a", 5, 3, 2, 0), r("b", 3, null, null, 0)]),
      StopStream,
      StartStream(),
      AddData(input, [{ k: "a", ts: t(20), x: 5 }]), // watermark 15 s: a@12 reads a@5 (kept across the restart) but not a@1
      CheckNewAnswer([r("a", 12, 4, 3, 2)]),
      AddData(input, [{ k: "c", ts: t(40), x: 0 }]), // watermark 35 s
      CheckNewAnswer([r("a", 20, 5, 4.5, 1)]),
    ]);
  });

  void it("RANGE BETWEEN INTERVAL ... PRECEDING in SQL equals the batch query", async () => {
    const input = spark.memoryStream("k STRING, ts TIMESTAMP, x DOUBLE");
    input.toDF().withWatermark("ts", "2 seconds").createOrReplaceTempView("range_sql_stream");
    const sql = (from: string) => `SELECT k, ts, x, sum(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL 3 SECONDS PRECEDING AND CURRENT ROW) AS s3,
      max(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL 1 MINUTE PRECEDING AND INTERVAL 1 SECOND PRECEDING) AS before FROM ${from}`;
    const rows = [[1, 1], [2, 2], [2, 7], [4, 3], [6, -1], [7, 10], [11, 0]].map(([s, x]) => ({ k: "a", ts: t(s!), x: x! }));
    spark.createDataFrame(rows, "k STRING, ts TIMESTAMP, x DOUBLE").createOrReplaceTempView("range_sql_batch");
    const expected = await spark.sql(sql("range_sql_batch")).collect();
    await testStream(spark.sql(sql("range_sql_stream")), "append", [
      AddData(input, rows.slice(0, 3)),
      AddData(input, rows.slice(3, 5)),
      AddData(input, rows.slice(5)),
      AddData(input, [{ k: "z", ts: t(30), x: 0 }]), // watermark 28 s: every row of a is final
      CheckNewAnswer(expected),
    ]);
    assert.deepEqual(expected.map((e) => e["s3"]), [1, 10, 10, 13, 2, 12, 0]);
  });

  void it("lead IGNORE NULLS waits until n following rows with a value are final", async () => {
    const input = spark.memoryStream("k STRING, ts TIMESTAMP, x INT");
    const w = Window.partitionBy("k").orderBy("ts");
    const q = input.toDF().withWatermark("ts", "5 seconds").select(
      col("ts"), F.lead("x", 1, -1, true).over(w).alias("next"), F.lead("x", 2, null, true).over(w).alias("next2"), F.row_number().over(w).alias("n"),
    );
    const x = (s: number, v: number | null) => ({ k: "p", ts: t(s), x: v });
    const r = (s: number, next: number, next2: number, n: number) => ({ ts: t(s), next, next2, n });
    await testStream(q, "append", [
      AddData(input, [x(1, 10), x(2, null), x(3, null), x(4, 40)]),
      AddData(input, [x(10, null)]), // watermark 5 s: 1..4 final, but only one value (40) follows 1
      CheckNewAnswer([]),
      AddData(input, [x(11, 110), x(20, null)]), // watermark 15 s: 40 and 110 follow 1, 2, 3
      CheckNewAnswer([r(1, 40, 110, 1), r(2, 40, 110, 2), r(3, 40, 110, 3)]),
      StopStream,
      StartStream(),
      AddData(input, [x(30, 300)]), // watermark 25 s: after 4 only 110 is final (300 is not)
      CheckNewAnswer([]),
      AddData(input, [x(40, null)]), // watermark 35 s
      CheckNewAnswer([r(4, 110, 300, 4), r(10, 110, 300, 5)]),
    ]);
  });

  void it("RANGE frames evict kept rows by watermark - offset, also for keys without new rows", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-window-range-"));
    try {
      const { input, df } = meterStream();
      const w = Window.partitionBy("meter").orderBy("ts");
      const query = await df.select(col("meter"), col("ts"), F.sum("value").over(w.rangeBetween("-5 seconds", 0)).alias("s"))
        .writeStream.format("memory").queryName("stream_window_range_state").option("checkpointLocation", dir).start();
      // One state row per key entry and per buffered row: the kept rows of a key add up.
      const kept = async () => (await spark.read.format("state").load(dir).selectExpr("key.meter AS meter", "size(value.lastRows) AS kept").groupBy("meter").agg(F.sum("kept").cast("int").alias("kept")).orderBy("meter").collect());
      input.addData([m("a", 1, 1), m("a", 8, 2), m("b", 9, 5)]);
      await query.processAllAvailable();
      input.addData([m("a", 20, 3)]); // watermark 10 s: rows from 10 s + 1 µs - 5 s on may be read by rows still to come
      await query.processAllAvailable();
      assert.deepEqual(await kept(), [{ meter: "a", kept: 1 }, { meter: "b", kept: 1 }]);
      input.addData([m("c", 30, 0)]); // watermark 20 s: a@20 emitted, a@8 evicted; b has no new rows, b@9 evicted too
      await query.processAllAvailable();
      assert.deepEqual(await kept(), [{ meter: "a", kept: 1 }, { meter: "b", kept: 0 }, { meter: "c", kept: 0 }]);
      const out = await spark.sql("SELECT meter, ts, s FROM stream_window_range_state").collect();
      assert.deepEqual(out.map((r) => [r["meter"], (r["ts"] as Date).getTime() / 1000, r["s"]]).sort(), [["a", 1, 1], ["a", 20, 3], ["a", 8, 2], ["b", 9, 5]]);
      await query.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("RANGE frames: a row just after the watermark still reads the row a whole frame before it", async () => {
    const { input, df } = meterStream();
    const q = df.select(col("ts"), F.count("value").over(Window.partitionBy("meter").orderBy("ts").rangeBetween("-10 seconds", 0)).alias("c"));
    const ms = (n: number) => ({ meter: "a", ts: new Date(n), value: 1 });
    await testStream(q, "append", [
      AddData(input, [ms(1_001)]),
      AddData(input, [ms(21_000)]), // watermark 11 s: 1.001 s emitted and kept (a row at 11.001 s may still come)
      CheckNewAnswer([{ ts: new Date(1_001), c: 1 }]),
      StopStream,
      StartStream(),
      AddData(input, [ms(11_001), ms(40_000)]), // watermark 30 s
      CheckNewAnswer([{ ts: new Date(11_001), c: 2 }, { ts: new Date(21_000), c: 2 }]),
    ]);
  });

  void it("README: the derivative of a meter's signal, in SQL", async () => {
    const readings = spark.memoryStream("meter STRING, ts TIMESTAMP, kwh DOUBLE");
    readings.toDF().withWatermark("ts", "1 minute").createOrReplaceTempView("readings");
    const q = spark.sql("SELECT meter, ts, kwh - lag(kwh) OVER (PARTITION BY meter ORDER BY ts) AS delta FROM readings");
    await testStream(q, "append", [
      AddData(readings, [{ meter: "m1", ts: t(600), kwh: 1 }, { meter: "m1", ts: t(660), kwh: 1.5 }, { meter: "m1", ts: t(780), kwh: 2.25 }]),
      CheckNewAnswer([{ meter: "m1", ts: t(600), delta: null }, { meter: "m1", ts: t(660), delta: 0.5 }]),
    ]);
  });

  void it("in a chain: dropDuplicates, then two window specs, then a windowed sum of the deltas", async () => {
    const { input, df } = meterStream();
    const deltas = df.dropDuplicates(["meter", "ts"])
      .select(col("meter"), col("ts"), col("value").minus(F.lag("value").over(Window.partitionBy("meter").orderBy("ts"))).alias("delta"))
      .select(col("*"), F.row_number().over(Window.orderBy("ts", "meter")).alias("seq"));
    const perWindow = deltas.groupBy(F.window(col("ts"), "10 seconds")).agg(F.sum("delta").alias("rise"), F.max("seq").alias("lastSeq"));
    await testStream(perWindow, "append", [
      AddData(input, [m("a", 1, 1), m("a", 4, 3), m("a", 4, 3), m("b", 6, 10), m("b", 8, 15)]),
      AddData(input, [m("a", 12, 4), m("b", 13, 20)]), // watermark 3 s
      CheckNewAnswer([]),
      AddData(input, [m("a", 35, 0)]), // watermark 25 s: every row so far final; window [0, 10) closes downstream
      CheckNewAnswer([{ window: { start: t(0), end: t(10) }, rise: 2 + 5, lastSeq: 4 }, { window: { start: t(10), end: t(20) }, rise: 1 + 5, lastSeq: 6 }]),
      StopStream,
      StartStream(),
      AddData(input, [m("a", 31, 9), m("b", 26, 21), m("b", 60, 0)]), // watermark 50 s
      CheckNewAnswer([{ window: { start: t(20), end: t(30) }, rise: 1, lastSeq: 7 }, { window: { start: t(30), end: t(40) }, rise: 5 - 9, lastSeq: 9 }]),
    ]);
  });

  void it("update mode: the same final rows; then an aggregation of them in update mode", async () => {
    const { input, df } = meterStream();
    const deltas = df.select(col("meter"), col("ts"), col("value").minus(F.lag("value").over(Window.partitionBy("meter").orderBy("ts"))).alias("delta"));
    const rises = deltas.select(col("*"), F.row_number().over(Window.orderBy("ts", "meter")).alias("seq")).groupBy("meter").agg(F.sum("delta").alias("rise"), F.count("delta").alias("steps"));
    await testStream(rises, "update", [
      AddData(input, [m("a", 1, 1), m("a", 4, 3), m("b", 2, 5)]),
      AddData(input, [m("a", 20, 4)]), // watermark 10 s
      CheckNewAnswer([{ meter: "a", rise: 2, steps: 1 }, { meter: "b", rise: null, steps: 0 }]),
      AddData(input, [m("b", 12, 9), m("a", 40, 0)]), // watermark 30 s
      CheckNewAnswer([{ meter: "a", rise: 3, steps: 2 }, { meter: "b", rise: 4, steps: 1 }]),
    ]);
  });

  void it("the state reader shows the buffered rows and the carry-over", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-window-"));
    try {
      const { input, df } = meterStream();
      const w = Window.partitionBy("meter").orderBy("ts");
      const query = await df.select(col("meter"), col("ts"), F.lag("value").over(w).alias("prev"))
        .writeStream.format("memory").queryName("stream_window_state").option("checkpointLocation", dir).start();
      input.addData([m("a", 1, 5), m("a", 30, 7)]);
      await query.processAllAvailable();
      input.addData([m("b", 25, 1)]); // the watermark (20 s) passes a@1 in this batch
      await query.processAllAvailable();
      await query.stop();
      // A key entry (carry-over) per key, and an entry per buffered row: pending, or kept for lag.
      const rows = await spark.read.format("state").load(dir)
        .selectExpr("key.meter AS meter", "value.rowCount AS n", "size(value.pendingRows) AS pending", "value.lastRows[0].value AS last", "value.pendingRows[0].ts AS ts")
        .orderBy("meter", "n", "last").collect();
      assert.deepEqual(rows, [
        { meter: "a", n: null, pending: 1, last: null, ts: t(30) }, // the pending row a@30
        { meter: "a", n: null, pending: 0, last: 5, ts: null },
        { meter: "a", n: 1, pending: 0, last: null, ts: null },
        { meter: "b", n: null, pending: 1, last: null, ts: t(25) },
        { meter: "b", n: 0, pending: 0, last: null, ts: null },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("a batch writes what changed, not every buffered row of the keys it touches", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-window-delta-"));
    try {
      const input = spark.memoryStream("meter STRING, ts TIMESTAMP, value DOUBLE");
      const w = Window.partitionBy("meter").orderBy("ts");
      const query = await input.toDF().withWatermark("ts", "1 hour").select(col("meter"), col("ts"), F.lag("value").over(w).alias("prev"))
        .writeStream.format("memory").queryName("stream_window_delta").option("checkpointLocation", dir).start();
      const addOne = async (s: number): Promise<number> => {
        input.addData([m("a", s, s)]);
        await query.processAllAvailable();
        const op = query.lastProgress!.stateOperators[0]!;
        assert.equal(op.numRowsUpdated, 2, "one row entry and the key entry");
        return op.customMetrics["deltaFileBytes"]!;
      };
      const withOnePending = await addOne(1);
      input.addData(Array.from({ length: 60 }, (_, i) => m("a", 2 + i, i))); // 60 more rows wait (the watermark is an hour behind)
      await query.processAllAvailable();
      const withManyPending = await addOne(100);
      await query.stop();
      assert.ok(withManyPending <= withOnePending + 16, `delta file of the batch adding one row: ${withManyPending} bytes with 61 rows pending, ${withOnePending} bytes with 1`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("runs on the LMDB state store provider too: row entries, a RANGE frame, lag and lead IGNORE NULLS across a restart", async () => {
    spark.conf.set("sluice.sql.streaming.stateStore.providerClass", "lmdb");
    try {
      const { input, df } = meterStream();
      const w = Window.partitionBy("meter").orderBy("ts");
      const q = df.select(
        col("meter"), col("ts"), F.lag("value").over(w).alias("prev"), F.lead("value", 1, null, true).over(w).alias("next"),
        F.sum("value").over(w.rangeBetween("-4 seconds", 0)).alias("s4"),
      );
      const r = (s: number, prev: number | null, next: number, s4: number) => ({ meter: "a", ts: t(s), prev, next, s4 });
      await testStream(q, "append", [
        AddData(input, [m("a", 1, 1), m("a", 3, 2), m("a", 6, 4)]),
        AddData(input, [m("a", 20, 8)]), // watermark 10 s: a@6 waits for a following row with a value
        CheckNewAnswer([r(1, null, 2, 1), r(3, 1, 4, 3)]),
        StopStream,
        StartStream(),
        AddData(input, [m("a", 30, 16)]), // watermark 20 s: a@20 waits for a@30 to be final
        CheckNewAnswer([r(6, 2, 8, 6)]),
        AddData(input, [m("a", 45, 0)]), // watermark 35 s
        CheckNewAnswer([r(20, 4, 16, 8)]),
      ]);
    } finally {
      spark.conf.unset("sluice.sql.streaming.stateStore.providerClass");
    }
  });

  void it("refuses what cannot run on a stream, saying why", async () => {
    const { df } = meterStream();
    const plain = spark.memoryStream("meter STRING, ts TIMESTAMP, value DOUBLE").toDF();
    const start = (d: DataFrame, mode = "append") => d.writeStream.format("memory").queryName("refused_window").outputMode(mode).start();
    const cases: [DataFrame, RegExp, string?][] = [
      [plain.select(F.lag("value").over(Window.partitionBy("meter").orderBy("ts"))), /need a watermark on the event-time column/],
      [df.select(F.lag("value").over(Window.partitionBy("meter").orderBy("value"))), /must be ordered by the watermarked event-time column first, ascending \(ts\), not by value/],
      [df.select(F.lag("value").over(Window.partitionBy("meter").orderBy(col("ts").desc()))), /ordered by the watermarked event-time column first, ascending/],
      [df.select(F.sum("value").over(Window.partitionBy("meter"))), /need ORDER BY the watermarked event-time column/],
      [df.select(F.sum("value").over(Window.partitionBy("meter").orderBy("ts").rowsBetween(Window.currentRow, Window.unboundedFollowing))), /only frames ending at the current row or before it are/],
      [df.select(F.ntile(2).over(Window.partitionBy("meter").orderBy("ts"))), /ntile needs the whole partition/],
      [df.select(F.sum("value").over(Window.partitionBy("meter").orderBy("ts").rangeBetween("-5 seconds", "5 seconds"))), /a frame reaching following rows would wait/],
      [df.select(F.sum("value").over(Window.partitionBy("meter").orderBy("ts").rangeBetween(Window.unboundedPreceding, "-5 seconds"))), /a frame from UNBOUNDED PRECEDING to an offset is not supported/],
      [df.select(F.sum("value").over(Window.partitionBy("meter").orderBy("ts", "value").rangeBetween("-5 seconds", 0))), /a RANGE frame with an offset needs exactly one ORDER BY expression/],
      [
        df.select(col("*"), F.lead("value", 1, null, true).over(Window.partitionBy("meter").orderBy("ts")).alias("nx")).groupBy("meter").count(),
        /not supported with lead\(\): a lead waits on following rows/,
      ],
      [df.select(F.row_number().over(Window.partitionBy("meter").orderBy("ts"))), /run in Append or Update output mode/, "complete"],
      [
        df.select(col("*"), F.lead("value").over(Window.partitionBy("meter").orderBy("ts")).alias("nx")).select(col("*"), F.row_number().over(Window.orderBy("ts")).alias("n")),
        /not supported with lead\(\): a lead waits on following rows/,
      ],
      [df.select(F.row_number().over(Window.partitionBy("meter").orderBy("ts")).alias("n")).groupBy("n").count(), /Append output mode not supported when there are streaming aggregations on streaming DataFrames\/DataSets without watermark/],
    ];
    for (const [d, msg, mode] of cases) {
      await assert.rejects(start(d, mode), (e: unknown) => e instanceof StreamingError && msg.test(e.message), msg.source);
    }
  });
});
