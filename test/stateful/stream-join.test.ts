/**
 * Joins on streams, with the semantics of Spark's StreamingJoinSuite / StreamingOuterJoinSuite
 * and the support matrix of its programming guide: stream-static joins per micro-batch;
 * stream-stream inner joins across batches (with and without watermarks), outer joins whose
 * null rows appear only once the watermark has passed, left semi joins, state cleanup from the
 * derived state watermarks, restarts in the middle, and the shapes Spark refuses.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { DataFrame } from "../../src/api/dataframe.js";
import type { StreamingQuery } from "../../src/api/streaming-query.js";
import { Session } from "../../src/api/session.js";
import { col, expr, timestamp_seconds, window } from "../../src/api/functions.js";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { StreamingError } from "../../src/errors/errors.js";
import { DEFAULT_STATE_STORE_CONF, decodeKey } from "../../src/state/state-store.js";
import { StateStoreCoordinator } from "../../src/state/state-store-registry.js";
import { checkStreamingQuery } from "../../src/streaming/unsupported-operations.js";
import type { OutputMode } from "../../src/streaming/sink.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, StopStream, type StreamAction, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();

/** Progress of the last batch that read data (a no-data batch may follow it). */
const lastDataProgress = (q: StreamingQuery) => q.recentProgress.filter((p) => p.numInputRows > 0).at(-1);
const stateRows = (total: number) =>
  AssertOnQuery((q) => {
    const op = q.lastProgress?.stateOperators[0];
    return op?.operatorName === "symmetricHashJoin" && op.numRowsTotal === total;
  }, `${total} buffered join rows`);
const droppedByWatermark = (k: number) => AssertOnQuery((q) => lastDataProgress(q)?.stateOperators[0]?.numRowsDroppedByWatermark === k, `${k} rows dropped by the watermark`);

/** Expects `checkStreamingQuery` to refuse the query with a StreamingError whose message contains `msg`. */
function refused(df: DataFrame, mode: OutputMode, msg: string): void {
  assert.throws(
    () => checkStreamingQuery(df.plan, mode),
    (e: unknown) => e instanceof StreamingError && e.message.includes(msg),
    msg,
  );
}

/** Spark's setupWindowedJoinWithRangeCondition: keys and times in seconds, 10-second watermarks on both sides, a ±5 s range. */
function rangeJoin(joinType: string) {
  const left = spark.memoryStream("leftKey INT, time INT");
  const right = spark.memoryStream("rightKey INT, time INT");
  const df1 = left.toDF().select(col("leftKey"), timestamp_seconds(col("time")).alias("leftTime"), col("leftKey").multiply(2).alias("leftValue")).withWatermark("leftTime", "10 seconds");
  const df2 = right.toDF().select(col("rightKey"), timestamp_seconds(col("time")).alias("rightTime"), col("rightKey").multiply(3).alias("rightValue")).withWatermark("rightTime", "10 seconds");
  const joined = df1.join(df2, expr("leftKey = rightKey AND leftTime BETWEEN rightTime - INTERVAL 5 SECONDS AND rightTime + INTERVAL 5 SECONDS"), joinType);
  return { left, right, joined };
}
const lr = (leftKey: number, time: number) => ({ leftKey, time });
const rr = (rightKey: number, time: number) => ({ rightKey, time });

