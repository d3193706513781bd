/**
 * Streaming window functions equal the batch window functions: for random per-meter event
 * streams whose lateness stays within the watermark delay, random micro-batch boundaries and
 * random restarts, the rows the stream emits are exactly the batch query's rows for the rows the
 * emission rule lets out at the final watermark W — a row is out once it and the row after it in
 * its partition (what lead(v) needs) are at or behind W — each once, with the same values.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session, Window, col, functions as F } from "../../src/index.js";
import { AddData, AssertOnQuery, CheckAnswer, StartStream, type StreamAction, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().appName("streaming-window-property").getOrCreate();

const stepArb = fc.record({
  meter: fc.constantFrom("a", "b", "c"),
  /** Seconds the largest event time moves forward before this event. */
  advance: fc.integer({ min: 0, max: 6 }),
  /** Fraction of the delay this event lies behind the largest event time (always < 1). */
  behind: fc.double({ min: 0, max: 0.95, noNaN: true }),
  nullX: fc.boolean(),
});

const caseArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  delay: fc.constantFrom(3, 10),
  cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
  restarts: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
});

type Event = { meter: string; ts: Date; v: number; x: number | null } & Record<string, unknown>;

/** lag (with a default, IGNORE NULLS), lead, row_number, rank, running and sliding aggregates; ties on ts broken by v. */
function windowed<R>(df: DataFrame<R>): DataFrame {
  const w = Window.partitionBy("meter").orderBy("ts", "v");
  return df.select(
    col("meter"), col("ts"), col("v"),
    F.lag("v").over(w).alias("prev"), F.lag("v", 2, -1).over(w).alias("prev2"), F.lead("v").over(w).alias("next"),
    F.row_number().over(w).alias("n"), F.rank().over(w).alias("rk"), F.sum("v").over(w).alias("total"),
    F.lag("x", 1, null, true).over(w).alias("prevX"), F.lag("x", 2, -1, true).over(w).alias("prevX2"),
    F.sum("x").over(w).alias("sumX"), F.max("x").over(w.rowsBetween(-2, 0)).alias("max3"),
  );
}

/** The events the emission rule lets out at watermark `wmMs` (lead(v) needs one final successor). */
function emitted(events: readonly Event[], wmMs: number): Set<number> {
  const out = new Set<number>();
  for (const meter of new Set(events.map((e) => e.meter))) {
    const rows = events.filter((e) => e.meter === meter).sort((x, y) => x.ts.getTime() - y.ts.getTime() || x.v - y.v);
    rows.forEach((e, i) => {
      const next = rows[i + 1];
      if (next !== undefined && next.ts.getTime() <= wmMs) out.add(e.v);
    });
  }
  return out;
}

void describe("streaming window functions equal the batch answer", () => {
  void it("random in-delay streams, random micro-batch splits, random restarts", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ steps, delay, cuts, restarts }) => {
        let max = 1_000;
        const events: Event[] = steps.map((s, v) => {
          max += s.advance;
          return { meter: s.meter, ts: new Date((max - Math.floor(s.behind * delay)) * 1000), v, x: s.nullX ? null : v * 10 };
        });
        const input = spark.memoryStream("meter STRING, ts TIMESTAMP, v INT, x INT");
        const streaming = windowed(input.toDF().withWatermark("ts", `${delay} seconds`));
        const batch = await windowed(spark.createDataFrame(events, "meter STRING, ts TIMESTAMP, v INT, x INT")).collect();
        const out = emitted(events, (max - delay) * 1000);
        const expected = batch.filter((r) => out.has(r["v"] as number));
        assert.equal(expected.length, out.size);

        const actions: StreamAction[] = [];
        const committed = AssertOnQuery(() => true, "batch committed");
        for (let i = 0, b = 0; i < events.length; b++) {
          const size = cuts[b % cuts.length]!;
          actions.push(AddData(input, events.slice(i, i + size)), committed);
          if (restarts[b % restarts.length]) actions.push(StopStream, StartStream());
          i += size;
        }
        actions.push(CheckAnswer(expected));
        await testStream(streaming, "append", actions);
      }),
      { numRuns: 20, seed: 20261121 },
    );
  });
});
