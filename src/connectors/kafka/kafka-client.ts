import * as fs from "node:fs";
import { Admin, Consumer, type RecordsBatch } from "@platformatic/kafka";
import { IllegalArgumentError, StreamingError } from "../../errors/errors.js";
import type { KafkaClientSettings } from "./kafka-options.js";
import { tpKey } from "./kafka-offsets.js";

/**
 * The edge between the connector and @platformatic/kafka: maps Kafka's own setting names
 * (`kafka.*` options) to the client's options, and reads metadata, offsets and record batches
 * without joining a consumer group (the group id only names the client; nothing is committed).
 */

type FetchResponse = Awaited<ReturnType<Consumer["fetch"]>>;

type ClientOptions = Record<string, unknown> & { clientId: string; bootstrapBrokers: string[] };

const IGNORED_WARNED = new Set<string>();

/** Kafka setting names → the client's options. Settings not listed are ignored with a warning. */
export function clientOptions(s: KafkaClientSettings, role: "consumer" | "producer" | "admin"): ClientOptions {
  const st = s.settings;
  const opts: ClientOptions = { clientId: st["client.id"] ?? `sluice-${role}`, bootstrapBrokers: [...s.bootstrapServers] };
  const num = (key: string): number | undefined => {
    const v = st[key];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.${key}': expected a non-negative number, got '${v}'.`);
    return n;
  };
  const set = (key: string, target: string): void => {
    const n = num(key);
    if (n !== undefined) opts[target] = n;
  };
  set("request.timeout.ms", "requestTimeout");
  set("request.timeout.ms", "timeout");
  set("socket.connection.setup.timeout.ms", "connectTimeout");
  set("retries", "retries");
  set("retry.backoff.ms", "retryDelay");
  set("metadata.max.age.ms", "metadataMaxAge");
  set("fetch.max.bytes", "maxBytes");
  set("max.partition.fetch.bytes", "maxBytesPerPartition");
  const protocol = (st["security.protocol"] ?? "PLAINTEXT").toUpperCase();
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) {
    throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.security.protocol': allowed values are PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; got '${st["security.protocol"]}'.`);
  }
  if (protocol === "SSL" || protocol === "SASL_SSL") {
    const tls: Record<string, unknown> = {};
    const file = (key: string): Buffer | undefined => {
      const p = st[key];
      if (p === undefined) return undefined;
      try {
        return fs.readFileSync(p);
      } catch (e) {
        throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Kafka option 'kafka.${key}': cannot read ${p}: ${(e as Error).message}`);
      }
    };
    if (st["ssl.truststore.location"] !== undefined || st["ssl.keystore.location"] !== undefined) {
      throw new IllegalArgumentError("KAFKA_UNSUPPORTED_OPTION", "Java key stores (kafka.ssl.truststore.location / kafka.ssl.keystore.location) are not supported; give PEM files with kafka.ssl.ca.location, kafka.ssl.certificate.location and kafka.ssl.key.location.");
    }
    const ca = file("ssl.ca.location"), cert = file("ssl.certificate.location"), key = file("ssl.key.location");
    if (ca) tls["ca"] = ca;
    if (cert) tls["cert"] = cert;
    if (key) tls["key"] = key;
    if (st["ssl.key.password"] !== undefined) tls["passphrase"] = st["ssl.key.password"];
    if (st["ssl.endpoint.identification.algorithm"] === "") tls["checkServerIdentity"] = () => undefined;
    opts["tls"] = tls;
  }
  if (protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL") {
    const mechanism = (st["sasl.mechanism"] ?? "PLAIN").toUpperCase();
    if (!["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"].includes(mechanism)) {
      throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.sasl.mechanism': allowed values are PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER; got '${st["sasl.mechanism"]}'.`);
    }
    const jaas = st["sasl.jaas.config"] ?? "";
    const field = (name: string): string | undefined => new RegExp(`${name}\\s*=\\s*"([^"]*)"`).exec(jaas)?.[1];
    const username = st["sasl.username"] ?? field("username");
    const password = st["sasl.password"] ?? field("password");
    const token = st["sasl.oauthbearer.token"];
    if (mechanism !== "OAUTHBEARER" && (username === undefined || password === undefined)) {
      throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `SASL ${mechanism} needs credentials: set kafka.sasl.jaas.config (username="..." password="...") or kafka.sasl.username and kafka.sasl.password.`);
    }
    opts["sasl"] = { mechanism, username, password, token };
  }
  if (role === "consumer") {
    const iso = st["isolation.level"];
    if (iso !== undefined && iso !== "read_committed" && iso !== "read_uncommitted") {
      throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.isolation.level': allowed values are read_uncommitted, read_committed; got '${iso}'.`);
    }
    opts["isolationLevel"] = iso === "read_committed" ? 1 : 0;
  }
  if (role === "producer") {
    const compression = (st["compression.type"] ?? "none").toLowerCase();
    if (!["none", "gzip", "snappy", "lz4"].includes(compression)) {
      throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.compression.type': allowed values are none, gzip, snappy, lz4 (zstd is not available on Node 20); got '${st["compression.type"]}'.`);
    }
    opts["compression"] = compression;
    const idem = (st["enable.idempotence"] ?? "true").toLowerCase();
    if (idem !== "true" && idem !== "false") throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.enable.idempotence': allowed values are true, false; got '${st["enable.idempotence"]}'.`);
    opts["idempotent"] = idem === "true";
    const acks = st["acks"];
    if (acks !== undefined) {
      const a = acks === "all" ? -1 : Number(acks);
      if (![-1, 0, 1].includes(a)) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Invalid Kafka option 'kafka.acks': allowed values are all, -1, 0, 1; got '${acks}'.`);
      if (idem === "true" && a !== -1) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", `Kafka option 'kafka.acks' must be 'all' while kafka.enable.idempotence is true (the default); got '${acks}'.`);
      opts["acks"] = a;
    }
  }
  const used = new Set([
    "bootstrap.servers", "client.id", "request.timeout.ms", "socket.connection.setup.timeout.ms", "retries", "retry.backoff.ms", "metadata.max.age.ms",
    "fetch.max.bytes", "max.partition.fetch.bytes", "security.protocol", "ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "ssl.key.password",
    "ssl.endpoint.identification.algorithm", "sasl.mechanism", "sasl.jaas.config", "sasl.username", "sasl.password", "sasl.oauthbearer.token", "isolation.level",
    "compression.type", "enable.idempotence", "acks", "group.id",
  ]);
  for (const k of Object.keys(st)) {
    if (!used.has(k) && !IGNORED_WARNED.has(k)) {
      IGNORED_WARNED.add(k);
      process.emitWarning(`Kafka option 'kafka.${k}' is not used by Sluice's Kafka client (@platformatic/kafka) and is ignored.`);
    }
  }
  return opts;
}

