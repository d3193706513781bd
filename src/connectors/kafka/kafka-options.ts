import { IllegalArgumentError } from "../../errors/errors.js";
import { optionOf } from "../../streaming/stream-source-registry.js";
import { fixedMicros, parseInterval } from "../../types/interval.js";
import { type OffsetSpec, type TimestampSpec, parseOffsetSpec, parseTimestampSpec } from "./kafka-offsets.js";

/**
 * The Kafka connector's options, as Spark names them. This table is the connector's config
 * schema: the parser below and the descriptor (index.ts) read it.
 */
export const KAFKA_SOURCE_OPTIONS = {
  "kafka.bootstrap.servers": "Comma-separated host:port list of brokers (required).",
  subscribe: "Comma-separated topic list.",
  subscribePattern: "Java-style regular expression of topic names.",
  assign: `JSON of topic partitions, e.g. {"topicA":[0,1],"topicB":[2,4]}.`,
  startingOffsets: `"earliest", "latest" (streaming default) or JSON {"topic":{"0":23,"1":-2}} (-2 earliest, -1 latest).`,
  endingOffsets: `Batch queries only: "latest" (default) or JSON (-1 latest).`,
  startingTimestamp: "Milliseconds since the epoch: start every partition at the first offset with a timestamp >= it.",
  startingOffsetsByTimestamp: `JSON {"topic":{"0":1700000000000}}.`,
  startingOffsetsByTimestampStrategy: `"error" (default: fail when no offset matches) or "latest".`,
  endingTimestamp: "Batch queries only: like startingTimestamp, for the end.",
  endingOffsetsByTimestamp: "Batch queries only: like startingOffsetsByTimestamp, for the end.",
  maxOffsetsPerTrigger: "Upper bound of records per micro-batch, split across partitions in proportion to their backlog.",
  minOffsetsPerTrigger: "Lower bound of records per micro-batch: wait (up to maxTriggerDelay) until that many are available.",
  maxTriggerDelay: `Longest wait for minOffsetsPerTrigger, e.g. "15m" (default), "30s".`,
  minPartitions: "Split offset ranges so that a batch reads at least this many ranges.",
  failOnDataLoss: `"true" (default): fail when data may have been lost (deleted topics, records aged out); "false": warn and skip.`,
  includeHeaders: `"true" adds the headers column.`,
  groupIdPrefix: `Prefix of the consumer group id (default "sluice-kafka-source"); the group never commits.`,
  "fetchOffset.numRetries": "Retries of offset and fetch requests (default 3).",
  "fetchOffset.retryIntervalMs": "Milliseconds between retries (default 1000).",
} as const;

export const KAFKA_SINK_OPTIONS = {
  "kafka.bootstrap.servers": "Comma-separated host:port list of brokers (required).",
  topic: "Topic for every row; overrides a topic column.",
  includeHeaders: "Ignored by the sink (a headers column is always written when present).",
} as const;

/** Options users may not set, with the reason (Spark refuses the same ones). */
const REFUSED: Readonly<Record<string, string>> = {
  "kafka.auto.offset.reset": "Set the source option 'startingOffsets' instead.",
  "kafka.key.deserializer": "Keys are always read as bytes; use DataFrame operations to deserialize them.",
  "kafka.value.deserializer": "Values are always read as bytes; use DataFrame operations to deserialize them.",
  "kafka.enable.auto.commit": "The source never commits offsets to Kafka: offsets live in the checkpoint.",
  "kafka.interceptor.classes": "Kafka interceptors are not supported.",
  "kafka.key.serializer": "Keys are always written as bytes; cast the key column to STRING or BINARY.",
  "kafka.value.serializer": "Values are always written as bytes; cast the value column to STRING or BINARY.",
};

export type Subscription =
  | { readonly kind: "subscribe"; readonly topics: readonly string[] }
  | { readonly kind: "subscribePattern"; readonly pattern: RegExp }
  | { readonly kind: "assign"; readonly partitions: readonly { topic: string; partition: number }[] };

export interface KafkaSourceOptions {
  readonly client: KafkaClientSettings;
  readonly subscription: Subscription;
  readonly starting: OffsetSpec | TimestampSpec;
  readonly ending: OffsetSpec | TimestampSpec;
  readonly timestampStrategy: "error" | "latest";
  readonly maxOffsetsPerTrigger: number | null;
  readonly minOffsetsPerTrigger: number | null;
  readonly maxTriggerDelayMs: number;
  readonly minPartitions: number | null;
  readonly failOnDataLoss: boolean;
  readonly includeHeaders: boolean;
  readonly groupIdPrefix: string;
  /** fetchOffset.numRetries / fetchOffset.retryIntervalMs (null: the client's defaults, 3 and 1000). */
  readonly fetchRetries: number | null;
  readonly fetchRetryMs: number | null;
}

