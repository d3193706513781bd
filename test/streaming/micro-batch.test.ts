import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { col, udf } from "../../src/api/functions.js";
import { ExecutionError, StreamingError } from "../../src/errors/errors.js";
import { ManualClock } from "../../src/streaming/clock.js";
import { StreamingQueryException } from "../../src/streaming/streaming-query-exception.js";
import { AddData, AdvanceClock, AssertOnQuery, CheckAnswer, CheckLastBatch, CheckNewAnswer, ExpectFailure, StartStream, StopStream, testStream } from "./stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const ckpt = (): string => path.join(root, `ckpt-${n++}`);

void describe("micro-batch execution: memory stream → memory sink", () => {
  void it("runs a stateless query batch by batch", async () => {
    const input = spark.memoryStream("word STRING, n INT");
    const df = input.toDF().where(col("n").gt(1)).select(col("word"), col("n").multiply(10).alias("m"));
    await testStream(df, "append", [
      AddData(input, [{ word: "a", n: 1 }, { word: "b", n: 2 }]),
      CheckAnswer([{ word: "b", m: 20 }]),
      AddData(input, [{ word: "c", n: 3 }]),
      CheckNewAnswer([{ word: "c", m: 30 }]),
      CheckLastBatch([{ word: "c", m: 30 }]),
      AddData(input, []),
      CheckNewAnswer([]),
      CheckAnswer([{ word: "b", m: 20 }, { word: "c", m: 30 }]),
    ]);
  });

  void it("restarts from the checkpoint in the middle with exactly-once output", async () => {
    const input = spark.memoryStream("a INT");
    const df = input.toDF().select(col("a").plus(1).alias("b"));
    await testStream(df, "append", [
      AddData(input, [{ a: 1 }]),
      CheckAnswer([{ b: 2 }]),
      StopStream,
      AddData(input, [{ a: 2 }, { a: 3 }]),
      StartStream(),
      CheckAnswer([{ b: 2 }, { b: 3 }, { b: 4 }]),
      AssertOnQuery((q) => q.lastCommittedBatchId === 1, "two batches in all"),
      StopStream,
      StartStream(),
      AddData(input, [{ a: 4 }]),
      CheckNewAnswer([{ b: 5 }]),
      AssertOnQuery((q) => q.lastProgress?.batchId === 2 && q.lastProgress.numInputRows === 1, "batch ids continue after restart"),
    ]);
  });

  void it("keeps the query id across restarts and gives a new runId", async () => {
    const input = spark.memoryStream("a INT");
    const dir = ckpt();
    const start = () => input.toDF().writeStream.format("memory").queryName(`ids_${n}`).option("checkpointLocation", dir).start();
    const q1 = await start();
    await q1.stop();
    const q2 = await start();
    await q2.stop();
    assert.equal(q1.id, q2.id);
    assert.notEqual(q1.runId, q2.runId);
  });

  void it("processingTime trigger with a ManualClock: a batch per interval, none without data", async () => {
    const input = spark.memoryStream("a INT");
    const clock = new ManualClock(0);
    await testStream(input.toDF(), "append", [
      StartStream({ trigger: { processingTime: "10 seconds" }, clock }),
      AddData(input, [{ a: 1 }]),
      CheckAnswer([]),
      AdvanceClock(10_000),
      CheckAnswer([{ a: 1 }]),
      AssertOnQuery((q) => q.lastProgress?.timestamp === new Date(10_000).toISOString(), "the batch timestamp is the clock's time"),
      AdvanceClock(10_000),
      AssertOnQuery((q) => q.recentProgress.length === 1, "no batch without data"),
      AddData(input, [{ a: 2 }]),
      AdvanceClock(5_000),
      CheckAnswer([{ a: 1 }]),
      AdvanceClock(5_000),
      CheckNewAnswer([{ a: 2 }]),
      AssertOnQuery((q) => q.lastProgress?.timestamp === new Date(30_000).toISOString(), "next batch at the interval boundary"),
    ]);
  });

  void it("reports the stateful part's execution under addBatch, not queryPlanning, as Spark's durationMs does", async () => {
    const clock = new ManualClock(0);
    // Each row costs a second of the query's clock where it is computed: below the aggregation.
    const slow = udf((x: unknown) => {
      clock.advance(1000);
      return x;
    }, "INT");
    const input = spark.memoryStream("a INT");
    const df = input.toDF().select(slow(col("a")).alias("a")).groupBy("a").count();
    await testStream(df, "complete", [
      StartStream({ trigger: { processingTime: "10 seconds" }, clock }),
      AddData(input, [{ a: 1 }, { a: 2 }, { a: 1 }]),
      AdvanceClock(10_000),
      CheckAnswer([{ a: 1, count: 2 }, { a: 2, count: 1 }]),
      AssertOnQuery((q) => {
        const d = q.lastProgress!.durationMs;
        return d["addBatch"] === 3000 && d["queryPlanning"] === 0 && d["triggerExecution"] === 3000;
      }, "three seconds of addBatch"),
    ]);
  });

  void it("once and availableNow run what is there, then stop", async () => {
    const input = spark.memoryStream("a INT");
    await testStream(input.toDF(), "append", [
      AddData(input, [{ a: 1 }]),
      AddData(input, [{ a: 2 }]),
      StartStream({ trigger: { once: true } }),
      CheckAnswer([{ a: 1 }, { a: 2 }]),
      AssertOnQuery((q) => !q.isActive && q.recentProgress.length === 1, "once: one batch then stop"),
      AddData(input, [{ a: 3 }]),
      StartStream({ trigger: { availableNow: true } }),
      CheckNewAnswer([{ a: 3 }]),
      AssertOnQuery((q) => !q.isActive, "availableNow stops"),
    ]);
  });

  void it("a failing batch stops the query; the restart re-runs it with the same offsets", async () => {
    let failOnce = true;
    const boom = udf((x: unknown) => {
      if (x === 13 && failOnce) {
        failOnce = false;
        throw new Error("unlucky");
      }
      return x;
    }, "INT");
    const input = spark.memoryStream("a INT");
    const df = input.toDF().select(boom(col("a")).alias("a"));
    await testStream(df, "append", [
      AddData(input, [{ a: 1 }]),
      CheckAnswer([{ a: 1 }]),
      AddData(input, [{ a: 13 }, { a: 2 }]),
      ExpectFailure(ExecutionError, "unlucky"),
      AssertOnQuery((q) => /unlucky/.test(q.status.message) && q.exception() instanceof StreamingQueryException, "status and exception() show the cause"),
      StartStream(),
      CheckAnswer([{ a: 1 }, { a: 13 }, { a: 2 }]),
      AssertOnQuery((q) => q.lastProgress?.batchId === 1, "batch 1 was re-run, not a new batch"),
    ]);
  });

  void it("rejects sorts and actions on streams (aggregations run: test/stateful)", async () => {
    const input = spark.memoryStream("a INT");
    const df = input.toDF();
    await assert.rejects(df.orderBy("a").writeStream.format("memory").queryName("sorted").start(), (e: unknown) => e instanceof StreamingError && /Sorting is not supported on streaming DataFrames/.test(e.message));
    await assert.rejects(df.groupBy("a").count().groupBy("count").count().writeStream.format("memory").queryName("agg").outputMode("complete").start(), /Multiple streaming aggregations are not supported/);
    await assert.rejects(df.collect(), (e: unknown) => e instanceof StreamingError && /writeStream\.start\(\)/.test(e.message));
    await assert.rejects(df.count(), StreamingError);
    await assert.rejects(df.writeStream.format("memory").queryName("c").outputMode("complete").start(), /Complete output mode not supported/);
    assert.throws(() => spark.range(3).writeStream, /can be called only on streaming/);
    await assert.rejects(df.writeStream.format("memory").queryName("cont").trigger({ continuous: "1 second" }).start(), /Continuous processing/);
  });
});

