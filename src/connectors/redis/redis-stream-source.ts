import { type RecordBatch } from "../../batch/record-batch.js";
import { BatchLog } from "../../checkpoint/batch-log.js";
import { StreamingError } from "../../errors/errors.js";
import type { CastMode } from "../../expr/cast.js";
import { type Offset, ReadLimit, type Source, type SourceContext, type StreamingSourceProvider } from "../../streaming/source.js";
import type { StructType } from "../../types/data-type.js";
import { type RawEntry, RedisConnection } from "./redis-connection.js";
import { BEFORE_FIRST_ID, compareIds } from "./redis-entry-id.js";
import { canonicalOffsets, describeDataLoss, detectDataLoss, splitByBacklog, type StreamOffsets, toStreamOffsets } from "./redis-offsets.js";
import type { RedisSourceOptions } from "./redis-options.js";
import { RedisRowConverter, redisSourceSchema } from "./redis-rows.js";
import { RedisStreamReader } from "./redis-stream-reader.js";

/** `sources/<i>/0`: where each listed stream started (resolved once, on the query's first run). */
interface InitialPositions {
  readonly startingOffsets: Record<string, string>;
}

/**
 * `format("redis")` as a streaming source: entries of one or more Redis streams, replayable by
 * entry ID, offsets kept in Sluice's checkpoint (no consumer group is used or created).
 *
 * - **Offsets** are `{"<stream>": "<last entry ID read>"}`; a batch reads `XRANGE key (start end`,
 *   so the same (start, end] gives the same entries after a restart (as long as they were not
 *   trimmed; see failOnDataLoss).
 * - **Initial positions** (`startingOffsets`: earliest, latest, or an ID per stream) are resolved
 *   when the query first runs and kept in `sources/<i>/0`, so `latest` means the same thing when
 *   batch 0 is re-run after a crash. A restarted query ignores `startingOffsets`, as in Spark.
 * - **New streams**: each listed stream is looked at on every trigger; one that did not exist at
 *   the start is read from its first entry once it appears (as Spark reads new Kafka partitions).
 * - **maxEntriesPerTrigger** splits the limit across streams in proportion to their backlogs.
 *   A backlog is counted exactly up to the limit (those entries are read once and kept for the
 *   batch); a stream with more than the limit counts as its length (XLEN), an upper bound.
 * - **Data loss**: before reading a stream from a committed position, the source checks that the
 *   stream still holds it (the first entry is at or before it). If not, the query fails
 *   (failOnDataLoss=true, the default) naming the stream and IDs, or warns and reads on.
 */
export class RedisStreamSource implements Source {
  readonly schema: StructType;
  readonly description: string;
  private readonly conn: RedisConnection;
  private readonly reader: RedisStreamReader;
  private readonly converter: RedisRowConverter;
  private readonly log: BatchLog<InitialPositions>;
  private initial: Record<string, string> | null = null;
  /** Entries read by a rate-limited latestOffset, reused by the getBatch that follows. */
  private readonly prefetched = new Map<string, { after: string; entries: RawEntry[] }>();

  constructor(
    private readonly opts: RedisSourceOptions,
    ctx: SourceContext,
  ) {
    this.schema = redisSourceSchema(opts.fieldSchema);
    this.conn = new RedisConnection(opts, "Redis source");
    this.reader = new RedisStreamReader(this.conn);
    this.description = `RedisStreams[${this.conn.address}, streams=${opts.streams.join(",")}]`;
    const mode: CastMode = ctx.session.conf.getBoolean("sluice.sql.ansi.enabled") ? "ansi" : "legacy";
    this.converter = new RedisRowConverter(this.schema, opts.fieldSchema, mode, ctx.session.timeZone);
    this.log = new BatchLog<InitialPositions>(ctx.metadataPath);
  }

  initialOffset(): Offset {
    return {};
  }

  /** Connects (and authenticates) before the first batch, so an unreachable server fails start() naming host:port. */
  async open(): Promise<void> {
    await this.conn.command(["PING"], "connecting");
  }

  defaultReadLimit(): ReadLimit {
    return this.opts.maxEntriesPerTrigger === null ? ReadLimit.allAvailable() : ReadLimit.maxRows(this.opts.maxEntriesPerTrigger);
  }

  private async initialPositions(): Promise<Record<string, string>> {
    if (this.initial !== null) return this.initial;
    const logged = this.log.get(0);
    if (logged !== undefined) return (this.initial = logged.startingOffsets);
    const resolved = await this.reader.resolveAll(this.opts.streams, this.opts.startingOffsets);
    // Durable before any offset that depends on it is written to offsets/N.
    if (!this.log.add(0, { startingOffsets: resolved })) return (this.initial = this.log.get(0)!.startingOffsets);
    return (this.initial = resolved);
  }