void describe("stream-static joins", () => {
  const staticDf = spark.createDataFrame(
    [
      { key: 1, name: "one" },
      { key: 2, name: "two" },
    ],
    "key INT, name STRING",
  );

  void it("inner, left outer (stream left), right outer (stream right), left semi and left anti (stream left) run per micro-batch", async () => {
    const input = spark.memoryStream("key INT, v INT");
    const s = input.toDF();
    await testStream(s.join(staticDf, "key"), "append", [
      AddData(input, [{ key: 1, v: 10 }, { key: 3, v: 30 }]),
      CheckNewAnswer([{ key: 1, v: 10, name: "one" }]),
      StopStream,
      StartStream(),
      AddData(input, [{ key: 2, v: 20 }]),
      CheckNewAnswer([{ key: 2, v: 20, name: "two" }]),
    ]);
    const in2 = spark.memoryStream("key INT, v INT");
    await testStream(in2.toDF().join(staticDf, "key", "left_outer"), "append", [
      AddData(in2, [{ key: 1, v: 10 }, { key: 3, v: 30 }]),
      CheckNewAnswer([{ key: 1, v: 10, name: "one" }, { key: 3, v: 30, name: null }]),
    ]);
    const in3 = spark.memoryStream("k INT, v INT");
    await testStream(staticDf.join(in3.toDF(), col("key").equalTo(col("k")), "right_outer").select(col("name"), col("k"), col("v")), "append", [
      AddData(in3, [{ k: 2, v: 20 }, { k: 5, v: 50 }]),
      CheckNewAnswer([{ name: "two", k: 2, v: 20 }, { name: null, k: 5, v: 50 }]),
    ]);
    const in4 = spark.memoryStream("key INT, v INT");
    await testStream(in4.toDF().join(staticDf, "key", "left_semi"), "append", [
      AddData(in4, [{ key: 1, v: 10 }, { key: 1, v: 11 }, { key: 3, v: 30 }]),
      CheckNewAnswer([{ key: 1, v: 10 }, { key: 1, v: 11 }]),
    ]);
    const in5 = spark.memoryStream("key INT, v INT");
    await testStream(in5.toDF().join(staticDf, "key", "left_anti"), "append", [AddData(in5, [{ key: 1, v: 10 }, { key: 3, v: 30 }]), CheckNewAnswer([{ key: 3, v: 30 }])]);
  });

  void it("refuses the mirror cases and full outer with Spark's messages", () => {
    const s = spark.memoryStream("key INT, v INT").toDF();
    refused(staticDf.join(s, "key", "left_outer"), "append", "Left outer join with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported");
    refused(s.join(staticDf, "key", "right_outer"), "append", "Right outer join with a streaming DataFrame/Dataset on the left and a static DataFrame/DataSet on the right not supported");
    refused(s.join(staticDf, "key", "full_outer"), "append", "FullOuter joins with streaming DataFrames/Datasets on the left and a static DataFrame/DataSet on the right is not supported");
    refused(staticDf.join(s, "key", "full_outer"), "append", "FullOuter joins with streaming DataFrames/Datasets on the right and a static DataFrame/DataSet on the left is not supported");
    refused(staticDf.join(s, "key", "left_semi"), "append", "LeftSemi joins with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported");
    refused(staticDf.join(s, "key", "left_anti"), "append", "LeftAnti joins with a streaming DataFrame/Dataset on the right are not supported");
  });
});

