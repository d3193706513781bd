/**
 * The semantics of Spark's StreamingAggregationSuite, ported: output-mode rules at start(),
 * complete and update modes, aggregates kept as mergeable buffers in state, restart in the middle
 * of a stream, and a checkpoint refused when the aggregation changed.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { approx_count_distinct, avg, col, collect_list, count, countDistinct, max, min, sum, window } from "../../src/api/functions.js";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { operatorMetadataChanges } from "../../src/checkpoint/operator-metadata.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckLastBatch, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-streaming-agg-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const ckpt = (): string => path.join(root, `ckpt-${n++}`);
const values = (...xs: number[]): { value: number }[] => xs.map((value) => ({ value }));

void describe("streaming aggregation (Spark's StreamingAggregationSuite)", () => {
  void describe("output-mode rules at start()", () => {
    const refused = async (start: () => Promise<unknown>, message: RegExp): Promise<void> => {
      await assert.rejects(start, (e: unknown) => e instanceof StreamingError && message.test(e.message));
    };

    void it("append without a watermark on a grouping key is refused with Spark's message", async () => {
      const input = spark.memoryStream("value INT");
      await refused(
        () => input.toDF().groupBy("value").count().writeStream.format("memory").queryName("agg_append_nowm").outputMode("append").start(),
        /^Append output mode not supported when there are streaming aggregations on streaming DataFrames\/DataSets without watermark/,
      );
      // A watermark on a column that is not a grouping key is not enough either.
      const ev = spark.memoryStream("value INT, ts TIMESTAMP");
      await refused(
        () => ev.toDF().withWatermark("ts", "1 second").groupBy("value").count().writeStream.format("memory").queryName("agg_append_nokey").outputMode("append").start(),
        /^Append output mode not supported when there are streaming aggregations/,
      );
    });

    void it("complete needs an aggregation; sorting only after an aggregation in complete mode", async () => {
      const input = spark.memoryStream("value INT");
      await refused(() => input.toDF().writeStream.format("memory").queryName("agg_c1").outputMode("complete").start(), /^Complete output mode not supported when there are no streaming aggregations/);
      await refused(
        () => input.toDF().groupBy("value").count().orderBy("value").writeStream.format("memory").queryName("agg_s1").outputMode("update").start(),
        /^Sorting is not supported on streaming DataFrames\/Datasets, unless it is on aggregated DataFrame\/Dataset in Complete output mode/,
      );
      await refused(() => input.toDF().orderBy("value").writeStream.format("memory").queryName("agg_s2").outputMode("complete").start(), /^Sorting is not supported/);
    });

    void it("chains of aggregations and distinct aggregates are refused with clear messages", async () => {
      const input = spark.memoryStream("value INT");
      await refused(
        () => input.toDF().groupBy("value").count().groupBy("count").count().writeStream.format("memory").queryName("agg_chain").outputMode("complete").start(),
        /^Multiple streaming aggregations are not supported with streaming DataFrames\/Datasets/,
      );
      await refused(
        () => input.toDF().agg(countDistinct("value")).writeStream.format("memory").queryName("agg_distinct").outputMode("complete").start(),
        /^Distinct aggregations are not supported on streaming DataFrames\/Datasets. Consider using approx_count_distinct\(\) instead./,
      );
    });
  });

  void it("complete mode: every key every batch; sorting the aggregate is allowed", async () => {
    const input = spark.memoryStream("value INT");
    const df = input.toDF().groupBy("value").agg(count("*").alias("count")).orderBy(col("count").desc(), col("value"));
    await testStream(df, "complete", [
      AddData(input, values(3)),
      CheckLastBatch([{ value: 3, count: 1 }]),
      AddData(input, values(3, 2)),
      CheckLastBatch([{ value: 3, count: 2 }, { value: 2, count: 1 }]),
      StopStream,
      StartStream(),
      AddData(input, values(3, 2, 1)),
      CheckLastBatch([{ value: 3, count: 3 }, { value: 2, count: 2 }, { value: 1, count: 1 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 3 && q.lastProgress.stateOperators[0].numRowsUpdated === 3, "3 keys in state, 3 updated"),
    ]);
  });

  void it("update mode without a watermark: only the keys a batch changed, state kept across restarts", async () => {
    const input = spark.memoryStream("value INT");
    const df = input.toDF().groupBy("value").agg(count("*").alias("count"));
    await testStream(df, "update", [
      AddData(input, values(3)),
      CheckNewAnswer([{ value: 3, count: 1 }]),
      AddData(input, values(3, 2)),
      CheckNewAnswer([{ value: 3, count: 2 }, { value: 2, count: 1 }]),
      StopStream,
      StartStream(),
      AddData(input, values(3, 2, 1)),
      CheckNewAnswer([{ value: 3, count: 3 }, { value: 2, count: 2 }, { value: 1, count: 1 }]),
      AddData(input, []),
      CheckNewAnswer([]),
    ]);
  });

  void it("a global aggregation has its one row from the first batch", async () => {
    const input = spark.memoryStream("value INT");
    const df = input.toDF().agg(count("*").alias("count"), sum("value").alias("total"));
    await testStream(df, "complete", [
      AddData(input, values(1, 2, 3)),
      CheckLastBatch([{ count: 3, total: 6 }]),
      AddData(input, values(4)),
      CheckLastBatch([{ count: 4, total: 10 }]),
    ]);
  });

  void it("aggregates keep mergeable buffers: sum, avg, min, max, collect_list, approx_count_distinct across batches and restarts", async () => {
    const input = spark.memoryStream("k STRING, v INT");
    const df = input
      .toDF()
      .groupBy("k")
      .agg(sum("v").alias("s"), avg("v").alias("a"), min("v").alias("lo"), max("v").alias("hi"), collect_list("v").alias("vs"), approx_count_distinct("v").alias("d"), count("v").alias("c"));
    await testStream(df, "update", [
      AddData(input, [{ k: "x", v: 1 }, { k: "x", v: 5 }, { k: "y", v: null }]),
      CheckNewAnswer([{ k: "x", s: 6, a: 3, lo: 1, hi: 5, vs: [1, 5], d: 2, c: 2 }, { k: "y", s: null, a: null, lo: null, hi: null, vs: [], d: 0, c: 0 }]),
      StopStream,
      StartStream(),
      AddData(input, [{ k: "x", v: 9 }, { k: "x", v: 1 }, { k: "y", v: 4 }]),
      CheckNewAnswer([{ k: "x", s: 16, a: 4, lo: 1, hi: 9, vs: [1, 5, 9, 1], d: 3, c: 4 }, { k: "y", s: 4, a: 4, lo: 4, hi: 4, vs: [4], d: 1, c: 1 }]),
    ]);
  });

  void it("update mode with a watermark on a plain event-time key evicts keys behind it", async () => {
    const input = spark.memoryStream("ts TIMESTAMP, v INT");
    const df = input.toDF().withWatermark("ts", "10 seconds").groupBy("ts").agg(sum("v").alias("s"));
    const t = (s: number): Date => new Date(s * 1000);
    await testStream(df, "update", [
      AddData(input, [{ ts: t(10), v: 1 }, { ts: t(10), v: 2 }, { ts: t(20), v: 1 }]),
      CheckNewAnswer([{ ts: t(10), s: 3 }, { ts: t(20), s: 1 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 1, "ts=10 <= watermark 10 s was evicted by the no-data batch"),
      AddData(input, [{ ts: t(10), v: 5 }, { ts: t(11), v: 5 }]),
      CheckNewAnswer([{ ts: t(11), s: 5 }]),
    ]);
  });

  void it("append mode on a plain event-time key emits a key once the watermark reaches it", async () => {
    const input = spark.memoryStream("ts TIMESTAMP, v INT");
    const df = input.toDF().withWatermark("ts", "5 seconds").groupBy("ts").agg(sum("v").alias("s"));
    const t = (s: number): Date => new Date(s * 1000);
    await testStream(df, "append", [
      AddData(input, [{ ts: t(10), v: 1 }, { ts: t(12), v: 2 }]),
      CheckNewAnswer([]),
      AddData(input, [{ ts: t(10), v: 4 }, { ts: t(17), v: 1 }]), // runs with watermark 7 s; moves it to 12 s
      CheckNewAnswer([{ ts: t(10), s: 5 }, { ts: t(12), s: 2 }]),
    ]);
  });

  void it("under ANSI a batch's sum past BIGINT is kept exactly; only a total past it fails", async () => {
    const ansi = Session.builder().config("spark.sql.ansi.enabled", true).create();
    try {
      const input = ansi.memoryStream("ts TIMESTAMP, v BIGINT");
      const df = input.toDF().withWatermark("ts", "5 seconds").groupBy("ts").agg(sum("v").alias("s"));
      const t = (s: number): Date => new Date(s * 1000);
      const big = 2n ** 62n;
      await testStream(df, "append", [
        // Batch 1's sum for 10 s is 2^63, one past BIGINT; batch 2 brings it back to 3.
        AddData(input, [{ ts: t(10), v: big }, { ts: t(10), v: big }]),
        CheckNewAnswer([]),
        AddData(input, [{ ts: t(10), v: -big + 1n }, { ts: t(10), v: -big + 2n }, { ts: t(30), v: 1n }]),
        AddData(input, [{ ts: t(31), v: 1n }]),
        CheckNewAnswer([{ ts: t(10), s: 3 }]),
      ]);
    } finally {
      ansi.stop();
    }
  });

  void it("restart from a checkpoint gives the same output as an uninterrupted run", async () => {
    const make = () => {
      const input = spark.memoryStream("value INT");
      const df = input.toDF().groupBy("value").agg(count("*").alias("count"), sum("value").alias("s"));
      return { input, df };
    };
    const data = [values(1, 2, 2), values(3, 1), values(2, 2, 4), values(5)];
    const expected = [
      [{ value: 1, count: 1, s: 1 }, { value: 2, count: 2, s: 4 }],
      [{ value: 3, count: 1, s: 3 }, { value: 1, count: 2, s: 2 }],
      [{ value: 2, count: 4, s: 8 }, { value: 4, count: 1, s: 4 }],
      [{ value: 5, count: 1, s: 5 }],
    ];
    const straight = make();
    await testStream(straight.df, "update", data.flatMap((d, i) => [AddData(straight.input, d), CheckNewAnswer(expected[i]!)]));
    const restarted = make();
    await testStream(restarted.df, "update", data.flatMap((d, i) => [AddData(restarted.input, d), CheckNewAnswer(expected[i]!), StopStream, StartStream()]));
  });

  void it("runs on the LMDB state store provider too (fixed per checkpoint), across a restart", async () => {
    spark.conf.set("sluice.sql.streaming.stateStore.providerClass", "lmdb");
    try {
      const input = spark.memoryStream("k STRING, v INT");
      const df = input.toDF().groupBy("k").agg(sum("v").alias("s"), count("*").alias("c"));
      await testStream(df, "update", [
        AddData(input, [{ k: "a", v: 1 }, { k: "b", v: 2 }]),
        CheckNewAnswer([{ k: "a", s: 1, c: 1 }, { k: "b", s: 2, c: 1 }]),
        StopStream,
        StartStream(),
        AddData(input, [{ k: "a", v: 5 }]),
        CheckNewAnswer([{ k: "a", s: 6, c: 2 }]),
        AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 2, "two keys in LMDB state"),
      ]);
    } finally {
      spark.conf.unset("sluice.sql.streaming.stateStore.providerClass");
    }
  });

  void it("a checkpoint whose aggregation changed is refused with what changed", async () => {
    const dir = ckpt();
    const input = spark.memoryStream("k STRING, v INT");
    const q = await input.toDF().groupBy("k").agg(sum("v").alias("s")).writeStream.format("memory").queryName("agg_changed_1").outputMode("update").option("checkpointLocation", dir).start();
    input.addData([{ k: "a", v: 1 }]);
    await q.processAllAvailable();
    await q.stop();
    assert.ok(fs.existsSync(path.join(dir, "state", "0", "_metadata")), "state/0/_metadata records the operator's schema");
    const startWith = (df: DataFrame) => () => df.writeStream.format("memory").queryName(`agg_changed_${n++}`).outputMode("update").option("checkpointLocation", dir).start();
    await assert.rejects(startWith(input.toDF().groupBy("k").agg(sum("v").alias("s"), max("v").alias("m"))), (e: unknown) => e instanceof CheckpointError && /state value changed from \(sum\(v\) BIGINT\) to \(sum\(v\) BIGINT, max\(v\) INT\)/.test(e.message));
    await assert.rejects(startWith(input.toDF().groupBy("k", "v").agg(sum("v").alias("s"))), (e: unknown) => e instanceof CheckpointError && /state key changed from \(k STRING\) to \(k STRING, v INT\)/.test(e.message));
    // A renamed output column and an added filter are harmless.
    const ok = await startWith(input.toDF().where(col("v").gt(0)).groupBy("k").agg(sum("v").alias("total")))();
    input.addData([{ k: "a", v: 2 }]);
    await ok.processAllAvailable();
    await ok.stop();
    const rows = await spark.sql(`SELECT * FROM ${ok.name}`).collect();
    assert.deepEqual(rows, [{ k: "a", total: 3 }]);
  });

  void it("operator metadata comparison names each change", () => {
    const base = { operatorId: 0, operatorName: "stateStoreSave", numPartitions: 1, keySchema: [{ name: "k", type: "string" }], valueSchema: [{ name: "count(1)", type: "bigint" }] };
    assert.deepEqual(operatorMetadataChanges(base, base), []);
    assert.deepEqual(operatorMetadataChanges(base, { ...base, keySchema: [{ name: "k", type: "int" }] }), ["the state key changed from (k string) to (k int)"]);
    assert.deepEqual(operatorMetadataChanges(base, { ...base, operatorName: "dedupe" }), ["the operator was stateStoreSave and is now dedupe"]);
  });

  void it("windowed aggregation in update mode through SQL-style expressions and progress", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = input.toDF().withWatermark("ts", "1 minute").groupBy(window(col("ts"), "1 minute"), col("word")).agg(count("*").alias("n")).selectExpr("window.start AS start", "word", "n");
    const t = (m: number): Date => new Date(Date.UTC(2024, 0, 1, 0, m));
    await testStream(df, "update", [
      AddData(input, [{ word: "a", ts: t(0) }, { word: "a", ts: t(0) }, { word: "b", ts: t(1) }]),
      CheckAnswer([{ start: t(0), word: "a", n: 2 }, { start: t(1), word: "b", n: 1 }]),
      AssertOnQuery((q) => q.recentProgress.some((p) => p.stateOperators[0]?.numRowsUpdated === 2), "two state rows written by the first batch"),
    ]);
  });
});