void describe("StreamingQuery and spark.streams", () => {
  void it("memory table, progress, status, listeners, several queries", async () => {
    const input = spark.memoryStream("word STRING");
    const events: string[] = [];
    const listener = {
      onQueryStarted: () => void events.push("started"),
      onQueryProgress: () => void events.push("progress"),
      onQueryTerminated: (e: { exception: string | null }) => void events.push(`terminated:${e.exception}`),
    };
    spark.streams.addListener(listener);
    const q1 = await input.toDF().writeStream.format("memory").queryName("words1").option("checkpointLocation", ckpt()).start();
    const q2 = await input.toDF().where(col("word").equalTo("b")).writeStream.format("memory").queryName("words2").option("checkpointLocation", ckpt()).start();
    assert.equal(spark.streams.active.length, 2);
    assert.equal(spark.streams.get(q1.id), q1);
    input.addData([{ word: "a" }, { word: "b" }]);
    await q1.processAllAvailable();
    await q2.processAllAvailable();
    assert.deepEqual(await spark.sql("SELECT * FROM words1 ORDER BY word").collect(), [{ word: "a" }, { word: "b" }]);
    assert.deepEqual(await spark.table("words2").collect(), [{ word: "b" }]);
    const p = q1.lastProgress!;
    assert.equal(p.batchId, 0);
    assert.equal(p.numInputRows, 2);
    assert.equal(p.name, "words1");
    assert.equal(p.sources[0]!.endOffset, 0);
    assert.equal(p.sources[0]!.startOffset, -1);
    assert.equal(p.sink.numOutputRows, 2);
    assert.deepEqual(Object.keys(p.durationMs).sort(), ["addBatch", "commitOffsets", "getBatch", "latestOffset", "queryPlanning", "triggerExecution", "walCommit"]);
    assert.equal(JSON.parse(p.json).id, q1.id);
    assert.match(p.prettyJson, /\n {2}"batchId": 0,/);
    assert.deepEqual(q1.status, { message: "Waiting for data to arrive", isDataAvailable: false, isTriggerActive: false });
    await q1.stop();
    await q2.stop();
    assert.equal(q1.isActive, false);
    assert.equal(spark.streams.active.length, 0);
    assert.equal(await spark.streams.awaitAnyTermination(), true);
    spark.streams.resetTerminated();
    spark.streams.removeListener(listener);
    assert.deepEqual(events.filter((e) => e === "started").length, 2);
    assert.ok(events.includes("progress"));
    assert.deepEqual(events.filter((e) => e.startsWith("terminated")), ["terminated:null", "terminated:null"]);
  });

  /** A foreachBatch query of `df` recording each batch's rows (as sorted text) in `seen`, its sink failing once at batch 1. */
  const sinkFailingOnceAtBatch1 = <R extends object>(df: DataFrame<R>, dir: string, outputMode = "append") => {
    const seen: [number, string][] = [];
    let reject = true;
    const start = () =>
      df.writeStream.outputMode(outputMode).option("checkpointLocation", dir).foreachBatch(async (batch, id) => {
        const rows = (await batch.collect()).map((r) => Object.values(r).map(String).join("=")).sort().join(",");
        if (id === 1 && reject) {
          reject = false;
          throw new Error("sink down");
        }
        seen.push([id, rows]);
      }).start();
    return { seen, start };
  };

  void it("foreachBatch sees every batch; a rejection fails the query and the batch is re-run on restart", async () => {
    const input = spark.memoryStream("a INT");
    const dir = ckpt();
    const { seen, start } = sinkFailingOnceAtBatch1(input.toDF(), dir);
    let terminated: string | null = "none";
    const l = { onQueryTerminated: (e: { exception: string | null }) => void (terminated = e.exception) };
    spark.streams.addListener(l);
    const q = await start();
    input.addData([{ a: 1 }]);
    await q.processAllAvailable();
    input.addData([{ a: 2 }, { a: 3 }]);
    await assert.rejects(q.processAllAvailable(), StreamingQueryException);
    await assert.rejects(q.awaitTermination(), /sink down/);
    assert.match(terminated ?? "", /sink down/);
    assert.deepEqual(fs.readdirSync(path.join(dir, "commits")), ["0"]);
    spark.streams.removeListener(l);
    const q2 = await start();
    await q2.processAllAvailable();
    await q2.stop();
    assert.deepEqual(seen, [[0, "1"], [1, "2,3"]]);
  });

  void it("a stateful batch whose sink fails leaves no commits/N nor its temp file, and re-runs on restart", async () => {
    const input = spark.memoryStream("k STRING");
    const dir = ckpt();
    // With state files, commits/N is written under a temp name while the sink runs (micro-batch-execution.ts).
    const { seen, start } = sinkFailingOnceAtBatch1(input.toDF().groupBy("k").count(), dir, "update");
    const q = await start();
    input.addData([{ k: "a" }]);
    await q.processAllAvailable();
    input.addData([{ k: "a" }, { k: "b" }]);
    await assert.rejects(q.processAllAvailable(), /sink down/);
    assert.deepEqual(fs.readdirSync(path.join(dir, "commits")), ["0"]);
    const q2 = await start();
    await q2.processAllAvailable();
    await q2.stop();
    assert.deepEqual(seen, [[0, "a=1"], [1, "a=2,b=1"]]);
    assert.deepEqual(fs.readdirSync(path.join(dir, "commits")).sort(), ["0", "1"]);
  });

  /** A query that collects column `a` of each batch, after batch 0 (a = 1) has committed. */
  const afterFirstBatch = async (onBatch: (id: number, addData: (rows: { a: number }[]) => void) => void = () => undefined) => {
    const input = spark.memoryStream("a INT");
    const dir = ckpt();
    const seen: number[] = [];
    const q = await input.toDF().writeStream.option("checkpointLocation", dir).foreachBatch(async (df, id) => {
      seen.push(...(await df.collect()).map((r) => r["a"] as number));
      onBatch(id, (rows) => void input.addData(rows));
    }).start();
    input.addData([{ a: 1 }]);
    await q.processAllAvailable();
    return { input, dir, seen, q };
  };

  void it("a commit log entry written by another query fails the query; no later batch is planned", async () => {
    // Data waits when batch 1 commits: batch 2 would start at once.
    const { input, dir, seen, q } = await afterFirstBatch((id, addData) => {
      if (id === 1) addData([{ a: 3 }]);
    });
    // Another query took batch 1's commit.
    fs.writeFileSync(path.join(dir, "commits", "1"), 'v1\n{"nextBatchWatermarkMs":0}');
    input.addData([{ a: 2 }]);
    await assert.rejects(q.awaitTermination(10_000), /commits\/1 already exists/);
    assert.equal(fs.existsSync(path.join(dir, "offsets", "2")), false);
    assert.deepEqual(fs.readdirSync(path.join(dir, "commits")).sort(), ["0", "1"], "the refused entry's temp file is gone");
    assert.deepEqual(seen, [1, 2]);
  });

  void it("an offsets log entry written by another query fails the query before the batch reaches the sink", async () => {
    const { input, dir, seen, q } = await afterFirstBatch();
    fs.writeFileSync(path.join(dir, "offsets", "1"), 'v1\n{"offsets":[],"metadata":{}}');
    input.addData([{ a: 2 }]);
    await assert.rejects(q.awaitTermination(10_000), /offsets\/1 already exists/);
    assert.deepEqual(seen, [1]);
    assert.equal(fs.existsSync(path.join(dir, "commits", "1")), false);
  });

  void it("console sink prints Spark's batch header and table", async () => {
    const input = spark.memoryStream("word STRING, n INT");
    input.addData([{ word: "hello", n: 1 }]);
    const out: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    // The sink writes text; the test runner's own reports (bytes) may go out meanwhile and pass through.
    process.stdout.write = ((s: string | Uint8Array) => (typeof s === "string" ? out.push(s) : orig(s), true)) as typeof process.stdout.write;
    try {
      const q = await input.toDF().writeStream.format("console").option("checkpointLocation", ckpt()).trigger({ once: true }).start();
      await q.awaitTermination();
    } finally {
      process.stdout.write = orig;
    }
    assert.equal(out.join(""), "-------------------------------------------\nBatch: 0\n-------------------------------------------\n+-----+---+\n| word|  n|\n+-----+---+\n|hello|  1|\n+-----+---+\n\n");
  });

  void it("foreach writer: open / process / close per batch", async () => {
    const input = spark.memoryStream("a INT");
    input.addData([{ a: 1 }, { a: 2 }]);
    const calls: string[] = [];
    const q = await input.toDF().writeStream.option("checkpointLocation", ckpt()).trigger({ availableNow: true }).foreach({
      open: (p, e) => (calls.push(`open ${p} ${e}`), true),
      process: (r) => void calls.push(`row ${String(r["a"])}`),
      close: (err) => void calls.push(`close ${err}`),
    }).start();
    await q.awaitTermination();
    assert.deepEqual(calls, ["open 0 0", "row 1", "row 2", "close null"]);
  });

  void it("awaitTermination with a timeout returns false while running", async () => {
    const input = spark.memoryStream("a INT");
    const q = await input.toDF().writeStream.format("memory").queryName("timeout_q").option("checkpointLocation", ckpt()).start();
    assert.equal(await q.awaitTermination(1), false);
    await q.stop();
    assert.equal(await q.awaitTermination(), true);
  });

  void it("a temporary checkpoint is used (and removed) without checkpointLocation", async () => {
    const input = spark.memoryStream("a INT");
    const warnings: string[] = [];
    const onWarn = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarn);
    const q = await input.toDF().writeStream.format("memory").queryName("temp_ckpt").start();
    const dir = q.execution.checkpointDir;
    assert.ok(fs.existsSync(path.join(dir, "metadata")));
    await q.stop();
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarn);
    assert.equal(fs.existsSync(dir), false);
    assert.ok(warnings.some((w) => w.includes("Temporary checkpoint")));
  });
});

void describe("memory sink table", () => {
  void it("answers queries that read some of its columns", async () => {
    const input = spark.memoryStream("a INT, b STRING, c DOUBLE");
    input.addData([{ a: 1, b: "x", c: 0.5 }, { a: 2, b: "y", c: 1.5 }]);
    const q = await input.toDF().writeStream.format("memory").queryName("pruned").option("checkpointLocation", ckpt()).trigger({ once: true }).start();
    await q.awaitTermination();
    assert.deepEqual(await spark.sql("SELECT c, a FROM pruned WHERE b = 'y'").collect(), [{ c: 1.5, a: 2 }]);
  });
});
