import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { type DataFrame, type GroupState, Session, col, expr, timestamp_seconds, udaf, window } from "../../../src/index.js";
import { listStateFiles } from "../../../src/state/state-file-plan.js";
import { statefulWorkerRuns } from "../../../src/physical/parallel/stateful-on-workers.js";
import { type WorkerEvent, disorderedEvents, memorySinkRowsAcrossRestart, workerSession } from "../../support/worker-streams.js";

// Each state partition runs on the worker thread that owns it once a batch is large enough;
// minRowsPerTask 1 moves every query at its first batch. Results must equal one thread's, row
// for row and in order (partitions are concatenated in partition order on both paths).
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stateful-workers-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const sessionWith = (threads: number): Session => workerSession("stateful-workers", threads);

type Query = (events: DataFrame) => DataFrame;
/** The input as a DataFrame of unknown rows, what the queries below take. */
const untyped = <R>(df: DataFrame<R>): DataFrame => df as unknown as DataFrame;

const events = (batches: number, perBatch: number, seed: number): WorkerEvent[][] => disorderedEvents(batches, perBatch, seed);

/** Runs the query over the batches, stopping and restarting from the checkpoint after `restartAfter` batches; the memory sink's rows in order. */
async function run(spark: Session, query: Query, mode: "append" | "update" | "complete", data: readonly (readonly WorkerEvent[])[], name: string, restartAfter: number): Promise<unknown[]> {
  const input = spark.memoryStream("k STRING, t INT, v INT");
  const df = query(untyped(input.toDF().withColumn("ts", timestamp_seconds(col("t"))).withWatermark("ts", "5 seconds")));
  return memorySinkRowsAcrossRestart(spark, input, df, { name, checkpoint: path.join(root, name), mode, restartAfter }, data);
}

const QUERIES: Record<string, { query: Query; mode: "append" | "update" | "complete" }> = {
  "windowed count and sum (append)": { query: (e) => e.groupBy(window(col("ts"), "10 seconds"), col("k")).agg(expr("count(*) AS n"), expr("sum(v) AS s")), mode: "append" },
  "windowed count (update)": { query: (e) => e.groupBy(window(col("ts"), "10 seconds"), col("k")).count(), mode: "update" },
  "session windows (append)": { query: (e) => e.groupBy(expr("session_window(ts, '4 seconds')"), col("k")).count(), mode: "append" },
  "dropDuplicates with event time": { query: (e) => e.dropDuplicates(["k", "ts"]).select("k", "t"), mode: "append" },
  // Chains (append mode): the join and the deduplication after aggregations run on the workers with the chain's two watermarks.
  "two windowed aggregations joined on their window, left outer (append)": {
    query: (e) => {
      const counts = e.filter(expr("v % 2 = 0")).groupBy(window(col("ts"), "10 seconds"), col("k")).count();
      const sums = e.filter(expr("v % 2 = 1")).groupBy(window(col("ts"), "10 seconds"), col("k")).agg(expr("sum(v) AS s")).withColumnRenamed("window", "w2").withColumnRenamed("k", "k2");
      return counts.join(sums, col("window").equalTo(col("w2")).and(col("k").equalTo(col("k2"))), "left_outer").select("window", "k", "count", "s");
    },
    mode: "append",
  },
  "windowed counts deduplicated by key and count (append)": { query: (e) => e.groupBy(window(col("ts"), "10 seconds"), col("k")).count().dropDuplicates(["k", "count"]), mode: "append" },
  "count by key (complete)": { query: (e) => e.groupBy("k").agg(expr("count(*) AS n"), expr("max(v) AS m")), mode: "complete" },
  // The user's functions travel as source text: each worker rebuilds them (self-contained ones).
  "mapGroupsWithState running count (update)": {
    query: (e) => untyped(e.groupByKey((r) => r.k).mapGroupsWithState("NoTimeout", (k, rows, state: GroupState<number>) => {
      let n = state.getOption() ?? 0;
      for (const _ of rows) n++;
      state.update(n);
      return { k, n };
    }, "k STRING, n BIGINT")),
    mode: "update",
  },
  "flatMapGroupsWithState with event-time timeouts (append)": {
    query: (e) => untyped(e.groupByKey((r) => r.k).flatMapGroupsWithState("append", "EventTimeTimeout", function totals(k, rows, state: GroupState<{ sum: number; last: number }>) {
      if (state.hasTimedOut) {
        const s = state.get();
        state.remove();
        return [{ k, sum: s.sum, last: s.last }];
      }
      const s = state.getOption() ?? { sum: 0, last: 0 };
      for (const r of rows) {
        s.sum += Number(r.v ?? 0);
        s.last = Math.max(s.last, Number(r.t));
      }
      state.update(s);
      state.setTimeoutTimestamp(s.last * 1000 + 2000);
      return [];
    }, "k STRING, sum BIGINT, last INT")),
    mode: "append",
  },
};

