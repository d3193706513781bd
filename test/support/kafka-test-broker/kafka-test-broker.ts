import { randomUUID } from "node:crypto";
import * as net from "node:net";
import { Reader, Writer } from "@platformatic/kafka";
import { ErrorCode, PartitionLog, splitBatches } from "./partition-log.js";

/**
 * A single-node Kafka broker in this process, on 127.0.0.1 and a free port, speaking enough of
 * the wire protocol for a real client (@platformatic/kafka) to fetch, produce and administer
 * topics: exactly one version of each API below, the one the client prefers (it picks the
 * highest version both sides know). Data lives in memory; the node is its own leader, controller
 * and only replica. No consumer groups, transactions, SASL or TLS: a request for any other API
 * closes the connection (and is recorded in `unsupportedRequests`).
 *
 * Test helpers act on the log directly: create topics, add partitions, delete records before an
 * offset (what retention does), delete a topic, and append records.
 */
export const SUPPORTED_APIS: Readonly<Record<string, { key: number; version: number }>> = {
  Produce: { key: 0, version: 11 },
  Fetch: { key: 1, version: 17 },
  ListOffsets: { key: 2, version: 9 },
  Metadata: { key: 3, version: 12 },
  ApiVersions: { key: 18, version: 3 },
  CreateTopics: { key: 19, version: 7 },
  DeleteTopics: { key: 20, version: 6 },
  DeleteRecords: { key: 21, version: 2 },
  InitProducerId: { key: 22, version: 5 },
  CreatePartitions: { key: 37, version: 3 },
};
const API_NAMES = new Map(Object.entries(SUPPORTED_APIS).map(([name, a]) => [a.key, name]));
const NODE_ID = 1;
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

interface TopicState {
  readonly name: string;
  readonly id: string;
  readonly logAppendTime: boolean;
  readonly partitions: PartitionLog[];
}

export interface TestBrokerOptions {
  /** Partitions of a topic created with num_partitions -1 (broker default). */
  readonly defaultPartitions?: number;
}

