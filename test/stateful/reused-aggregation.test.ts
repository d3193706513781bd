/**
 * An aggregation that occurs twice in a streaming query over the same rows (a self-join of an
 * aggregation: each word's count per window against the window's largest count, Nexmark q5's
 * shape) runs once per batch: the second occurrence reuses the first one's output and keeps no
 * state. The answers equal the batch engine's, across restarts; a nondeterministic occurrence
 * keeps its own state.
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, count, expr, max, window } from "../../src/api/functions.js";
import { AddData, AssertOnQuery, CheckNewAnswer, checkStreamEqualsBatch, inDelaySeconds, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("reused-aggregation").getOrCreate();
const ts = (s: number): Date => new Date(s * 1000);
const win = (start: number, end: number) => ({ start: ts(start), end: ts(end) });

/** The words with the most rows of each 10 s window sliding by 5 s (`counts` built twice, as a DataFrame program does). */
const hotWords = <R>(events: DataFrame<R>, where = "true"): DataFrame => {
  const counts = (): DataFrame => events.filter(expr(where)).groupBy(col("word"), window(col("ts"), "10 seconds", "5 seconds")).agg(count("*").alias("n"));
  const maxes = counts().groupBy(col("window")).agg(max("n").alias("top")).withColumnRenamed("window", "mwindow");
  return counts().join(maxes, col("window").equalTo(col("mwindow")).and(col("n").geq(col("top")))).select("window", "word", "n");
};

type Progress = { lastProgress: { stateOperators: readonly { numRowsTotal: number; customMetrics: Readonly<Record<string, number>> }[] } | null };
const operators = (q: Progress) => q.lastProgress?.stateOperators ?? [];

void describe("an aggregation occurring twice over the same rows", () => {
  void it("runs once: the second occurrence takes the first one's output and keeps no state; windows still close, across a restart", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = hotWords(input.toDF().withWatermark("ts", "0 seconds"));
    await testStream(df, "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(2) }, { word: "b", ts: ts(3) }, { word: "a", ts: ts(7) }]), // watermark -> 7 s: [-5,5) closes
      CheckNewAnswer([{ window: win(-5, 5), word: "b", n: 2 }]),
      AssertOnQuery((q) => operators(q).length === 4, "four stateful operators in progress"),
      AssertOnQuery((q) => operators(q)[0]!.numRowsTotal > 0 && operators(q)[1]!.numRowsTotal === 0 && operators(q)[1]!.customMetrics["sameResultAsOperator"] === 0, "the twin keeps no state"),
      StopStream,
      StartStream(),
      // Watermark -> 12 s: [0,10) closes (the twin's watermark node, never fed, does not hold it back).
      AddData(input, [{ word: "c", ts: ts(12) }]),
      CheckNewAnswer([
        { window: win(0, 10), word: "a", n: 2 },
        { window: win(0, 10), word: "b", n: 2 },
      ]),
      AddData(input, [{ word: "c", ts: ts(30) }]), // watermark -> 30 s
      CheckNewAnswer([
        { window: win(5, 15), word: "a", n: 1 },
        { window: win(5, 15), word: "c", n: 1 },
        { window: win(10, 20), word: "c", n: 1 },
      ]),
    ]);
  });

  void it("a nondeterministic occurrence (the same seeded rand() in both) is not reused: each keeps its own state", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = hotWords(input.toDF().withWatermark("ts", "0 seconds"), "rand(42) < 2");
    await testStream(df, "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(2) }]),
      CheckNewAnswer([]),
      AssertOnQuery((q) => operators(q)[0]!.numRowsTotal > 0 && operators(q)[1]!.numRowsTotal === operators(q)[0]!.numRowsTotal, "both keep state"),
      AddData(input, [{ word: "a", ts: ts(20) }]), // watermark -> 20 s
      CheckNewAnswer([
        { window: win(-5, 5), word: "a", n: 1 },
        { window: win(-5, 5), word: "b", n: 1 },
        { window: win(0, 10), word: "a", n: 1 },
        { window: win(0, 10), word: "b", n: 1 },
      ]),
    ]);
  });
});

const stepArb = fc.record({
  word: fc.constantFrom("a", "b", "c"),
  advance: fc.integer({ min: 0, max: 4 }),
  behind: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

void describe("a self-join of an aggregation equals the batch answer", () => {
  void it("random in-delay event streams, random micro-batch splits, random restarts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          steps: fc.array(stepArb, { minLength: 1, maxLength: 30 }),
          delay: fc.constantFrom(2, 6),
          cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }),
          restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        }),
        async ({ steps, delay, cuts, restarts }) => {
          const { times, max } = inDelaySeconds(steps, delay);
          const events = times.map((t, i) => ({ word: steps[i]!.word, ts: ts(t) }));
          // Closes every window of the real events; the closing word's own windows stay open.
          await checkStreamEqualsBatch(spark, "word STRING, ts TIMESTAMP", hotWords, events, { delay, cuts, restarts, closing: { word: "z", ts: ts(max + delay + 30) } });
        },
      ),
      { numRuns: 20, seed: 20261125 },
    );
  });
});
