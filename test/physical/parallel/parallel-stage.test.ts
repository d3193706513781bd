import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type DataFrame, Session, Window, broadcast, col, expr, functions as F, udaf, udf, window } from "../../../src/index.js";
import { explainPhysical } from "../../../src/physical/planner.js";
import { stageRuns } from "../../../src/physical/parallel/parallel-stage-exec.js";
import { taskShares } from "../../../src/physical/parallel/stage-fragments.js";
import { splitEventRange } from "../../../src/connectors/split-range.js";

// Two sessions over the same data: one thread, and two worker threads with tasks small enough
// that the test data is split.
const serial = Session.builder().appName("serial").config("sluice.executor.threads", 1).create();
const parallel = Session.builder().appName("parallel").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 2000).config("sluice.sql.shuffle.partitions", 3).create();
after(() => {
  serial.stop();
  parallel.stop();
});

type Build = (spark: Session) => DataFrame;

const canon = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : v))).sort();

function physical<R>(df: DataFrame<R>): string {
  return explainPhysical(df.session.physicalPlan(df.plan));
}

/** Runs `build` on both sessions: the parallel plan must have a parallel stage, and the rows must be equal. */
async function sameAsSerial(build: Build, opts: { ordered?: boolean; exchange?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const p = build(parallel);
  const plan = physical(p);
  assert.match(plan, /ParallelStage \(tasks=[2-9]/, plan);
  if (opts.exchange !== undefined) assert.equal(/Exchange hashpartitioning/.test(plan), opts.exchange, plan);
  const want = await build(serial).collect();
  const before = { ...stageRuns };
  const got = await p.collect();
  assert.ok(stageRuns.onWorkers > before.onWorkers, "the stage ran on the worker threads");
  assert.equal(stageRuns.onCallingThread, before.onCallingThread, "no stage fell back to the calling thread");
  assert.ok(want.length > 0, "the query returns rows");
  if (opts.ordered) assert.deepEqual(got, want);
  else assert.deepEqual(canon(got), canon(want));
  return got;
}

const bids = (spark: Session): DataFrame => spark.read.format("nexmark").option("table", "bid").option("eventsNum", 60_000).load();

describe("parallel stages give the single-threaded answer", () => {
  it("group-by with count, sum, min, max and avg over a range (partial aggregation)", async () => {
    await sameAsSerial((s) =>
      s.range(0, 50_000).select(col("id").mod(97).alias("k"), col("id").alias("v"), col("id").cast("int").alias("i")).groupBy("k")
        .agg(F.count("*").alias("n"), F.sum("v").alias("s"), F.min("i").alias("lo"), F.max("v").alias("hi")),
    );
  });

  it("global aggregates are merged from per-task partials", async () => {
    const rows = await sameAsSerial((s) => s.range(0, 40_000).agg(F.count("*").alias("n"), F.sum("id").alias("s"), F.max("id").alias("m")));
    assert.deepEqual(rows, [{ n: 40_000, s: (39_999 * 40_000) / 2, m: 39_999 }]);
  });

  it("double sums and averages shuffle rows by key, so each key adds in input order (bit-identical)", async () => {
    await sameAsSerial(
      (s) => s.range(0, 30_000).select(col("id").mod(13).alias("k"), expr("id * 0.1").cast("double").alias("x")).groupBy("k").agg(F.sum("x").alias("sx"), F.avg("x").alias("ax"), F.stddev("x").alias("sd")),
      { exchange: true },
    );
  });

  it("averages of integers merge each task's exact sum and count: past 2^53 and 2^63, FILTER, nulls, an all-null group, ANSI", async () => {
    const averages = (s: Session, withSum = true): DataFrame =>
      s.range(0, 40_000).select(
        col("id").mod(4).alias("k"),
        expr("CASE WHEN id % 4 = 0 THEN CAST('4611686018427387904' AS BIGINT) + id ELSE id END").alias("big"),
        expr("CASE WHEN id % 4 = 3 THEN NULL ELSE CAST(id AS INT) END").alias("i"),
      ).groupBy("k").agg(F.avg("big").alias("a"), expr("avg(i) FILTER (WHERE big % 2 = 0)").alias("even"), expr("try_avg(i)").alias("t"), ...(withSum ? [F.sum("big").alias("s")] : []));
    const build = (s: Session): DataFrame => averages(s);
    // The partials cross threads, keyed by the partial's key column.
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(_key0, /);
    for (const ansi of [false, true]) {
      serial.conf.set("spark.sql.ansi.enabled", ansi);
      parallel.conf.set("spark.sql.ansi.enabled", ansi);
      try {
        // Group 0's BIGINT sum (10,000 x 2^62) wraps, or fails under ANSI, on any number of threads.
        if (ansi) for (const spark of [serial, parallel]) await assert.rejects(build(spark).collect(), /ARITHMETIC_OVERFLOW/);
        const rows = await sameAsSerial((spark) => averages(spark, !ansi));
        const byKey = new Map(rows.map((r) => [Number(r.k), r]));
        // Group 0: 10,000 values 2^62 + id, summed exactly (a double sum rounds at every step past 2^53).
        let exact = 0n;
        for (let id = 0n; id < 40_000n; id += 4n) exact += 2n ** 62n + id;
        assert.equal(byKey.get(0)!.a, Number(exact) / 10_000);
        assert.equal(byKey.get(3)!.t, null, "a group whose values are all null averages to null");
        assert.equal(byKey.get(3)!.even, null);
        assert.equal(byKey.get(2)!.even, (2 + 39_998) / 2);
      } finally {
        serial.conf.set("spark.sql.ansi.enabled", false);
        parallel.conf.set("spark.sql.ansi.enabled", false);
      }
    }
  });

  it("under ANSI, tasks' partial sums past BIGINT merge to the exact total; a total past it fails as on one thread", async () => {
    // Each group's first half of the rows adds 2^62 per row, the second half takes it away again.
    const build = (total: string) => (s: Session): DataFrame =>
      s.range(0, 40_000).select(col("id").mod(3).alias("k"), expr(`CASE WHEN id < 20000 THEN CAST('4611686018427387904' AS BIGINT) ELSE ${total} END`).alias("v"))
        .groupBy("k").agg(F.sum("v").alias("s"), F.count("*").alias("n"));
    serial.conf.set("spark.sql.ansi.enabled", true);
    parallel.conf.set("spark.sql.ansi.enabled", true);
    try {
      assert.match(physical(build("0")(parallel)), /Exchange hashpartitioning\(_key0, /);
      const rows = await sameAsSerial(build("CAST('-4611686018427387904' AS BIGINT) + 1"));
      for (const r of rows) {
        let exact = 0n;
        for (let id = 0n; id < 40_000n; id++) if (id % 3n === BigInt(r.k as number)) exact += id < 20_000n ? 2n ** 62n : -(2n ** 62n) + 1n;
        assert.equal(BigInt(r.s as number | bigint), exact, `group ${String(r.k)}`);
      }
      await assert.rejects(build("CAST(1 AS BIGINT)")(serial).collect(), /ARITHMETIC_OVERFLOW/);
      await assert.rejects(build("CAST(1 AS BIGINT)")(parallel).collect(), /ARITHMETIC_OVERFLOW/);
    } finally {
      serial.conf.set("spark.sql.ansi.enabled", false);
      parallel.conf.set("spark.sql.ansi.enabled", false);
    }
  });

  it("string and null grouping keys", async () => {
    await sameAsSerial((s) =>
      s.range(0, 30_000).select(expr("CASE WHEN id % 7 = 0 THEN NULL ELSE concat('k', CAST(id % 11 AS STRING)) END").alias("k"), col("id").alias("v"))
        .groupBy("k").agg(F.count("v").alias("n"), F.collect_set(expr("v % 3")).alias("set")),
    );
  });

  it("count(DISTINCT x) merges each task's set of values: grouped and global, with FILTER, CASE nulls, NaN and -0", async () => {
    const build = (grouped: boolean) => (s: Session): DataFrame => {
      const rows = s.range(0, 40_000).select(
        col("id").mod(3).alias("k"),
        col("id").mod(1_000).alias("v"),
        expr("CASE WHEN id % 5 = 0 THEN NULL ELSE concat('s', CAST(id % 777 AS STRING)) END").alias("str"),
        expr("CASE id % 4 WHEN 0 THEN CAST('NaN' AS DOUBLE) WHEN 1 THEN -0.0 WHEN 2 THEN 0.0 ELSE CAST(id % 9 AS DOUBLE) END").alias("d"),
      );
      const aggs = [
        F.countDistinct("v").alias("dv"),
        F.countDistinct("str").alias("ds"),
        F.countDistinct("d").alias("dd"),
        expr("count(DISTINCT CASE WHEN v < 100 THEN v END)").alias("small"),
        expr("count(DISTINCT v) FILTER (WHERE v % 2 = 0)").alias("even"),
        F.count("*").alias("n"),
      ] as const;
      return grouped ? rows.groupBy("k").agg(...aggs) : rows.agg(...aggs);
    };
    for (const grouped of [true, false]) {
      // Partials cross threads (keyed by the partial's key columns), not rows (keyed by k).
      if (grouped) assert.match(physical(build(grouped)(parallel)), /Exchange hashpartitioning\(_key0, /);
      const rows = await sameAsSerial(build(grouped));
      if (!grouped) assert.deepEqual({ ...rows[0] }, { dv: 1_000, ds: 777, dd: 10, small: 100, even: 500, n: 40_000 });
    }
  });

  it("rows grouped by a computed key carry the key from the map side (hashed and grouped by that column)", async () => {
    const build = (s: Session): DataFrame =>
      s.range(0, 30_000).select(col("id").mod(50).alias("a"), expr("timestamp_seconds(id * 7)").alias("t"), expr("id * 0.5").cast("double").alias("x"))
        .groupBy(col("a"), expr("date_format(t, 'yyyy-MM-dd')").alias("day"), expr("upper(concat('k', CAST(a % 3 AS STRING)))").alias("k"))
        .agg(F.avg("x").alias("ax"), F.count("*").alias("n"), expr("max(date_format(t, 'yyyy-MM-dd'))").alias("last"), expr("concat(date_format(t, 'yyyy-MM-dd'), '!')").alias("tagged"));
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(\(id % 50L\), _key1, _key2, /);
    const rows = await sameAsSerial(build, { exchange: true });
    assert.ok(rows.every((r) => r.tagged === `${String(r.day)}!`));
  });

  it("SELECT DISTINCT", async () => {
    await sameAsSerial((s) => s.range(0, 30_000).select(col("id").mod(101).alias("a"), col("id").mod(7).alias("b")).distinct());
  });

  it("a filter and projection keep the input order", async () => {
    await sameAsSerial((s) => s.range(0, 30_000).filter(col("id").mod(3).equalTo(0)).select(col("id"), expr("id * 2 AS twice"), expr("concat('r', id) AS s")), { ordered: true, exchange: false });
  });

  it("interval arithmetic and session windows (internal functions) inside a stage", async () => {
    await sameAsSerial((s) => s.range(0, 20_000).select(expr("timestamp_seconds(id * 7) + INTERVAL 1 DAY").alias("t"), expr("date_add(DATE'2024-01-01', CAST(id % 400 AS INT)) - DATE'2024-01-01'").alias("d")).groupBy(expr("date_trunc('week', t)").alias("w")).agg(F.count("*").alias("n"), F.count("d").alias("nd")));
    await sameAsSerial((s) => s.range(0, 20_000).select(expr("timestamp_seconds(id * 3 + (id % 5) * 20)").alias("ts"), expr("id % 4").alias("k")).groupBy(F.session_window(col("ts"), "10 seconds"), col("k")).count());
  });

  it("window functions over PARTITION BY keys shuffle whole partitions to one task", async () => {
    await sameAsSerial((s) => {
      const w = Window.partitionBy("k").orderBy("v");
      return s.range(0, 20_000).select(expr("id % 17").alias("k"), expr("(id * 7919) % 1000").alias("v")).select(col("k"), col("v"), F.row_number().over(w).alias("rn"), F.lag("v", 1).over(w).alias("prev"), F.sum("v").over(w).alias("running"));
    }, { exchange: true });
  });

  it("explode inside a stage", async () => {
    await sameAsSerial((s) => s.range(0, 20_000).select(col("id"), F.explode(expr("array(id, id + 1)")).alias("e")).groupBy(expr("e % 10").alias("m")).agg(F.count("*").alias("n")));
  });

  it("a join with a small side copies it into every task", async () => {
    await sameAsSerial((s) => {
      const dim = s.createDataFrame(Array.from({ length: 50 }, (_, i) => ({ k: i, name: `n${i % 5}` })), "k INT, name STRING");
      return s.range(0, 30_000).select(col("id").mod(60).cast("int").alias("k"), col("id")).join(broadcast(dim), "k").groupBy("name").agg(F.count("*").alias("n"), F.sum("id").alias("s"));
    });
  });

  for (const how of ["inner", "left_outer", "right_outer", "full_outer", "left_semi", "left_anti"] as const) {
    it(`a ${how} join of two large inputs shuffles both sides by the join keys`, async () => {
      for (const s of [serial, parallel]) s.conf.set("sluice.sql.autoBroadcastJoinThreshold", -1);
      try {
        await sameAsSerial((s) => {
          const l = s.range(0, 30_000).filter("id % 9 <> 4").select(expr("CASE WHEN id % 50 = 0 THEN NULL ELSE id % 4000 END").alias("k"), col("id").alias("lv"));
          const r = s.range(0, 20_000).select(expr("CASE WHEN id % 70 = 0 THEN NULL ELSE (id * 3) % 5000 END").alias("k2"), col("id").alias("rv"));
          return l.join(r, col("k").equalTo(col("k2")).and(col("lv").notEqual(col("rv"))), how);
        }, { exchange: true });
      } finally {
        for (const s of [serial, parallel]) s.conf.set("sluice.sql.autoBroadcastJoinThreshold", 10 * 1024 * 1024);
      }
    });
  }

  it("a join of an unfiltered large side stays on one thread (its rows would all come back)", () => {
    parallel.conf.set("sluice.sql.autoBroadcastJoinThreshold", -1);
    try {
      const l = parallel.range(0, 300_000).select(expr("id % 4000").alias("k"), col("id").alias("lv"));
      const r = parallel.range(0, 200_000).filter("id % 3 = 0").select(expr("id % 5000").alias("k2"), col("id").alias("rv"));
      assert.doesNotMatch(physical(l.join(r, col("k").equalTo(col("k2")))), /Exchange hashpartitioning\(k/);
    } finally {
      parallel.conf.set("sluice.sql.autoBroadcastJoinThreshold", 10 * 1024 * 1024);
    }
  });

  it("a join whose filtered side turns out small is broadcast at run time instead of shuffling the other side", async () => {
    const before = stageRuns.joinsTurnedBroadcast;
    await sameAsSerial((s) => {
      // Estimated at 1,000,000 rows (too big to broadcast); the filter keeps 1,000.
      const dim = s.range(0, 1_000_000).filter("id % 1000 = 7").select(expr("id % 5000").alias("k2"), col("id").alias("rv"));
      const fact = s.range(0, 300_000).filter("id % 10 <> 3").select(expr("id % 5000").alias("k"), col("id").alias("lv"));
      return fact.join(dim, col("k").equalTo(col("k2")), "left_outer").groupBy("rv").agg(F.count("*").alias("n"), F.sum("lv").alias("s"));
    });
    assert.equal(stageRuns.joinsTurnedBroadcast, before + 1);
  });

  it("Nexmark bids: count and max price per auction", async () => {
    await sameAsSerial((s) => bids(s).groupBy("auction").agg(F.count("*").alias("n"), F.max("price").alias("top")));
  });

  it("Nexmark bids: a sliding event-time window count per auction", async () => {
    await sameAsSerial((s) => bids(s).groupBy(window(col("dateTime"), "10 seconds", "2 seconds"), col("auction")).count());
  });

  it("Yahoo: views joined with campaigns, counted per campaign and 10-second window", async () => {
    await sameAsSerial((s) => {
      const events = s.read.format("yahoo").option("eventsNum", 40_000).load();
      const campaigns = s.read.format("yahoo").option("table", "campaigns").load();
      return events.filter(col("event_type").equalTo("view")).join(campaigns, "ad_id").groupBy(window(col("event_time"), "10 seconds"), col("campaign_id")).count();
    });
    // With the campaigns broadcast, each map task aggregates views per ad before the join (eager aggregation).
    await sameAsSerial((s) => {
      const events = s.read.format("yahoo").option("eventsNum", 40_000).load();
      const campaigns = s.read.format("yahoo").option("table", "campaigns").load();
      return events.filter(col("event_type").equalTo("view")).join(broadcast(campaigns), "ad_id").groupBy(window(col("event_time"), "10 seconds"), col("campaign_id")).agg(F.count("*").alias("n"));
    });
  });

  it("one large JSON lines file is read as byte ranges by several tasks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-par-json-"));
    const path = join(dir, "events.json");
    writeFileSync(path, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i, kind: `k${i % 7}`, v: i % 13 === 0 ? null : i * 0.5 })).join("\n") + "\n");
    const rows = await sameAsSerial((s) => s.read.schema("id BIGINT, kind STRING, v DOUBLE").json(path).filter("id % 3 = 0").select("id", "kind", "v"), { ordered: true, exchange: false });
    assert.equal(rows.length, 6667);
    await sameAsSerial((s) => s.read.schema("id BIGINT, kind STRING, v DOUBLE").json(path).groupBy("kind").agg(F.count("*").alias("n"), F.sum("id").alias("s")));
  });

  it("a malformed line in a later byte range is reported with its line in the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-par-json-"));
    const path = join(dir, "bad.json");
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i }));
    lines[17_000] = '{"id": oops}';
    writeFileSync(path, lines.join("\n") + "\n");
    const read = (s: Session): DataFrame => s.read.schema("id BIGINT").option("mode", "FAILFAST").json(path).groupBy(expr("id % 2")).count();
    assert.match(physical(read(parallel)), /ParallelStage/);
    await assert.rejects(read(parallel).collect(), /line 17001/);
    await assert.rejects(read(serial).collect(), /line 17001/);
  });

  it("SQL over a temp view", async () => {
    await sameAsSerial((s) => {
      s.range(0, 30_000).createOrReplaceTempView("nums");
      return s.sql("SELECT id % 10 AS d, count(*) AS n, sum(id) AS total FROM nums WHERE id % 2 = 1 GROUP BY id % 10");
    });
  });
});