  private position(start: StreamOffsets, initial: Record<string, string>, stream: string): string {
    return start[stream] ?? initial[stream] ?? BEFORE_FIRST_ID;
  }

  async latestOffset(startOffset: Offset, limit: ReadLimit): Promise<Offset> {
    const start = toStreamOffsets(startOffset);
    const initial = await this.initialPositions();
    const streams = this.opts.streams;
    const from = streams.map((s) => this.position(start, initial, s));
    const next: Record<string, string> = {};
    for (const s of streams) if (start[s] !== undefined) next[s] = start[s];
    this.prefetched.clear();
    const max = ReadLimit.maxOf(limit, "maxRows");
    if (max !== null) {
      const probes = await Promise.all(streams.map((s, i) => this.reader.range(s, from[i]!, "+", max)));
      const backlogs = await Promise.all(probes.map(async (p, i) => (p.length < max ? p.length : Math.max(max, await this.reader.length(streams[i]!)))));
      const take = splitByBacklog(max, backlogs);
      streams.forEach((s, i) => {
        const n = Math.min(take[i]!, probes[i]!.length);
        if (n === 0) return;
        const entries = probes[i]!.slice(0, n);
        next[s] = entries[n - 1]![0];
        this.prefetched.set(s, { after: from[i]!, entries });
      });
    } else {
      const lasts = await Promise.all(streams.map((s) => this.reader.lastId(s)));
      streams.forEach((s, i) => {
        const last = lasts[i];
        if (last != null && compareIds(last, from[i]!) > 0) next[s] = last;
      });
    }
    const out = canonicalOffsets(next);
    return JSON.stringify(out) === JSON.stringify(canonicalOffsets(start)) ? startOffset : out;
  }

  async getBatch(startOffset: Offset, endOffset: Offset): Promise<RecordBatch[]> {
    const start = toStreamOffsets(startOffset), end = toStreamOffsets(endOffset);
    const initial = await this.initialPositions();
    const perStream = await Promise.all(
      Object.keys(end).map(async (stream) => {
        const after = this.position(start, initial, stream);
        const to = end[stream]!;
        const out: RecordBatch[] = [];
        if (compareIds(to, after) <= 0) return out;
        if (after !== (initial[stream] ?? BEFORE_FIRST_ID)) await this.checkDataLoss(stream, after, to);
        const pre = this.prefetched.get(stream);
        if (pre !== undefined && pre.after === after && pre.entries.length > 0 && compareIds(pre.entries[pre.entries.length - 1]![0], to) >= 0) {
          const upTo = pre.entries.findIndex((e) => compareIds(e[0], to) > 0);
          const entries = upTo < 0 ? pre.entries : pre.entries.slice(0, upTo);
          for (let i = 0; i < entries.length; i += this.opts.fetchSize) out.push(this.converter.convert(stream, entries.slice(i, i + this.opts.fetchSize)));
          return out;
        }
        await this.reader.rangeAll(stream, after, to, this.opts.fetchSize, (entries) => out.push(this.converter.convert(stream, entries)));
        return out;
      }),
    );
    return perStream.flat();
  }

  private async checkDataLoss(stream: string, after: string, to: string): Promise<void> {
    const loss = detectDataLoss({ stream, from: after, to, firstId: await this.reader.firstId(stream) });
    if (loss === null) return;
    const text = describeDataLoss(loss);
    if (this.opts.failOnDataLoss) {
      throw new StreamingError("REDIS_DATA_LOSS", `${text} Set option 'failOnDataLoss' to 'false' to read on from the first entry still there.`);
    }
    process.emitWarning(`${text} Reading on from the first entry still there (failOnDataLoss=false).`, { code: "SLUICE_REDIS_DATA_LOSS" });
  }

  commit(): void {
    this.prefetched.clear();
  }

  async stop(): Promise<void> {
    this.prefetched.clear();
    await this.conn.close();
  }
}

/** The recipe the streaming DataFrame holds: a RedisStreamSource per query run. */
export function redisStreamingProvider(opts: RedisSourceOptions): StreamingSourceProvider {
  return {
    kind: "StreamingSourceProvider",
    name: `redis[${opts.streams.join(",")}]`,
    schema: redisSourceSchema(opts.fieldSchema),
    createSource: (ctx) => new RedisStreamSource(opts, ctx),
  };
}