/** The first cause chain message that says something (the client wraps errors in layers). */
export function rootMessage(e: unknown): string {
  const seen: string[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth > 6 || typeof x !== "object" || x === null) return;
    const err = x as { message?: unknown; errors?: unknown; cause?: unknown };
    if (typeof err.message === "string" && err.message !== "" && !seen.includes(err.message)) seen.push(err.message);
    if (Array.isArray(err.errors)) for (const c of err.errors.slice(0, 3)) walk(c, depth + 1);
    if (err.cause !== undefined) walk(err.cause, depth + 1);
  };
  walk(e, 0);
  return seen.join(" <- ");
}

export function isNetworkFailure(e: unknown): boolean {
  return /Connection to .* failed|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Connection closed|timed out/i.test(rootMessage(e));
}

/** Wraps a client failure with the servers (and option) to check. */
export function connectionError(servers: readonly string[], what: string, e: unknown): StreamingError {
  const msg = rootMessage(e);
  const hint = isNetworkFailure(e) ? ` Check that a broker listens there (option 'kafka.bootstrap.servers').` : "";
  return new StreamingError("KAFKA_CLIENT_ERROR", `Kafka ${what} failed against ${servers.join(",")}: ${msg}.${hint}`, { cause: e });
}

export interface TopicInfo {
  readonly id: string;
  readonly partitions: number;
  /** Leader node of each partition. */
  readonly leaders: readonly number[];
}

/** One partition's fetch: offsets [from, until). */
export interface PartitionFetch {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly until: number;
}

