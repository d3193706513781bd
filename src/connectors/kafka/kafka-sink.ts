import { Admin, Producer } from "@platformatic/kafka";
import type { RecordBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import { AnalysisError, IllegalArgumentError, StreamingError } from "../../errors/errors.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import { optionOf } from "../../streaming/stream-source-registry.js";
import { type DataType, type StructType, simpleString } from "../../types/data-type.js";
import { clientOptions, connectionError } from "./kafka-client.js";
import { type KafkaClientSettings, parseClientSettings } from "./kafka-options.js";

/** Where each column of the written DataFrame goes. */
interface SinkColumns {
  readonly value: number;
  readonly valueIsString: boolean;
  readonly key: number;
  readonly keyIsString: boolean;
  readonly topic: number;
  readonly partition: number;
  readonly headers: number;
}

const isStringOrBinary = (t: DataType): boolean => t.kind === "string" || t.kind === "binary";

/**
 * Checks the written schema as Spark's KafkaWriter does: `value` (string or binary) is required;
 * `key` (string or binary), `topic` (string), `partition` (int) and `headers`
 * (array<struct<key: string, value: binary>>) are optional; the `topic` option, when given,
 * overrides a topic column.
 */
export function sinkColumns(schema: StructType, topicOption: string | null): SinkColumns {
  const idx = (name: string): number => schema.fields.findIndex((f) => f.name.toLowerCase() === name);
  const type = (i: number): DataType => schema.fields[i]!.dataType;
  const value = idx("value");
  if (value < 0) throw new AnalysisError("KAFKA_MISSING_VALUE_COLUMN", `Required attribute 'value' not found in the data written to Kafka (columns: ${schema.fields.map((f) => f.name).join(", ")}). Add a string or binary column named 'value'.`);
  if (!isStringOrBinary(type(value))) throw new AnalysisError("KAFKA_INVALID_COLUMN_TYPE", `value attribute type must be a string or binary, got ${simpleString(type(value))}.`);
  const key = idx("key");
  if (key >= 0 && !isStringOrBinary(type(key))) throw new AnalysisError("KAFKA_INVALID_COLUMN_TYPE", `key attribute type must be a string or binary, got ${simpleString(type(key))}.`);
  const topic = idx("topic");
  if (topicOption === null) {
    if (topic < 0) throw new AnalysisError("KAFKA_MISSING_TOPIC", "topic option required when no 'topic' attribute is present. Use the topic option for setting a topic.");
    if (type(topic).kind !== "string") throw new AnalysisError("KAFKA_INVALID_COLUMN_TYPE", `topic attribute type must be a string, got ${simpleString(type(topic))}.`);
  }
  const partition = idx("partition");
  if (partition >= 0 && type(partition).kind !== "int") throw new AnalysisError("KAFKA_INVALID_COLUMN_TYPE", `partition attribute type must be an int, got ${simpleString(type(partition))}.`);
  const headers = idx("headers");
  if (headers >= 0) {
    const t = type(headers);
    const ok = t.kind === "array" && t.elementType.kind === "struct" && t.elementType.fields.length === 2 &&
      t.elementType.fields[0]!.name === "key" && t.elementType.fields[0]!.dataType.kind === "string" &&
      t.elementType.fields[1]!.name === "value" && t.elementType.fields[1]!.dataType.kind === "binary";
    if (!ok) throw new AnalysisError("KAFKA_INVALID_COLUMN_TYPE", `headers attribute type must be array<struct<key:string,value:binary>>, got ${simpleString(t)}.`);
  }
  return {
    value,
    valueIsString: type(value).kind === "string",
    key,
    keyIsString: key >= 0 && type(key).kind === "string",
    topic: topicOption === null ? topic : -1,
    partition,
    headers,
  };
}

const toBuffer = (v: unknown, isString: boolean): Buffer | null => {
  if (v === null || v === undefined) return null;
  if (isString) return Buffer.from(v as string, "utf8");
  const u = v as Uint8Array;
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
};

/** Bytes per send: well under Kafka's default 1 MB max.message.bytes for the record batch of one partition. */
const SEND_BYTES = 512 * 1024;

interface OutMessage {
  topic: string;
  value: Buffer | null;
  key?: Buffer;
  partition?: number;
  headers?: Map<Buffer, Buffer | null>;
}

/**
 * Writes rows to Kafka with an idempotent producer (one producer id per writer: retries inside
 * a send never duplicate records). Delivery is at-least-once across failures: a micro-batch
 * that is re-run after a crash is sent again.
 */
export class KafkaWriter {
  private readonly producer: Producer;
  private readonly cols: SinkColumns;
  private readonly servers: readonly string[];
  private readonly partitionCounts = new Map<string, number>();
  private admin: Admin | null = null;

  constructor(
    private readonly settings: KafkaClientSettings,
    schema: StructType,
    private readonly topicOption: string | null,
  ) {
    this.cols = sinkColumns(schema, topicOption);
    this.servers = settings.bootstrapServers;
    const opts = clientOptions(settings, "producer");
    // The client turns "retries" of an idempotent producer below 2 into "retry forever"; keep it bounded.
    opts["retries"] = Math.max(2, (opts["retries"] as number | undefined) ?? 5);
    this.producer = new Producer<Buffer, Buffer, Buffer, Buffer>(opts as ConstructorParameters<typeof Producer<Buffer, Buffer, Buffer, Buffer>>[0]);
  }

  /** Connects and checks the topic option's topic (so start() fails early on a bad server or topic). */
  async check(): Promise<void> {
    await this.partitionsOf(this.topicOption !== null ? [this.topicOption] : []);
  }

  private async partitionsOf(topics: readonly string[]): Promise<void> {
    const unknown = topics.filter((t) => !this.partitionCounts.has(t));
    if (unknown.length === 0 && topics.length > 0) return;
    let existing: Set<string>;
    try {
      this.admin ??= new Admin(clientOptions(this.settings, "admin"));
      existing = new Set(await this.admin.listTopics());
    } catch (e) {
      throw connectionError(this.servers, "listing topics", e);
    }
    for (const t of unknown) {
      if (!existing.has(t)) throw new StreamingError("KAFKA_UNKNOWN_TOPIC", `Kafka topic '${t}' does not exist on ${this.servers.join(",")}; create it first (or check the 'topic' option / topic column).`);
    }
    if (unknown.length === 0) return;
    let md;
    try {
      md = await this.producer.metadata({ topics: [...unknown], forceUpdate: true });
    } catch (e) {
      throw connectionError(this.servers, "producer metadata", e);
    }
    for (const t of unknown) {
      const info = md.topics.get(t);
      if (info) this.partitionCounts.set(t, info.partitionsCount);
    }
  }

  async write(batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>): Promise<number> {
    const c = this.cols;
    let rows = 0;
    let pending: OutMessage[] = [];
    let pendingBytes = 0;
    for await (const b of batches) {
      for (let i = 0; i < b.numRows; i++) {
        const topic = this.topicOption ?? (valueAt(b.columns[c.topic]!, i) as string | null);
        if (topic === null) throw new StreamingError("KAFKA_NULL_TOPIC", "null topic present in the data. Use the topic option for setting a topic.");
        const m: OutMessage = { topic, value: toBuffer(valueAt(b.columns[c.value]!, i), c.valueIsString) };
        let size = 64 + (m.value?.length ?? 0);
        if (c.key >= 0) {
          const k = toBuffer(valueAt(b.columns[c.key]!, i), c.keyIsString);
          if (k !== null) {
            m.key = k;
            size += k.length;
          }
        }
        if (c.partition >= 0) {
          const p = valueAt(b.columns[c.partition]!, i) as number | null;
          if (p !== null) m.partition = p;
        }
        if (c.headers >= 0) {
          const hs = valueAt(b.columns[c.headers]!, i) as [string, Uint8Array | null][] | null;
          if (hs !== null && hs.length > 0) {
            m.headers = new Map(hs.map(([hk, hv]) => [Buffer.from(hk, "utf8"), toBuffer(hv, false)]));
            for (const [hk, hv] of hs) size += hk.length + (hv?.length ?? 0);
          }
        }
        pending.push(m);
        pendingBytes += size;
        rows++;
        if (pendingBytes >= SEND_BYTES) {
          await this.send(pending);
          pending = [];
          pendingBytes = 0;
        }
      }
    }
    if (pending.length > 0) await this.send(pending);
    return rows;
  }

  private async send(messages: OutMessage[]): Promise<void> {
    const topics = [...new Set(messages.map((m) => m.topic))];
    await this.partitionsOf(topics);
    for (const t of topics) if (!this.partitionCounts.has(t)) throw new StreamingError("KAFKA_UNKNOWN_TOPIC", `Kafka topic '${t}' does not exist on ${this.servers.join(",")}; create it first (or check the 'topic' option / topic column).`);
    for (const m of messages) {
      if (m.partition === undefined) continue;
      let count = this.partitionCounts.get(m.topic)!;
      if (m.partition >= count) {
        // Partitions may have been added since the metadata was read.
        this.partitionCounts.delete(m.topic);
        await this.partitionsOf([m.topic]);
        count = this.partitionCounts.get(m.topic) ?? 0;
      }
      if (m.partition < 0 || m.partition >= count) throw new StreamingError("KAFKA_INVALID_PARTITION", `Partition ${m.partition} of topic '${m.topic}' does not exist (the topic has ${count} partitions).`);
    }
    try {
      await this.producer.send({ messages: messages as Parameters<Producer["send"]>[0]["messages"] });
    } catch (e) {
      throw connectionError(this.servers, "producing records", e);
    }
  }

  async close(): Promise<void> {
    await this.admin?.close().catch(() => undefined);
    await this.producer.close().catch(() => undefined);
  }
}

export function parseSinkOptions(options: Readonly<Record<string, string>>): { client: KafkaClientSettings; topic: string | null } {
  const client = parseClientSettings(options);
  const topic = optionOf(options, "topic") ?? null;
  if (topic !== null && topic.trim() === "") throw new IllegalArgumentError("KAFKA_INVALID_OPTION", "Invalid Kafka option 'topic': the topic name is empty.");
  return { client, topic };
}

/**
 * `writeStream.format("kafka")`: at-least-once. Each micro-batch is sent with an idempotent
 * producer, which makes the producer's own retries safe, but a batch that is re-run after a
 * failure (sent, not yet in `commits/N`) is sent again. Exactly-once would need a transactional
 * producer fenced by a transactional id derived from (query, batch id), with the commit of the
 * Kafka transaction tied to the commit log — Spark's Kafka sink does not do this either.
 */
export class KafkaSink implements Sink {
  readonly description: string;

  constructor(private readonly writer: KafkaWriter, topic: string | null) {
    this.description = `KafkaSink[${topic ?? "topic column"}]`;
  }

  async addBatch(_batchId: number, batches: readonly RecordBatch[], _mode: OutputMode): Promise<void> {
    await this.writer.write(batches);
  }

  async stop(): Promise<void> {
    await this.writer.close();
  }
}
