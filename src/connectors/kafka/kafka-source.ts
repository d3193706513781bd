import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { writeFileAtomic } from "../../checkpoint/atomic-file.js";
import type { JsonValue } from "../../checkpoint/offset-log.js";
import { IllegalArgumentError, StreamingError } from "../../errors/errors.js";
import type { Clock } from "../../streaming/clock.js";
import { type Offset, ReadLimit, type Source, type SourceContext } from "../../streaming/source.js";
import { type StructType, structType } from "../../types/data-type.js";
import { KafkaReader, type PartitionFetch, type TopicInfo } from "./kafka-client.js";
import {
  type OffsetRange,
  type OffsetSpec,
  type PartitionOffsets,
  type TimestampSpec,
  backlog,
  offsetsFromJson,
  offsetsToJson,
  rateLimit,
  shouldTrigger,
  splitKey,
  splitRanges,
  tpKey,
  tpName,
} from "./kafka-offsets.js";
import type { KafkaSourceOptions, Subscription } from "./kafka-options.js";
import { kafkaSchema, recordsToBatch } from "./kafka-rows.js";

/** Before the first batch the source has no offsets yet: they are resolved (and saved) on first use. */
const INITIAL = "initial";
const INITIAL_OFFSETS_FILE = "initial-offsets.json";

export function describeSubscription(s: Subscription): string {
  switch (s.kind) {
    case "subscribe": return `Subscribe[${s.topics.join(",")}]`;
    case "subscribePattern": return `SubscribePattern[${s.pattern.source.slice(4, -2)}]`;
    case "assign": return `Assign[${s.partitions.map((p) => `${p.topic}-${p.partition}`).join(", ")}]`;
  }
}

const DATA_LOSS_HINT =
  `Some data may have been lost because they are not available in Kafka any more; either the data was aged out by Kafka or the topic may have been deleted before all the data in the topic was processed. ` +
  `If you don't want your streaming query to fail on such cases, set the source option "failOnDataLoss" to "false".`;

/**
 * What a Kafka read does, shared by the streaming source and batch reads: discovering the
 * partitions of a subscription, resolving offset bounds, checking ranges for data loss, fetching
 * and converting records.
 */
export class KafkaReadPlanner {
  readonly reader: KafkaReader;

  constructor(readonly opts: KafkaSourceOptions) {
    this.reader = new KafkaReader(opts.client, `${opts.groupIdPrefix}-${randomUUID()}-driver-0`, opts.fetchRetries, opts.fetchRetryMs);
  }

  /** The partitions the subscription covers now, with fresh metadata of their topics. */
  async discover(): Promise<{ partitions: string[]; topics: Map<string, TopicInfo> }> {
    const s = this.opts.subscription;
    let names: string[];
    if (s.kind === "subscribePattern") names = (await this.reader.listTopics()).filter((t) => s.pattern.test(t));
    else {
      const wanted = s.kind === "subscribe" ? s.topics : [...new Set(s.partitions.map((p) => p.topic))];
      const existing = new Set(await this.reader.listTopics());
      names = wanted.filter((t) => existing.has(t));
    }
    const topics = await this.reader.describe(names);
    const partitions: string[] = [];
    if (s.kind === "assign") {
      for (const p of s.partitions) if (p.partition < (topics.get(p.topic)?.partitions ?? 0)) partitions.push(tpKey(p.topic, p.partition));
    } else {
      for (const [t, info] of topics) for (let p = 0; p < info.partitions; p++) partitions.push(tpKey(t, p));
    }
    return { partitions, topics };
  }

  private async list(keys: readonly string[], timestamp: bigint): Promise<Map<string, number>> {
    return this.reader.listOffsets(keys.map(splitKey), timestamp);
  }

