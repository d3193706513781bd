import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { DataFrame } from "../../../src/api/dataframe.js";
import { Session } from "../../../src/api/session.js";
import { col, expr, lit } from "../../../src/api/functions.js";
import type { StreamingQuery } from "../../../src/api/streaming-query.js";
import type { MemorySink } from "../../../src/connectors/memory/memory-sink.js";
import { batchSource } from "../../../src/connectors/source-registry.js";
import { AnalysisError } from "../../../src/errors/errors.js";
import { type KafkaCluster, REAL_BROKER, startKafka } from "./kafka-cluster.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-kafka-sink-"));
let kafka: KafkaCluster;
let n = 0;

before(async () => {
  kafka = await startKafka();
});
after(async () => {
  await kafka.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const text = (v: unknown): string | null => (v === null ? null : Buffer.from(v as Uint8Array).toString("utf8"));
const rowsOf = (q: StreamingQuery): Record<string, unknown>[] => (q.sink as MemorySink).allRows();

function readAll(topic: string, includeHeaders = false) {
  return spark.read.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("subscribe", topic).option("includeHeaders", includeHeaders).load();
}

void describe(`Kafka sink end to end (${REAL_BROKER === null ? "in-process test broker" : `real broker ${REAL_BROKER}`})`, () => {
  void it("writeStream: key, value, headers and partition columns, then read back by the source", async () => {
    const topic = await kafka.createTopic(3);
    const input = spark.memoryStream("id INT, name STRING");
    const out = input.toDF().select(
      col("name").alias("key"),
      expr("to_json(named_struct('id', id, 'name', name))").alias("value"),
      expr("array(named_struct('key', 'id', 'value', cast(cast(id AS STRING) AS BINARY)))").alias("headers"),
      expr("id % 3").cast("int").alias("partition"),
    );
    const q = await out.writeStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("topic", topic).option("checkpointLocation", path.join(root, `w${n++}`)).start();
    const back = await spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("subscribe", topic).option("startingOffsets", "earliest").option("includeHeaders", "true").load()
      .writeStream.format("memory").queryName(`kafka_back${n++}`).option("checkpointLocation", path.join(root, `r${n++}`)).start();
    try {
      input.addData([{ id: 1, name: "ann" }, { id: 2, name: "bob" }]);
      await q.processAllAvailable();
      input.addData([{ id: 3, name: "cy" }]);
      await q.processAllAvailable();
      await back.processAllAvailable();
      const rows = rowsOf(back).map((r) => ({
        key: text(r["key"]),
        value: text(r["value"]),
        partition: r["partition"],
        headers: (r["headers"] as { key: string; value: Uint8Array }[]).map((h) => `${h.key}=${text(h.value)}`),
      }));
      rows.sort((a, b) => (a.partition as number) - (b.partition as number));
      assert.deepEqual(rows, [
        { key: "cy", value: `{"id":3,"name":"cy"}`, partition: 0, headers: ["id=3"] },
        { key: "ann", value: `{"id":1,"name":"ann"}`, partition: 1, headers: ["id=1"] },
        { key: "bob", value: `{"id":2,"name":"bob"}`, partition: 2, headers: ["id=2"] },
      ]);
    } finally {
      await q.stop();
      await back.stop();
    }
  });

  void it("a topic column routes rows; the topic option overrides it; binary values pass unchanged", async () => {
    const t1 = await kafka.createTopic(1), t2 = await kafka.createTopic(1), t3 = await kafka.createTopic(1);
    const input = spark.memoryStream("t STRING, v STRING");
    const df = input.toDF().select(col("t").alias("topic"), col("v").cast("binary").alias("value"));
    const q = await df.writeStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("checkpointLocation", path.join(root, `w${n++}`)).start();
    const q2 = await df.writeStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("topic", t3).option("checkpointLocation", path.join(root, `w${n++}`)).start();
    try {
      input.addData([{ t: t1, v: "one" }, { t: t2, v: "two" }, { t: t1, v: "uno" }]);
      await q.processAllAvailable();
      await q2.processAllAvailable();
    } finally {
      await q.stop();
      await q2.stop();
    }
    const values = async (t: string): Promise<string[]> => (await readAll(t).select(col("value").cast("string").alias("v")).collect()).map((r) => r["v"] as string);
    assert.deepEqual(await values(t1), ["one", "uno"]);
    assert.deepEqual(await values(t2), ["two"]);
    assert.deepEqual(await values(t3), ["one", "two", "uno"]);
  });

  void it("df.write.format('kafka') (batch) appends; the batch reader reads it back", async () => {
    const topic = await kafka.createTopic(2);
    const df = spark.createDataFrame([{ k: "a", v: "1" }, { k: "b", v: "2" }, { k: null, v: null }], "k STRING, v STRING").select(col("k").alias("key"), col("v").alias("value"), lit(1).alias("partition"));
    // DataFrameWriter.save() still insists on a path for every format (see the report); the
    // registered provider is what save() calls.
    const res = await batchSource("kafka").write!("", "append", [], { "kafka.bootstrap.servers": kafka.bootstrap, topic }, df.schema, (async function* () {
      yield* await df.collectBatches();
    })(), "UTC");
    assert.equal(res.rows, 3);
    const rows = await readAll(topic).select(col("key").cast("string").alias("k"), col("value").cast("string").alias("v"), "partition", "offset").collect();
    assert.deepEqual(rows, [{ k: "a", v: "1", partition: 1, offset: 0 }, { k: "b", v: "2", partition: 1, offset: 1 }, { k: null, v: null, partition: 1, offset: 2 }]);
    await assert.rejects(
      batchSource("kafka").write!("", "overwrite", [], { "kafka.bootstrap.servers": kafka.bootstrap, topic }, df.schema, (async function* () {})(), "UTC"),
      /Save mode overwrite is not allowed for Kafka. Allowed save modes are append and errorifexists/,
    );
  });

  void it("schema errors name the column, at start()", async () => {
    const input = spark.memoryStream("id INT, name STRING");
    const start = (df: DataFrame, topic: string | null = "t") => {
      let w = df.writeStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("checkpointLocation", path.join(root, `w${n++}`));
      if (topic !== null) w = w.option("topic", topic);
      return w.start();
    };
    await assert.rejects(start(input.toDF().select(col("name"))), (e: Error) => e instanceof AnalysisError && /Required attribute 'value' not found/.test(e.message) && /columns: name/.test(e.message));
    await assert.rejects(start(input.toDF().select(col("id").alias("value"))), /value attribute type must be a string or binary, got int/);
    await assert.rejects(start(input.toDF().select(col("name").alias("value")), null), /topic option required when no 'topic' attribute is present/);
    await assert.rejects(start(input.toDF().select(col("name").alias("value"), col("name").alias("partition"))), /partition attribute type must be an int, got string/);
    const missing = `missing-${Date.now()}`;
    await assert.rejects(start(input.toDF().select(col("name").alias("value")), missing), new RegExp(`Kafka topic '${missing}' does not exist on ${kafka.bootstrap.replace(/\./g, "\\.")}`));
  });

  void it("an unreachable bootstrap server fails start() with its address (the sink, and the source through Source.open)", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const dead = `127.0.0.1:${port}`;
    const input = spark.memoryStream("v STRING");
    await assert.rejects(
      input.toDF().select(col("v").alias("value")).writeStream.format("kafka").option("kafka.bootstrap.servers", dead).option("kafka.retries", 0).option("kafka.retry.backoff.ms", 10).option("topic", "t").option("checkpointLocation", path.join(root, `w${n++}`)).start(),
      new RegExp(`failed against ${dead}: .*Connection to ${dead} failed.*kafka\\.bootstrap\\.servers`),
    );
    const name = `dead${n++}`;
    await assert.rejects(
      spark.readStream.format("kafka").option("kafka.bootstrap.servers", dead).option("subscribe", "t").option("fetchOffset.numRetries", 0).load()
        .writeStream.format("memory").queryName(name).option("checkpointLocation", path.join(root, `r${n++}`)).start(),
      new RegExp(`Kafka listing topics failed against ${dead}: .*Connection to ${dead} failed`),
    );
    assert.equal(spark.streams.active.some((q) => q.name === name), false, "the failed query is not left running");
  });

  void it("in-process only: the idempotent producer's retry after a lost response writes no duplicate; no consumer-group API is ever used", { skip: REAL_BROKER !== null && "needs the in-process broker" }, async () => {
    const broker = kafka.broker!;
    const topic = await kafka.createTopic(1);
    const input = spark.memoryStream("v STRING");
    const q = await input.toDF().select(col("v").alias("value")).writeStream.format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap).option("kafka.retry.backoff.ms", 10).option("topic", topic).option("checkpointLocation", path.join(root, `w${n++}`)).start();
    try {
      input.addData([{ v: "a" }, { v: "b" }]);
      broker.dropProduceResponses = 1; // appended, but the connection dies before the answer
      await q.processAllAvailable();
    } finally {
      await q.stop();
    }
    assert.equal(broker.dropProduceResponses, 0);
    assert.deepEqual((await readAll(topic).select(col("value").cast("string").alias("v")).collect()).map((r) => r["v"]), ["a", "b"]);
    assert.deepEqual(broker.unsupportedRequests, []);
    for (const api of ["OffsetCommit", "JoinGroup", "SyncGroup", "FindCoordinator", "Heartbeat", "OffsetFetch"]) assert.equal(broker.requestCounts.get(api), undefined, api);
    assert.ok((broker.requestCounts.get("Fetch") ?? 0) > 0);
  });
});