export type FetchOutcome =
  | { readonly kind: "ok"; readonly batches: RecordsBatch[] }
  /** The broker no longer has offset `at` (aged out or deleted) or the topic is gone. */
  | { readonly kind: "lost"; readonly at: number; readonly reason: string; readonly batches: RecordsBatch[] };

/**
 * Metadata, offsets and fetches for one source (or one batch read), on one consumer client that
 * never joins its group, plus an admin client to list topics.
 */
export class KafkaReader {
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  readonly servers: readonly string[];

  constructor(
    private readonly settings: KafkaClientSettings,
    private readonly groupId: string,
    private readonly fetchRetries: number | null = null,
    private readonly fetchRetryMs: number | null = null,
  ) {
    this.servers = settings.bootstrapServers;
  }

  private options(role: "consumer" | "admin"): ClientOptions {
    const o = clientOptions(this.settings, role);
    if (this.fetchRetries !== null && this.settings.settings["retries"] === undefined) o["retries"] = this.fetchRetries;
    if (this.fetchRetryMs !== null && this.settings.settings["retry.backoff.ms"] === undefined) o["retryDelay"] = this.fetchRetryMs;
    return o;
  }

  private getConsumer(): Consumer {
    this.consumer ??= new Consumer({ ...this.options("consumer"), groupId: this.settings.settings["group.id"] ?? this.groupId });
    return this.consumer;
  }