  /** Offsets for a starting or ending bound over `partitions`. */
  async resolve(spec: OffsetSpec | TimestampSpec, partitions: readonly string[], which: "starting" | "ending"): Promise<Map<string, number>> {
    switch (spec.kind) {
      case "earliest": return this.list(partitions, -2n);
      case "latest": return this.list(partitions, -1n);
      case "json": {
        const given = new Map(spec.offsets.map((o) => [tpKey(o.topic, o.partition), o.offset]));
        const missing = partitions.filter((k) => !given.has(k));
        const extra = [...given.keys()].filter((k) => !partitions.includes(k));
        if (missing.length > 0 || extra.length > 0) {
          throw new IllegalArgumentError(
            "KAFKA_INVALID_OPTION",
            `Invalid Kafka option '${which}Offsets': JSON offsets must name every topic partition of the subscription (use -2 for earliest, -1 for latest). ` +
              `Not specified: [${missing.map(tpName).join(", ")}]; not in the subscription: [${extra.map(tpName).join(", ")}].`,
          );
        }
        const earliest = await this.list([...given].filter(([, o]) => o === -2).map(([k]) => k), -2n);
        const latest = await this.list([...given].filter(([, o]) => o === -1).map(([k]) => k), -1n);
        return new Map([...given].map(([k, o]) => [k, o === -2 ? earliest.get(k)! : o === -1 ? latest.get(k)! : o]));
      }
      case "timestamp": {
        const wanted = new Map<string, number>();
        if (spec.global !== null) for (const k of partitions) wanted.set(k, spec.global);
        else {
          for (const p of spec.perPartition ?? []) wanted.set(tpKey(p.topic, p.partition), p.timestamp);
          const missing = partitions.filter((k) => !wanted.has(k));
          if (missing.length > 0) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${which}OffsetsByTimestamp': no timestamp for [${missing.map(tpName).join(", ")}]; name every topic partition of the subscription.`);
        }
        const out = new Map<string, number>();
        const latest = await this.list([...wanted.keys()], -1n);
        for (const ts of new Set(wanted.values())) {
          const keys = [...wanted].filter(([, t]) => t === ts).map(([k]) => k);
          const found = await this.list(keys, BigInt(ts));
          for (const k of keys) {
            const o = found.get(k) ?? -1;
            if (o >= 0) out.set(k, o);
            else if (which === "ending" || this.opts.timestampStrategy === "latest") out.set(k, latest.get(k)!);
            else {
              throw new StreamingError(
                "KAFKA_NO_OFFSET_FOR_TIMESTAMP",
                `No offset of ${tpName(k)} has a timestamp at or after ${ts} (${new Date(ts).toISOString()}). Set the source option startingOffsetsByTimestampStrategy to "latest" to start at the latest offset instead.`,
              );
            }
          }
        }
        return out;
      }
    }
  }

  reportDataLoss(message: string): void {
    if (this.opts.failOnDataLoss) throw new StreamingError("KAFKA_DATA_LOSS", `${message} ${DATA_LOSS_HINT}`);
    process.emitWarning(`${message} Skipping it because failOnDataLoss is false.`);
  }

  /**
   * Reads (start, end] as offset ranges: partitions of `start` missing from `end` are gone;
   * partitions new in `end` start at offset 0; each range is checked against the broker's
   * current log (deleted records, deleted topics, truncated logs) before and while fetching.
   */
  async read(start: PartitionOffsets, end: PartitionOffsets): Promise<RecordBatch[]> {
    for (const k of start.keys()) if (!end.has(k)) this.reportDataLoss(`${tpName(k)} is gone (its topic or partition was deleted) after offset ${start.get(k)}.`);
    const wanted: OffsetRange[] = [];
    for (const [k, until] of end) {
      const from = start.get(k) ?? 0;
      const { topic, partition } = splitKey(k);
      if (until < from) {
        this.reportDataLoss(`The offset of ${tpName(k)} went back from ${from} to ${until} (was the topic re-created?); records may have been missed.`);
        continue;
      }
      if (until > from) wanted.push({ topic, partition, from, until });
    }
    if (wanted.length === 0) return [];
    const topics = await this.reader.describe([...new Set(wanted.map((r) => r.topic))]);
    const present = wanted.filter((r) => r.partition < (topics.get(r.topic)?.partitions ?? 0));
    for (const r of wanted) if (!present.includes(r)) this.reportDataLoss(`${r.topic}-${r.partition} no longer exists; offsets ${r.from} to ${r.until - 1} cannot be read.`);
    const keys = present.map((r) => tpKey(r.topic, r.partition));
    const earliest = await this.list(keys, -2n);
    const latest = await this.list(keys, -1n);
    const ranges: OffsetRange[] = [];
    for (const r of present) {
      const k = tpKey(r.topic, r.partition);
      let { from, until } = r;
      const first = earliest.get(k)!, last = latest.get(k)!;
      if (from < first) {
        this.reportDataLoss(`Cannot fetch offset ${from} of ${tpName(k)}: the earliest available offset is ${first}, so offsets ${from} to ${Math.min(first, until) - 1} were deleted or aged out.`);
        from = Math.min(first, until);
      }
      if (until > last) {
        this.reportDataLoss(`Cannot fetch up to offset ${until - 1} of ${tpName(k)}: the log now ends at offset ${last}.`);
        until = Math.max(from, last);
      }
      if (until > from) ranges.push({ topic: r.topic, partition: r.partition, from, until });
    }
    const fetches: PartitionFetch[] = ranges.map((r) => ({ topic: r.topic, partition: r.partition, from: r.from, until: r.until }));
    const outcomes = await this.reader.fetch(fetches, topics);
    const out: RecordBatch[] = [];
    for (const r of splitRanges(ranges, this.opts.minPartitions)) {
      const o = outcomes.get(tpKey(r.topic, r.partition))!;
      let until = r.until;
      if (o.kind === "lost") {
        if (o.at < r.until) this.reportDataLoss(`Cannot fetch ${r.topic}-${r.partition} from offset ${Math.max(o.at, r.from)}: ${o.reason}.`);
        until = Math.min(until, o.at);
      }
      const batch = recordsToBatch(r.topic, r.partition, r.from, until, o.batches, this.opts.includeHeaders);
      if (batch.numRows > 0) out.push(batch);
    }
    return out;
  }
}

