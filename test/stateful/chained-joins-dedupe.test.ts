/**
 * Chains ending in a stream-stream join or a deduplication (append mode, as Spark 3.5 runs them):
 * two windowed aggregations joined on their window (Nexmark q8's shape), inner and left outer;
 * a join of a join (three streams); an aggregation deduplicated; restarts in the middle; and a
 * property test of the aggregations' join against the batch answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, count, expr, max, window } from "../../src/api/functions.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckNewAnswer, checkStreamEqualsBatch, inDelaySeconds, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("chained-joins-dedupe").getOrCreate();
const ts = (s: number): Date => new Date(s * 1000);
const win = (start: number, end: number) => ({ start: ts(start), end: ts(end) });

/**
 * People and sellers of auctions per 10 s window (`kind` p / a of one event stream), joined on
 * the window and the id: who created an account and an auction in the same window.
 */
type How = "inner" | "left_outer" | "right_outer" | "full_outer" | "left_semi";
const newSellers = <R>(events: DataFrame<R>, how: How): DataFrame => {
  const people = events.filter(col("kind").equalTo("p")).groupBy(window(col("ts"), "10 seconds"), col("id")).agg(count("*").alias("people"));
  const sellers = events
    .filter(col("kind").equalTo("a"))
    .groupBy(window(col("ts"), "10 seconds"), col("id"))
    .agg(count("*").alias("auctions"))
    .withColumnRenamed("window", "awindow")
    .withColumnRenamed("id", "seller");
  const joined = people.join(sellers, col("window").equalTo(col("awindow")).and(col("id").equalTo(col("seller"))), how);
  return how === "left_semi" ? joined.select("window", "id", "people") : how === "inner" || how === "left_outer" ? joined.select("window", "id", "people", "auctions") : joined.select("window", "id", "awindow", "seller", "people", "auctions");
};

/** Rows per word and 10 s window (each emitted once the watermark passes it). */
const wordsPerWindow = <R>(words: DataFrame<R>): DataFrame => words.groupBy(window(col("ts"), "10 seconds"), col("word")).count();

/** The progress entry of the join (the last of the three stateful operators: two aggregations, then the join). */
const joinStateRows = (q: { lastProgress: { stateOperators: readonly { numRowsTotal: number }[] } | null }): number | undefined => q.lastProgress?.stateOperators[2]?.numRowsTotal;