describe("tracing tasks", () => {
  it("SLUICE_TRACE_TASKS=1 prints a line per task: worker, kind, when it was sent, time in the worker, its wait to start, its reply and the round trip", async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk === "string" && chunk.startsWith("sluice task ")) lines.push(chunk);
      else return write(chunk, ...rest);
      return true;
    }) as typeof process.stderr.write;
    const query = (): Promise<unknown> => parallel.range(0, 40_000).groupBy(expr("id % 7").alias("k")).count().collect();
    let traced: string[];
    try {
      process.env.SLUICE_TRACE_TASKS = "1";
      await query();
      traced = lines.splice(0);
      delete process.env.SLUICE_TRACE_TASKS;
      await query();
    } finally {
      process.stderr.write = write;
      delete process.env.SLUICE_TRACE_TASKS;
    }
    const shape = / (map|reduce), sent at (\d+\.\d) ms, ran (\d+\.\d) ms \(started (-?\d+\.\d) ms after sending, reply took (-?\d+\.\d) ms\), (\d+\.\d) ms from sending to the reply\n$/;
    for (const l of traced) {
      const m = shape.exec(l);
      assert.ok(m, l);
      const [sentAt, ran, wait, reply, total] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
      assert.ok(sentAt > 0 && sentAt <= performance.now(), l);
      assert.ok(ran <= total, l);
      // The three parts are read on two threads' clocks (each from its own start) but make up the round trip.
      assert.ok(Math.abs(wait + ran + reply - total) < 2, l);
    }
    const maps = traced.filter((l) => / map, sent at /.test(l));
    const reduces = traced.filter((l) => / reduce, sent at /.test(l));
    assert.ok(maps.length >= 2 && reduces.length >= 1, traced.join(""));
    for (const l of traced) assert.match(l, /^sluice task \d+: worker [01], /);
    assert.deepEqual(lines, [], "nothing is printed without SLUICE_TRACE_TASKS");
  });
});

