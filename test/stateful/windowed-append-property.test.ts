/**
 * The engine's central invariant for stateful queries: for random event streams whose lateness
 * stays within the watermark delay, random micro-batch boundaries and random restarts from the
 * checkpoint, an append-mode windowed count emits exactly the batch answer, each row once.
 *
 * Events are generated so that each one is less than `delay` behind the largest event time seen
 * before it, hence never behind the watermark. A final event far in the future moves the
 * watermark past every window of the real events (its own window stays open), so at the end
 * every real window has been emitted; the sink must hold them once each, equal to the batch
 * query over the same rows.
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, window } from "../../src/api/functions.js";
import { AddData, AddDataInBatches, CheckAnswer, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("windowed-append-property").getOrCreate();

interface Step {
  readonly word: string;
  /** Seconds the largest event time moves forward before this event. */
  readonly advance: number;
  /** Fraction of the delay this event lies behind the largest event time (always < 1). */
  readonly behind: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  word: fc.constantFrom("a", "b", "c"),
  advance: fc.integer({ min: 0, max: 9 }),
  behind: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

const caseArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  delay: fc.constantFrom(5, 10, 20),
  windowSpec: fc.constantFrom<[string, string | undefined, number]>(["10 seconds", undefined, 10], ["10 seconds", "5 seconds", 10], ["7 seconds", undefined, 7]),
  /** Sizes of the addData calls (cycled), and after which batches the query restarts. */
  cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
  restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
});

void describe("append-mode windowed aggregation equals the batch answer", () => {
  void it("random in-delay event streams, random micro-batch splits, random restarts", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ steps, delay, windowSpec, cuts, restarts }) => {
        let max = 1_000;
        const events = steps.map((s) => {
          max += s.advance;
          return { word: s.word, ts: new Date((max - Math.floor(s.behind * delay)) * 1000) };
        });
        const [duration, slide, length] = windowSpec;
        const counts = <R>(df: DataFrame<R>): DataFrame => df.groupBy(window(col("ts"), duration, slide), col("word")).count();
        const input = spark.memoryStream("word STRING, ts TIMESTAMP");
        const streaming = counts(input.toDF().withWatermark("ts", `${delay} seconds`));
        const expected = await counts(spark.createDataFrame(events, "word STRING, ts TIMESTAMP")).collect();

        const actions = AddDataInBatches(input, events, cuts, restarts);
        // Moves the watermark past every window of the real events; its own windows stay open.
        actions.push(AddData(input, [{ word: "z", ts: new Date((max + delay + 2 * length) * 1000) }]), CheckAnswer(expected));
        await testStream(streaming, "append", actions);
      }),
      { numRuns: 25, seed: 20240501 },
    );
  });
});