void describe("a stream-stream join or a deduplication after another stateful operator (append mode)", () => {
  void it("two windowed aggregations joined on their window: each window joined once the watermark passes it, its state then dropped, across a restart", async () => {
    const input = spark.memoryStream("kind STRING, id INT, ts TIMESTAMP");
    const df = newSellers(input.toDF().withWatermark("ts", "5 seconds"), "inner");
    await testStream(df, "append", [
      AddData(input, [
        { kind: "p", id: 1, ts: ts(1) },
        { kind: "p", id: 2, ts: ts(3) },
        { kind: "a", id: 1, ts: ts(2) },
        { kind: "a", id: 1, ts: ts(4) },
        { kind: "a", id: 3, ts: ts(5) },
      ]),
      CheckNewAnswer([]),
      StopStream,
      StartStream(),
      AddData(input, [{ kind: "p", id: 3, ts: ts(12) }, { kind: "a", id: 3, ts: ts(14) }]), // watermark -> 9 s: nothing closed
      CheckNewAnswer([]),
      AddData(input, [{ kind: "p", id: 9, ts: ts(30) }]), // watermark -> 25 s: [0,10) and [10,20) close
      CheckNewAnswer([
        { window: win(0, 10), id: 1, people: 1, auctions: 2 },
        { window: win(10, 20), id: 3, people: 1, auctions: 1 },
      ]),
      // Both sides of the closed windows met in the batch that emitted them, and were evicted at its end.
      AssertOnQuery((q) => joinStateRows(q) === 0, "the join keeps no rows of closed windows"),
      AddData(input, [{ kind: "a", id: 1, ts: ts(8) }]), // late for the aggregation: dropped
      AddData(input, [{ kind: "a", id: 9, ts: ts(31) }, { kind: "p", id: 0, ts: ts(60) }]), // watermark -> 55 s
      CheckNewAnswer([{ window: win(30, 40), id: 9, people: 1, auctions: 1 }]),
    ]);
  });

  void it("left outer: a window's people without an auction come out with nulls when the window closes", async () => {
    const input = spark.memoryStream("kind STRING, id INT, ts TIMESTAMP");
    const df = newSellers(input.toDF().withWatermark("ts", "5 seconds"), "left_outer");
    await testStream(df, "append", [
      AddData(input, [{ kind: "p", id: 1, ts: ts(1) }, { kind: "p", id: 2, ts: ts(3) }, { kind: "a", id: 1, ts: ts(2) }]),
      CheckNewAnswer([]),
      AddData(input, [{ kind: "a", id: 2, ts: ts(21) }]), // watermark -> 16 s: [0,10) closes
      CheckNewAnswer([
        { window: win(0, 10), id: 1, people: 1, auctions: 1 },
        { window: win(0, 10), id: 2, people: 1, auctions: null },
      ]),
      AddData(input, [{ kind: "p", id: 2, ts: ts(22) }, { kind: "p", id: 5, ts: ts(40) }]), // watermark -> 35 s
      CheckNewAnswer([{ window: win(20, 30), id: 2, people: 1, auctions: 1 }]),
    ]);
  });

  void it("left semi after aggregations: a row matched by several rows of the other side in its batch comes out once", async () => {
    const input = spark.memoryStream("kind STRING, id INT, ch STRING, ts TIMESTAMP");
    const events = input.toDF().withWatermark("ts", "5 seconds");
    const people = events.filter(col("kind").equalTo("p")).groupBy(window(col("ts"), "10 seconds"), col("id")).count();
    // Per seller and channel: several rows per (window, seller), the join's key.
    const sellers = events.filter(col("kind").equalTo("a")).groupBy(window(col("ts"), "10 seconds"), col("id"), col("ch")).count().withColumnRenamed("window", "awindow").withColumnRenamed("id", "seller");
    const df = people.join(sellers, col("window").equalTo(col("awindow")).and(col("id").equalTo(col("seller"))), "left_semi").select("window", "id");
    await testStream(df, "append", [
      AddData(input, [
        { kind: "p", id: 1, ch: null, ts: ts(1) },
        { kind: "a", id: 1, ch: "x", ts: ts(2) },
        { kind: "a", id: 1, ch: "y", ts: ts(3) },
        { kind: "p", id: 2, ch: null, ts: ts(4) },
      ]),
      CheckNewAnswer([]),
      AddData(input, [{ kind: "p", id: 9, ch: null, ts: ts(30) }]), // watermark -> 25 s: [0,10) closes
      CheckNewAnswer([{ window: win(0, 10), id: 1 }]),
    ]);
  });

  void it("a range against an aggregation's window end bounds the rows buffered (Nexmark q7: bids at their window's maximum, the end inclusive)", async () => {
    const input = spark.memoryStream("price INT, ts TIMESTAMP");
    const bids = input.toDF().withWatermark("ts", "0 seconds");
    const maxes = bids.groupBy(window(col("ts"), "10 seconds")).agg(max("price").alias("top")).select(col("top"), col("window.end").alias("wend"));
    const df = bids.join(maxes, expr("price = top AND ts BETWEEN wend - INTERVAL 10 SECONDS AND wend")).select("price", "ts", "wend");
    await testStream(df, "append", [
      // Watermark -> 10 s: [0,10) closes, its maximum 9 matches 9@2 and 9@10 (at its end).
      AddData(input, [{ price: 5, ts: ts(1) }, { price: 9, ts: ts(2) }, { price: 9, ts: ts(10) }]),
      CheckNewAnswer([{ price: 9, ts: ts(2), wend: ts(10) }, { price: 9, ts: ts(10), wend: ts(10) }]),
      // Watermark -> 25 s: [10,20) closes (maximum 9@10 again); bids before 15 s can no longer match.
      AddData(input, [{ price: 4, ts: ts(25) }]),
      CheckNewAnswer([{ price: 9, ts: ts(10), wend: ts(20) }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[1]?.numRowsTotal === 1, "the join buffers only the bid at 25 s"),
    ]);
  });

  void it("a join of a join: views, their clicks within 5 s, and purchases within 10 s of the click", async () => {
    const views = spark.memoryStream("vid INT, vts TIMESTAMP");
    const clicks = spark.memoryStream("cid INT, cts TIMESTAMP");
    const buys = spark.memoryStream("bid INT, bts TIMESTAMP");
    const v = views.toDF().withWatermark("vts", "10 seconds");
    const c = clicks.toDF().withWatermark("cts", "10 seconds");
    const b = buys.toDF().withWatermark("bts", "10 seconds");
    const df = v
      .join(c, expr("cid = vid AND cts BETWEEN vts AND vts + INTERVAL 5 SECONDS"))
      .join(b, expr("bid = cid AND bts BETWEEN cts AND cts + INTERVAL 10 SECONDS"))
      .select("vid", "vts", "cts", "bts");
    await testStream(df, "append", [
      AddData(views, [{ vid: 1, vts: ts(1) }, { vid: 2, vts: ts(2) }, { vid: 3, vts: ts(3) }]),
      AddData(clicks, [{ cid: 1, cts: ts(4) }, { cid: 2, cts: ts(30) }, { cid: 3, cts: ts(5) }]),
      AddData(buys, [{ bid: 1, bts: ts(9) }]),
      CheckNewAnswer([{ vid: 1, vts: ts(1), cts: ts(4), bts: ts(9) }]),
      StopStream,
      StartStream(),
      AddData(buys, [{ bid: 3, bts: ts(14) }, { bid: 3, bts: ts(16) }]), // 16 s is more than 10 s after the click
      CheckNewAnswer([{ vid: 3, vts: ts(3), cts: ts(5), bts: ts(14) }]),
      AddData(views, [{ vid: 7, vts: ts(100) }]),
      AddData(clicks, [{ cid: 7, cts: ts(101) }]),
      AddData(buys, [{ bid: 7, bts: ts(105) }]), // watermark -> 90 s: the first rows are evicted from both joins
      CheckNewAnswer([{ vid: 7, vts: ts(100), cts: ts(101), bts: ts(105) }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators.length === 2, "two joins in progress"),
    ]);
  });

  void it("an aggregation deduplicated: a word is reported for the first window it appears in, across a restart", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = wordsPerWindow(input.toDF().withWatermark("ts", "0 seconds"))
      .dropDuplicates(["word"])
      .select(col("word"), col("window.start").alias("first"));
    await testStream(df, "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(2) }, { word: "a", ts: ts(12) }]), // watermark -> 12 s: [0,10) closes
      CheckNewAnswer([{ word: "a", first: ts(0) }, { word: "b", first: ts(0) }]),
      StopStream,
      StartStream(),
      AddData(input, [{ word: "c", ts: ts(15) }, { word: "b", ts: ts(16) }, { word: "z", ts: ts(20) }]), // watermark -> 20 s: [10,20) closes
      CheckNewAnswer([{ word: "c", first: ts(10) }]),
    ]);
  });

  void it("an aggregation deduplicated within the watermark: a word's later windows are dropped until the watermark passes its first one's end plus the delay", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = wordsPerWindow(input.toDF().withWatermark("ts", "0 seconds"))
      .select(col("word"), col("window.end").alias("wend"))
      .withWatermark("wend", "15 seconds")
      .dropDuplicatesWithinWatermark(["word"]);
    await testStream(df, "append", [
      AddData(input, [{ word: "a", ts: ts(1) }, { word: "b", ts: ts(2) }, { word: "a", ts: ts(12) }]), // watermark -> 12 s
      CheckNewAnswer([{ word: "a", wend: ts(10) }, { word: "b", wend: ts(10) }]), // a and b kept until 25 s
      AddData(input, [{ word: "a", ts: ts(25) }]), // watermark -> 25 s: a's [10,20) is a duplicate; then a and b are forgotten
      CheckNewAnswer([]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[1]?.numRowsTotal === 0, "the deduplication forgot both words"),
      AddData(input, [{ word: "a", ts: ts(40) }]), // watermark -> 40 s: a's [20,30) comes out again
      CheckNewAnswer([{ word: "a", wend: ts(30) }]),
    ]);
  });

  void it("flatMapGroupsWithState after another stateful operator is still refused, with the reason", async () => {
    const input = spark.memoryStream("word STRING, ts TIMESTAMP");
    const df = input
      .toDF()
      .withWatermark("ts", "0 seconds")
      .dropDuplicates(["word", "ts"])
      .groupByKey((r) => r.word as string)
      .flatMapGroupsWithState("append", "NoTimeout", (word, rows) => [{ word, n: [...rows].length }], "word STRING, n INT");
    await assert.rejects(
      async () => df.writeStream.format("memory").queryName("chain_dedupe_fmgws").outputMode("append").start(),
      (e: unknown) => e instanceof StreamingError && e.errorClass === "STREAMING_STATEFUL_OPERATOR_CHAIN_NOT_SUPPORTED_YET" && /here deduplication followed by flatMapGroupsWithState/.test(e.message),
    );
  });
});