/** Client settings in Kafka's own names (`kafka.` prefix removed), mapped to the client in kafka-client.ts. */
export interface KafkaClientSettings {
  readonly bootstrapServers: readonly string[];
  readonly settings: Readonly<Record<string, string>>;
}

const bad = (option: string, message: string): IllegalArgumentError => new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option '${option}': ${message}`);

export function parseBoolean(options: Readonly<Record<string, string>>, key: string, dflt: boolean): boolean {
  const v = optionOf(options, key);
  if (v === undefined) return dflt;
  const s = v.trim().toLowerCase();
  if (s === "true" || s === "false") return s === "true";
  throw bad(key, `allowed values are 'true' and 'false', got '${v}'.`);
}

function positiveInteger(options: Readonly<Record<string, string>>, key: string): number | null {
  const v = optionOf(options, key);
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw bad(key, `must be a positive integer, got '${v}'.`);
  return n;
}

function nonNegativeInteger(options: Readonly<Record<string, string>>, key: string): number | null {
  const v = optionOf(options, key);
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw bad(key, `must be a non-negative integer, got '${v}'.`);
  return n;
}

/** Spark's time strings ("15m", "30s", "500ms", "2h") or an interval ("15 minutes"), in ms. */
export function parseDurationMs(option: string, v: string): number {
  const m = /^\s*(\d+)\s*(ms|s|m|min|h|d)?\s*$/i.exec(v);
  if (m) {
    const unit = (m[2] ?? "ms").toLowerCase();
    const factor = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
    return Number(m[1]) * factor;
  }
  try {
    return fixedMicros(parseInterval(v, option), option) / 1000;
  } catch {
    throw bad(option, `must be a duration such as '15m', '30s' or '500ms', got '${v}'.`);
  }
}

/** `kafka.*` options: the client's settings; refuses the ones Spark refuses. */
export function parseClientSettings(options: Readonly<Record<string, string>>): KafkaClientSettings {
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) {
    const lower = k.toLowerCase();
    if (!lower.startsWith("kafka.")) continue;
    const refused = REFUSED[lower];
    if (refused !== undefined) throw new IllegalArgumentError("KAFKA_UNSUPPORTED_OPTION", `Kafka option '${k}' is not supported. ${refused}`);
    settings[k.slice("kafka.".length)] = v;
  }
  const servers = settings["bootstrap.servers"];
  if (servers === undefined || servers.trim() === "") {
    throw new IllegalArgumentError("KAFKA_INVALID_OPTION", "Option 'kafka.bootstrap.servers' must be specified for the Kafka connector: a comma-separated list of host:port.");
  }
  const bootstrapServers = servers.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of bootstrapServers) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
    if (!m || Number(m[2]) <= 0 || Number(m[2]) > 65535) throw bad("kafka.bootstrap.servers", `expected host:port entries, got '${s}'.`);
  }
  return { bootstrapServers, settings };
}

function parseSubscription(options: Readonly<Record<string, string>>): Subscription {
  const given = (["subscribe", "subscribePattern", "assign"] as const).filter((k) => optionOf(options, k) !== undefined);
  if (given.length !== 1) {
    throw new IllegalArgumentError(
      "KAFKA_INVALID_OPTION",
      given.length === 0
        ? "One of the following options must be specified for the Kafka source: subscribe, subscribePattern, assign."
        : `Only one of the options subscribe, subscribePattern, assign may be specified for the Kafka source; got ${given.join(", ")}.`,
    );
  }
  const kind = given[0]!;
  const text = optionOf(options, kind)!;
  switch (kind) {
    case "subscribe": {
      const topics = text.split(",").map((t) => t.trim()).filter((t) => t !== "");
      if (topics.length === 0) throw bad("subscribe", "no topics to subscribe to: give a comma-separated list of topic names.");
      return { kind, topics };
    }
    case "subscribePattern": {
      if (text.trim() === "") throw bad("subscribePattern", "the pattern is empty.");
      try {
        return { kind, pattern: new RegExp(`^(?:${text})$`) };
      } catch (e) {
        throw bad("subscribePattern", `not a valid regular expression: ${(e as Error).message}`);
      }
    }
    case "assign": {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw bad("assign", `expected JSON such as {"topicA":[0,1],"topicB":[2,4]}, got '${text}'.`);
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("assign", `expected JSON such as {"topicA":[0,1],"topicB":[2,4]}, got '${text}'.`);
      const partitions: { topic: string; partition: number }[] = [];
      for (const [topic, ps] of Object.entries(json as Record<string, unknown>)) {
        if (!Array.isArray(ps) || ps.some((p) => !Number.isInteger(p) || (p as number) < 0)) throw bad("assign", `the partitions of topic '${topic}' must be a list of non-negative integers.`);
        for (const p of ps as number[]) partitions.push({ topic, partition: p });
      }
      if (partitions.length === 0) throw bad("assign", "no topic partitions to assign.");
      return { kind, partitions };
    }
  }
}

function parseBound(options: Readonly<Record<string, string>>, which: "starting" | "ending", isStreaming: boolean): OffsetSpec | TimestampSpec {
  const ts = optionOf(options, `${which}Timestamp`);
  if (ts !== undefined) {
    const n = Number(ts);
    if (!Number.isSafeInteger(n) || n < 0) throw bad(`${which}Timestamp`, `must be milliseconds since the epoch (a non-negative integer), got '${ts}'.`);
    return { kind: "timestamp", global: n, perPartition: null };
  }
  const byTs = optionOf(options, `${which}OffsetsByTimestamp`);
  if (byTs !== undefined) return parseTimestampSpec(`${which}OffsetsByTimestamp`, byTs);
  const key = `${which}Offsets`;
  const text = optionOf(options, key);
  const dflt = which === "ending" ? "latest" : isStreaming ? "latest" : "earliest";
  const spec = parseOffsetSpec(key, text ?? dflt);
  if (which === "ending" && spec.kind === "earliest") throw bad(key, "'earliest' is not allowed for endingOffsets; allowed values are 'latest' or JSON offsets.");
  if (which === "ending" && spec.kind === "json" && spec.offsets.some((o) => o.offset === -2)) throw bad(key, "-2 (earliest) is not allowed as an ending offset.");
  if (which === "starting" && !isStreaming && spec.kind === "latest") throw bad(key, "'latest' is not allowed for startingOffsets in batch queries; allowed values are 'earliest' or JSON offsets.");
  if (which === "starting" && !isStreaming && spec.kind === "json" && spec.offsets.some((o) => o.offset === -1)) throw bad(key, "-1 (latest) is not allowed as a starting offset in batch queries.");
  return spec;
}

export function parseSourceOptions(options: Readonly<Record<string, string>>, isStreaming: boolean): KafkaSourceOptions {
  const client = parseClientSettings(options);
  const subscription = parseSubscription(options);
  if (isStreaming) {
    for (const k of ["endingOffsets", "endingTimestamp", "endingOffsetsByTimestamp"]) {
      if (optionOf(options, k) !== undefined) throw bad(k, "ending offsets are not valid in streaming queries; use spark.read for a bounded read.");
    }
  }
  const strategy = (optionOf(options, "startingOffsetsByTimestampStrategy") ?? "error").toLowerCase();
  if (strategy !== "error" && strategy !== "latest") throw bad("startingOffsetsByTimestampStrategy", `allowed values are 'error' and 'latest', got '${strategy}'.`);
  const maxOffsets = positiveInteger(options, "maxOffsetsPerTrigger");
  const minOffsets = positiveInteger(options, "minOffsetsPerTrigger");
  if (maxOffsets !== null && minOffsets !== null && minOffsets > maxOffsets) {
    throw bad("minOffsetsPerTrigger", `(${minOffsets}) must not be greater than maxOffsetsPerTrigger (${maxOffsets}).`);
  }
  const delayText = optionOf(options, "maxTriggerDelay");
  return {
    client,
    subscription,
    starting: parseBound(options, "starting", isStreaming),
    ending: isStreaming ? { kind: "latest" } : parseBound(options, "ending", isStreaming),
    timestampStrategy: strategy,
    maxOffsetsPerTrigger: isStreaming ? maxOffsets : null,
    minOffsetsPerTrigger: isStreaming ? minOffsets : null,
    maxTriggerDelayMs: delayText === undefined ? 15 * 60_000 : parseDurationMs("maxTriggerDelay", delayText),
    minPartitions: positiveInteger(options, "minPartitions"),
    failOnDataLoss: parseBoolean(options, "failOnDataLoss", true),
    includeHeaders: parseBoolean(options, "includeHeaders", false),
    groupIdPrefix: optionOf(options, "groupIdPrefix") ?? "sluice-kafka-source",
    fetchRetries: nonNegativeInteger(options, "fetchOffset.numRetries"),
    fetchRetryMs: nonNegativeInteger(options, "fetchOffset.retryIntervalMs"),
  };
}
