import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { type DataFrame, Session, col, functions as F, window } from "../../src/index.js";
import { explainPhysical } from "../../src/physical/planner.js";

const spark = Session.builder().appName("pane-aggregation").config("sluice.executor.threads", 1).create();
after(() => spark.stop());

const physical = <R>(df: DataFrame<R>): string => explainPhysical(df.session.physicalPlan(df.plan));
const canon = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : v))).sort();
/** The rewritten plan aggregates by `_pane` below the Expand of windows. */
const byPanes = (plan: string): boolean => /Expand[^\n]*\n\s*\+- HashAggregate \(keys=\[[^\]]*_pane\]/.test(plan);

/** Rows of `build()` with panes (asserting the plan uses them when `expectPanes`) and row by row must be equal. */
async function sameWithAndWithout<R>(build: () => DataFrame<R>, expectPanes: boolean): Promise<Record<string, unknown>[]> {
  const df = build();
  assert.equal(byPanes(physical(df)), expectPanes, physical(df));
  const got = await df.collect();
  spark.conf.set("sluice.sql.optimizer.slidingWindowPanes", false);
  try {
    const plain = build();
    assert.ok(!byPanes(physical(plain)), physical(plain));
    assert.deepEqual(canon(got as Record<string, unknown>[]), canon((await plain.collect()) as Record<string, unknown>[]));
  } finally {
    spark.conf.set("sluice.sql.optimizer.slidingWindowPanes", true);
  }
  return got as Record<string, unknown>[];
}

type Row = { k: number | null; ts: number | null; v: number | null };
const events = (rows: readonly Row[]) =>
  spark.createDataFrame(rows.map((r) => ({ k: r.k, ts: r.ts === null ? null : new Date(r.ts), v: r.v })), "k INT, ts TIMESTAMP, v INT");

// Window length, slide and start time (ms): lengths a whole number of slides, start times either side of zero.
const SPECS: readonly [string, string, string][] = [["10 seconds", "2 seconds", "0 seconds"], ["6 seconds", "3 seconds", "1 second"], ["4 seconds", "1 second", "-500 milliseconds"], ["1 hour", "15 minutes", "0 seconds"]];

describe("sliding windows by panes: each row aggregated once into its slide-long pane, then the panes into windows", () => {
  it("gives the row-by-row answer for count, counts of a column, sum, min, max, avg and FILTER, with null keys, times and values, before and after the epoch", async () => {
    const row = fc.record({ k: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 6 }), ts: fc.option(fc.integer({ min: -40_000, max: 40_000 }), { freq: 8 }), v: fc.option(fc.integer({ min: -50, max: 50 }), { freq: 5 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 60 }), fc.constantFrom(...SPECS), async (rows, [length, slide, start]) => {
        await sameWithAndWithout(() =>
          events(rows).groupBy(col("k"), window(col("ts"), length, slide, start)).agg(
            F.count("*").alias("n"), F.count("v").alias("nv"), F.sum("v").alias("s"), F.min("v").alias("lo"), F.max("v").alias("hi"), F.avg("v").alias("mean"),
            F.expr("count(*) FILTER (WHERE v > 10)").alias("big"),
          ), true);
      }),
      { numRuns: 40 },
    );
  });

  it("the windows of one row: all n of them, each counting it once", async () => {
    const rows = await sameWithAndWithout(() => events([{ k: 1, ts: 4_500, v: 7 }]).groupBy(col("k"), window(col("ts"), "10 seconds", "2 seconds")).agg(F.count("*").alias("n"), F.sum("v").alias("s")), true);
    const starts = rows.map((r) => (r["window"] as { start: Date }).start.getTime() / 1000).sort((a, b) => a - b);
    assert.deepEqual(starts, [-4, -2, 0, 2, 4]);
    assert.ok(rows.every((r) => r["n"] === 1n || r["n"] === 1));
  });

  it("a filter on the window above the aggregation still holds (pushed down to the windows, evaluated per window)", async () => {
    const rows: Row[] = Array.from({ length: 500 }, (_, i) => ({ k: i % 7, ts: i * 97, v: i % 13 }));
    const got = await sameWithAndWithout(() => events(rows).groupBy(col("k"), window(col("ts"), "10 seconds", "5 seconds")).agg(F.count("*").alias("n")).filter(col("window.start").geq(new Date(20_000))), true);
    assert.ok(got.length > 0 && got.every((r) => (r["window"] as { start: Date }).start.getTime() >= 20_000));
  });

  it("keeps row by row what panes cannot merge exactly or whose windows do not align with panes", async () => {
    const rows: Row[] = Array.from({ length: 300 }, (_, i) => ({ k: i % 5, ts: i * 113, v: i }));
    const grouped = (slide: string) => events(rows).groupBy(col("k"), window(col("ts"), "10 seconds", slide));
    const byWindow = <R>(slide: string, agg: (g: ReturnType<typeof grouped>) => DataFrame<R>) => () => agg(grouped(slide));
    // A sum of doubles rounds by the order of its additions.
    await sameWithAndWithout(byWindow("2 seconds", (g) => g.agg(F.sum(col("v").cast("double")).alias("s"))), false);
    // A 3-second slide does not divide a 10-second window: a pane's rows fall in different windows.
    await sameWithAndWithout(byWindow("3 seconds", (g) => g.agg(F.count("*").alias("n"))), false);
    // An aggregate of the window itself needs each row's window.
    await sameWithAndWithout(byWindow("2 seconds", (g) => g.agg(F.max(col("window.end")).alias("e"))), false);
    // Tumbling windows have one window per row already.
    await sameWithAndWithout(byWindow("10 seconds", (g) => g.agg(F.count("*").alias("n"))), false);
  });

  it("Nexmark q5's counts per auction and window aggregate each bid once", async () => {
    const bids = spark.read.format("nexmark").option("table", "bid").option("eventsNum", 50_000).load();
    const rows = await sameWithAndWithout(() => bids.groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num")), true);
    assert.ok(rows.length > 1000);
  });
});
