/**
 * spark.read.format("state") and format("state-metadata") over checkpoints of real streaming
 * queries: a word count in complete mode, a windowed count with a watermark (state evicted as
 * the watermark passes), dropDuplicates and dropDuplicatesWithinWatermark; reading at several
 * batch ids, read-only, and the errors a user can hit.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { avg, col, count, expr, max, sum, timestamp_seconds, window } from "../../../src/api/functions.js";
import { CheckpointError } from "../../../src/checkpoint/checkpoint-error.js";
import { IllegalArgumentError } from "../../../src/errors/errors.js";
import { StateStoreCorruptError } from "../../../src/state/state-store.js";
import { corruptDelta, tearDelta } from "../../state/changelog-files.js";
import { aggregateFinisher } from "../../../src/connectors/state/aggregate-finisher.js";
import { DoubleType, IntegerType, LongType, arrayType, decimalType } from "../../../src/types/data-type.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-state-source-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

type Row = Record<string, unknown>;
const plain = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : v instanceof Date ? v.getTime() / 1000 : Array.isArray(v) ? v.map(plain) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);
const read = async (dir: string, options: Record<string, string | number> = {}): Promise<Row[]> => (await spark.read.format("state").options(options).load(dir).collect()).map((r) => plain(r) as Row);

/** The state partition a string key belongs in: Spark's `pmod(hash(key), sluice.sql.shuffle.partitions)` (4 here). */
const partitionOf = async (key: string): Promise<number> => (await spark.sql(`SELECT pmod(hash('${key}'), 4) AS p`).collect())[0]!["p"] as number;
/** In JSON order: rows come partition after partition. */
const sorted = <T>(xs: readonly T[]): T[] => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
/** Rows in key order (partitions are read one after the other). */
const byKey = (rows: Row[]): Row[] => [...rows].sort((a, b) => JSON.stringify(a["key"]).localeCompare(JSON.stringify(b["key"])));