export class KafkaTestBroker {
  private readonly topics = new Map<string, TopicState>();
  private readonly sockets = new Set<net.Socket>();
  private nextProducerId = 1000n;
  /** How many requests of each API arrived (tests check, e.g., that no group API was used). */
  readonly requestCounts = new Map<string, number>();
  readonly unsupportedRequests: number[] = [];
  /** Produce requests whose response is dropped (connection closed after the append): tests producer retries. */
  dropProduceResponses = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly opts: TestBrokerOptions,
  ) {}

  static async start(opts: TestBrokerOptions = {}): Promise<KafkaTestBroker> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const broker = new KafkaTestBroker(server, (server.address() as net.AddressInfo).port, opts);
    server.on("connection", (s) => broker.accept(s));
    return broker;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test helpers ----

  createTopic(name: string, partitions: number, options: { logAppendTime?: boolean } = {}): void {
    if (this.topics.has(name)) throw new Error(`topic ${name} exists`);
    const logAppendTime = options.logAppendTime ?? false;
    this.topics.set(name, { name, id: randomUUID(), logAppendTime, partitions: Array.from({ length: partitions }, () => new PartitionLog(logAppendTime)) });
  }

  addPartitions(name: string, totalCount: number): void {
    const t = this.topic(name);
    while (t.partitions.length < totalCount) t.partitions.push(new PartitionLog(t.logAppendTime));
  }

  deleteRecords(name: string, partition: number, beforeOffset: number): void {
    this.partition(name, partition).deleteBefore(beforeOffset);
  }

  deleteTopic(name: string): void {
    this.topic(name);
    this.topics.delete(name);
  }

  partition(name: string, partition: number): PartitionLog {
    const p = this.topic(name).partitions[partition];
    if (!p) throw new Error(`no partition ${name}-${partition}`);
    return p;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  private topic(name: string): TopicState {
    const t = this.topics.get(name);
    if (!t) throw new Error(`no topic ${name}`);
    return t;
  }

  private topicById(id: string): TopicState | undefined {
    for (const t of this.topics.values()) if (t.id === id) return t;
    return undefined;
  }

  // ---- connections and framing ----

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = Buffer.from(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
        // Kafka answers the requests of one connection in order, one at a time.
        chain = chain.then(() => this.handleFrame(socket, frame)).catch(() => {
          socket.destroy();
        });
      }
    });
  }

  private async handleFrame(socket: net.Socket, frame: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const r = Reader.from(frame);
    const apiKey = r.readInt16();
    const apiVersion = r.readInt16();
    const correlationId = r.readInt32();
    r.readNullableString(false); // client id
    const name = API_NAMES.get(apiKey);
    if (name === undefined || (apiKey !== 18 && apiVersion !== SUPPORTED_APIS[name]!.version)) {
      this.unsupportedRequests.push(apiKey);
      socket.destroy();
      return;
    }
    r.readTaggedFields(); // request header v2
    this.requestCounts.set(name, (this.requestCounts.get(name) ?? 0) + 1);
    const w = Writer.create();
    w.appendInt32(correlationId);
    if (apiKey !== 18) w.appendTaggedFields(); // response header v1 (ApiVersions keeps v0)
    const body = await this.dispatch(name, r);
    if (name === "Produce" && this.dropProduceResponses > 0) {
      this.dropProduceResponses--;
      socket.destroy();
      return;
    }
    w.appendFrom(body).prependLength();
    if (!socket.destroyed) socket.write(w.buffer);
  }

  private dispatch(name: string, r: Reader): Writer | Promise<Writer> {
    switch (name) {
      case "ApiVersions": return this.apiVersions();
      case "Metadata": return this.metadata(r);
      case "ListOffsets": return this.listOffsets(r);
      case "Fetch": return this.fetch(r);
      case "Produce": return this.produce(r);
      case "InitProducerId": return this.initProducerId(r);
      case "CreateTopics": return this.createTopics(r);
      case "DeleteTopics": return this.deleteTopics(r);
      case "CreatePartitions": return this.createPartitions(r);
      case "DeleteRecords": return this.deleteRecordsApi(r);
      default: throw new Error(`unreachable: ${name}`);
    }
  }

  // ---- APIs ----

  private apiVersions(): Writer {
    return Writer.create()
      .appendInt16(0)
      .appendArray(Object.values(SUPPORTED_APIS), (w, a) => w.appendInt16(a.key).appendInt16(a.version).appendInt16(a.version))
      .appendInt32(0)
      .appendTaggedFields();
  }

  private metadata(r: Reader): Writer {
    const requested = r.readNullableArray((rr) => {
      rr.readUUID();
      return rr.readNullableString();
    });
    const autoCreate = r.readBoolean();
    const names = requested === null ? [...this.topics.keys()] : requested.filter((n): n is string => n !== null);
    if (autoCreate) for (const n of names) if (!this.topics.has(n)) this.createTopic(n, this.opts.defaultPartitions ?? 1);
    return Writer.create()
      .appendInt32(0)
      .appendArray([NODE_ID], (w) => w.appendInt32(NODE_ID).appendString("127.0.0.1").appendInt32(this.port).appendString(null))
      .appendString("sluice-test-cluster")
      .appendInt32(NODE_ID)
      .appendArray(names, (w, n) => {
        const t = this.topics.get(n);
        w.appendInt16(t ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          .appendString(n)
          .appendUUID(t ? t.id : ZERO_UUID)
          .appendBoolean(false)
          .appendArray(t ? t.partitions.map((_, i) => i) : [], (pw, i) => {
            pw.appendInt16(0).appendInt32(i).appendInt32(NODE_ID).appendInt32(0);
            for (let k = 0; k < 3; k++) pw.appendArray(k < 2 ? [NODE_ID] : [], (aw, id) => aw.appendInt32(id), true, false);
          })
          .appendInt32(-2147483648);
      })
      .appendTaggedFields();
  }

  private listOffsets(r: Reader): Writer {
    r.readInt32(); // replica id
    r.readInt8(); // isolation level
    const topics = r.readArray((tr) => ({
      name: tr.readString(),
      partitions: tr.readArray((pr) => ({ index: pr.readInt32(), epoch: pr.readInt32(), timestamp: pr.readInt64() })),
    }));
    return Writer.create()
      .appendInt32(0)
      .appendArray(topics, (w, t) => {
        w.appendString(t.name).appendArray(t.partitions, (pw, p) => {
          const log = this.topics.get(t.name)?.partitions[p.index];
          let error: number = ErrorCode.NONE, ts = -1, offset = -1;
          if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (p.timestamp === -2n || p.timestamp === -4n || p.timestamp === -5n) offset = log.logStartOffset;
          else if (p.timestamp === -1n) offset = log.highWatermark;
          else {
            const hit = p.timestamp === -3n ? log.maxTimestamp() : log.offsetForTimestamp(Number(p.timestamp));
            if (hit) ({ offset, timestamp: ts } = hit);
          }
          pw.appendInt32(p.index).appendInt16(error).appendInt64(BigInt(ts)).appendInt64(BigInt(offset)).appendInt32(0);
        });
      })
      .appendTaggedFields();
  }

  private async fetch(r: Reader): Promise<Writer> {
    const maxWaitMs = r.readInt32();
    const minBytes = r.readInt32();
    const maxBytes = r.readInt32();
    r.readInt8(); // isolation level: there are no transactions here
    r.readInt32(); // session id
    r.readInt32(); // session epoch
    const topics = r.readArray((tr) => ({
      id: tr.readUUID(),
      partitions: tr.readArray((pr) => {
        const p = { index: pr.readInt32(), epoch: pr.readInt32(), offset: pr.readInt64(), lastEpoch: pr.readInt32(), logStart: pr.readInt64(), maxBytes: pr.readInt32() };
        return p;
      }),
    }));
    const build = (): { writer: Writer; bytes: number } => {
      let total = 0;
      const writer = Writer.create()
        .appendInt32(0)
        .appendInt16(0)
        .appendInt32(0)
        .appendArray(topics, (w, t) => {
          const topic = this.topicById(t.id);
          w.appendUUID(t.id).appendArray(t.partitions, (pw, p) => {
            const log = topic?.partitions[p.index];
            const offset = Number(p.offset);
            let error: number = ErrorCode.NONE;
            let records: Buffer[] = [];
            if (!topic) error = ErrorCode.UNKNOWN_TOPIC_ID;
            else if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            else if (offset < log.logStartOffset || offset > log.highWatermark) error = ErrorCode.OFFSET_OUT_OF_RANGE;
            else records = log.read(offset, Math.min(p.maxBytes, Math.max(1, maxBytes - total)));
            const data = Buffer.concat(records);
            total += data.length;
            const hw = BigInt(log?.highWatermark ?? -1), start = BigInt(log?.logStartOffset ?? -1);
            pw.appendInt32(p.index).appendInt16(error).appendInt64(hw).appendInt64(hw).appendInt64(start)
              .appendArray([], () => undefined)
              .appendInt32(-1)
              .appendUnsignedVarInt(data.length + 1)
              .append(data);
          });
        })
        .appendTaggedFields();
      return { writer, bytes: total };
    };
    let out = build();
    if (out.bytes < Math.max(1, minBytes) && maxWaitMs > 0) {
      const logs = topics.flatMap((t) => t.partitions.map((p) => this.topicById(t.id)?.partitions[p.index])).filter((l): l is PartitionLog => l !== undefined);
      if (logs.length > 0) {
        await Promise.race(logs.map((l) => l.waitForData(maxWaitMs)));
        out = build();
      }
    }
    return out.writer;
  }

  private produce(r: Reader): Writer {
    r.readNullableString(); // transactional id
    r.readInt16(); // acks: everything is acknowledged once appended
    r.readInt32(); // timeout
    const topics = r.readArray((tr) => ({
      name: tr.readString(),
      partitions: tr.readArray((pr) => ({ index: pr.readInt32(), records: pr.readNullableBytes() })),
    }));
    const now = Date.now();
    return Writer.create()
      .appendArray(topics, (w, t) => {
        w.appendString(t.name).appendArray(t.partitions, (pw, p) => {
          const log = this.topics.get(t.name)?.partitions[p.index];
          let error: number = ErrorCode.NONE, message: string | null = null, base = -1, appendTime = -1;
          if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else {
            for (const batch of splitBatches(p.records ?? Buffer.alloc(0))) {
              const res = log.append(batch, now);
              if (res.kind === "error") {
                error = res.code;
                message = res.message;
                break;
              }
              if (base < 0) base = res.baseOffset;
              appendTime = res.logAppendTimeMs;
            }
          }
          pw.appendInt32(p.index).appendInt16(error).appendInt64(BigInt(base)).appendInt64(BigInt(appendTime)).appendInt64(BigInt(log?.logStartOffset ?? -1))
            .appendArray([], () => undefined)
            .appendString(message);
        });
      })
      .appendInt32(0)
      .appendTaggedFields();
  }

  private initProducerId(r: Reader): Writer {
    const transactionalId = r.readNullableString();
    const w = Writer.create().appendInt32(0);
    if (transactionalId !== null) return w.appendInt16(ErrorCode.INVALID_REQUEST).appendInt64(-1n).appendInt16(-1).appendTaggedFields();
    const id = this.nextProducerId++;
    return w.appendInt16(0).appendInt64(id).appendInt16(0).appendTaggedFields();
  }

  private createTopics(r: Reader): Writer {
    const topics = r.readArray((tr) => ({
      name: tr.readString(),
      partitions: tr.readInt32(),
      replication: tr.readInt16(),
      assignments: tr.readArray((ar) => ({ index: ar.readInt32(), brokers: ar.readArray((br) => br.readInt32(), true, false) })),
      configs: tr.readArray((cr) => ({ name: cr.readString(), value: cr.readNullableString() })),
    }));
    r.readInt32();
    const validateOnly = r.readBoolean();
    return Writer.create()
      .appendInt32(0)
      .appendArray(topics, (w, t) => {
        const count = t.partitions === -1 ? this.opts.defaultPartitions ?? 1 : t.partitions;
        let error: number = ErrorCode.NONE, message: string | null = null;
        if (this.topics.has(t.name)) [error, message] = [ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`];
        else if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t.name)) [error, message] = [ErrorCode.INVALID_TOPIC_EXCEPTION, `Invalid topic name ${t.name}`];
        else if (count < 1) [error, message] = [ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0."];
        else if (!validateOnly) {
          const tsType = t.configs.find((c) => c.name === "message.timestamp.type")?.value;
          this.createTopic(t.name, count, { logAppendTime: tsType === "LogAppendTime" });
        }
        w.appendString(t.name).appendUUID(this.topics.get(t.name)?.id ?? ZERO_UUID).appendInt16(error).appendString(message)
          .appendInt32(error === 0 ? count : -1).appendInt16(1)
          .appendArray([], () => undefined);
      })
      .appendTaggedFields();
  }

  private deleteTopics(r: Reader): Writer {
    const topics = r.readArray((tr) => ({ name: tr.readNullableString(), id: tr.readUUID() }));
    return Writer.create()
      .appendInt32(0)
      .appendArray(topics, (w, t) => {
        const topic = t.name !== null ? this.topics.get(t.name) : this.topicById(t.id);
        if (topic) this.topics.delete(topic.name);
        w.appendString(topic?.name ?? t.name).appendUUID(topic?.id ?? ZERO_UUID)
          .appendInt16(topic ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          .appendString(topic ? null : "This server does not host this topic-partition.");
      })
      .appendTaggedFields();
  }

  private createPartitions(r: Reader): Writer {
    const topics = r.readArray((tr) => {
      const name = tr.readString();
      const count = tr.readInt32();
      tr.readNullableArray((ar) => ar.readArray((br) => br.readInt32(), true, false));
      return { name, count };
    });
    r.readInt32();
    const validateOnly = r.readBoolean();
    return Writer.create()
      .appendInt32(0)
      .appendArray(topics, (w, t) => {
        const topic = this.topics.get(t.name);
        let error: number = ErrorCode.NONE, message: string | null = null;
        if (!topic) [error, message] = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`];
        else if (t.count <= topic.partitions.length) [error, message] = [ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions.length} partitions, which is higher than the requested ${t.count}.`];
        else if (!validateOnly) this.addPartitions(t.name, t.count);
        w.appendString(t.name).appendInt16(error).appendString(message);
      })
      .appendTaggedFields();
  }

  private deleteRecordsApi(r: Reader): Writer {
    const topics = r.readArray((tr) => ({ name: tr.readString(), partitions: tr.readArray((pr) => ({ index: pr.readInt32(), offset: pr.readInt64() })) }));
    return Writer.create()
      .appendInt32(0)
      .appendArray(topics, (w, t) => {
        w.appendString(t.name).appendArray(t.partitions, (pw, p) => {
          const log = this.topics.get(t.name)?.partitions[p.index];
          let error: number = ErrorCode.NONE;
          if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else {
            const target = p.offset === -1n ? log.highWatermark : Number(p.offset);
            if (target < 0 || target > log.highWatermark) error = ErrorCode.OFFSET_OUT_OF_RANGE;
            else log.deleteBefore(target);
          }
          pw.appendInt32(p.index).appendInt64(BigInt(log?.logStartOffset ?? -1)).appendInt16(error);
        });
      })
      .appendTaggedFields();
  }
}
