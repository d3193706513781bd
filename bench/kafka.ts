/**
 * `npx tsx bench/kafka.ts [--rows N] [--runs N]` (or against a real broker:
 * `KAFKA_BOOTSTRAP_SERVERS=host:9092 npx tsx bench/kafka.ts`)
 *
 * Kafka row conversion: the same records read, in the same process run, by
 *  - raw: the client alone (@platformatic/kafka Consumer.fetch over the whole partition, touching
 *    every record's key, value, offset and timestamp: the practical limit of this client), and
 *  - sluice: the Kafka source's read path (offset checks, the same fetches, and conversion of
 *    record batches into Sluice columnar batches).
 * Also reported: the conversion alone (record batches already in memory → columnar batches).
 * Each variant runs once to warm up, then `--runs` times; the median is reported.
 */
import { Admin, Consumer, Producer, type RecordsBatch } from "@platformatic/kafka";
import { KafkaReadPlanner } from "../src/connectors/kafka/kafka-source.js";
import { parseSourceOptions } from "../src/connectors/kafka/kafka-options.js";
import { recordsToBatch } from "../src/connectors/kafka/kafka-rows.js";
import { KafkaTestBroker } from "../test/support/kafka-test-broker/kafka-test-broker.js";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const ROWS = arg("--rows", 200_000);
const RUNS = arg("--runs", 5);

const real = process.env["KAFKA_BOOTSTRAP_SERVERS"] ?? null;
const broker = real === null ? await KafkaTestBroker.start() : null;
const bootstrap = real ?? broker!.bootstrap;
const topic = `sluice-bench-${Date.now().toString(36)}`;
const admin = new Admin({ clientId: "bench", bootstrapBrokers: bootstrap.split(",") });
await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
const producer = new Producer({ clientId: "bench", bootstrapBrokers: bootstrap.split(","), idempotent: true });
const CHUNK = 2000;
for (let i = 0; i < ROWS; i += CHUNK) {
  const messages = [];
  for (let j = i; j < Math.min(ROWS, i + CHUNK); j++) {
    messages.push({ topic, partition: 0, key: Buffer.from(`key-${j % 1000}`), value: Buffer.from(`{"id":${j},"name":"user${j % 97}","amount":${(j * 7) % 1000}}`), timestamp: BigInt(1_700_000_000_000 + j) });
  }
  await producer.send({ messages });
}
await producer.close();

const consumer = new Consumer({ clientId: "bench-raw", groupId: "bench-raw", bootstrapBrokers: bootstrap.split(",") });
const md = await consumer.metadata({ topics: [topic] });
const topicId = md.topics.get(topic)!.id;
const leader = md.topics.get(topic)!.partitions[0]!.leader;

/** The client alone: fetch every batch of the partition and touch every record. */
async function raw(): Promise<{ rows: number; batches: RecordsBatch[] }> {
  let offset = 0n, rows = 0, bytes = 0, ts = 0n;
  const all: RecordsBatch[] = [];
  while (offset < BigInt(ROWS)) {
    const res = await consumer.fetch({ node: leader, maxWaitTime: 0, minBytes: 0, topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }] });
    for (const b of res.responses[0]!.partitions[0]!.records ?? []) {
      all.push(b);
      for (const r of b.records) {
        const o = b.firstOffset + BigInt(r.offsetDelta);
        if (o < offset) continue;
        rows++;
        bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
        ts += b.firstTimestamp + r.timestampDelta;
      }
      offset = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
    }
  }
  if (bytes === 0 || ts === 0n) throw new Error("nothing read");
  return { rows, batches: all };
}

const opts = parseSourceOptions({ "kafka.bootstrap.servers": bootstrap, assign: JSON.stringify({ [topic]: [0] }) }, false);
const planner = new KafkaReadPlanner(opts);
const whole = new Map([[`${topic}:0`, ROWS]]);

async function sluice(): Promise<number> {
  const batches = await planner.read(new Map([[`${topic}:0`, 0]]), whole);
  return batches.reduce((s, b) => s + b.numRows, 0);
}

async function time(fn: () => Promise<number> | number): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const rows = await fn();
  return { ms: performance.now() - t0, rows };
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { batches: inMemory } = await raw(); // warm-up, and the batches for the conversion-only run
await sluice();
const results: Record<string, number[]> = { raw: [], sluice: [], convert: [] };
for (let r = 0; r < RUNS; r++) {
  const a = await time(async () => (await raw()).rows);
  const b = await time(sluice);
  const c = await time(() => recordsToBatch(topic, 0, 0, ROWS, inMemory, false).numRows);
  if (a.rows !== ROWS || b.rows !== ROWS || c.rows !== ROWS) throw new Error(`row counts differ: ${a.rows} ${b.rows} ${c.rows}`);
  results["raw"]!.push(a.ms);
  results["sluice"]!.push(b.ms);
  results["convert"]!.push(c.ms);
}
const rate = (ms: number): number => Math.round(ROWS / (ms / 1000));
const rawRate = rate(median(results["raw"]!));
console.log(`Kafka source, ${ROWS} records (~50-byte JSON values) on ${real === null ? "the in-process test broker" : real}, median of ${RUNS}:`);
console.log(`  raw client fetch + touch records      ${rawRate.toLocaleString("en-US").padStart(12)} rows/s  1.00x`);
const sl = rate(median(results["sluice"]!));
console.log(`  Sluice source read (fetch + convert)  ${sl.toLocaleString("en-US").padStart(12)} rows/s  ${(sl / rawRate).toFixed(2)}x of raw`);
const cv = rate(median(results["convert"]!));
console.log(`  conversion alone (batches → columns)  ${cv.toLocaleString("en-US").padStart(12)} rows/s`);

await planner.reader.close();
await consumer.close();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.close();
await broker?.close();