/** Every file under `dir` with its size and mtime: what "read-only" must leave unchanged. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d).sort()) {
      const p = path.join(d, n);
      const s = fs.statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

const wordCount = path.join(root, "word-count");
const windowed = path.join(root, "windowed");
const dedup = path.join(root, "dedup");
const dedupWithin = path.join(root, "dedup-within");

before(async () => {
  {
    const input = spark.memoryStream("word STRING");
    const q = await input.toDF().groupBy("word").count().writeStream.format("memory").queryName("state_src_wc").outputMode("complete").option("checkpointLocation", wordCount).start();
    for (const words of [["a", "b", "a"], ["a", "c"], ["b"]]) {
      input.addData(words.map((word) => ({ word })));
      await q.processAllAvailable();
    }
    await q.stop();
  }
  {
    // Spark's windowed word count: 10-second windows, 10-second watermark, update mode.
    const input = spark.memoryStream("word STRING, t INT");
    const df = input.toDF().withColumn("ts", timestamp_seconds(col("t"))).withWatermark("ts", "10 seconds")
      .groupBy(window(col("ts"), "10 seconds"), col("word")).agg(count("*").alias("n"), sum("t").alias("total"), avg("t").alias("mean"), max("t").alias("last"));
    const q = await df.writeStream.format("memory").queryName("state_src_win").outputMode("update").option("checkpointLocation", windowed).start();
    for (const rows of [[{ word: "a", t: 1 }, { word: "b", t: 2 }, { word: "a", t: 4 }], [{ word: "a", t: 15 }], [{ word: "c", t: 35 }]]) {
      input.addData(rows);
      await q.processAllAvailable();
    }
    await q.stop();
  }
  {
    const input = spark.memoryStream("k STRING, v INT");
    const q = await input.toDF().dropDuplicates(["k"]).writeStream.format("memory").queryName("state_src_dd").option("checkpointLocation", dedup).start();
    for (const rows of [[{ k: "x", v: 1 }, { k: "x", v: 2 }], [{ k: "y", v: 3 }]]) {
      input.addData(rows);
      await q.processAllAvailable();
    }
    await q.stop();
  }
  {
    const input = spark.memoryStream("k STRING, t INT");
    const df = input.toDF().withColumn("ts", timestamp_seconds(col("t"))).withWatermark("ts", "5 seconds").dropDuplicatesWithinWatermark(["k"]);
    const q = await df.writeStream.format("memory").queryName("state_src_ddw").option("checkpointLocation", dedupWithin).start();
    input.addData([{ k: "x", t: 10 }, { k: "y", t: 12 }]);
    await q.processAllAvailable();
    await q.stop();
  }
});

void describe('spark.read.format("state")', () => {
  void it("reads a word count's state at each committed batch: key and finished counts", async () => {
    const byBatch = async (batchId?: number): Promise<Record<string, number>> => {
      const rows = await read(wordCount, batchId === undefined ? {} : { batchId });
      for (const r of rows) assert.equal(r["partition_id"], await partitionOf((r["key"] as Row)["word"] as string), "each key is in the state partition of its hash");
      return Object.fromEntries(rows.map((r) => [(r["key"] as Row)["word"] as string, (r["value"] as Row)["count(1)"] as number]));
    };
    assert.deepEqual(await byBatch(0), { a: 2, b: 1 });
    assert.deepEqual(await byBatch(1), { a: 3, b: 1, c: 1 });
    assert.deepEqual(await byBatch(2), { a: 3, b: 2, c: 1 });
    assert.deepEqual(await byBatch(), { a: 3, b: 2, c: 1 }, "default: the last committed batch");
  });

  void it("names and types the columns from the operator metadata", () => {
    const df = spark.read.format("state").load(wordCount);
    assert.deepEqual(df.columns, ["key", "value", "partition_id"]);
    const types = Object.fromEntries(df.schema.fields.map((f) => [f.name, f.dataType]));
    assert.deepEqual(types["key"], { kind: "struct", fields: [{ name: "word", dataType: { kind: "string" }, nullable: true }] });
    assert.deepEqual(types["value"], { kind: "struct", fields: [{ name: "count(1)", dataType: { kind: "long" }, nullable: true }] });
    assert.equal(types["partition_id"]!.kind, "int");
  });

  void it("works as any DataFrame: select nested fields, filter, sort", async () => {
    const rows = await spark.read.format("state").option("batchId", 1).load(wordCount)
      .select(col("key.word").alias("word"), col("value").getField("count(1)").alias("n")).where(col("n").gt(1)).collect();
    assert.deepEqual(rows.map(plain), [{ word: "a", n: 3 }]);
  });

  void it("reads a windowed aggregation with a watermark: windows, finished sum/avg/max, eviction", async () => {
    const rowsAt = async (batchId: number): Promise<unknown[]> =>
      (await read(windowed, { batchId })).map((r) => {
        const k = r["key"] as { window: { start: number; end: number }; word: string };
        const v = r["value"] as Row;
        return [k.window.start, k.window.end, k.word, v["count(1)"], v["sum(t)"], v["avg(t)"], v["max(t)"]];
      });
    assert.deepEqual(await rowsAt(0), [
      [0, 10, "a", 2, 5, 2.5, 4],
      [0, 10, "b", 1, 2, 2, 2],
    ]);
    assert.deepEqual(await rowsAt(1), [
      [0, 10, "a", 2, 5, 2.5, 4],
      [0, 10, "b", 1, 2, 2, 2],
      [10, 20, "a", 1, 15, 15, 15],
    ]);
    // Batch 1 moved the watermark to 5 s, so the no-data batch 2 ran (nothing to evict: no window ends by 5 s).
    // Batch 3 (t=35) moves it to 25 s; the no-data batch 4 evicts the windows ending <= 25 s.
    const committed = fs.readdirSync(path.join(windowed, "commits")).map(Number).sort((a, b) => a - b);
    assert.deepEqual(committed, [0, 1, 2, 3, 4]);
    assert.deepEqual(await rowsAt(2), await rowsAt(1));
    assert.deepEqual(await rowsAt(3), [
      [0, 10, "a", 2, 5, 2.5, 4],
      [0, 10, "b", 1, 2, 2, 2],
      [10, 20, "a", 1, 15, 15, 15],
      [30, 40, "c", 1, 35, 35, 35],
    ]);
    assert.deepEqual(await rowsAt(4), [[30, 40, "c", 1, 35, 35, 35]]);
    assert.deepEqual(await rowsAt(4), (await read(windowed)).map((r) => {
      const k = r["key"] as { window: { start: number; end: number }; word: string };
      const v = r["value"] as Row;
      return [k.window.start, k.window.end, k.word, v["count(1)"], v["sum(t)"], v["avg(t)"], v["max(t)"]];
    }));
  });

  void it("reads dropDuplicates state: the keys seen, an empty value", async () => {
    assert.deepEqual(await read(dedup, { batchId: 0 }), [{ key: { k: "x" }, value: {}, partition_id: await partitionOf("x") }]);
    assert.deepEqual(byKey(await read(dedup)), [{ key: { k: "x" }, value: {}, partition_id: await partitionOf("x") }, { key: { k: "y" }, value: {}, partition_id: await partitionOf("y") }]);
  });

  void it("reads dropDuplicatesWithinWatermark state: each key's expiry (first event time + delay)", async () => {
    const rows = byKey(await read(dedupWithin, { batchId: 0 }));
    assert.deepEqual(rows, [
      { key: { k: "x" }, value: { expiresAtMicros: 15_000_000 }, partition_id: await partitionOf("x") },
      { key: { k: "y" }, value: { expiresAtMicros: 17_000_000 }, partition_id: await partitionOf("y") },
    ]);
  });

  void it("partitionId selects one partition; option names are case-insensitive", async () => {
    let total = 0;
    for (let p = 0; p < 4; p++) {
      const rows = await read(wordCount, { partitionId: p });
      for (const r of rows) assert.equal(r["partition_id"], p);
      total += rows.length;
    }
    assert.equal(total, 3, "the partitions together hold every key once");
    assert.equal((await read(wordCount, { BATCHID: 0, operatorid: 0 })).length, 2);
    assert.throws(() => spark.read.format("state").option("partitionId", 4).load(wordCount), (e: unknown) => e instanceof IllegalArgumentError && /no state partition 4; it has partitions 0, 1, 2, 3/.test(e.message));
  });

  void it("reads state written by the LMDB provider (same files; its live cache is not a store)", async () => {
    const ckpt = path.join(root, "lmdb");
    const s2 = Session.builder().config("sluice.sql.streaming.stateStore.providerClass", "lmdb").create();
    const input = s2.memoryStream("word STRING");
    const q = await input.toDF().groupBy("word").count().writeStream.format("memory").queryName("state_src_lmdb").outputMode("update").option("checkpointLocation", ckpt).start();
    for (const words of [["a", "b"], ["a"]]) {
      input.addData(words.map((word) => ({ word })));
      await q.processAllAvailable();
    }
    await q.stop();
    const rows = (await read(ckpt)).map((r) => [(r["key"] as Row)["word"], (r["value"] as Row)["count(1)"]]);
    assert.deepEqual(sorted(rows), [["a", 2], ["b", 1]]);
    const meta = (await spark.read.format("state-metadata").load(ckpt).select("stateStoreName", "minBatchId", "maxBatchId").collect()).map(plain);
    assert.deepEqual(meta, [{ stateStoreName: "default", minBatchId: 0, maxBatchId: 1 }]);
  });

  void it("after maintenance removed old state files, old batches are refused naming the file; state-metadata shows what is left", async () => {
    const ckpt = path.join(root, "retained");
    const s2 = Session.builder().config("sluice.sql.streaming.stateStore.minDeltasForSnapshot", 2).config("sluice.sql.streaming.minBatchesToRetain", 2).create();
    const input = s2.memoryStream("word STRING");
    const q = await input.toDF().groupBy("word").count().writeStream.format("memory").queryName("state_src_retained").outputMode("complete").option("checkpointLocation", ckpt).start();
    for (let i = 0; i < 8; i++) {
      input.addData([{ word: i % 2 === 0 ? "even" : "odd" }]);
      await q.processAllAvailable();
    }
    await q.stop();
    const meta = (await spark.read.format("state-metadata").load(ckpt).collect()).map((r) => plain(r) as Row);
    assert.equal(meta.length, 1);
    const min = meta[0]!["minBatchId"] as number, max = meta[0]!["maxBatchId"] as number;
    assert.equal(max, 7);
    assert.ok(min > 0, `old state files were cleaned up (min batch ${min})`);
    const counts = Object.fromEntries((await read(ckpt, { batchId: min })).map((r) => [(r["key"] as Row)["word"], (r["value"] as Row)["count(1)"]]));
    assert.deepEqual(counts, { even: Math.ceil((min + 1) / 2), odd: Math.floor((min + 1) / 2) });
    assert.throws(
      () => spark.read.format("state").option("batchId", 0).load(ckpt),
      (e: unknown) => e instanceof CheckpointError && /The state of batch 0 is no longer in the checkpoint .*: older batches were purged/.test(e.message),
    );
    // The commit log keeps fewer batches than the state files here; a state file removed by hand is named.
    const store = path.join(ckpt, "state", "0", "0");
    for (const f of fs.readdirSync(store)) if (f === `${max + 1}.snapshot`) fs.rmSync(path.join(store, f));
    tearDelta(store, max + 1, 0);
    assert.throws(
      () => spark.read.format("state").load(ckpt),
      (e: unknown) => e instanceof StateStoreCorruptError && e.message.includes(path.join(ckpt, "state", "0", "0", `${max + 1}.delta`)),
    );
  });

  void it("reads each side of a stream-stream join with joinSide; storeName picks any of its four stores", async () => {
    const ckpt = path.join(root, "join");
    const l = spark.memoryStream("k INT, lv STRING, lt INT");
    const r = spark.memoryStream("k2 INT, rv STRING, rt INT");
    const left = l.toDF().withColumn("lts", timestamp_seconds(col("lt"))).withWatermark("lts", "10 seconds");
    const right = r.toDF().withColumn("rts", timestamp_seconds(col("rt"))).withWatermark("rts", "10 seconds");
    const q = await left.join(right, expr("k = k2 AND rts BETWEEN lts - INTERVAL 5 SECONDS AND lts + INTERVAL 5 SECONDS"))
      .writeStream.format("memory").queryName("state_src_join").option("checkpointLocation", ckpt).start();
    l.addData([{ k: 1, lv: "a", lt: 1 }, { k: 2, lv: "b", lt: 2 }]);
    r.addData([{ k2: 1, rv: "x", rt: 3 }]);
    await q.processAllAvailable();
    await q.stop();
    const side = async (joinSide: string): Promise<unknown[]> =>
      (await read(ckpt, { joinSide })).map((x) => {
        const v = x["value"] as Row;
        return [(x["key"] as Row)["k"], ...Object.entries(v).filter(([n]) => n !== "matched").map(([, y]) => y)];
      });
    assert.deepEqual(sorted(await side("left")), [[1, 1, "a", 1, 1], [2, 2, "b", 2, 2]]);
    assert.deepEqual(await side("right"), [[1, 1, "x", 3, 3]]);
    const counts = await read(ckpt, { storeName: "left-keyToNumValues" });
    assert.deepEqual(sorted(counts.map((x) => [(x["key"] as Row)["k"], (x["value"] as Row)["numValues"]])), [[1, 1], [2, 1]]);
    assert.throws(() => spark.read.format("state").load(ckpt), /keeps several state stores \(left-keyToNumValues, left-keyWithIndexToValue, right-keyToNumValues, right-keyWithIndexToValue\); choose one with the option storeName \(or joinSide for a join\)/);
    const meta = (await spark.read.format("state-metadata").load(ckpt).select("stateStoreName", "valueSchema").collect()).map(plain);
    assert.deepEqual(meta, [
      { stateStoreName: "left-keyToNumValues", valueSchema: "numValues BIGINT" },
      { stateStoreName: "left-keyWithIndexToValue", valueSchema: "k INT, lv STRING, lt INT, lts TIMESTAMP, matched BOOLEAN" },
      { stateStoreName: "right-keyToNumValues", valueSchema: "numValues BIGINT" },
      { stateStoreName: "right-keyWithIndexToValue", valueSchema: "k2 INT, rv STRING, rt INT, rts TIMESTAMP, matched BOOLEAN" },
    ]);
  });

  void it("never creates or changes a file in the checkpoint", async () => {
    for (const dir of [wordCount, windowed, dedup]) {
      const before = listing(dir);
      await read(dir);
      await read(dir, { batchId: 0 });
      await spark.read.format("state-metadata").load(dir).collect();
      assert.deepEqual(listing(dir), before);
    }
  });

  void describe("errors", () => {
    it("no such operator: lists the ones that exist", () => {
      assert.throws(
        () => spark.read.format("state").option("operatorId", 2).load(wordCount),
        (e: unknown) => e instanceof IllegalArgumentError && /has no stateful operator 2: the checkpoint has operator 0 \(stateStoreSave\)/.test(e.message),
      );
    });

    it("a batch that is not committed", () => {
      assert.throws(
        () => spark.read.format("state").option("batchId", 7).load(wordCount),
        (e: unknown) => e instanceof CheckpointError && /Batch 7 is not committed .* \(committed batches: 0\.\.2\)/.test(e.message),
      );
    });

    it("a checkpoint without committed batches, a missing directory, bad options", () => {
      const empty = path.join(root, "empty");
      fs.mkdirSync(path.join(empty, "offsets"), { recursive: true });
      assert.throws(() => spark.read.format("state").load(empty), /has no stateful operator 0: the checkpoint has no stateful operators/);
      assert.throws(() => spark.read.format("state").load(path.join(root, "nope")), /No checkpoint directory at .*nope/);
      assert.throws(() => spark.read.format("state").option("batchId", "x").load(wordCount), /batchId must be a non-negative integer, got 'x'/);
      assert.throws(() => spark.read.format("state").option("operatorIdd", 1).load(wordCount), /Unknown option 'operatorIdd' for the state source/);
      assert.throws(() => spark.read.format("state").schema("a INT").load(wordCount), /does not take a schema/);
      assert.throws(() => spark.read.format("state").load(), /exactly one checkpoint directory, got 0/);
      assert.throws(() => spark.read.format("state").option("joinSide", "left").load(wordCount), /has no single left store to read/);
      assert.throws(() => spark.read.format("state").option("joinSide", "left").option("storeName", "x").load(wordCount), /cannot be used together/);
      assert.throws(() => spark.read.format("state").option("storeName", "x").load(wordCount), /has no state store named 'x'; its stores: default/);
    });

    it("a missing state file is named, never read as empty state", async () => {
      const copy = path.join(root, "wc-missing");
      fs.cpSync(wordCount, copy, { recursive: true });
      const file = path.join(copy, "state", "0", "0", "2.delta");
      tearDelta(path.dirname(file), 2, 0);
      assert.throws(
        () => spark.read.format("state").option("batchId", 1).load(copy),
        (e: unknown) => e instanceof StateStoreCorruptError && e.file === file && e.message.includes(file) && /hold batches 0/.test(e.message),
      );
      // Batch 0's state does not need the file.
      assert.equal((await read(copy, { batchId: 0 })).length, 2);
    });

    it("a corrupt state file is named when the state is read", async () => {
      const copy = path.join(root, "wc-corrupt");
      fs.cpSync(wordCount, copy, { recursive: true });
      const file = corruptDelta(path.join(copy, "state", "0", "0"), 2);
      await assert.rejects(read(copy), (e: unknown) => e instanceof StateStoreCorruptError && e.message.includes(file) && /delta of version 2/.test(e.message));
      assert.deepEqual((await read(copy, { batchId: 0 })).length, 2);
    });
  });
});

void describe('spark.read.format("state-metadata")', () => {
  void it("lists the stateful operators with their schemas and readable batches", async () => {
    const rows = (await spark.read.format("state-metadata").load(windowed).collect()).map((r) => plain(r) as Row);
    assert.deepEqual(rows, [
      {
        operatorId: 0,
        operatorName: "stateStoreSave",
        stateStoreName: "default",
        numPartitions: 4,
        minBatchId: 0,
        maxBatchId: 4,
        keyColumns: ["window", "word"],
        keySchema: "window STRUCT<start: TIMESTAMP, end: TIMESTAMP>, word STRING",
        valueSchema: "`count(1)` BIGINT, `sum(t)` BIGINT, `avg(t)` DOUBLE, `max(t)` INT",
      },
    ]);
    const dd = (await spark.read.format("state-metadata").load(dedupWithin).select("operatorName", "keyColumns", "valueSchema").collect()).map((r) => plain(r));
    assert.deepEqual(dd, [{ operatorName: "dedupeWithinWatermark", keyColumns: ["k"], valueSchema: "expiresAtMicros BIGINT" }]);
  });

  void it("a query without state has no rows", async () => {
    const ckpt = path.join(root, "stateless");
    const input = spark.memoryStream("n INT");
    const q = await input.toDF().writeStream.format("memory").queryName("state_src_stateless").option("checkpointLocation", ckpt).start();
    input.addData([{ n: 1 }]);
    await q.processAllAvailable();
    await q.stop();
    assert.deepEqual(await spark.read.format("state-metadata").load(ckpt).collect(), []);
    assert.throws(() => spark.read.format("state").load(ckpt), /no stateful operator 0: the checkpoint has no stateful operators/);
  });
});

void describe("aggregate finisher", () => {
  void it("rebuilds accumulators from the recorded SQL and result type", () => {
    assert.equal(aggregateFinisher("count(1)", LongType).finish(7), 7);
    assert.equal(aggregateFinisher("avg(x)", DoubleType).ok, true);
    assert.equal(aggregateFinisher("collect_list(n)", arrayType(IntegerType)).ok, true);
    assert.equal(aggregateFinisher("sum(d)", decimalType(20, 2)).ok, true);
  });
  void it("reports what it cannot finish instead of guessing", () => {
    assert.equal(aggregateFinisher("no_such_agg(x)", LongType).ok, false);
    assert.equal(aggregateFinisher("upper(x)", LongType).ok, false);
    assert.equal(aggregateFinisher("count(", LongType).ok, false);
  });
});
