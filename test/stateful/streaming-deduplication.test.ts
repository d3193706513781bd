/**
 * Streaming deduplication (Spark's StreamingDeduplicationSuite, the cases that matter): without a
 * watermark state is kept forever; with the event-time column among the keys it is evicted as
 * the watermark passes; dropDuplicatesWithinWatermark forgets a key `delay` after its first row.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, timestamp_seconds } from "../../src/api/functions.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const stateRows = (k: number) => AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === k, `${k} state rows`);
const dropped = (k: number) =>
  AssertOnQuery((q) => q.recentProgress.filter((p) => p.numInputRows > 0).at(-1)?.stateOperators[0]?.numRowsDroppedByWatermark === k, `${k} rows dropped by the watermark`);

void describe("streaming deduplication", () => {
  void it("dropDuplicates() on all columns, across batches and a restart; distinct() alike", async () => {
    const input = spark.memoryStream("s STRING");
    await testStream(input.toDF().dropDuplicates(), "append", [
      AddData(input, [{ s: "a" }, { s: "a" }]),
      CheckNewAnswer([{ s: "a" }]),
      stateRows(1),
      AddData(input, [{ s: "a" }, { s: "b" }]),
      CheckNewAnswer([{ s: "b" }]),
      StopStream,
      StartStream(),
      AddData(input, [{ s: "b" }, { s: "c" }]),
      CheckNewAnswer([{ s: "c" }]),
      stateRows(3),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.operatorName === "dedupe", "Spark's operator name"),
    ]);
    const other = spark.memoryStream("s STRING");
    await testStream(other.toDF().distinct(), "update", [AddData(other, [{ s: "x" }, { s: "x" }]), CheckAnswer([{ s: "x" }]), AddData(other, [{ s: "x" }]), CheckAnswer([{ s: "x" }])]);
  });

  void it("dropDuplicates(cols) keeps the first row of each key", async () => {
    const input = spark.memoryStream("k STRING, v INT");
    await testStream(input.toDF().dropDuplicates(["k"]), "append", [
      AddData(input, [{ k: "a", v: 1 }, { k: "a", v: 2 }]),
      CheckNewAnswer([{ k: "a", v: 1 }]),
      AddData(input, [{ k: "a", v: 3 }, { k: "b", v: 4 }]),
      CheckNewAnswer([{ k: "b", v: 4 }]),
    ]);
  });

  void it("with a watermark on a key column: late rows dropped, state evicted as the watermark passes", async () => {
    const input = spark.memoryStream("value INT");
    const df = input.toDF().withColumn("eventTime", timestamp_seconds(col("value"))).withWatermark("eventTime", "10 seconds").dropDuplicates().select(col("value"));
    await testStream(df, "append", [
      AddData(input, [1, 2, 3, 4, 5, 5].map((value) => ({ value }))),
      CheckNewAnswer([1, 2, 3, 4, 5].map((value) => ({ value }))),
      stateRows(5),
      AddData(input, [{ value: 25 }]), // watermark -> 15 s
      CheckNewAnswer([{ value: 25 }]),
      stateRows(1),
      AddData(input, [{ value: 10 }]), // late
      CheckNewAnswer([]),
      dropped(1),
      AddData(input, [{ value: 45 }, { value: 25 }]), // 25 is a duplicate still in state
      CheckNewAnswer([{ value: 45 }]),
      stateRows(1),
    ]);
  });

  void it("dropDuplicatesWithinWatermark forgets a key delay after its first row; it needs a watermark", async () => {
    const input = spark.memoryStream("k STRING, t INT");
    const df = input.toDF().withColumn("eventTime", timestamp_seconds(col("t"))).withWatermark("eventTime", "2 seconds").dropDuplicatesWithinWatermark(["k"]).select(col("k"), col("t"));
    await testStream(df, "append", [
      AddData(input, [{ k: "a", t: 1 }]),
      CheckNewAnswer([{ k: "a", t: 1 }]),
      AddData(input, [{ k: "a", t: 2 }]), // within 2 s of the first a: a duplicate
      CheckNewAnswer([]),
      AddData(input, [{ k: "b", t: 5 }]), // watermark -> 3 s: a (expires at 1 + 2 = 3 s) is forgotten
      CheckNewAnswer([{ k: "b", t: 5 }]),
      AddData(input, [{ k: "a", t: 4 }]),
      CheckNewAnswer([{ k: "a", t: 4 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.operatorName === "dedupeWithinWatermark", "operator name"),
    ]);
    await assert.rejects(
      input.toDF().dropDuplicatesWithinWatermark(["k"]).writeStream.format("memory").queryName("dedup_nowm").start(),
      (e: unknown) => e instanceof StreamingError && /dropDuplicatesWithinWatermark is not supported .* without watermark/.test(e.message),
    );
  });
});
