import type { JsonValue } from "../../checkpoint/offset-log.js";
import { IllegalArgumentError } from "../../errors/errors.js";

/**
 * Offset planning for the Kafka source: pure functions over observed facts (the broker's
 * earliest and latest offsets), so each decision is tested without a broker.
 *
 * A partition is keyed `topic:partition` (Kafka topic names cannot contain ':'). Offsets are
 * JS numbers: Kafka offsets are int64, but a partition would need 2^53 records to leave the
 * safe range; the parsers refuse anything beyond it.
 */
export type PartitionOffsets = ReadonlyMap<string, number>;

export const LATEST = -1;
export const EARLIEST = -2;

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function splitKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf(":");
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** Spark's spelling of `topic-partition` in messages. */
export function tpName(key: string): string {
  const { topic, partition } = splitKey(key);
  return `${topic}-${partition}`;
}

export type OffsetSpec =
  | { readonly kind: "earliest" }
  | { readonly kind: "latest" }
  | { readonly kind: "json"; readonly offsets: readonly { topic: string; partition: number; offset: number }[] };

export type TimestampSpec = {
  readonly kind: "timestamp";
  /** One timestamp for every partition (startingTimestamp), or null. */
  readonly global: number | null;
  readonly perPartition: readonly { topic: string; partition: number; timestamp: number }[] | null;
};

function parseJsonObject(option: string, text: string, example: string): Record<string, Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': expected 'earliest', 'latest' or JSON such as ${example}, got '${text}'.`);
  }
  const ok = typeof json === "object" && json !== null && !Array.isArray(json) && Object.values(json).every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
  if (!ok) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': expected JSON such as ${example}, got '${text}'.`);
  return json as Record<string, Record<string, unknown>>;
}

export function parseOffsetSpec(option: string, text: string): OffsetSpec {
  const t = text.trim().toLowerCase();
  if (t === "earliest") return { kind: "earliest" };
  if (t === "latest") return { kind: "latest" };
  const json = parseJsonObject(option, text, `{"topicA":{"0":23,"1":-2}}`);
  const offsets: { topic: string; partition: number; offset: number }[] = [];
  for (const [topic, parts] of Object.entries(json)) {
    for (const [p, o] of Object.entries(parts)) {
      const partition = Number(p);
      if (!Number.isInteger(partition) || partition < 0) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': partition '${p}' of topic '${topic}' is not a non-negative integer.`);
      if (typeof o !== "number" || !Number.isSafeInteger(o) || o < EARLIEST) {
        throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': the offset of ${topic}-${partition} must be an integer >= 0, or -2 (earliest) or -1 (latest); got ${JSON.stringify(o)}.`);
      }
      offsets.push({ topic, partition, offset: o });
    }
  }
  return { kind: "json", offsets };
}

export function parseTimestampSpec(option: string, text: string): TimestampSpec {
  const json = parseJsonObject(option, text, `{"topicA":{"0":1700000000000}}`);
  const perPartition: { topic: string; partition: number; timestamp: number }[] = [];
  for (const [topic, parts] of Object.entries(json)) {
    for (const [p, ts] of Object.entries(parts)) {
      const partition = Number(p);
      if (!Number.isInteger(partition) || partition < 0 || typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
        throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': expected {"topic":{"<partition>":<milliseconds since the epoch>}}, got ${JSON.stringify({ [topic]: { [p]: ts } })}.`);
      }
      perPartition.push({ topic, partition, timestamp: ts });
    }
  }
  return { kind: "timestamp", global: null, perPartition };
}

/** The checkpoint form, as Spark writes it: {"topic":{"0":23}} with topics and partitions sorted. */
export function offsetsToJson(offsets: PartitionOffsets): JsonValue {
  const byTopic = new Map<string, [number, number][]>();
  for (const [k, o] of offsets) {
    const { topic, partition } = splitKey(k);
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push([partition, o]);
  }
  const out: Record<string, Record<string, number>> = {};
  for (const topic of [...byTopic.keys()].sort()) {
    const parts: Record<string, number> = {};
    // Integer-like keys iterate in ascending order, so the JSON text is canonical.
    for (const [p, o] of byTopic.get(topic)!.sort((a, b) => a[0] - b[0])) parts[String(p)] = o;
    out[topic] = parts;
  }
  return out;
}