const eventArb = fc.record({
  kind: fc.constantFrom("p", "a"),
  id: fc.integer({ min: 1, max: 4 }),
  advance: fc.integer({ min: 0, max: 6 }),
  behind: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

void describe("two windowed aggregations joined on their window equal the batch answer", () => {
  void it("random in-delay event streams, random micro-batch splits, random restarts, every join type", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          steps: fc.array(eventArb, { minLength: 1, maxLength: 30 }),
          delay: fc.constantFrom(3, 8),
          cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }),
          restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          how: fc.constantFrom<How>("inner", "left_outer", "right_outer", "full_outer", "left_semi"),
        }),
        async ({ steps, delay, cuts, restarts, how }) => {
          const { times, max } = inDelaySeconds(steps, delay);
          const events = times.map((t, i) => ({ kind: steps[i]!.kind, id: steps[i]!.id, ts: ts(t) }));
          // Closes every window of the real events; the closing event's own window stays open.
          await checkStreamEqualsBatch(spark, "kind STRING, id INT, ts TIMESTAMP", (df: DataFrame) => newSellers(df, how), events, { delay, cuts, restarts, closing: { kind: "p", id: 0, ts: ts(max + delay + 60) } });
        },
      ),
      { numRuns: 40, seed: 20261125 },
    );
  });
});