describe("stateful partitions on worker threads", () => {
  const one = sessionWith(1);
  const two = sessionWith(2);
  after(async () => {
    one.stop();
    two.stop();
  });

  for (const [title, { query, mode }] of Object.entries(QUERIES)) {
    it(`${title}: two threads give one thread's rows, across a restart`, async () => {
      const data = events(6, 40, title.length);
      const before = statefulWorkerRuns.partitions;
      const expected = await run(one, query, mode, data, `w1_${title.replace(/\W+/g, "_")}`, 3);
      assert.equal(statefulWorkerRuns.partitions, before, "one thread runs no partition on a worker");
      const got = await run(two, query, mode, data, `w2_${title.replace(/\W+/g, "_")}`, 3);
      assert.ok(statefulWorkerRuns.partitions >= before + 4 * data.length, `the partitions ran on the workers (${statefulWorkerRuns.partitions - before} runs)`);
      assert.ok(expected.length > 0, "the query produced rows");
      assert.deepEqual(got, expected);
    });
  }

  for (const joinType of ["inner", "left_outer", "full_outer"]) {
    it(`stream-stream ${joinType} join with a time range: two threads give one thread's rows, across a restart`, async () => {
      const runJoin = async (spark: Session, name: string): Promise<unknown[]> => {
        const ckpt = path.join(root, name);
        const l = spark.memoryStream("lk STRING, lt INT");
        const r = spark.memoryStream("rk STRING, rt INT");
        const left = untyped(l.toDF().withColumn("lts", timestamp_seconds(col("lt"))).withWatermark("lts", "5 seconds"));
        const right = untyped(r.toDF().withColumn("rts", timestamp_seconds(col("rt"))).withWatermark("rts", "5 seconds"));
        const joined = left.join(right, expr("lk = rk AND rts BETWEEN lts - INTERVAL 3 SECONDS AND lts + INTERVAL 3 SECONDS"), joinType);
        const start = () => joined.writeStream.format("memory").queryName(name).outputMode("append").option("checkpointLocation", ckpt).start();
        const out: unknown[] = [];
        let q = await start();
        const data = events(6, 30, joinType.length);
        for (let i = 0; i < data.length; i++) {
          if (i === 3) {
            await q.stop();
            out.push(...(await spark.table(name).collect()).map((x) => JSON.stringify(x)));
            q = await start();
          }
          l.addData(data[i]!.filter((_, j) => j % 2 === 0).map((e) => ({ lk: e.k, lt: e.t })));
          r.addData(data[i]!.filter((_, j) => j % 2 === 1).map((e) => ({ rk: e.k, rt: e.t })));
          await q.processAllAvailable();
        }
        await q.stop();
        out.push(...(await spark.table(name).collect()).map((x) => JSON.stringify(x)));
        return out;
      };
      const before = statefulWorkerRuns.partitions;
      const expected = await runJoin(one, `j1_${joinType}`);
      const got = await runJoin(two, `j2_${joinType}`);
      assert.ok(statefulWorkerRuns.partitions >= before + 4 * 6, "the join's partitions ran on the workers");
      assert.ok(expected.length > 0);
      if (joinType !== "inner") assert.ok(expected.some((x) => (x as string).includes("null")), "outer rows with nulls were emitted");
      assert.deepEqual(got, expected);
    });
  }

  it("a checkpoint moves between one thread and the workers and keeps its state", async () => {
    const data = events(6, 30, 99);
    const query = QUERIES["windowed count and sum (append)"]!.query;
    const expected = await run(one, query, "append", data, "move_expected", 99);
    // The same checkpoint: batches 0-2 on one thread, 3-5 on the workers.
    const ckpt = "move_mixed";
    const input1 = one.memoryStream("k STRING, t INT, v INT");
    const input2 = two.memoryStream("k STRING, t INT, v INT");
    const dir = path.join(root, ckpt);
    const start = (s: Session, input: typeof input1) =>
      query(untyped(input.toDF().withColumn("ts", timestamp_seconds(col("t"))).withWatermark("ts", "5 seconds"))).writeStream.format("memory").queryName(ckpt).outputMode("append").option("checkpointLocation", dir).start();
    const out: unknown[] = [];
    let q = await start(one, input1);
    for (const d of data.slice(0, 3)) {
      input1.addData(d);
      await q.processAllAvailable();
    }
    await q.stop();
    out.push(...(await one.table(ckpt).collect()).map((r) => JSON.stringify(r)));
    // The memory stream of the second session replays nothing: its offsets start where the checkpoint's end.
    for (const d of data.slice(0, 3)) input2.addData(d);
    q = await start(two, input2);
    for (const d of data.slice(3)) {
      input2.addData(d);
      await q.processAllAvailable();
    }
    await q.stop();
    out.push(...(await two.table(ckpt).collect()).map((r) => JSON.stringify(r)));
    assert.deepEqual(out.sort(), [...expected].sort());
  });

  it("an aggregate whose udaf uses a variable around it runs on the calling thread instead, with a warning, and the same rows", async () => {
    const factor = 3;
    // reduce reads `factor` from its closure: in a worker (source text) it is not defined.
    const scaledSum = udaf({ zero: () => 0, reduce: (b: number, x: number) => b + x * factor, merge: (a: number, b: number) => a + b, finish: (b: number) => b }, "bigint");
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code === "SLUICE_STATE_NOT_PARALLEL") warnings.push(w.message);
    };
    process.on("warning", onWarning);
    try {
      const query: Query = (e) => e.groupBy("k").agg(scaledSum(col("v")).alias("s"));
      const data = events(3, 20, 5);
      const expected = await run(one, query, "complete", data, "closure_one", 99);
      const got = await run(two, query, "complete", data, "closure_two", 99);
      assert.deepEqual(got, expected);
      await new Promise((r) => setImmediate(r));
      assert.ok(warnings.some((w) => /calling thread.*factor is not defined/s.test(w)), `warned: ${warnings.join(" | ")}`);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("mapGroupsWithState whose function uses a variable around it runs on the calling thread instead, with a warning, and the same rows", async () => {
    const limit = 3;
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code === "SLUICE_STATE_NOT_PARALLEL") warnings.push(w.message);
    };
    process.on("warning", onWarning);
    try {
      // The function reads `limit` from its closure: in a worker (source text) it is not defined.
      const query: Query = (e) => untyped(e.groupByKey((r) => r.k).mapGroupsWithState("NoTimeout", (k, rows, state: GroupState<number>) => {
        const n = (state.getOption() ?? 0) + [...rows].length;
        state.update(n);
        return { k, over: n > limit };
      }, "k STRING, over BOOLEAN"));
      const data = events(3, 20, 6);
      const expected = await run(one, query, "update", data, "group_closure_one", 99);
      const got = await run(two, query, "update", data, "group_closure_two", 99);
      assert.ok(expected.length > 0);
      assert.deepEqual(got, expected);
      await new Promise((r) => setImmediate(r));
      assert.ok(warnings.some((w) => /calling thread.*limit is not defined/s.test(w)), `warned: ${warnings.join(" | ")}`);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("a failing partition stops the query and no partition commits the batch", async () => {
    const dir = path.join(root, "fail");
    const ansi = Session.builder().appName("stateful-workers-fail").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 1).config("sluice.sql.ansi.enabled", true).create();
    try {
      const input = ansi.memoryStream("k STRING, v INT");
      // The division by zero happens inside the aggregate, on the worker that owns the key.
      const q = await input.toDF().groupBy("k").agg(expr("sum(10 / v) AS s")).writeStream.format("memory").queryName("fail_q").outputMode("update").option("checkpointLocation", dir).start();
      input.addData([{ k: "a", v: 1 }, { k: "b", v: 2 }, { k: "c", v: 5 }]);
      await q.processAllAvailable();
      input.addData([{ k: "a", v: 1 }, { k: "b", v: 0 }]);
      await assert.rejects(q.processAllAvailable(), /DIVIDE_BY_ZERO|Division by zero/i);
      for (let p = 0; p < 4; p++) {
        const versions = listStateFiles(path.join(dir, "state", "0", String(p))).files.map((f) => f.version);
        assert.deepEqual(Math.max(...versions), 1, `partition ${p} stays at version 1 (batch 0), not 2`);
      }
    } finally {
      ansi.stop();
    }
  });
});