export function offsetsFromJson(json: JsonValue): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`Kafka source offsets must be a JSON object, got ${JSON.stringify(json)}.`);
  for (const [topic, parts] of Object.entries(json)) {
    if (typeof parts !== "object" || parts === null || Array.isArray(parts)) throw new Error(`Kafka source offsets of topic ${topic} must be a JSON object, got ${JSON.stringify(parts)}.`);
    for (const [p, o] of Object.entries(parts)) out.set(tpKey(topic, Number(p)), Number(o));
  }
  return out;
}

/**
 * maxOffsetsPerTrigger (Spark's KafkaMicroBatchStream.rateLimit): each partition gets a share of
 * `limit` proportional to its backlog `until - from`; a share below one record is rounded up so
 * small partitions are not starved, larger shares are rounded down. Partitions not in `from`
 * (new ones) start at `fromNew`.
 */
export function rateLimit(limit: number, from: PartitionOffsets, until: PartitionOffsets, fromNew: PartitionOffsets = new Map()): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [k, end] of until) {
    const begin = from.get(k) ?? fromNew.get(k);
    if (begin === undefined) continue;
    const size = end - begin;
    if (size > 0) sizes.set(k, size);
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  if (total < 1) return new Map(until);
  const out = new Map<string, number>();
  for (const [k, end] of until) {
    const size = sizes.get(k);
    if (size === undefined) {
      out.set(k, end);
      continue;
    }
    const begin = from.get(k) ?? fromNew.get(k)!;
    const prorate = limit * (size / total);
    const share = prorate < 1 ? Math.ceil(prorate) : Math.floor(prorate);
    out.set(k, Math.min(end, begin + share));
  }
  return out;
}

/** How many records lie between `from` and `until` (partitions missing in `from` count from `fromNew`, else 0). */
export function backlog(from: PartitionOffsets, until: PartitionOffsets, fromNew: PartitionOffsets = new Map()): number {
  let n = 0;
  for (const [k, end] of until) n += Math.max(0, end - (from.get(k) ?? fromNew.get(k) ?? 0));
  return n;
}

/**
 * minOffsetsPerTrigger + maxTriggerDelay: run a batch when enough records are available, or when
 * the last batch is older than the delay (Spark's KafkaMicroBatchStream.delayBatch, inverted).
 */
export function shouldTrigger(available: number, minOffsets: number, nowMs: number, lastTriggerMs: number, maxDelayMs: number): boolean {
  return available >= minOffsets || nowMs - lastTriggerMs >= maxDelayMs;
}

export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read. */
  readonly from: number;
  /** One past the last offset to read. */
  readonly until: number;
}

/**
 * minPartitions (Spark's KafkaOffsetRangeCalculator): when there are fewer ranges than
 * `minPartitions`, split each range into parts in proportion to its size (at least one part),
 * keeping the parts of a range contiguous and in order. Empty ranges are dropped.
 */
export function splitRanges(ranges: readonly OffsetRange[], minPartitions: number | null): OffsetRange[] {
  const nonEmpty = ranges.filter((r) => r.until > r.from);
  if (minPartitions === null || nonEmpty.length >= minPartitions) return nonEmpty;
  const total = nonEmpty.reduce((s, r) => s + (r.until - r.from), 0);
  const out: OffsetRange[] = [];
  for (const r of nonEmpty) {
    const size = r.until - r.from;
    const parts = Math.max(1, Math.round((size / total) * minPartitions));
    for (let i = 0; i < parts; i++) {
      const from = r.from + Math.floor((size * i) / parts);
      const until = r.from + Math.floor((size * (i + 1)) / parts);
      if (until > from) out.push({ topic: r.topic, partition: r.partition, from, until });
    }
  }
  return out;
}