void describe("stream-stream joins", () => {
  void it("inner join on a non-time column: matches across batches both ways, survives a restart (no watermark: state is kept)", async () => {
    const in1 = spark.memoryStream("value INT"), in2 = spark.memoryStream("value INT");
    const df1 = in1.toDF().select(col("value").alias("key"), col("value").multiply(2).alias("leftValue"));
    const df2 = in2.toDF().select(col("value").alias("key"), col("value").multiply(3).alias("rightValue"));
    const v = (...xs: number[]) => xs.map((value) => ({ value }));
    const r = (key: number, leftValue: number, rightValue: number) => ({ key, leftValue, rightValue });
    await testStream(df1.join(df2, "key"), "append", [
      AddData(in1, v(1)),
      CheckAnswer([]),
      AddData(in2, v(1, 10)),
      CheckNewAnswer([r(1, 2, 3)]),
      AddData(in1, v(10)),
      CheckNewAnswer([r(10, 20, 30)]),
      AddData(in2, v(1)),
      CheckNewAnswer([r(1, 2, 3)]),
      stateRows(5),
      StopStream,
      StartStream(),
      AddData(in1, v(1)),
      CheckNewAnswer([r(1, 2, 3), r(1, 2, 3)]),
      AddData(in1, v(100)),
      AddData(in2, v(100)),
      CheckNewAnswer([r(100, 200, 300)]),
      stateRows(8),
    ]);
  });

  void it("new rows of both sides in one batch are joined once", async () => {
    const in1 = spark.memoryStream("k INT, a INT"), in2 = spark.memoryStream("k2 INT, b INT");
    const joined = in1.toDF().join(in2.toDF(), col("k").equalTo(col("k2")));
    await testStream(joined, "append", [
      StartStream(),
      AddData(in1, [{ k: 1, a: 1 }, { k: 1, a: 2 }]),
      AddData(in2, [{ k2: 1, b: 1 }]),
      AssertOnQuery(async (q) => void (await q.processAllAvailable())),
      AddData(in1, [{ k: 2, a: 3 }]),
      AddData(in2, [{ k2: 2, b: 4 }, { k2: 1, b: 5 }]),
      CheckAnswer([
        { k: 1, a: 1, k2: 1, b: 1 },
        { k: 1, a: 2, k2: 1, b: 1 },
        { k: 2, a: 3, k2: 2, b: 4 },
        { k: 1, a: 1, k2: 1, b: 5 },
        { k: 1, a: 2, k2: 1, b: 5 },
      ]),
    ]);
  });

  void it("inner join on windows with a watermark: state evicted by the key watermark, late rows dropped", async () => {
    const in1 = spark.memoryStream("value INT"), in2 = spark.memoryStream("value INT");
    const df1 = in1
      .toDF()
      .select(col("value").alias("key"), timestamp_seconds(col("value")).alias("timestamp"), col("value").multiply(2).alias("leftValue"))
      .withWatermark("timestamp", "10 seconds")
      .select(col("key"), window(col("timestamp"), "10 seconds").alias("window"), col("leftValue"));
    const df2 = in2
      .toDF()
      .select(col("value").alias("key"), timestamp_seconds(col("value")).alias("timestamp"), col("value").multiply(3).alias("rightValue"))
      .select(col("key"), window(col("timestamp"), "10 seconds").alias("window"), col("rightValue"));
    const joined = df1.join(df2, ["key", "window"]).select(col("key"), col("window.end").cast("long").alias("end"), col("leftValue"), col("rightValue"));
    const v = (value: number) => [{ value }];
    await testStream(joined, "append", [
      AddData(in1, v(1)),
      CheckAnswer([]),
      stateRows(1),
      AddData(in2, v(1)),
      CheckAnswer([{ key: 1, end: 10, leftValue: 2, rightValue: 3 }]),
      stateRows(2),
      StopStream,
      StartStream(),
      AddData(in1, v(25)), // watermark -> 15 s: a no-data batch removes both rows of window [0, 10)
      CheckNewAnswer([]),
      stateRows(1),
      AddData(in2, v(25)),
      CheckNewAnswer([{ key: 25, end: 30, leftValue: 50, rightValue: 75 }]),
      stateRows(2),
      StopStream,
      StartStream(),
      AddData(in2, v(1)), // its window ends before the watermark: not joined, not buffered
      CheckNewAnswer([]),
      stateRows(2),
      AddData(in1, v(5)), // late on the watermarked side
      CheckNewAnswer([]),
      stateRows(2),
      droppedByWatermark(1),
    ]);
  });

  void it("left outer join with a time range: null rows only once the watermark passes; state shrinks; identical across a restart", async () => {
    const run = async (restart: boolean): Promise<void> => {
      const { left, right, joined } = rangeJoin("left_outer");
      const df = joined.select(col("leftKey"), col("rightKey"), col("leftTime").cast("int").alias("lt"), col("rightTime").cast("int").alias("rt"));
      const row = (leftKey: number, rightKey: number | null, lt: number | null, rt: number | null) => ({ leftKey, rightKey, lt, rt });
      await testStream(df, "append", [
        AddData(left, [lr(1, 5), lr(3, 5)]),
        CheckNewAnswer([]),
        AddData(right, [rr(1, 10), rr(2, 5)]),
        CheckNewAnswer([row(1, 1, 5, 10)]),
        AddData(right, [rr(1, 11)]),
        CheckNewAnswer([]), // 5 is not within 5 s of 11
        stateRows(5),
        ...(restart ? [StopStream, StartStream()] : []),
        AddData(left, [lr(1, 7), lr(1, 30)]), // left watermark -> 20 s, right still at 1 s: min is 1 s
        CheckNewAnswer([row(1, 1, 7, 10), row(1, 1, 7, 11)]),
        stateRows(7),
        // (A restart here would hold the watermark back: per-input watermarks are rebuilt from new data, as in Spark.)
        AddData(right, [rr(0, 30)]), // watermark -> 20 s: left rows before 15 s and right rows before 15 s leave state
        CheckNewAnswer([row(3, null, 5, null)]), // (3, 5) never matched: emitted with nulls as it leaves state
        stateRows(2),
        AddData(left, [lr(0, 29)]),
        CheckNewAnswer([row(0, 0, 29, 30)]),
        AddData(left, [lr(2, 12)]), // late (watermark 20 s): dropped, not emitted with nulls
        CheckNewAnswer([]),
        droppedByWatermark(1),
        AddData(left, [{ leftKey: 5, time: null }]), // no event time: can never match, so it is not buffered but emitted at once
        CheckNewAnswer([row(5, null, null, null)]),
      ]);
    };
    await run(false);
    await run(true);
  });

  void it("right outer, full outer and left semi joins with a time range", async () => {
    const rightOuter = rangeJoin("right_outer");
    const sel = (df: DataFrame) => df.select(col("leftKey"), col("rightKey"), col("leftTime").cast("int").alias("lt"), col("rightTime").cast("int").alias("rt"));
    const row = (leftKey: number | null, rightKey: number | null, lt: number | null, rt: number | null) => ({ leftKey, rightKey, lt, rt });
    await testStream(sel(rightOuter.joined), "append", [
      AddData(rightOuter.left, [lr(1, 5), lr(3, 5)]),
      AddData(rightOuter.right, [rr(1, 10), rr(2, 5)]),
      CheckAnswer([row(1, 1, 5, 10)]),
      AddData(rightOuter.left, [lr(4, 40)]),
      AddData(rightOuter.right, [rr(4, 41)]), // watermark -> 30 s
      CheckAnswer([row(1, 1, 5, 10), row(4, 4, 40, 41), row(null, 2, null, 5)]),
      stateRows(2),
    ]);

    const full = rangeJoin("full_outer");
    await testStream(sel(full.joined), "append", [
      AddData(full.left, [lr(1, 5), lr(3, 5)]),
      AddData(full.right, [rr(1, 10), rr(2, 5)]),
      CheckNewAnswer([row(1, 1, 5, 10)]),
      StopStream,
      StartStream(),
      AddData(full.left, [lr(4, 40)]),
      AddData(full.right, [rr(4, 41)]),
      CheckNewAnswer([row(4, 4, 40, 41), row(3, null, 5, null), row(null, 2, null, 5)]),
      stateRows(2),
    ]);

    const semi = rangeJoin("left_semi");
    await testStream(semi.joined.select(col("leftKey"), col("leftTime").cast("int").alias("lt")), "append", [
      AddData(semi.left, [lr(1, 5), lr(3, 5)]),
      CheckNewAnswer([]),
      AddData(semi.right, [rr(1, 10), rr(1, 9), rr(2, 5)]),
      CheckNewAnswer([{ leftKey: 1, lt: 5 }]), // once, though two right rows match
      AddData(semi.left, [lr(1, 8)]), // matches buffered right rows at once: emitted, not buffered
      CheckNewAnswer([{ leftKey: 1, lt: 8 }]),
      AddData(semi.right, [rr(1, 6)]), // matches (1, 5) and (1, 8), both already emitted
      CheckNewAnswer([]),
      AddData(semi.left, [lr(3, 40)]),
      AddData(semi.right, [rr(3, 41)]), // watermark -> 30 s: everything old leaves state, nothing else is emitted
      CheckNewAnswer([{ leftKey: 3, lt: 40 }]),
      stateRows(2),
    ]);
  });

  void it("refuses outer and semi joins without watermarks or range condition, left anti joins, and non-append modes, with Spark's reasons", () => {
    const a = spark.memoryStream("k INT, t INT"), b = spark.memoryStream("k INT, t INT");
    const plainA = a.toDF().select(col("k").alias("ka"), timestamp_seconds(col("t")).alias("ta"));
    const plainB = b.toDF().select(col("k").alias("kb"), timestamp_seconds(col("t")).alias("tb"));
    const cond = expr("ka = kb AND ta BETWEEN tb - INTERVAL 5 SECONDS AND tb + INTERVAL 5 SECONDS");
    const reason = (jt: string) => `Stream-stream ${jt} join between two streaming DataFrame/Datasets is not supported without a watermark in the join keys, or a watermark on the nullable side and an appropriate range condition`;
    refused(plainA.join(plainB, cond, "left_outer"), "append", reason("LeftOuter"));
    refused(plainA.join(plainB, cond, "right_outer"), "append", reason("RightOuter"));
    refused(plainA.join(plainB, cond, "full_outer"), "append", reason("FullOuter"));
    refused(plainA.join(plainB, cond, "left_semi"), "append", reason("LeftSemi"));
    const wmA = plainA.withWatermark("ta", "10 seconds"), wmB = plainB.withWatermark("tb", "10 seconds");
    // A watermark but only an equality on the key: no range to bound the nullable side.
    refused(wmA.join(wmB, col("ka").equalTo(col("kb")), "left_outer"), "append", reason("LeftOuter"));
    // Left outer needs the right side's watermark (it bounds the left rows); the right side's own is not enough for right outer either.
    refused(plainA.join(wmB, cond, "right_outer"), "append", reason("RightOuter"));
    checkStreamingQuery(plainA.join(wmB, cond, "left_outer").plan, "append");
    checkStreamingQuery(wmA.join(wmB, cond, "full_outer").plan, "append");
    checkStreamingQuery(plainA.join(plainB, col("ka").equalTo(col("kb"))).plan, "append"); // inner: allowed, state unbounded
    refused(plainA.join(plainB, col("ka").equalTo(col("kb")), "left_anti"), "append", "LeftAnti joins with a streaming DataFrame/Dataset on the right are not supported");
    refused(plainA.join(plainB, col("ka").equalTo(col("kb"))), "update", "Join between two streaming DataFrames/Datasets is not supported in Update output mode, only in Append output mode");
  });

  void it("keeps its state in four stores per checkpoint and refuses a restart with another join type", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-join-"));
    try {
      const { left, right, joined } = rangeJoin("inner");
      const start = (df: DataFrame, name: string) => df.writeStream.format("memory").queryName(name).outputMode("append").option("checkpointLocation", dir).start();
      const q = await start(joined, "join_ckpt_inner");
      left.addData([lr(1, 5), lr(1, 6), lr(1, 30)]);
      await q.processAllAvailable();
      right.addData([rr(1, 6)]);
      await q.processAllAvailable();
      right.addData([rr(0, 30)]); // watermark -> 20 s: left rows before 15 s leave state
      await q.processAllAvailable();
      await q.stop();
      // Four stores in each state partition (sluice.sql.shuffle.partitions, 4 by default).
      for (let p = 0; p < 4; p++) {
        for (const store of ["left-keyToNumValues", "left-keyWithIndexToValue", "right-keyToNumValues", "right-keyWithIndexToValue"]) {
          assert.ok(fs.existsSync(path.join(dir, "state", "0", String(p), store)), `state/0/${p}/${store}`);
        }
      }
      // The row left for key 1 moved down to index 0; the key's count is 1.
      const coordinator = new StateStoreCoordinator(DEFAULT_STATE_STORE_CONF);
      const read = (storeName: string) =>
        [0, 1, 2, 3].flatMap((partitionId) => {
          const provider = coordinator.provider({ checkpointLocation: dir, operatorId: 0, partitionId, storeName });
          return [...provider.getReadStore(provider.latestVersion()).iterator()].map((e) => [decodeKey(e.key), e.value]);
        });
      assert.deepEqual(read("left-keyWithIndexToValue"), [[[1, 0], { matched: false, row: [1, 30_000_000, 2] }]]);
      assert.deepEqual(read("left-keyToNumValues"), [[[1], 1]]);
      assert.deepEqual(read("right-keyToNumValues"), [[[0], 1]]);
      const outer = rangeJoin("left_outer").joined;
      await assert.rejects(start(outer, "join_ckpt_outer"), (e: unknown) => e instanceof CheckpointError && /symmetricHashJoin\(Inner\) and is now symmetricHashJoin\(LeftOuter\)/.test(e.message));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("property: random event streams (lateness within the delay), random batches and restarts give the batch join's answer, each row once", async () => {
    let seed = 7;
    /** mulberry32: deterministic, with good low bits. */
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const prep = <R>(df: DataFrame<R>, side: "l" | "r") =>
      df.select(col("k").alias(`${side}k`), timestamp_seconds(col("t")).alias(`${side}t`), col("t").alias(`${side}s`)).withWatermark(`${side}t`, "5 seconds");
    const cond = () => expr("lk = rk AND lt BETWEEN rt - INTERVAL 3 SECONDS AND rt + INTERVAL 3 SECONDS");
    for (const joinType of ["inner", "left_outer", "right_outer", "full_outer", "left_semi"]) {
      const L = spark.memoryStream("k INT, t INT"), R = spark.memoryStream("k INT, t INT");
      const ls: { k: number; t: number }[] = [], rs: { k: number; t: number }[] = [];
      const actions: StreamAction[] = [];
      let base = 10;
      for (let chunk = 0; chunk < 8; chunk++) {
        const addL: { k: number; t: number }[] = [], addR: { k: number; t: number }[] = [];
        for (let i = 0; i < 8; i++) {
          base += rand(2);
          // Never later than the watermark can be: every side's max is <= base, so W <= base - 5 < t.
          const row = { k: rand(2), t: base - (rand(2) === 0 ? 4 : rand(5)) };
          (rand(2) === 0 ? addL : addR).push(row);
        }
        ls.push(...addL);
        rs.push(...addR);
        if (addL.length) actions.push(AddData(L, addL));
        if (addR.length) actions.push(AddData(R, addR));
        actions.push(AssertOnQuery(async (q) => void (await q.processAllAvailable()), "batch"));
        if (rand(4) === 0) actions.push(StopStream, StartStream());
      }
      // Far-future rows on both sides move the watermark past everything: outer rows all come out.
      const sentinel = { k: 9, t: base + 1000 };
      ls.push(sentinel);
      rs.push(sentinel);
      actions.push(AddData(L, [sentinel]), AddData(R, [sentinel]));
      const batch = prep(spark.createDataFrame(ls, "k INT, t INT"), "l").join(prep(spark.createDataFrame(rs, "k INT, t INT"), "r"), cond(), joinType);
      const pick = (df: DataFrame) => (joinType === "left_semi" ? df.select(col("lk"), col("ls")) : df.select(col("lk"), col("ls"), col("rk"), col("rs")));
      const expected = await pick(batch).collect();
      const streamed = pick(prep(L.toDF(), "l").join(prep(R.toDF(), "r"), cond(), joinType));
      await testStream(streamed, "append", [...actions, CheckAnswer(expected as Record<string, unknown>[])]);
    }
  });
});
