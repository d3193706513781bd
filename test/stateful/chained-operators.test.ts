/**
 * Chains of stateful operators in one query (Spark 3.5's multiple stateful operators), append
 * mode: a windowed aggregation after a windowed aggregation (the second window derived from the
 * first one's `window.start` / `window.end`, or grouping by the first one's window itself),
 * deduplication then aggregation, stream-stream join then aggregation (a join or a deduplication
 * after another operator: chained-joins-dedupe.test.ts); restarts in the middle;
 * and a property test against the batch answer over random micro-batch splits and restarts.
 * Update and complete mode chains are refused with Spark's reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, expr, sum, window } from "../../src/api/functions.js";
import { StreamingError } from "../../src/errors/errors.js";
import type { GroupState } from "../../src/index.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, checkStreamEqualsBatch, inDelaySeconds, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("chained-operators").getOrCreate();
const ts = (s: number): Date => new Date(s * 1000);
const win = (start: number, end: number) => ({ start: ts(start), end: ts(end) });

/** Per 10 s and word counts, then per minute sums of them (second window on `window.start`). */
const perMinute = <R>(df: DataFrame<R>): DataFrame =>
  df
    .groupBy(window(col("ts"), "10 seconds"), col("word"))
    .count()
    .groupBy(window(col("window.start"), "1 minute"))
    .agg(sum("count").alias("total"));

