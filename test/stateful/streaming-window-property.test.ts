/**
 * Streaming window functions equal the batch window functions: for random per-meter event
 * streams whose lateness stays within the watermark delay, random micro-batch boundaries and
 * random restarts, the rows the stream emits are exactly the batch query's rows for the rows the
 * emission rule lets out at the final watermark W — a row is out once it and the row after it in
 * its partition (what lead(v) needs) are at or behind W, and n rows after it with a non-null x
 * are (what lead(x, n) IGNORE NULLS needs) — each once, with the same values. A second query
 * ordered by event time alone (ties are peers) checks RANGE frames of event time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session, Window, col, functions as F } from "../../src/index.js";
import { AddDataInBatches, CheckAnswer, testStream } from "../streaming/stream-test.js";

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

/**
 * lag (with a default, IGNORE NULLS), lead (also IGNORE NULLS), row_number, rank, running and
 * sliding aggregates; ties on ts broken by v.
 */
function windowed<R>(df: DataFrame<R>): DataFrame {
  const w = Window.partitionBy("meter").orderBy("ts", "v");
  return df.select(
    col("meter"), col("ts"), col("v"),
    F.lag("v").over(w).alias("prev"), F.lag("v", 2, -1).over(w).alias("prev2"), F.lead("v").over(w).alias("next"),
    F.row_number().over(w).alias("n"), F.rank().over(w).alias("rk"), F.sum("v").over(w).alias("total"),
    F.lag("x", 1, null, true).over(w).alias("prevX"), F.lag("x", 2, -1, true).over(w).alias("prevX2"),
    F.lead("x", 1, null, true).over(w).alias("nextX"), F.lead("x", 2, -1, true).over(w).alias("nextX2"),
    F.sum("x").over(w).alias("sumX"), F.max("x").over(w.rowsBetween(-2, 0)).alias("max3"),
  );
}

/** RANGE frames of event time (ORDER BY ts alone: rows with equal ts are peers) and rank. */
function ranged<R>(df: DataFrame<R>): DataFrame {
  const w = Window.partitionBy("meter").orderBy("ts");
  return df.select(
    col("meter"), col("ts"), col("v"),
    F.sum("x").over(w.rangeBetween("-5 seconds", Window.currentRow)).alias("sum5"),
    F.avg("v").over(w.rangeBetween("-3 seconds", "-1 second")).alias("avgBefore"),
    F.count("x").over(w.rangeBetween("-12 seconds", "-4 seconds")).alias("older"),
    F.max("x").over(w.rangeBetween(Window.currentRow, Window.currentRow)).alias("peersMax"),
    F.rank().over(w).alias("rk"), F.sum("v").over(w).alias("total"),
  );
}

/** The events the emission rule of `windowed` lets out at watermark `wmMs`. */
function emitted(events: readonly Event[], wmMs: number): Set<number> {
  const out = new Set<number>();
  for (const meter of new Set(events.map((e) => e.meter))) {
    const rows = events.filter((e) => e.meter === meter).sort((x, y) => x.ts.getTime() - y.ts.getTime() || x.v - y.v);
    const final = rows.filter((e) => e.ts.getTime() <= wmMs).length;
    // lead(v): one final row after; lead(x, 1 and 2) IGNORE NULLS: one and two final non-null x after.
    const nonNull = rows.slice(0, final).flatMap((e, i) => (e.x === null ? [] : [i]));
    const m = Math.min(final - 1, nonNull.at(-1) ?? 0, nonNull.at(-2) ?? 0);
    rows.slice(0, Math.max(0, m)).forEach((e) => out.add(e.v));
  }
  return out;
}

/** The events a query without lead lets out at watermark `wmMs`: those at or behind it. */
function behind(events: readonly Event[], wmMs: number): Set<number> {
  return new Set(events.filter((e) => e.ts.getTime() <= wmMs).map((e) => e.v));
}

/** Runs random cases of `query`: the stream emits exactly the batch rows `out` lets out at the final watermark. */
async function check(query: typeof windowed, out: (events: readonly Event[], wmMs: number) => Set<number>, numRuns = 20): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ steps, delay, cuts, restarts }) => {
      let max = 1_000;
      const events: Event[] = steps.map((s, v) => {
        max += s.advance;
        return { meter: s.meter, ts: new Date((max - Math.floor(s.behind * delay)) * 1000), v, x: s.nullX ? null : v * 10 };
      });
      const input = spark.memoryStream("meter STRING, ts TIMESTAMP, v INT, x INT");
      const streaming = query(input.toDF().withWatermark("ts", `${delay} seconds`));
      const batch = await query(spark.createDataFrame(events, "meter STRING, ts TIMESTAMP, v INT, x INT")).collect();
      // The final watermark: the largest event time seen (events may all lie behind `max`) - delay.
      const ready = out(events, Math.max(...events.map((e) => e.ts.getTime())) - delay * 1000);
      const expected = batch.filter((r) => ready.has(r["v"] as number));
      assert.equal(expected.length, ready.size);

      const actions = AddDataInBatches(input, events, cuts, restarts);
      actions.push(CheckAnswer(expected));
      await testStream(streaming, "append", actions);
    }),
    { numRuns, seed: 20261121 },
  );
}

void describe("streaming window functions equal the batch answer", () => {
  void it("random in-delay streams, random micro-batch splits, random restarts", async () => {
    await check(windowed, emitted);
  });

  void it("RANGE frames of event time, peers by equal ts: random streams, splits and restarts", async () => {
    // More runs: a kept row is missed only when a later row lands just at the far end of its frame.
    await check(ranged, behind, 60);
  });
});
