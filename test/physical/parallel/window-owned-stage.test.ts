import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type DataFrame, Session, col, functions as F, window } from "../../../src/index.js";
import { explainPhysical } from "../../../src/physical/planner.js";
import { stageRuns } from "../../../src/physical/parallel/parallel-stage-exec.js";
import { nexmarkConfig } from "../../../src/connectors/nexmark/nexmark-config.js";
import { timeSliceCuts } from "../../../src/connectors/nexmark/nexmark-batch-source.js";
import { generateNexmarkColumns } from "../../../src/connectors/nexmark/nexmark-generator.js";
import { batchSource } from "../../../src/connectors/source-registry.js";
import type { DataSourceRelation } from "../../../src/plan/logical-plan.js";
import { explainLogical } from "../../../src/plan/explain-logical.js";
import { windowOwnedMaps } from "../../../src/physical/parallel/window-owned-stage.js";

// 150,000 events at 1,000 events/s of event time: 150 s, long next to the 10 s windows.
const EVENTS = 150_000, RATE = 1000;
const serial = Session.builder().appName("serial").config("sluice.executor.threads", 1).create();
const two = Session.builder().appName("two").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 2000).create();
const three = Session.builder().appName("three").config("sluice.executor.threads", 3).config("sluice.executor.minRowsPerTask", 2000).create();
after(() => {
  serial.stop();
  two.stop();
  three.stop();
});

const OWNED = /ParallelStage \(tasks=\d, threads=\d, each task owns the windows starting in its slice of event time\)/;
const bids = (spark: Session, events = EVENTS, batchSize = 8192): DataFrame =>
  spark.read.format("nexmark").option("table", "bid").option("eventsNum", events).option("eventsPerSecond", RATE).option("batchSize", batchSize).load();
const plan = (df: DataFrame): string => explainPhysical(df.session.physicalPlan(df.plan));
const canon = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : v))).sort();

/** Nexmark q5: bids per auction and sliding window, joined with each window's maximum. */
function q5(s: Session, events = EVENTS): DataFrame {
  const counts = bids(s, events).groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num"))
    .select(col("auction"), col("num"), col("window.start").alias("starttime"), col("window.end").alias("endtime"));
  const maxes = counts.groupBy("starttime", "endtime").agg(F.max("num").alias("maxn")).withColumnsRenamed({ starttime: "mstart", endtime: "mend" });
  return counts.join(maxes, col("starttime").eq(col("mstart")).and(col("endtime").eq(col("mend"))).and(col("num").geq(col("maxn")))).select("auction", "num", "starttime");
}

/** The query on one thread and on `spark`'s workers, which must plan it as a window-owned stage (or not) and answer the same. */
async function sameAsSerial(build: (s: Session) => DataFrame, spark: Session, owned: boolean): Promise<number> {
  const p = build(spark);
  const text = plan(p);
  assert.equal(OWNED.test(text), owned, text);
  if (owned) assert.doesNotMatch(text, /Exchange/, text);
  const want = await build(serial).collect();
  const before = stageRuns.onWorkers;
  const got = await p.collect();
  assert.ok(stageRuns.onWorkers > before, "a stage ran on the worker threads");
  assert.ok(want.length > 0);
  assert.deepEqual(canon(got), canon(want));
  return got.length;
}