/**
 * `readStream.format("kafka")` (Spark's KafkaMicroBatchStream): offsets `{topic: {partition:
 * offset}}` (the next offset to read) live in the checkpoint; nothing is committed to Kafka.
 * The first batch's starting offsets are resolved once (earliest, latest, JSON or timestamps)
 * and saved under the source's checkpoint folder, so a restart before the first commit re-reads
 * exactly the same range. Partitions that appear later (new partitions, new topics matching a
 * pattern) are read from their beginning.
 */
export class KafkaMicroBatchSource implements Source {
  readonly schema: StructType;
  readonly description: string;
  private readonly planner: KafkaReadPlanner;
  private lastTriggerMs: number;
  private availableNowCap: PartitionOffsets | null = null;
  /**
   * The limit of a normal trigger: maxOffsetsPerTrigger (maxRows) and minOffsetsPerTrigger with
   * maxTriggerDelay (minRows). Trigger.Once passes allAvailable and Trigger.AvailableNow drops the
   * minRows part, so neither waits for more data (as in Spark).
   */
  private readonly normalLimit: ReadLimit;

  constructor(
    private readonly opts: KafkaSourceOptions,
    private readonly metadataPath: string,
    private readonly clock: Clock,
  ) {
    this.schema = kafkaSchema(opts.includeHeaders);
    this.description = `KafkaV2[${describeSubscription(opts.subscription)}]`;
    this.planner = new KafkaReadPlanner(opts);
    this.lastTriggerMs = clock.getTimeMillis();
    this.normalLimit = ReadLimit.composite(
      ...(opts.maxOffsetsPerTrigger !== null ? [ReadLimit.maxRows(opts.maxOffsetsPerTrigger)] : []),
      ...(opts.minOffsetsPerTrigger !== null ? [ReadLimit.minRows(opts.minOffsetsPerTrigger, opts.maxTriggerDelayMs)] : []),
    );
  }

  initialOffset(): Offset {
    return INITIAL;
  }

  /** Reaches the brokers (lists topics) before the first batch, so unreachable ones fail start() naming them. */
  async open(): Promise<void> {
    await this.planner.reader.listTopics();
  }

  private get initialFile(): string {
    return path.join(this.metadataPath, INITIAL_OFFSETS_FILE);
  }

  /** The first batch's start: read from the checkpoint, or resolved now and saved there. */
  private async initialOffsets(partitions: readonly string[] | null): Promise<Map<string, number>> {
    if (fs.existsSync(this.initialFile)) return offsetsFromJson(JSON.parse(fs.readFileSync(this.initialFile, "utf8")) as JsonValue);
    const parts = partitions ?? (await this.planner.discover()).partitions;
    const resolved = await this.planner.resolve(this.opts.starting, parts, "starting");
    if (!writeFileAtomic(this.initialFile, JSON.stringify(offsetsToJson(resolved)), { overwrite: false })) return this.initialOffsets(partitions);
    return resolved;
  }