void describe("chained stateful operators (append mode)", () => {
  void it("windowed aggregation after windowed aggregation: emitted once the watermark passes, across a restart", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = perMinute(input.toDF().withWatermark("ts", "10 seconds"));
    await testStream(df, "append", [
      AddData(input, [{ word: "a", ts: ts(5) }, { word: "b", ts: ts(15) }, { word: "a", ts: ts(16) }]),
      CheckNewAnswer([]),
      AddData(input, [{ word: "a", ts: ts(59) }]), // watermark -> 49 s: the 10 s windows up to [40,50) are final
      CheckNewAnswer([]),
      StopStream,
      StartStream(),
      AddData(input, [{ word: "c", ts: ts(75) }]), // watermark -> 65 s: minute [0,60) is final
      CheckNewAnswer([{ window: win(0, 60), total: 4 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators.length === 2, "two stateful operators in progress"),
      AddData(input, [{ word: "a", ts: ts(20) }]), // late for the first operator: dropped
      AddData(input, [{ word: "z", ts: ts(200) }]), // watermark -> 190 s
      CheckNewAnswer([{ window: win(60, 120), total: 1 }]),
    ]);
  });

  void it("grouping the second aggregation by the first one's window, and by window.end", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const byWindow = input
      .toDF()
      .withWatermark("ts", "5 seconds")
      .groupBy(window(col("ts"), "10 seconds"), col("word"))
      .count()
      .groupBy(col("window"))
      .agg(sum("count").alias("total"));
    await testStream(byWindow, "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(2) }, { word: "b", ts: ts(3) }]),
      CheckNewAnswer([]),
      AddData(input, [{ word: "a", ts: ts(30) }]),
      CheckNewAnswer([{ window: win(0, 10), total: 3 }]),
    ]);
    const other = spark.memoryStream("word STRING, ts TIMESTAMP");
    const byEnd = other
      .toDF()
      .withWatermark("ts", "5 seconds")
      .groupBy(window(col("ts"), "10 seconds"), col("word"))
      .count()
      .groupBy(window(col("window.end"), "30 seconds"))
      .agg(sum("count").alias("total"));
    await testStream(byEnd, "append", [
      AddData(other, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(12) }, { word: "b", ts: ts(25) }]),
      AddData(other, [{ word: "a", ts: ts(50) }]), // watermark -> 45 s: window.end 10, 20 in [0,30); 30 in [30,60)
      CheckNewAnswer([{ window: win(0, 30), total: 2 }]),
      AddData(other, [{ word: "a", ts: ts(100) }]), // watermark -> 95 s: window.end 60 in [60,90)
      CheckNewAnswer([{ window: win(30, 60), total: 1 }, { window: win(60, 90), total: 1 }]),
    ]);
  });

  void it("deduplication then windowed aggregation, across a restart", async () => {
    const input = spark.memoryStream("id INT, ts TIMESTAMP");
    const df = input
      .toDF()
      .withWatermark("ts", "10 seconds")
      .dropDuplicates(["id", "ts"])
      .groupBy(window(col("ts"), "10 seconds"))
      .count();
    await testStream(df, "append", [
      AddData(input, [{ id: 1, ts: ts(1) }, { id: 1, ts: ts(1) }, { id: 2, ts: ts(2) }]),
      CheckNewAnswer([]),
      StopStream,
      StartStream(),
      AddData(input, [{ id: 2, ts: ts(2) }, { id: 3, ts: ts(12) }]), // duplicate of id 2 dropped
      AddData(input, [{ id: 4, ts: ts(25) }]), // watermark -> 15 s
      CheckNewAnswer([{ window: win(0, 10), count: 2 }]),
      AddData(input, [{ id: 9, ts: ts(60) }]), // watermark -> 50 s
      CheckNewAnswer([{ window: win(10, 20), count: 1 }, { window: win(20, 30), count: 1 }]),
    ]);
  });

  void it("stream-stream join (time range) then windowed aggregation", async () => {
    const clicks = spark.memoryStream("cid INT, cts TIMESTAMP");
    const views = spark.memoryStream("vid INT, vts TIMESTAMP");
    const c = clicks.toDF().withWatermark("cts", "10 seconds");
    const v = views.toDF().withWatermark("vts", "10 seconds");
    const df = v
      .join(c, expr("cid = vid AND cts BETWEEN vts AND vts + INTERVAL 5 SECONDS"))
      .groupBy(window(col("vts"), "10 seconds"))
      .count();
    await testStream(df, "append", [
      AddData(views, [{ vid: 1, vts: ts(1) }, { vid: 2, vts: ts(3) }, { vid: 3, vts: ts(14) }]),
      AddData(clicks, [{ cid: 1, cts: ts(4) }, { cid: 2, cts: ts(20) }, { cid: 3, cts: ts(16) }]),
      CheckNewAnswer([]),
      StopStream,
      StartStream(),
      AddData(views, [{ vid: 4, vts: ts(40) }]),
      AddData(clicks, [{ cid: 4, cts: ts(41) }]), // watermark -> 30 s (min of both)
      CheckNewAnswer([{ window: win(0, 10), count: 1 }, { window: win(10, 20), count: 1 }]),
      AddData(views, [{ vid: 5, vts: ts(100) }]),
      AddData(clicks, [{ cid: 5, cts: ts(100) }]), // watermark -> 90 s
      CheckNewAnswer([{ window: win(40, 50), count: 1 }]),
    ]);
  });

  void it("join then aggregation: a buffered row matched behind the watermark still counts (the join's output watermark lags by the range)", async () => {
    const clicks = spark.memoryStream("cid INT, cts TIMESTAMP");
    const views = spark.memoryStream("vid INT, vts TIMESTAMP");
    const c = clicks.toDF().withWatermark("cts", "10 seconds");
    const v = views.toDF().withWatermark("vts", "10 seconds");
    const df = v
      .join(c, expr("cid = vid AND cts BETWEEN vts AND vts + INTERVAL 5 SECONDS"))
      .groupBy(window(col("vts"), "5 seconds"))
      .count();
    await testStream(df, "append", [
      AddData(views, [{ vid: 1, vts: ts(22) }, { vid: 8, vts: ts(36) }]),
      AddData(clicks, [{ cid: 8, cts: ts(37) }]), // watermark -> 26 s; view 1 stays buffered (vts > 26 - 5)
      CheckNewAnswer([]),
      AddData(clicks, [{ cid: 1, cts: ts(27) }]), // matches view 1: its window [20,25) ended before the watermark
      AddData(views, [{ vid: 9, vts: ts(100) }]),
      AddData(clicks, [{ cid: 9, cts: ts(100) }]), // watermark -> 90 s
      CheckAnswer([{ window: win(20, 25), count: 1 }, { window: win(35, 40), count: 1 }]),
    ]);
  });

  void it("flatMapGroupsWithState (append, event-time timeout) then windowed aggregation", async () => {
    // Sessions per user with a 10 s gap, emitted when the watermark passes the gap; each closed
    // session is stamped with its timeout time (never behind the previous batch's watermark).
    const input = spark.memoryStream("user STRING, ts TIMESTAMP");
    const sessions = input
      .toDF()
      .withWatermark("ts", "5 seconds")
      .groupByKey((r) => r.user as string)
      .flatMapGroupsWithState(
        "append",
        "EventTimeTimeout",
        (user, rows, state: GroupState<{ last: number; n: number }>) => {
          if (state.hasTimedOut) {
            const s = state.get();
            state.remove();
            return [{ user, closedAt: new Date(s.last + 10_000), n: s.n }];
          }
          const prev = state.getOption() ?? { last: 0, n: 0 };
          let { last, n } = prev;
          for (const r of rows) {
            last = Math.max(last, (r.ts as Date).getTime());
            n++;
          }
          state.update({ last, n });
          state.setTimeoutTimestamp(last + 10_000);
          return [];
        },
        "user STRING, closedAt TIMESTAMP, n INT",
      );
    const df = sessions.withWatermark("closedAt", "0 seconds").groupBy(window(col("closedAt"), "1 minute")).agg(sum("n").alias("events"));
    await testStream(df, "append", [
      AddData(input, [{ user: "a", ts: ts(1) }, { user: "a", ts: ts(5) }, { user: "b", ts: ts(30) }]),
      CheckNewAnswer([]),
      StopStream,
      StartStream(),
      AddData(input, [{ user: "b", ts: ts(35) }, { user: "c", ts: ts(50) }]), // watermark -> 45 s: a closes at 15 s
      AddData(input, [{ user: "d", ts: ts(130) }]), // watermark -> 125 s: b closes at 45 s, c at 60 s
      CheckNewAnswer([{ window: win(0, 60), events: 4 }, { window: win(60, 120), events: 1 }]),
      AddData(input, [{ user: "e", ts: ts(300) }]), // watermark -> 295 s: d closes at 140 s
      CheckNewAnswer([{ window: win(120, 180), events: 1 }]),
    ]);
  });

  void it("two aggregations side by side (a union) in append mode", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const src = input.toDF().withWatermark("ts", "5 seconds");
    const tens = src.groupBy(window(col("ts"), "10 seconds")).count();
    const twenties = src.filter(col("word").equalTo("a")).groupBy(window(col("ts"), "20 seconds")).count();
    await testStream(tens.union(twenties), "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(12) }]),
      AddData(input, [{ word: "b", ts: ts(30) }]), // watermark -> 25 s
      CheckNewAnswer([{ window: win(0, 10), count: 1 }, { window: win(10, 20), count: 1 }, { window: win(0, 20), count: 1 }]),
    ]);
  });

  void it("complete mode chains are refused (update mode chains: update-mode-chains.test.ts; shapes still refused in append mode: chained-joins-dedupe.test.ts)", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = perMinute(input.toDF().withWatermark("ts", "10 seconds"));
    for (const mode of ["complete"] as const) {
      await assert.rejects(
        async () => df.writeStream.format("memory").queryName(`chain_${mode}`).outputMode(mode).start(),
        (e: unknown) => e instanceof StreamingError && e.errorClass === "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED" && /Append output mode/.test(e.message),
      );
    }
    const deduped = input.toDF().withWatermark("ts", "10 seconds").dropDuplicates(["word", "ts"]).groupBy(window(col("ts"), "10 seconds")).count();
    await assert.rejects(
      async () => deduped.writeStream.format("memory").queryName("chain_dedupe_complete").outputMode("complete").start(),
      (e: unknown) => e instanceof StreamingError && e.errorClass === "STREAMING_MULTIPLE_STATEFUL_OPERATORS_NOT_SUPPORTED" && /here deduplication followed by aggregation/.test(e.message),
    );
    const src = input.toDF().withWatermark("ts", "10 seconds");
    const union = src.groupBy(window(col("ts"), "10 seconds")).count().union(src.groupBy(window(col("ts"), "20 seconds")).count());
    await assert.rejects(
      async () => union.writeStream.format("memory").queryName("union_update").outputMode("update").start(),
      (e: unknown) => e instanceof StreamingError && e.errorClass === "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED" && /here aggregation and aggregation/.test(e.message),
    );
  });
});

const stepArb = fc.record({
  word: fc.constantFrom("a", "b", "c"),
  advance: fc.integer({ min: 0, max: 9 }),
  behind: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

void describe("chained windowed aggregations equal the batch answer", () => {
  void it("random in-delay event streams, random micro-batch splits, random restarts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          steps: fc.array(stepArb, { minLength: 1, maxLength: 30 }),
          delay: fc.constantFrom(5, 10, 20),
          cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }),
          restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        }),
        async ({ steps, delay, cuts, restarts }) => {
          const { times, max } = inDelaySeconds(steps, delay);
          const events = times.map((t, i) => ({ word: steps[i]!.word, ts: ts(t) }));
          // Moves the watermark past every minute of the real events; its own windows stay open.
          await checkStreamEqualsBatch(spark, "word STRING, ts TIMESTAMP", perMinute, events, { delay, cuts, restarts, closing: { word: "z", ts: ts(max + delay + 180) } });
        },
      ),
      { numRuns: 20, seed: 20261121 },
    );
  });
});
