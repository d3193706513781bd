import { randomUUID } from "node:crypto";
import { Admin, Producer } from "@platformatic/kafka";
import { KafkaTestBroker } from "../../support/kafka-test-broker/kafka-test-broker.js";

/**
 * The Kafka the end-to-end suite runs against: the in-process test broker, or a real cluster when
 * KAFKA_BOOTSTRAP_SERVERS is set. Every operation goes through the real client's admin and
 * producer APIs, so the suite does the same thing in both cases; `broker` (in-process only) is
 * for assertions about which requests arrived.
 */
export interface KafkaCluster {
  readonly bootstrap: string;
  readonly broker: KafkaTestBroker | null;
  /** A new topic with a unique name. */
  createTopic(partitions: number, options?: { logAppendTime?: boolean; prefix?: string }): Promise<string>;
  addPartitions(topic: string, totalCount: number): Promise<void>;
  deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<void>;
  deleteTopic(topic: string): Promise<void>;
  produce(messages: { topic: string; partition: number; key?: string | null; value: string | null; headers?: [string, string][]; timestamp?: number }[]): Promise<void>;
  close(): Promise<void>;
}

export const REAL_BROKER = process.env["KAFKA_BOOTSTRAP_SERVERS"] ?? null;

export async function startKafka(): Promise<KafkaCluster> {
  const broker = REAL_BROKER === null ? await KafkaTestBroker.start() : null;
  const bootstrap = broker?.bootstrap ?? REAL_BROKER!;
  const brokers = bootstrap.split(",");
  const admin = new Admin({ clientId: "sluice-test-admin", bootstrapBrokers: brokers });
  const producer = new Producer({ clientId: "sluice-test-producer", bootstrapBrokers: brokers, idempotent: true });
  const created: string[] = [];
  const run = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  let n = 0;
  return {
    bootstrap,
    broker,
    async createTopic(partitions, options = {}) {
      const name = `${options.prefix ?? "sluice-test"}-${run}-${n++}`;
      await admin.createTopics({ topics: [name], partitions, replicas: 1, configs: options.logAppendTime ? [{ name: "message.timestamp.type", value: "LogAppendTime" }] : [] });
      created.push(name);
      return name;
    },
    async addPartitions(topic, totalCount) {
      await admin.createPartitions({ topics: [{ name: topic, count: totalCount }] });
      // The producer would map partitions it does not know yet onto the old ones (modulo).
      await eventually("the new partitions", async () => (await producer.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)!.partitionsCount === totalCount);
    },
    async deleteRecords(topic, partition, beforeOffset) {
      await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition, offset: BigInt(beforeOffset) }] }] });
    },
    async deleteTopic(topic) {
      await admin.deleteTopics({ topics: [topic] });
      created.splice(created.indexOf(topic), 1);
    },
    async produce(messages) {
      await producer.send({
        messages: messages.map((m) => ({
          topic: m.topic,
          partition: m.partition,
          key: m.key === undefined || m.key === null ? undefined : Buffer.from(m.key),
          value: (m.value === null ? null : Buffer.from(m.value)) as Buffer,
          headers: new Map((m.headers ?? []).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
          timestamp: m.timestamp === undefined ? undefined : BigInt(m.timestamp),
        })),
      });
    },
    async close() {
      if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await producer.close();
      await admin.close();
      await broker?.close();
    },
  };
}

/** Bounded polling for a condition that depends on the network (no fixed sleeps). */
export async function eventually(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