describe("map tasks aggregate partially only where that reduces the rows", () => {
  const skippedBy = async (build: Build): Promise<number> => {
    assert.match(physical(build(parallel)), /partial aggregation where it reduces the rows/);
    const before = stageRuns.partialAggregationsSkipped;
    await sameAsSerial(build);
    return stageRuns.partialAggregationsSkipped - before;
  };

  it("a count per auction and sliding window (Nexmark q5): partials would be a third of the bids, so every task ships its bids", async () => {
    const skipped = await skippedBy((s) => bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num"), F.max("price").alias("top")));
    // 60,000 events in generator batches of 8,192, cut by the stage's shares.
    assert.equal(skipped, splitEventRange(0, 60_000, 8192, taskShares(8, 2)).length, "every map task");
  });

  it("a count per bidder class and sliding window: few groups, so every task sends partials", async () => {
    const skipped = await skippedBy((s) => bids(s).select(expr("bidder % 3").alias("b"), col("dateTime"), col("price")).groupBy(col("b"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("n"), F.sum("price").alias("s")));
    assert.equal(skipped, 0);
  });

  it("tasks choose on their own rows: partials from some and rows from others meet in the reduce tasks", async () => {
    // The first half of the range has three keys, the second a key per row.
    const skipped = await skippedBy((s) =>
      s.range(0, 40_000).select(expr("CASE WHEN id < 20000 THEN id % 3 ELSE id END").alias("k"), expr("timestamp_seconds(id / 1000)").alias("t"), col("id").alias("v"))
        .groupBy(col("k"), window(col("t"), "4 seconds", "1 second")).agg(F.count("*").alias("n"), F.sum("v").alias("s"), F.min("v").alias("lo")));
    const tasks = splitEventRange(0, 40_000, 1, taskShares(8, 2));
    const firstHalf = tasks.filter(([, e]) => e <= 20_000).length, secondHalf = tasks.filter(([b]) => b >= 20_000).length;
    assert.ok(firstHalf > 0 && secondHalf > 0);
    assert.ok(skipped >= secondHalf && skipped <= tasks.length - firstHalf, `${skipped} of ${tasks.length} tasks skipped`);
  });
});

describe("operators above a shuffle run in reduce tasks on the workers", () => {
  const rootIsStage = (plan: string): boolean => /^ParallelStage/.test(plan.replace(/^== Physical Plan ==\n/, ""));

  it("an aggregation joined with an aggregation of it (Nexmark q5) runs in two rounds on the workers", async () => {
    const build: Build = (s) => {
      const counts = bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds", "2 seconds")).agg(F.count("*").alias("num"))
        .select(col("auction"), col("num"), col("window.start").alias("starttime"), col("window.end").alias("endtime"));
      const maxes = counts.groupBy("starttime", "endtime").agg(F.max("num").alias("maxn")).withColumnsRenamed({ starttime: "mstart", endtime: "mend" });
      return counts.join(maxes, col("starttime").eq(col("mstart")).and(col("endtime").eq(col("mend"))).and(col("num").geq(col("maxn")))).select("auction", "num", "starttime");
    };
    const plan = physical(build(parallel));
    assert.ok(rootIsStage(plan), plan);
    // Bids shuffled by auction (or their partial counts: each map task picks), then the counts by window.
    assert.match(plan, /Exchange hashpartitioning\(auction, 3\), Exchange hashpartitioning\(start, end, 3\), partial aggregation where it reduces the rows/, plan);
    const before = stageRuns.partialAggregationsSkipped;
    await sameAsSerial(build);
    assert.ok(stageRuns.partialAggregationsSkipped > before, "the map tasks shipped bids: a partial count per auction and window would be nearly as many");
  });

  it("an aggregation joined with an aggregation of it runs in one round when the windows spread evenly over the tasks", async () => {
    const build: Build = (s) => {
      // Rows at the nexmark bids' times (10,000 a second from 2024-01-01) from a range, which,
      // unlike the nexmark source, cannot be cut into slices of time for tasks owning the
      // windows: the stage shuffles.
      const events = s.range(0, 60_000).select(expr("id * 7919 % 500").alias("auction"), expr("CAST(1704067200 + id / 10000 AS TIMESTAMP)").alias("dateTime"));
      const counts = events.groupBy(col("auction"), window(col("dateTime"), "1 second")).agg(F.count("*").alias("num"))
        .select(col("auction"), col("num"), col("window.start").alias("starttime"), col("window.end").alias("endtime"));
      const maxes = counts.groupBy("starttime", "endtime").agg(F.max("num").alias("maxn")).withColumnsRenamed({ starttime: "mstart", endtime: "mend" });
      return counts.join(maxes, col("starttime").eq(col("mstart")).and(col("endtime").eq(col("mend"))).and(col("num").geq(col("maxn")))).select("auction", "num", "starttime");
    };
    // Either a second round shuffled by the window's fields, or one exchange by them.
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(_key0, _key1, 3\), Exchange hashpartitioning\(start, end, 3\) or one Exchange hashpartitioning\(_key1\.start, _key1\.end, 3\)/);
    // Four partitions over two tasks: two each (three would give one task twice the other's share).
    parallel.conf.set("sluice.sql.shuffle.partitions", 4);
    try {
      const before = stageRuns.oneRound;
      await sameAsSerial(build);
      assert.equal(stageRuns.oneRound, before + 1, "one round");
      // With many partitions (Spark's usual 200) the grid would be too fine: two rounds only.
      parallel.conf.set("sluice.sql.shuffle.partitions", 200);
      assert.doesNotMatch(physical(build(parallel)), / or one /);
    } finally {
      parallel.conf.set("sluice.sql.shuffle.partitions", 3);
    }
  });

  it("sessions per key (Nexmark q11: a window by bidder, then an aggregation by bidder and session) run in one round, the grid's two hashes one", async () => {
    const build: Build = (s) => {
      const w = Window.partitionBy("k").orderBy("t");
      const rows = s.range(0, 30_000).select(expr("id * 7919 % 97").alias("k"), expr("id + (id * 31 % 7) * 40").alias("t"));
      return rows.withColumn("gap", expr("CASE WHEN t - lag(t, 1) OVER (PARTITION BY k ORDER BY t) > 300 THEN 1 ELSE 0 END"))
        .withColumn("session", F.sum("gap").over(w)).groupBy("k", "session").agg(F.count("*").alias("n"), F.min("t").alias("first"));
    };
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(k, 3\), Exchange hashpartitioning\(k, 3\) or one Exchange hashpartitioning\(k, 3\)/);
    parallel.conf.set("sluice.sql.shuffle.partitions", 4);
    try {
      const before = stageRuns.oneRound;
      await sameAsSerial(build);
      assert.equal(stageRuns.oneRound, before + 1, "one round");
    } finally {
      parallel.conf.set("sluice.sql.shuffle.partitions", 3);
    }
  });

  it("an aggregation of an aggregation whose outer key holds most groups runs in two rounds (one would load one task)", async () => {
    const build: Build = (s) =>
      s.range(0, 40_000).select(expr("CASE WHEN id % 10 < 9 THEN 0 ELSE id % 7 END").alias("a"), expr("id % 1000").alias("b"), col("id").alias("v"))
        .groupBy("a", "b").agg(F.sum("v").alias("s")).groupBy("a").agg(F.count("*").alias("groups"), F.max("s").alias("top"));
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(a, 3\) or one Exchange hashpartitioning\(_key0, 3\)/);
    const before = stageRuns.oneRound;
    await sameAsSerial(build);
    assert.equal(stageRuns.oneRound, before, "two rounds");
  });

  it("a filter on a row number runs with the window functions, so only the kept rows come back (Nexmark q18)", async () => {
    const build: Build = (s) =>
      bids(s).withColumn("rn", F.row_number().over(Window.partitionBy("bidder", "auction").orderBy(col("dateTime").desc(), col("price")))).filter(col("rn").leq(1)).select("auction", "bidder", "price", "dateTime");
    const plan = physical(build(parallel));
    assert.ok(rootIsStage(plan), plan);
    assert.doesNotMatch(plan, /Exchange hashpartitioning\([^)]*\), Exchange/, "one exchange");
    await sameAsSerial(build);
  });

  it("a window over rows that carry text besides its keys stays on the calling thread (Nexmark q19); over numbers it shuffles", async () => {
    const top = (s: Session, columns: string[]): DataFrame =>
      bids(s).select(...columns).withColumn("rn", F.row_number().over(Window.partitionBy("auction").orderBy(col("price").desc()))).filter(col("rn").leq(10));
    assert.doesNotMatch(physical(top(parallel, ["auction", "price", "extra"])), /ParallelStage/);
    assert.doesNotMatch(physical(top(parallel, ["auction", "price", "channel", "url"])), /ParallelStage/);
    assert.match(physical(top(parallel, ["auction", "price", "dateTime"])), /^ParallelStage/m);
    // A text key alone still shuffles: it is needed on the reduce side to hash and compare.
    const byChannel: Build = (s) => bids(s).select("channel", "price").withColumn("rn", F.row_number().over(Window.partitionBy("channel").orderBy(col("price").desc()))).filter(col("rn").leq(3));
    assert.match(physical(byChannel(parallel)), /^ParallelStage/m);
    await sameAsSerial(byChannel);
    assert.deepEqual(canon(await top(parallel, ["auction", "price", "extra"]).collect()), canon(await top(serial, ["auction", "price", "extra"]).collect()));
  });

  it("an aggregation of an aggregation by fewer keys, with one hot key and null keys", async () => {
    const build: Build = (s) =>
      s.range(0, 40_000).select(expr("CASE WHEN id % 5 = 0 THEN 0 WHEN id % 11 = 0 THEN NULL ELSE id % 23 END").alias("a"), expr("id % 37").alias("b"), col("id").alias("v"))
        .groupBy("a", "b").agg(F.sum("v").alias("s"), F.count("*").alias("n"))
        .groupBy("a").agg(F.count("*").alias("groups"), F.max("s").alias("top"), F.sum("n").alias("rows"));
    const plan = physical(build(parallel));
    assert.ok(rootIsStage(plan), plan);
    assert.match(plan, /Exchange hashpartitioning\(a, 3\)/, plan);
    await sameAsSerial(build);
  });

  it("outer joins of an aggregation with a filtered aggregation of it keep unmatched and null-keyed rows", async () => {
    for (const how of ["left_outer", "full_outer", "left_anti"] as const) {
      await sameAsSerial((s) => {
        const g = s.range(0, 30_000).select(expr("CASE WHEN id % 13 = 0 THEN NULL ELSE id % 101 END").alias("k"), expr("id % 3").alias("j")).groupBy("k", "j").agg(F.count("*").alias("n"));
        const top = g.filter("j = 1 AND k % 2 = 0").groupBy("k").agg(F.max("n").alias("m")).withColumnRenamed("k", "k2");
        return g.join(top, col("k").eqNullSafe(col("k2")), how);
      });
    }
  });

  it("the whole struct crosses when an operator above reads it as a value", async () => {
    await sameAsSerial((s) => {
      const counts = bids(s).groupBy(col("auction"), window(col("dateTime"), "10 seconds")).agg(F.count("*").alias("num"));
      const maxes = counts.groupBy(col("window")).agg(F.max("num").alias("maxn")).withColumnRenamed("window", "w");
      return counts.join(maxes, col("window").eq(col("w")).and(col("num").eq(col("maxn")))).select("auction", "window", "num");
    });
  });

  it("an operator above that cannot travel (a native function as udf) keeps the stage on the calling thread", async () => {
    const abs = udf(Math.abs, "long", { name: "native_abs" });
    const build: Build = (s) => s.range(0, 40_000).select(expr("id % 23").alias("a"), expr("id % 37").alias("b")).groupBy("a", "b").count().filter(abs(col("count")).gt(0)).groupBy("a").count();
    assert.ok(rootIsStage(physical(build(parallel))));
    const before = { ...stageRuns };
    const got = await build(parallel).collect();
    assert.equal(stageRuns.onCallingThread, before.onCallingThread + 1);
    assert.deepEqual(canon(got), canon(await build(serial).collect()));
  });

  it("operators above that need different keys stay on the calling thread (their inputs run as stages)", () => {
    const g = parallel.range(0, 40_000).select(expr("id % 23").alias("a"), expr("id % 37").alias("b")).groupBy("a", "b").count();
    const plan = physical(g.groupBy("a").agg(F.max("count").alias("m")).join(g.groupBy("b").agg(F.min("count").alias("lo")), col("a").eq(col("b"))));
    assert.ok(!rootIsStage(plan), plan);
    assert.match(plan, /ParallelStage/, plan);
  });

  it("a filter on a row number limits each map task's rows per window partition before the shuffle (WindowGroupLimit)", async () => {
    const plain = Session.builder().appName("no-limit").config("sluice.executor.threads", 1).config("sluice.sql.optimizer.windowGroupLimitThreshold", -1).create();
    try {
      for (const fn of ["row_number", "rank", "dense_rank"] as const) {
        // Few partitions and many ties, so the limit drops most rows and ties decide which stay.
        const build: Build = (s) =>
          s.range(0, 50_000).select(expr("id % 7").alias("a"), expr("(id * 13) % 50").alias("o"), col("id").alias("v"))
            .withColumn("rn", F.row_number().over(Window.partitionBy("a").orderBy(col("o").desc())))
            .withColumn("r", F[fn]().over(Window.partitionBy("a").orderBy(col("o").desc()))).filter(col("rn").leq(3));
        assert.match(physical(build(parallel)), /^ParallelStage[\s\S]*WindowGroupLimit \[a\], \[o DESC NULLS LAST\], 3/m);
        const got = await sameAsSerial(build);
        assert.equal(got.length, 21);
        assert.deepEqual(canon(got), canon(await build(plain).collect()));
      }
    } finally {
      plain.stop();
    }
  });

  it("columns that only pass through the operators above (a window over an aggregation) reach the result in two rounds", async () => {
    const build: Build = (s) =>
      s.range(0, 40_000).select(expr("CASE WHEN id % 10 < 9 THEN 0 ELSE id % 7 END").alias("a"), expr("id % 1000").alias("b"), col("id").alias("v"))
        .groupBy("a", "b").agg(F.sum("v").alias("s")).withColumn("rk", F.rank().over(Window.partitionBy("a").orderBy(col("s").desc())));
    const before = stageRuns.oneRound;
    const rows = await sameAsSerial(build);
    assert.equal(stageRuns.oneRound, before, "two rounds");
    assert.deepEqual(Object.keys(rows[0]!), ["a", "b", "s", "rk"]);
  });

  it("an aggregation by an aggregate's result shuffles the first round's output by that result", async () => {
    const build: Build = (s) => s.range(0, 40_000).select(expr("id % 23").alias("a"), expr("(id * 7) % 37").alias("b")).groupBy("a", "b").count().groupBy("count").agg(F.count("*").alias("n"));
    assert.match(physical(build(parallel)), /Exchange hashpartitioning\(count, 3\)/);
    await sameAsSerial(build);
  });
});