void describe("stages whose tasks own slices of event time (no exchange)", () => {
  void it("Nexmark q5 on two and on three threads: the single-threaded answer", async () => {
    await sameAsSerial((s) => q5(s), two, true);
    await sameAsSerial((s) => q5(s), three, true);
  });

  void it("Nexmark q5 as SQL, whose window columns leave the aggregation as its start and end only", async () => {
    const sql = (s: Session): DataFrame => {
      bids(s).createOrReplaceTempView("bid");
      return s.sql(`WITH counts AS (SELECT auction, count(*) AS num, window.start AS starttime, window.end AS endtime
        FROM bid GROUP BY auction, window(dateTime, '10 seconds', '2 seconds'))
        SELECT c.auction, c.num, c.starttime FROM counts c JOIN (SELECT max(num) AS maxn, starttime, endtime FROM counts GROUP BY starttime, endtime) m
        ON c.starttime = m.starttime AND c.endtime = m.endtime AND c.num >= m.maxn`);
    };
    await sameAsSerial(sql, two, true);
  });

  void it("a join of windowed aggregations of two tables of one event sequence (Nexmark q8): both cut at the same times", async () => {
    const q8 = (s: Session, auctionRate = RATE): DataFrame => {
      const table = (name: string, rate: number): DataFrame => s.read.format("nexmark").option("table", name).option("eventsNum", EVENTS).option("eventsPerSecond", rate).load();
      const p = table("person", RATE).groupBy(col("id"), col("name"), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("_n")).select(col("id"), col("name"), col("window.start").alias("starttime"));
      const a = table("auction", auctionRate).groupBy(col("seller"), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("_n")).select(col("seller"), col("window.start").alias("astart"));
      return p.join(a, col("id").eq(col("seller")).and(col("starttime").eq(col("astart")))).select("id", "name", "starttime");
    };
    await sameAsSerial((s) => q8(s), two, true);
    // Another event-time rate for auctions: the two scans' slices would end at different times,
    // so the join is not one (each side alone may still be).
    const other = plan(q8(two, 900));
    assert.doesNotMatch(other.split("\n")[0]!, OWNED, other);
    assert.match(other, /Join/);
  });

  void it("a tumbling window count per auction with a filter and a projection above", async () => {
    await sameAsSerial((s) => bids(s).groupBy(window(col("dateTime"), "5 seconds"), col("auction")).agg(F.count("*").alias("n"), F.max("price").alias("top"))
      .filter(col("n").gt(1)).select(col("window.start").alias("at"), col("auction"), col("n")), two, true);
  });

  void it("a tumbling window's tasks filter the time itself below the window's projection, aligned to window starts (start time off the epoch)", async () => {
    const build = (s: Session): DataFrame => bids(s).groupBy(window(col("dateTime"), "7 seconds", "7 seconds", "3 seconds")).agg(F.max("price").alias("top"), F.count("*").alias("n"));
    const df = build(three);
    const tasks = windowOwnedMaps(three.optimize(df.plan), three.plannerOptions().parallel!)!;
    assert.equal(tasks.length, 3);
    const bounds = tasks.map((t) => {
      const project = t.kind === "Aggregate" ? t.child : null;
      const filter = project?.kind === "Project" ? project.child : null;
      assert.ok(filter?.kind === "Filter", explainLogical(t));
      return explainLogical(filter).split("\n")[0]!;
    });
    // Every bound on dateTime is a window start: 3 s past a multiple of 7 s since the epoch.
    const day = Date.UTC(2024, 0, 1) / 1000;
    const starts = bounds.flatMap((b) => [...b.matchAll(/TIMESTAMP '2024-01-01 00:(\d\d):(\d\d)'/g)].map((m) => day + Number(m[1]) * 60 + Number(m[2])));
    assert.equal(starts.length, 4, bounds.join("; "));
    for (const t of starts) assert.equal((t - 3) % 7, 0, bounds.join("; "));
    await sameAsSerial(build, three, true);
  });

  void it("the windows before the first event and after the last (sliding) are counted once", async () => {
    const rows = await sameAsSerial((s) => bids(s).groupBy(window(col("dateTime"), "10 seconds", "2 seconds")).count(), three, true);
    // 150 s of events in windows sliding by 2 s: 75 starts inside, 4 more starting before the first event.
    assert.equal(rows, 79);
  });

  void it("a window starting exactly where a slice ends belongs to the next slice alone", async () => {
    // Batches of 1,000 events at 1,000 events/s: slices end on whole seconds, where 1-second windows start.
    const rows = await sameAsSerial((s) => bids(s, EVENTS, 1000).groupBy(window(col("dateTime"), "1 second")).count(), three, true);
    assert.equal(rows, 150);
  });

  void it("operators above that are not keyed by the window use an exchange instead", async () => {
    // A count per auction over all windows: its groups span every slice.
    await sameAsSerial((s) => bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds")).count().groupBy("auction").agg(F.sum("count").alias("n")), two, false);
    // A join of the windowed counts on the auction alone: rows of different windows meet.
    await sameAsSerial((s) => {
      const a = bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds")).count();
      return a.join(a.select(col("auction").alias("a2"), col("count").alias("c2")), col("auction").eq(col("a2"))).agg(F.count("*").alias("pairs"));
    }, two, false);
  });

  void it("a side an outer join pads with nulls keys nothing above it", async () => {
    // Windows after the first 50 s have no match on the right: their rows carry a null start there.
    const build = (s: Session): DataFrame => {
      const counts = bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds")).count().select(col("auction"), col("window.start").alias("ws"), col("count"));
      const early = bids(s).filter(col("dateTime").lt(F.timestamp_seconds(F.lit(Date.UTC(2024, 0, 1) / 1000 + 50))))
        .groupBy(window(col("dateTime"), "10 seconds")).agg(F.max("price").alias("top")).select(col("window.start").alias("es"), col("top"));
      return counts.join(early, col("ws").eq(col("es")), "left_outer").groupBy("es").agg(F.count("*").alias("n"), F.sum("count").alias("bids"));
    };
    const text = plan(build(two));
    assert.doesNotMatch(text.split("\n")[0]!, OWNED, text);
    const want = await build(serial).collect();
    assert.ok(want.some((r) => r["es"] === null), "a group of the unmatched rows");
    assert.deepEqual(canon(await build(two).collect()), canon(want));
  });

  void it("windows long next to the input keep the exchange (each slice would read a quarter again of its events)", () => {
    assert.doesNotMatch(plan(q5(two, 30_000)), OWNED);
  });
});

void describe("nexmark time slices", () => {
  void it("cut points cover the events in order, on batch boundaries, with the same reads per slice", () => {
    for (const parts of [2, 3, 5]) {
      const cuts = timeSliceCuts(0, 1_000_000, parts, 10_000, 1_000, 1000)!;
      assert.equal(cuts.length, parts + 1);
      assert.deepEqual([cuts[0], cuts[parts]], [0, 1_000_000]);
      for (let k = 1; k < parts; k++) assert.ok(cuts[k]! > cuts[k - 1]! && cuts[k]! % 1000 === 0, `${parts}: ${cuts.join(",")}`);
      const reads = cuts.slice(0, -1).map((a, k) => cuts[k + 1]! + (k < parts - 1 ? 11_000 : 0) - (k > 0 ? a - 1_000 : 0));
      assert.ok(Math.max(...reads) - Math.min(...reads) <= 2000, `${parts}: ${reads.join(",")}`);
    }
    assert.equal(timeSliceCuts(0, 40_000, 2, 10_000, 1_000, 1000), null, "a quarter again to read");
  });

  void it("each slice is cut at a window start and reads every bid of the windows it owns", () => {
    const S = 1e6;
    const cases = [
      [1000, 2, { durationMicros: 10 * S, slideMicros: 2 * S, startMicros: 0 }],
      [777, 3, { durationMicros: 4 * S, slideMicros: 4 * S, startMicros: 0 }],
      [10_000, 4, { durationMicros: 2 * S, slideMicros: 0.5 * S, startMicros: 0.25 * S }],
      [333.3, 2, { durationMicros: 1 * S, slideMicros: 1, startMicros: 0 }],
    ] as const;
    for (const [rate, parts, windows] of cases) {
      const cfg = nexmarkConfig({ eventsPerSecond: rate, table: "bid" });
      const events = Math.round(rate * 120);
      const rel = { kind: "DataSourceRelation", format: "nexmark", resolved: { ...cfg, eventsNum: events } } as unknown as DataSourceRelation;
      const slices = batchSource("nexmark").splitByTime!(rel, parts, "dateTime", windows)!;
      assert.equal(slices.length, parts);
      assert.equal(slices[0]!.fromMicros, -Infinity);
      assert.equal(slices[parts - 1]!.toMicros, Infinity);
      const all = generateNexmarkColumns(cfg, "bid", 0, events, ["dateTime"]).columns[5] as Float64Array;
      let readTotal = 0;
      slices.forEach((s, k) => {
        if (k > 0) {
          assert.equal(s.fromMicros, slices[k - 1]!.toMicros);
          assert.equal((s.fromMicros - windows.startMicros) % windows.slideMicros, 0, `cut ${k} at a window start`);
        }
        const [lo, hi] = (s.resolved as { events: [number, number] }).events;
        readTotal += hi - lo;
        const read = generateNexmarkColumns(cfg, "bid", lo, hi, ["dateTime"]).columns[5] as Float64Array;
        const owned = (t: number): boolean => t >= s.fromMicros && t < s.toMicros - windows.slideMicros + windows.durationMicros;
        assert.equal(read.filter(owned).length, all.filter(owned).length, `rate ${rate}, slice ${k} of ${parts}`);
      });
      // What slices read twice: the last windows' rows past each cut, and a few rows of rounding.
      const reach = ((windows.durationMicros - windows.slideMicros) / S) * rate;
      assert.ok(readTotal - events <= (parts - 1) * (reach + 2 + 0.006 * rate), `rate ${rate}: ${readTotal} events read for ${events}`);
      assert.equal(batchSource("nexmark").splitByTime!(rel, parts, "price", windows), null, "not ordered by price");
    }
  });
});