  async latestOffset(start: Offset, limit: ReadLimit): Promise<Offset> {
    let { partitions } = await this.planner.discover();
    let latest: Map<string, number>;
    try {
      latest = await this.planner.reader.listOffsets(partitions.map(splitKey), -1n);
    } catch (e) {
      // A topic deleted between the listing and this call fails it ("does not host this
      // topic-partition"): list again without it, and let getBatch report the loss as usual.
      const now = (await this.planner.discover()).partitions;
      if (now.length === partitions.length && now.every((k, i) => k === partitions[i])) throw e;
      partitions = now;
      latest = await this.planner.reader.listOffsets(partitions.map(splitKey), -1n);
    }
    const from = start === INITIAL ? await this.initialOffsets(partitions) : offsetsFromJson(start);
    if (this.availableNowCap !== null) {
      const cap = this.availableNowCap;
      latest = new Map([...latest].map(([k, o]) => [k, Math.min(o, cap.get(k) ?? from.get(k) ?? 0)]));
    }
    // New partitions count from offset 0 (getBatch reports it if their start was deleted).
    const zeros = new Map(partitions.filter((k) => !from.has(k)).map((k) => [k, 0]));
    const now = this.clock.getTimeMillis();
    const minRows = ReadLimit.minRowsOf(limit);
    if (minRows !== null && this.availableNowCap === null) {
      if (!shouldTrigger(backlog(from, latest, zeros), minRows.min, now, this.lastTriggerMs, minRows.maxTriggerDelayMs)) return start;
    }
    const maxRows = ReadLimit.maxOf(limit, "maxRows");
    const target = maxRows !== null ? rateLimit(maxRows, from, latest, zeros) : latest;
    const json = offsetsToJson(target);
    const unchanged = start === INITIAL ? JSON.stringify(json) === JSON.stringify(offsetsToJson(from)) : JSON.stringify(json) === JSON.stringify(start);
    if (unchanged) return start;
    this.lastTriggerMs = now;
    return json;
  }

  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const from = start === INITIAL ? await this.initialOffsets(null) : offsetsFromJson(start);
    return this.planner.read(from, offsetsFromJson(end));
  }

  defaultReadLimit(): ReadLimit {
    return this.normalLimit;
  }

  /** Trigger.AvailableNow: read up to the latest offsets of now, in batches of maxOffsetsPerTrigger. */
  async prepareForTriggerAvailableNow(): Promise<void> {
    const { partitions } = await this.planner.discover();
    this.availableNowCap = await this.planner.reader.listOffsets(partitions.map(splitKey), -1n);
  }

  commit(): void {
    // Offsets live in the checkpoint; the consumer group commits nothing (as in Spark).
  }

  async stop(): Promise<void> {
    await this.planner.reader.close();
  }
}

/** `spark.read.format("kafka")`: the records between startingOffsets and endingOffsets. */
export async function* scanKafka(opts: KafkaSourceOptions, requiredColumns: readonly string[] | null): AsyncIterable<RecordBatch> {
  const planner = new KafkaReadPlanner(opts);
  try {
    const { partitions } = await planner.discover();
    const start = await planner.resolve(opts.starting, partitions, "starting");
    const end = await planner.resolve(opts.ending, partitions, "ending");
    for (const [k, s] of start) if (!end.has(k)) end.set(k, s);
    const batches = await planner.read(start, end);
    const schema = kafkaSchema(opts.includeHeaders);
    const req = requiredColumns?.map((n) => n.toLowerCase()) ?? null;
    const idx = schema.fields.map((f, i) => (req === null || req.includes(f.name.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
    const pruned = structType(idx.map((i) => schema.fields[i]!));
    for (const b of batches) yield req === null ? b : makeBatch(pruned, idx.map((i) => b.columns[i]!), b.numRows);
  } finally {
    await planner.reader.close();
  }
}

export function createKafkaSource(opts: KafkaSourceOptions, ctx: SourceContext): KafkaMicroBatchSource {
  return new KafkaMicroBatchSource(opts, ctx.metadataPath, ctx.clock);
}