  private getAdmin(): Admin {
    this.admin ??= new Admin(this.options("admin"));
    return this.admin;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw connectionError(this.servers, what, e);
    }
  }

  async listTopics(): Promise<string[]> {
    return this.call("listing topics", () => this.getAdmin().listTopics());
  }

  /** Fresh metadata of existing topics (missing ones are left out). */
  async describe(topics: readonly string[]): Promise<Map<string, TopicInfo>> {
    const out = new Map<string, TopicInfo>();
    let names = [...topics];
    if (names.length === 0) return out;
    let md: Awaited<ReturnType<Consumer["metadata"]>>;
    for (;;) {
      try {
        md = await this.getConsumer().metadata({ topics: names, forceUpdate: true });
        break;
      } catch (e) {
        // The client refuses a request naming a missing topic: one deleted since the caller listed
        // the topics is left out, as this method promises, and the rest asked for again.
        const existing = new Set(await this.listTopics());
        const still = names.filter((t) => existing.has(t));
        if (still.length === names.length) throw connectionError(this.servers, "reading metadata", e);
        names = still;
        if (names.length === 0) return out;
      }
    }
    for (const t of names) {
      const info = md.topics.get(t);
      if (info) out.set(t, { id: info.id, partitions: info.partitionsCount, leaders: info.partitions.map((p) => p.leader) });
    }
    return out;
  }

  /** ListOffsets at -2 (earliest), -1 (latest) or a timestamp, for the given partitions. */
  async listOffsets(partitions: readonly { topic: string; partition: number }[], timestamp: bigint): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const byTopic: Record<string, number[]> = {};
    for (const { topic, partition } of partitions) (byTopic[topic] ??= []).push(partition);
    const res = await this.call("listing offsets", () => this.getConsumer().listOffsetsWithTimestamps({ topics: Object.keys(byTopic), partitions: byTopic, timestamp }));
    for (const [topic, parts] of res) for (const [p, { offset }] of parts) out.set(tpKey(topic, p), Number(offset));
    return out;
  }

  /**
   * Reads [from, until) of each partition: fetches (one request per leader and round) until every
   * partition reached `until`. Whole record batches are returned; the caller drops records
   * outside the range (a batch can start before `from`).
   */
  async fetch(parts: readonly PartitionFetch[], topics: ReadonlyMap<string, TopicInfo>): Promise<Map<string, FetchOutcome>> {
    const out = new Map<string, FetchOutcome>();
    const next = new Map<string, number>();
    const batches = new Map<string, RecordsBatch[]>();
    for (const p of parts) {
      const k = tpKey(p.topic, p.partition);
      if (p.until > p.from) {
        next.set(k, p.from);
        batches.set(k, []);
      } else out.set(k, { kind: "ok", batches: [] });
    }
    const byKey = new Map(parts.map((p) => [tpKey(p.topic, p.partition), p]));
    let idleRounds = 0;
    while (next.size > 0) {
      const byLeader = new Map<number, PartitionFetch[]>();
      for (const k of next.keys()) {
        const p = byKey.get(k)!;
        const info = topics.get(p.topic);
        const leader = info?.leaders[p.partition];
        if (info === undefined || leader === undefined) {
          out.set(k, { kind: "lost", at: next.get(k)!, reason: `topic-partition ${p.topic}-${p.partition} no longer exists`, batches: batches.get(k)! });
          next.delete(k);
          continue;
        }
        let list = byLeader.get(leader);
        if (!list) byLeader.set(leader, (list = []));
        list.push(p);
      }
      let progressed = false;
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          const requestTopics = new Map<string, { topicId: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number; lastFetchedEpoch: number }[] }>();
          for (const p of list) {
            const id = topics.get(p.topic)!.id;
            let t = requestTopics.get(id);
            if (!t) requestTopics.set(id, (t = { topicId: id, partitions: [] }));
            t.partitions.push({ partition: p.partition, fetchOffset: BigInt(next.get(tpKey(p.topic, p.partition))!), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
          }
          let response: FetchResponse;
          try {
            response = await this.getConsumer().fetch({ node: leader, maxWaitTime: 0, minBytes: 0, topics: [...requestTopics.values()] });
          } catch (e) {
            const partial = (e as { response?: FetchResponse }).response;
            if (partial === undefined || !Array.isArray(partial.responses)) throw connectionError(this.servers, "fetching records", e);
            response = partial;
          }
          const nameOf = new Map([...topics].map(([name, info]) => [info.id, name]));
          for (const tr of response.responses) {
            const topic = nameOf.get(tr.topicId);
            if (topic === undefined) continue;
            for (const pr of tr.partitions) {
              const k = tpKey(topic, pr.partitionIndex);
              const at = next.get(k);
              if (at === undefined) continue;
              if (pr.errorCode === 1 || pr.errorCode === 3 || pr.errorCode === 100) {
                const reason = pr.errorCode === 1 ? `offset ${at} is out of range (the log now starts at ${pr.logStartOffset} and ends at ${pr.highWatermark})` : `topic-partition ${topic}-${pr.partitionIndex} no longer exists`;
                out.set(k, { kind: "lost", at, reason, batches: batches.get(k)! });
                next.delete(k);
                continue;
              }
              if (pr.errorCode !== 0) throw new StreamingError("KAFKA_FETCH_ERROR", `Kafka fetch of ${topic}-${pr.partitionIndex} at offset ${at} failed with error code ${pr.errorCode} (broker ${this.servers.join(",")}).`);
              const until = byKey.get(k)!.until;
              let reached = at;
              for (const b of pr.records ?? []) {
                const last = Number(b.firstOffset) + b.lastOffsetDelta;
                if (last < at) continue;
                batches.get(k)!.push(b);
                reached = Math.max(reached, last + 1);
                if (reached >= until) break;
              }
              if (reached > at) progressed = true;
              if (reached >= until) {
                out.set(k, { kind: "ok", batches: batches.get(k)! });
                next.delete(k);
              } else if (reached === at && Number(pr.highWatermark) <= at) {
                // The log ends before the planned range does: records were lost (e.g. an unclean leader election).
                out.set(k, { kind: "lost", at, reason: `the log of ${topic}-${pr.partitionIndex} ends at ${pr.highWatermark}, before the planned end ${until}`, batches: batches.get(k)! });
                next.delete(k);
              } else next.set(k, reached);
            }
          }
        }),
      );
      if (!progressed && next.size > 0) {
        if (++idleRounds > 50) {
          const k = [...next.keys()][0]!;
          throw new StreamingError("KAFKA_FETCH_STALLED", `Kafka fetch made no progress for ${k.replace(/:(\d+)$/, "-$1")} at offset ${next.get(k)} (broker ${this.servers.join(",")}).`);
        }
        await new Promise((r) => setTimeout(r, 20));
      } else idleRounds = 0;
    }
    return out;
  }

  async close(): Promise<void> {
    const closing: Promise<void>[] = [];
    if (this.consumer) closing.push(this.consumer.close());
    if (this.admin) closing.push(this.admin.close());
    this.consumer = this.admin = null;
    await Promise.allSettled(closing);
  }
}
