import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { GroupStateTimeout, type GroupState, ManualClock, Session, col, functions as F } from "../../src/index.js";
import { AddData, AdvanceClock, CheckNewAnswer, StartStream, testStream } from "../streaming/stream-test.js";

// The streaming examples in README.md, checked: if this test changes, the README must too.
const dir = mkdtempSync(join(tmpdir(), "sluice-readme-stream-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("README: a memory stream through a filter into a memory table", async () => {
  const spark = Session.builder().create();
  const input = spark.memoryStream("word STRING, n INT");
  const q = await input
    .toDF()
    .filter(col("n").gt(1))
    .withColumn("n10", col("n").multiply(10))
    .writeStream.format("memory")
    .queryName("big_words")
    .option("checkpointLocation", join(dir, "ckpt-memory"))
    .start();
  input.addData([{ word: "a", n: 1 }, { word: "b", n: 2 }]);
  await q.processAllAvailable();
  input.addData([{ word: "c", n: 5 }]);
  await q.processAllAvailable();
  const rows = await spark.sql("SELECT word, n10 FROM big_words ORDER BY word").collect();
  assert.deepEqual(rows, [{ word: "b", n10: 20 }, { word: "c", n10: 50 }]);
  assert.equal(q.lastProgress?.numInputRows, 1);
  await q.stop();
});

test("README: JSON files to Parquet with a checkpoint, resumed after a restart", async () => {
  const spark = Session.builder().create();
  const inDir = join(dir, "events"), outDir = join(dir, "events-parquet"), ckpt = join(dir, "ckpt-etl");
  mkdirSync(inDir);
  writeFileSync(join(inDir, "1.json"), '{"user":"ann","amount":12.5,"ts":"2026-01-01T10:00:00Z"}\n{"user":"bob","amount":-1,"ts":"2026-01-01T10:01:00Z"}\n');
  const run = async (): Promise<void> => {
    const q = await spark.readStream
      .format("json")
      .schema("user STRING, amount DOUBLE, ts TIMESTAMP")
      .option("maxFilesPerTrigger", 1)
      .load(inDir)
      .filter(col("amount").gt(0))
      .withColumn("day", F.to_date(col("ts")))
      .writeStream.format("parquet")
      .option("checkpointLocation", ckpt)
      .trigger({ availableNow: true })
      .start(outDir);
    await q.awaitTermination();
  };
  await run();
  writeFileSync(join(inDir, "2.json"), '{"user":"cy","amount":3,"ts":"2026-01-02T09:00:00Z"}\n');
  await run(); // the checkpoint remembers 1.json: only 2.json is read
  const rows = await spark.read.parquet(outDir).orderBy("user").select("user", "amount", "day").collect();
  assert.deepEqual(rows, [
    { user: "ann", amount: 12.5, day: "2026-01-01" },
    { user: "cy", amount: 3, day: "2026-01-02" },
  ]);
});

test("README: word count over a directory of text files (complete mode)", async () => {
  const spark = Session.builder().create();
  const docs = join(dir, "docs");
  mkdirSync(docs);
  writeFileSync(join(docs, "a.txt"), "the quick fox\nthe lazy dog\n");
  const counts = spark.readStream
    .format("text")
    .load(docs)
    .select(F.explode(F.split(col("value"), " ")).alias("word"))
    .groupBy("word")
    .count();
  const q = await counts.writeStream.outputMode("complete").format("memory").queryName("word_counts").option("checkpointLocation", join(dir, "ckpt-words")).start();
  await q.processAllAvailable();
  writeFileSync(join(docs, "b.txt"), "the end\n");
  await q.processAllAvailable();
  const rows = await spark.sql("SELECT word, count FROM word_counts ORDER BY count DESC, word").collect();
  assert.deepEqual(rows, [
    { word: "the", count: 3 }, { word: "dog", count: 1 }, { word: "end", count: 1 }, { word: "fox", count: 1 }, { word: "lazy", count: 1 }, { word: "quick", count: 1 },
  ]);
  await q.stop();
});

test("README: windowed counts with a watermark (append mode emits a window once it is final)", async () => {
  const spark = Session.builder().create();
  const events = spark.memoryStream("word STRING, ts TIMESTAMP");
  const q = await events
    .toDF()
    .withWatermark("ts", "10 minutes")
    .groupBy(F.window(col("ts"), "10 minutes"), col("word"))
    .count()
    .select(col("window.start").alias("start"), col("word"), col("count"))
    .writeStream.outputMode("append").format("memory").queryName("windowed").option("checkpointLocation", join(dir, "ckpt-windowed"))
    .start();
  events.addData([{ word: "owl", ts: new Date("2026-01-01T12:02:00Z") }, { word: "owl", ts: new Date("2026-01-01T12:07:00Z") }]);
  await q.processAllAvailable();
  assert.deepEqual(await spark.table("windowed").collect(), []); // the 12:00 window may still get late rows
  events.addData([{ word: "cat", ts: new Date("2026-01-01T12:31:00Z") }]); // watermark → 12:21: 12:00–12:10 is final
  await q.processAllAvailable();
  assert.deepEqual(await spark.table("windowed").collect(), [{ start: new Date("2026-01-01T12:00:00Z"), word: "owl", count: 2 }]);
  await q.stop();
});

test("README: user state with a processing-time timeout", async () => {
  const spark = Session.builder().create();
  const clock = new ManualClock(0);
  const events = spark.memoryStream("user STRING");
  const sessions = events.toDF().groupByKey((e) => e["user"]).flatMapGroupsWithState(
    "update", GroupStateTimeout.ProcessingTimeTimeout,
    (user, rows, state: GroupState<number>) => {
      if (state.hasTimedOut) { const n = state.get(); state.remove(); return [{ user, clicks: n, ended: true }]; }
      const n = (state.getOption() ?? 0) + [...rows].length;
      state.update(n);
      state.setTimeoutDuration("30 minutes");
      return [{ user, clicks: n, ended: false }];
    },
    "user STRING, clicks INT, ended BOOLEAN",
  );
  await testStream(sessions, "update", [
    StartStream({ trigger: { processingTime: "1 second" }, clock }),
    AddData(events, [{ user: "ann" }, { user: "ann" }]),
    AdvanceClock(1000),
    CheckNewAnswer([{ user: "ann", clicks: 2, ended: false }]),
    AdvanceClock(31 * 60 * 1000), // half an hour later the timeout fires, in a batch with no data
    CheckNewAnswer([{ user: "ann", clicks: 2, ended: true }]),
  ]);
});
