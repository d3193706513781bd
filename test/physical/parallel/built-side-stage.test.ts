import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type DataFrame, Session, col, functions as F, window } from "../../../src/index.js";
import { explainPhysical } from "../../../src/physical/planner.js";
import { stageRuns } from "../../../src/physical/parallel/parallel-stage-exec.js";
import { RUNTIME_FILTER_MAX_ROWS } from "../../../src/physical/join-exec.js";
import { estimateBatchBytes } from "../../../src/physical/memory.js";

const serial = Session.builder().appName("serial").config("sluice.executor.threads", 1).create();
// A broadcast threshold under the estimate of an aggregation's input (60,000 events, 16 bytes a
// column, two columns: 1.92 MB) and over its rows: as Nexmark's 2,000,000 events are next to the
// 10 MB default.
const two = Session.builder().appName("two").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 2000).config("spark.sql.autoBroadcastJoinThreshold", 1_500_000).create();
after(() => {
  serial.stop();
  two.stop();
});

const BUILT_FIRST = /ParallelStage \(tasks=[3-8], threads=2, (inner|left_outer|right_outer) join whose (left|right) side is computed first/;
const bids = (s: Session, events = 60_000): DataFrame => s.read.format("nexmark").option("table", "bid").option("eventsNum", events).option("eventsPerSecond", 1000).load();
const plan = (df: DataFrame): string => explainPhysical(df.session.physicalPlan(df.plan));
const canon = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : v))).sort();

/** Nexmark q7: the bids at their window's highest price. */
function q7(s: Session): DataFrame {
  const top = bids(s).groupBy(window(col("dateTime"), "10 seconds")).agg(F.max("price").alias("maxprice")).select(col("maxprice"), col("window.end").alias("wend"));
  return bids(s).join(top, col("price").eq(col("maxprice")).and(col("dateTime").geq(col("wend").minus(F.expr("INTERVAL 10 SECONDS")))).and(col("dateTime").leq(col("wend"))))
    .select("auction", "price", "bidder", "dateTime");
}

/** Runs `q` on one thread and on two, checks the plan on two, and returns the answer with how the stage ran. */
async function bothWays(q: (s: Session) => DataFrame, planned: RegExp | null): Promise<{ rows: Record<string, unknown>[]; onWorkers: number; onCallingThread: number }> {
  const want = await q(serial).collect();
  const text = plan(q(two));
  if (planned) assert.match(text, planned, text);
  else assert.doesNotMatch(text, BUILT_FIRST, text);
  const workers = stageRuns.onWorkers, calling = stageRuns.onCallingThread;
  const got = await q(two).collect();
  assert.deepEqual(canon(got), canon(want));
  return { rows: got, onWorkers: stageRuns.onWorkers - workers, onCallingThread: stageRuns.onCallingThread - calling };
}

void describe("a join whose small side is computed first runs as map tasks over the large side's splits", () => {
  void it("Nexmark q7: the bids at each window's top price, the windows' maxima copied into every task", async () => {
    const r = await bothWays(q7, BUILT_FIRST);
    assert.ok(r.rows.length >= 6, `${r.rows.length} rows`);
    // The aggregation's own stage and the join's: both on the workers.
    assert.equal(r.onWorkers, 2);
    assert.equal(r.onCallingThread, 0);
  });

  void it("a computed side with more rows than a runtime filter takes is joined on this thread, over the rows already computed", async () => {
    // The bid counts by price (of bids after the first second: the scan reads two columns, as q7's does).
    const counts = (s: Session): DataFrame => bids(s).filter(col("dateTime").gt(F.expr("TIMESTAMP '1970-01-01 00:00:01'"))).groupBy(col("price").alias("p")).count();
    const byPrice = (s: Session): DataFrame => bids(s).join(counts(s), col("price").eq(col("p")));
    const built = await counts(serial).collectBatches();
    const rows = built.reduce((n, b) => n + b.numRows, 0), bytes = built.reduce((n, b) => n + estimateBatchBytes(b), 0);
    assert.ok(rows > RUNTIME_FILTER_MAX_ROWS && bytes < 1_500_000, `${rows} prices, ${bytes} bytes: few enough bytes to copy, too many rows to filter by`);
    const r = await bothWays(byPrice, BUILT_FIRST);
    assert.ok(r.rows.length > rows, "bids with their prices' counts");
    assert.equal(r.onCallingThread, 1, "the join ran on this thread");
  });

  void it("outer joins keep their unmatched rows, with the computed side on either hand", async () => {
    // Bids of odd bidders, against the bid counts of even bidders' auctions: some auctions only odd bidders bid on.
    const odd = (s: Session): DataFrame => bids(s).filter(col("bidder").mod(2).eq(1)).select(col("auction"), col("price"));
    const evenCounts = (s: Session): DataFrame => bids(s).filter(col("bidder").mod(2).eq(0)).groupBy(col("auction").alias("a")).agg(F.count("*").alias("n"));
    const left = await bothWays((s) => odd(s).join(evenCounts(s), col("auction").eq(col("a")), "left_outer"), BUILT_FIRST);
    assert.ok(left.rows.some((r) => r["n"] === null) && left.rows.some((r) => r["n"] !== null));
    assert.equal(left.onCallingThread, 0);
    const right = await bothWays((s) => evenCounts(s).join(odd(s), col("auction").eq(col("a")), "right_outer"), /right_outer join whose left side is computed first/);
    assert.equal(canon(right.rows.map(({ auction, price, a, n }) => ({ auction, price, a, n }))).join("\n"), canon(left.rows.map(({ auction, price, a, n }) => ({ auction, price, a, n }))).join("\n"));
  });

  void it("is not planned where every joined row would come back unfiltered, nor for a side the join cannot build", async () => {
    // Two keys: no runtime filter thins the bids, and nothing else filters them.
    const twoKeys = (s: Session): DataFrame => bids(s).join(bids(s).groupBy(col("auction").alias("a"), col("bidder").alias("b")).count(), col("auction").eq(col("a")).and(col("bidder").eq(col("b"))));
    await bothWays(twoKeys, null);
    // A left outer join cannot build its left side.
    const counts = (s: Session): DataFrame => bids(s).groupBy(col("auction").alias("a")).count();
    await bothWays((s) => counts(s).join(bids(s).filter(col("price").gt(1000)), col("a").eq(col("auction")), "left_outer"), null);
  });
});