describe("user-defined functions in worker threads", () => {
  it("a udf travels as source text", async () => {
    const bucket = udf((x: number) => Math.floor(x / 1000) * 10, "int");
    await sameAsSerial((s) => s.range(0, 30_000).select(bucket(col("id")).alias("b")).groupBy("b").count());
  });

  it("a udaf travels as source text", async () => {
    const sumSquares = udaf({ zero: () => 0, reduce: (b: number, x: number) => b + x * x, merge: (a: number, b: number) => a + b, finish: (b: number) => b }, "double");
    await sameAsSerial((s) => s.range(0, 30_000).groupBy(expr("id % 5").alias("k")).agg(sumSquares(col("id")).alias("q")));
  });

  it("a udf that uses a variable of its scope fails with a message that says why", async () => {
    const factor = 3;
    const scaled = udf((x: number) => x * factor, "long");
    const df = parallel.range(0, 30_000).select(scaled(col("id")).alias("y")).groupBy(expr("y % 2")).count();
    await assert.rejects(df.collect(), (e: Error) => /factor is not defined in a worker thread/.test(e.message) && /sluice\.executor\.threads/.test(e.message));
    // The same query runs on one thread.
    assert.equal((await serial.range(0, 30_000).select(scaled(col("id")).alias("y")).groupBy(expr("y % 2")).count().collect()).length, 2);
  });
});

