import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { col, from_json } from "../../../src/api/functions.js";
import type { StreamingQuery } from "../../../src/api/streaming-query.js";
import type { MemorySink } from "../../../src/connectors/memory/memory-sink.js";
import { KafkaReader } from "../../../src/connectors/kafka/kafka-client.js";
import { ManualClock } from "../../../src/streaming/clock.js";
import { type KafkaCluster, REAL_BROKER, startKafka } from "./kafka-cluster.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-kafka-"));
let kafka: KafkaCluster;
let queryNo = 0;

before(async () => {
  kafka = await startKafka();
});
after(async () => {
  await kafka.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const rowsOf = (q: StreamingQuery): Record<string, unknown>[] => (q.sink as MemorySink).allRows();
const text = (v: unknown): string | null => (v === null ? null : Buffer.from(v as Uint8Array).toString("utf8"));
const valuesOf = (q: StreamingQuery): string[] => rowsOf(q).map((r) => text(r["value"])!);
const dataBatches = (q: StreamingQuery): { rows: number; end: unknown }[] => q.recentProgress.filter((p) => p.numInputRows > 0).map((p) => ({ rows: p.numInputRows, end: p.sources[0]!.endOffset }));
const checkpoint = (): string => path.join(root, `ckpt-${queryNo++}`);

function reader(topic: string, options: Record<string, string | number> = {}) {
  return spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("subscribe", topic).options(options);
}

async function startMemory(df: ReturnType<ReturnType<typeof reader>["load"]>, ckpt = checkpoint(), clock?: ManualClock): Promise<StreamingQuery> {
  let w = df.writeStream.format("memory").queryName(`kafka_q${queryNo++}`).option("checkpointLocation", ckpt);
  if (clock) w = w.clock(clock);
  return w.start();
}

async function produceValues(topic: string, partition: number, values: string[], extra: { timestamp?: number } = {}): Promise<void> {
  await kafka.produce(values.map((value) => ({ topic, partition, value, ...extra })));
}

void describe(`Kafka source end to end (${REAL_BROKER === null ? "in-process test broker" : `real broker ${REAL_BROKER}`})`, () => {
  void it("reads from earliest: all columns, in offset order per partition", async () => {
    const topic = await kafka.createTopic(2);
    await kafka.produce([
      { topic, partition: 0, key: "k1", value: "a", timestamp: 1_700_000_000_000 },
      { topic, partition: 0, key: null, value: "b", timestamp: 1_700_000_000_500 },
      { topic, partition: 1, key: "k3", value: null, timestamp: 1_700_000_001_000 },
    ]);
    const df = reader(topic, { startingOffsets: "earliest" }).load();
    assert.deepEqual(df.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["key:binary", "value:binary", "topic:string", "partition:int", "offset:long", "timestamp:timestamp", "timestampType:int"]);
    const q = await startMemory(df);
    try {
      await q.processAllAvailable();
      const rows: Record<string, unknown>[] = rowsOf(q).map((r) => ({ ...r, key: text(r["key"]), value: text(r["value"]) }));
      rows.sort((a, b) => (a["partition"] as number) - (b["partition"] as number) || (a["offset"] as number) - (b["offset"] as number));
      assert.deepEqual(rows, [
        { key: "k1", value: "a", topic, partition: 0, offset: 0, timestamp: new Date(1_700_000_000_000), timestampType: 0 },
        { key: null, value: "b", topic, partition: 0, offset: 1, timestamp: new Date(1_700_000_000_500), timestampType: 0 },
        { key: "k3", value: null, topic, partition: 1, offset: 0, timestamp: new Date(1_700_000_001_000), timestampType: 0 },
      ]);
      assert.deepEqual(q.lastProgress!.sources[0]!.endOffset, { [topic]: { "0": 2, "1": 1 } });
    } finally {
      await q.stop();
    }
  });

  void it("startingOffsets latest reads only what arrives after the start", async () => {
    const topic = await kafka.createTopic(1);
    await produceValues(topic, 0, ["old1", "old2"]);
    const q = await startMemory(reader(topic).load());
    try {
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q), []);
      await produceValues(topic, 0, ["new1", "new2"]);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q), ["new1", "new2"]);
      assert.deepEqual(rowsOf(q).map((r) => r["offset"]), [2, 3]);
    } finally {
      await q.stop();
    }
  });

  void it("startingOffsets as JSON: a given offset, -2 (earliest) and -1 (latest) per partition", async () => {
    const topic = await kafka.createTopic(3);
    await produceValues(topic, 0, ["p0-0", "p0-1", "p0-2"]);
    await produceValues(topic, 1, ["p1-0", "p1-1"]);
    await produceValues(topic, 2, ["p2-0"]);
    const q = await startMemory(reader(topic, { startingOffsets: JSON.stringify({ [topic]: { "0": 1, "1": -2, "2": -1 } }) }).load());
    try {
      await q.processAllAvailable();
      await produceValues(topic, 2, ["p2-1"]);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q).sort(), ["p0-1", "p0-2", "p1-0", "p1-1", "p2-1"]);
    } finally {
      await q.stop();
    }
  });

  void it("startingTimestamp and startingOffsetsByTimestamp start at the first record at or after the time", async () => {
    const topic = await kafka.createTopic(2);
    for (const p of [0, 1]) await kafka.produce([1000, 2000, 3000].map((t) => ({ topic, partition: p, value: `p${p}@${t}`, timestamp: 1_600_000_000_000 + t })));
    const q1 = await startMemory(reader(topic, { startingTimestamp: 1_600_000_002_000 }).load());
    const q2 = await startMemory(reader(topic, { startingOffsetsByTimestamp: JSON.stringify({ [topic]: { "0": 1_600_000_002_500, "1": 1_600_000_000_000 } }) }).load());
    try {
      await q1.processAllAvailable();
      await q2.processAllAvailable();
      assert.deepEqual(valuesOf(q1).sort(), ["p0@2000", "p0@3000", "p1@2000", "p1@3000"]);
      assert.deepEqual(valuesOf(q2).sort(), ["p0@3000", "p1@1000", "p1@2000", "p1@3000"]);
    } finally {
      await q1.stop();
      await q2.stop();
    }
    // No record at or after the time: an error naming the strategy option, or the latest offset.
    const late = 1_600_000_009_000;
    const q3 = await startMemory(reader(topic, { startingTimestamp: late }).load());
    await assert.rejects(q3.processAllAvailable(), /No offset of .*-[01] has a timestamp at or after 1600000009000.*startingOffsetsByTimestampStrategy/s);
    await q3.stop();
    const q4 = await startMemory(reader(topic, { startingTimestamp: late, startingOffsetsByTimestampStrategy: "latest" }).load());
    try {
      await q4.processAllAvailable();
      await produceValues(topic, 1, ["after"]);
      await q4.processAllAvailable();
      assert.deepEqual(valuesOf(q4), ["after"]);
    } finally {
      await q4.stop();
    }
  });

  void it("maxOffsetsPerTrigger splits each batch across partitions in proportion to their backlog", async () => {
    const topic = await kafka.createTopic(2);
    await produceValues(topic, 0, Array.from({ length: 30 }, (_, i) => `a${i}`));
    await produceValues(topic, 1, Array.from({ length: 10 }, (_, i) => `b${i}`));
    const q = await startMemory(reader(topic, { startingOffsets: "earliest", maxOffsetsPerTrigger: 8 }).load());
    try {
      await q.processAllAvailable();
      const batches = dataBatches(q);
      assert.deepEqual(batches.map((b) => b.rows), [8, 8, 8, 8, 8]);
      assert.deepEqual(batches[0]!.end, { [topic]: { "0": 6, "1": 2 } });
      assert.deepEqual(batches[1]!.end, { [topic]: { "0": 12, "1": 4 } });
      assert.deepEqual(batches[4]!.end, { [topic]: { "0": 30, "1": 10 } });
      assert.equal(new Set(valuesOf(q)).size, 40);
    } finally {
      await q.stop();
    }
  });

  void it("minOffsetsPerTrigger waits for enough records, or for maxTriggerDelay", async () => {
    const topic = await kafka.createTopic(1);
    const clock = new ManualClock(1_000_000);
    const q = await startMemory(reader(topic, { minOffsetsPerTrigger: 5, maxTriggerDelay: "1m" }).load(), checkpoint(), clock);
    try {
      await q.processAllAvailable();
      await produceValues(topic, 0, ["1", "2", "3"]);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q), [], "3 < minOffsetsPerTrigger: no batch yet");
      await produceValues(topic, 0, ["4", "5"]);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q), ["1", "2", "3", "4", "5"]);
      assert.equal(dataBatches(q).length, 1);
      await produceValues(topic, 0, ["6"]);
      await q.processAllAvailable();
      assert.equal(valuesOf(q).length, 5, "1 < 5 and the delay has not passed");
      clock.advance(60_000);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q).slice(5), ["6"]);
    } finally {
      await q.stop();
    }
  });

  void it("picks up partitions added while the query runs, from their earliest offset", async () => {
    const topic = await kafka.createTopic(1);
    const q = await startMemory(reader(topic, { startingOffsets: "earliest" }).load());
    try {
      await produceValues(topic, 0, ["x"]);
      await q.processAllAvailable();
      await kafka.addPartitions(topic, 3);
      await produceValues(topic, 2, ["y1", "y2"]);
      await produceValues(topic, 1, ["z"]);
      await q.processAllAvailable();
      assert.deepEqual(valuesOf(q).sort(), ["x", "y1", "y2", "z"]);
      assert.deepEqual(q.lastProgress!.sources[0]!.endOffset, { [topic]: { "0": 1, "1": 1, "2": 2 } });
    } finally {
      await q.stop();
    }
  });

  void it("subscribePattern and assign", async () => {
    const prefix = `pat${queryNo}`;
    const t1 = await kafka.createTopic(1, { prefix });
    const t2 = await kafka.createTopic(2, { prefix });
    await produceValues(t1, 0, ["t1"]);
    await produceValues(t2, 1, ["t2"]);
    const base = spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("startingOffsets", "earliest");
    const q1 = await startMemory(base.option("subscribePattern", `${prefix}-.*`).load());
    const q2 = await startMemory(spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("startingOffsets", "earliest").option("assign", JSON.stringify({ [t2]: [1] })).load());
    try {
      await q1.processAllAvailable();
      await q2.processAllAvailable();
      assert.deepEqual(valuesOf(q1).sort(), ["t1", "t2"]);
      assert.deepEqual(valuesOf(q2), ["t2"]);
      assert.match(q1.lastProgress!.sources[0]!.description, /^KafkaV2\[SubscribePattern\[/);
    } finally {
      await q1.stop();
      await q2.stop();
    }
  });

  void it("failOnDataLoss=true: records deleted before they were read fail the query, naming the partition and offsets", async () => {
    const topic = await kafka.createTopic(1);
    const ckpt = checkpoint();
    await produceValues(topic, 0, ["0", "1", "2", "3", "4"]);
    const q1 = await startMemory(reader(topic, { startingOffsets: "earliest" }).load(), ckpt);
    await q1.processAllAvailable();
    await q1.stop();
    await produceValues(topic, 0, ["5", "6", "7", "8", "9"]);
    await kafka.deleteRecords(topic, 0, 8);
    const q2 = await startMemory(reader(topic).load(), ckpt);
    await assert.rejects(q2.processAllAvailable(), (e: Error) => {
      assert.match(e.message, new RegExp(`Cannot fetch offset 5 of ${topic}-0: the earliest available offset is 8, so offsets 5 to 7 were deleted or aged out`));
      assert.match(e.message, /failOnDataLoss/);
      return true;
    });
    await q2.stop();
    // failOnDataLoss=false: warn, skip the lost records and go on.
    const q3 = await startMemory(reader(topic, { failOnDataLoss: "false" }).load(), ckpt);
    try {
      await q3.processAllAvailable();
      assert.deepEqual(valuesOf(q3), ["8", "9"]);
    } finally {
      await q3.stop();
    }
  });

  void it("metadata asked for a topic deleted since it was listed leaves that topic out (no failure)", async () => {
    const kept = await kafka.createTopic(2);
    const gone = await kafka.createTopic(1);
    const reader = new KafkaReader({ bootstrapServers: [kafka.bootstrap], settings: {} }, "sluice-test-describe");
    try {
      assert.ok((await reader.listTopics()).includes(gone));
      await kafka.deleteTopic(gone);
      const topics = await reader.describe([kept, gone]);
      assert.deepEqual([...topics.keys()], [kept]);
      assert.equal(topics.get(kept)!.partitions, 2);
      assert.equal((await reader.describe([gone])).size, 0);
    } finally {
      await reader.close();
    }
  });

  void it("a deleted topic follows failOnDataLoss", async () => {
    const t1 = await kafka.createTopic(1);
    const t2 = await kafka.createTopic(1);
    const open = async (fail: boolean): Promise<StreamingQuery> => startMemory(reader(`${t1},${t2}`, { startingOffsets: "earliest", failOnDataLoss: String(fail) }).load());
    await produceValues(t1, 0, ["a"]);
    await produceValues(t2, 0, ["b"]);
    const strict = await open(true), lenient = await open(false);
    await strict.processAllAvailable();
    await lenient.processAllAvailable();
    await kafka.deleteTopic(t1);
    await produceValues(t2, 0, ["c"]);
    await assert.rejects(strict.processAllAvailable(), new RegExp(`${t1}-0 is gone \\(its topic or partition was deleted\\) after offset 1`));
    await strict.stop();
    try {
      await lenient.processAllAvailable();
      assert.deepEqual(valuesOf(lenient).sort(), ["a", "b", "c"]);
      assert.deepEqual(lenient.lastProgress!.sources[0]!.endOffset, { [t2]: { "0": 2 } });
    } finally {
      await lenient.stop();
    }
  });

  void it("restart from the checkpoint re-reads exactly the planned, uncommitted range", async () => {
    const topic = await kafka.createTopic(2);
    const ckpt = checkpoint();
    await produceValues(topic, 0, ["before"]);
    // Batch 0 starts at "latest": the resolved start is saved in the checkpoint, so a re-run of
    // batch 0 reads the same range even though more data has arrived since.
    const q1 = await startMemory(reader(topic, { maxOffsetsPerTrigger: 4 }).load(), ckpt);
    await q1.processAllAvailable();
    await produceValues(topic, 0, ["a1", "a2"]);
    await produceValues(topic, 1, ["b1", "b2"]);
    await q1.processAllAvailable();
    await produceValues(topic, 0, ["a3", "a4", "a5"]);
    await q1.processAllAvailable();
    await q1.stop();
    const planned = dataBatches(q1);
    assert.deepEqual(planned.map((b) => b.rows), [4, 3]);
    // The process "crashed" after batch 1 was planned and written to the sink, before its commit.
    const last = Math.max(...fs.readdirSync(path.join(ckpt, "commits")).filter((n) => /^\d+$/.test(n)).map(Number));
    fs.rmSync(path.join(ckpt, "commits", String(last)));
    await produceValues(topic, 1, ["b3"]);
    const q2 = await startMemory(reader(topic, { maxOffsetsPerTrigger: 4 }).load(), ckpt);
    try {
      await q2.processAllAvailable();
      const again = dataBatches(q2);
      assert.deepEqual(again[0], planned[1], "the re-run covers exactly the planned offsets");
      assert.deepEqual(valuesOf(q2), ["a3", "a4", "a5", "b3"]);
    } finally {
      await q2.stop();
    }
    // Batch 0 itself: remove every commit, the re-run reads (saved start, offsets/0].
    for (const n of fs.readdirSync(path.join(ckpt, "commits"))) fs.rmSync(path.join(ckpt, "commits", n));
    for (const n of fs.readdirSync(path.join(ckpt, "offsets"))) if (n !== "0") fs.rmSync(path.join(ckpt, "offsets", n));
    const q3 = await startMemory(reader(topic, { maxOffsetsPerTrigger: 4 }).load(), ckpt);
    try {
      await q3.processAllAvailable();
      assert.deepEqual(dataBatches(q3)[0], planned[0]);
      assert.deepEqual(valuesOf(q3).slice(0, 4).sort(), ["a1", "a2", "b1", "b2"]);
    } finally {
      await q3.stop();
    }
  });

  void it("includeHeaders, LogAppendTime topics and the from_json idiom", async () => {
    const topic = await kafka.createTopic(1, { logAppendTime: true });
    const t0 = Date.now();
    await kafka.produce([
      { topic, partition: 0, value: JSON.stringify({ id: 1, name: "ann" }), headers: [["trace", "t-1"], ["x", "y"]], timestamp: 5 },
      { topic, partition: 0, value: JSON.stringify({ id: 2, name: "bob" }) },
    ]);
    const df = reader(topic, { startingOffsets: "earliest", includeHeaders: "true" }).load();
    assert.equal(df.schema.fields[7]!.name, "headers");
    const parsed = df.select(from_json(col("value").cast("string"), "id INT, name STRING").alias("v"), col("headers"), col("timestamp"), col("timestampType")).select("v.id", "v.name", "headers", "timestamp", "timestampType");
    const q = await startMemory(parsed);
    try {
      await q.processAllAvailable();
      const rows = rowsOf(q);
      assert.deepEqual(rows.map((r) => [r["id"], r["name"], r["timestampType"]]), [[1, "ann", 1], [2, "bob", 1]]);
      const headers = rows[0]!["headers"] as { key: string; value: Uint8Array }[];
      assert.deepEqual(headers.map((h) => [h.key, text(h.value)]), [["trace", "t-1"], ["x", "y"]]);
      assert.deepEqual(rows[1]!["headers"], []);
      // LogAppendTime: the broker's clock, not the producer's timestamp 5.
      assert.ok((rows[0]!["timestamp"] as Date).getTime() >= t0 - 60_000);
    } finally {
      await q.stop();
    }
  });

  void it("batch read between startingOffsets and endingOffsets, with minPartitions", async () => {
    const topic = await kafka.createTopic(2);
    await produceValues(topic, 0, Array.from({ length: 20 }, (_, i) => `a${i}`));
    await produceValues(topic, 1, ["b0", "b1", "b2"]);
    const rows = await spark.read.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("subscribe", topic)
      .option("startingOffsets", JSON.stringify({ [topic]: { "0": 5, "1": -2 } }))
      .option("endingOffsets", JSON.stringify({ [topic]: { "0": 15, "1": -1 } }))
      .option("minPartitions", 5)
      .load().select(col("value").cast("string").alias("v"), "partition", "offset").collect();
    assert.deepEqual(rows.map((r) => r["v"]).sort(), [...Array.from({ length: 10 }, (_, i) => `a${i + 5}`), "b0", "b1", "b2"].sort());
    const all = await spark.read.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("subscribe", topic).load().count();
    assert.equal(all, 23);
  });
});