describe("failures and fallbacks", () => {
  it("an error in a task fails the query with the error class of a single-threaded run", async () => {
    const build = (s: Session): DataFrame => s.range(0, 30_000).select(expr("CAST(concat('x', id) AS INT)").alias("bad")).groupBy("bad").count();
    const ansi = (s: Session): Session => {
      s.conf.set("sluice.sql.ansi.enabled", true);
      return s;
    };
    let serialErr: unknown;
    await build(ansi(serial)).collect().catch((e: unknown) => (serialErr = e));
    await assert.rejects(build(ansi(parallel)).collect(), (e: Error & { errorClass?: string }) => {
      assert.ok(serialErr instanceof Error);
      assert.equal(e.name, serialErr.name);
      assert.equal(e.errorClass, (serialErr as { errorClass?: string }).errorClass);
      assert.match(e.stack ?? "", /in a worker thread/);
      return true;
    });
    serial.conf.set("sluice.sql.ansi.enabled", false);
    parallel.conf.set("sluice.sql.ansi.enabled", false);
  });

  it("small inputs and limits stay on one thread", () => {
    assert.doesNotMatch(physical(parallel.range(0, 100).groupBy(expr("id % 2")).count()), /ParallelStage/);
    assert.doesNotMatch(physical(parallel.range(0, 100_000).filter("id > 5").limit(3)), /ParallelStage/);
  });

  it("non-deterministic expressions are not split (rand would differ per split)", () => {
    assert.doesNotMatch(physical(parallel.range(0, 100_000).select(F.rand(1).alias("r")).groupBy(expr("r > 0.5")).count()), /ParallelStage/);
  });

  it("sluice.executor.threads must be a whole number of at least 1", async () => {
    const s = Session.builder().config("sluice.executor.threads", 0).create();
    await assert.rejects(s.range(0, 10).collect(), /sluice\.executor\.threads/);
    s.stop();
  });
});
