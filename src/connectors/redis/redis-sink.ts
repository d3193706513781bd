import type { Session } from "../../api/session.js";
import type { RecordBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import { ExecutionError, IllegalArgumentError } from "../../errors/errors.js";
import { valueToString } from "../../expr/value-string.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import type { DataType, StructType } from "../../types/data-type.js";
import { RedisConnection } from "./redis-connection.js";
import type { RedisSinkOptions } from "./redis-options.js";

/** The default key holding a query's last committed batch id. */
export const SINK_PROGRESS_KEY_PREFIX = "sluice:sink:";

/**
 * How rows become XADD commands: the target stream (option, else the `stream` column), the
 * columns written as fields (option `fields`, else all but the `stream` column used as the
 * target), values as `CAST(value AS STRING)` prints them, MAP columns expanded into one field
 * per entry, nulls left out (a stream entry has no nulls).
 */
export class XaddPlan {
  private readonly streamCol: number;
  private readonly cols: { index: number; name: string; type: DataType }[];

  constructor(
    private readonly opts: RedisSinkOptions,
    schema: StructType,
    private readonly timeZone: string,
  ) {
    const names = schema.fields.map((f) => f.name);
    const find = (n: string): number => names.findIndex((x) => x.toLowerCase() === n.toLowerCase());
    this.streamCol = opts.stream === null ? find("stream") : -1;
    if (opts.stream === null) {
      if (this.streamCol < 0) throw new IllegalArgumentError("REDIS_OPTION_REQUIRED", `The Redis sink needs a target stream: set option 'stream' (e.g. .option("stream", "out")) or give the rows a 'stream' column. Columns: ${names.join(", ")}.`);
      if (schema.fields[this.streamCol]!.dataType.kind !== "string") throw new IllegalArgumentError("REDIS_OPTION_INVALID", `The 'stream' column must be a STRING (the target stream of each row), but it is ${schema.fields[this.streamCol]!.dataType.kind}.`);
    }
    if (opts.fields !== null) {
      this.cols = opts.fields.map((n) => {
        const i = find(n);
        if (i < 0) throw new IllegalArgumentError("REDIS_OPTION_INVALID", `Option 'fields' names column '${n}', which is not in the output; columns: ${names.join(", ")}.`);
        return { index: i, name: schema.fields[i]!.name, type: schema.fields[i]!.dataType };
      });
    } else {
      this.cols = schema.fields.map((f, i) => ({ index: i, name: f.name, type: f.dataType })).filter((c) => c.index !== this.streamCol);
    }
    if (this.cols.length === 0) throw new IllegalArgumentError("REDIS_OPTION_INVALID", `The Redis sink has no columns to write as fields (option 'fields' or the output's columns besides 'stream').`);
  }

  /** `XADD key [MAXLEN ~ n] * field value ...` for every row, in order. */
  commands(batches: readonly RecordBatch[]): string[][] {
    const out: string[][] = [];
    const trim = this.opts.maxlen === null ? [] : ["MAXLEN", "~", String(this.opts.maxlen)];
    for (const b of batches) {
      for (let r = 0; r < b.numRows; r++) {
        let key = this.opts.stream;
        if (key === null) {
          const k = valueAt(b.columns[this.streamCol]!, r);
          if (k === null || k === "") throw new ExecutionError("REDIS_SINK_NULL_STREAM", `A row has a null or empty 'stream' column; the Redis sink needs the target stream of every row (or option 'stream').`);
          key = k as string;
        }
        const cmd = ["XADD", key, ...trim, "*"];
        const first = cmd.length;
        for (const c of this.cols) {
          const v = valueAt(b.columns[c.index]!, r);
          if (v === null) continue;
          if (c.type.kind === "map") {
            for (const [mk, mv] of v as Map<unknown, unknown>) {
              if (mv === null || mk === null) continue;
              cmd.push(valueToString(mk, c.type.keyType, this.timeZone, { binary: "utf8" }), valueToString(mv, c.type.valueType, this.timeZone, { binary: "utf8" }));
            }
          } else cmd.push(c.name, valueToString(v, c.type, this.timeZone, { binary: "utf8" }));
        }
        if (cmd.length === first) throw new ExecutionError("REDIS_SINK_EMPTY_ENTRY", `A row for stream '${key}' has only null values in the columns written as fields (${this.cols.map((c) => c.name).join(", ")}); a Redis stream entry needs at least one field.`);
        out.push(cmd);
      }
    }
    return out;
  }
}

/**
 * `writeStream.format("redis")`: XADD every output row to a Redis stream, **idempotent per batch
 * id**. The last committed batch id of the query lives in a Redis key (`sluice:sink:<queryId>`,
 * or option `progressKey`); each batch's XADDs and the update of that key run in one MULTI/EXEC
 * transaction (with WATCH on the key), so a batch is either written entirely with its marker or
 * not at all, and a replayed batch id (after a crash between the sink and `commits/N`) finds its
 * marker and writes nothing. Entries get server-generated IDs; `maxlen` trims with `MAXLEN ~ n`.
 *
 * A whole micro-batch is one transaction: Redis queues it in memory before EXEC, so keep batches
 * to sizes the server can hold (maxEntriesPerTrigger / maxOffsetsPerTrigger upstream).
 */
export class RedisStreamSink implements Sink {
  readonly description: string;
  private readonly conn: RedisConnection;
  private readonly plan: XaddPlan;
  constructor(
    private readonly opts: RedisSinkOptions,
    schema: StructType,
    session: Session,
    /** The query's id (StreamSinkContext.queryId), which names the default batch marker key. */
    private readonly queryId: string | null = null,
  ) {
    this.conn = new RedisConnection(opts, "Redis sink");
    this.plan = new XaddPlan(opts, schema, session.timeZone);
    this.description = `RedisStreamSink[${this.conn.address}, stream=${opts.stream ?? "<stream column>"}]`;
  }

  /** Connects (and authenticates) now, so a wrong url or password fails start(). */
  async open(): Promise<void> {
    await this.conn.command(["PING"]);
  }

  /** The key of this query's batch marker. */
  progressKey(): string {
    if (this.opts.progressKey !== null) return this.opts.progressKey;
    if (this.queryId === null) throw new ExecutionError("REDIS_SINK_NO_QUERY", "The Redis sink was made without a query id; set option 'progressKey' to use it on its own.");
    return SINK_PROGRESS_KEY_PREFIX + this.queryId;
  }

  /** Every output mode appends entries (as Spark's Kafka sink does). */
  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode?: OutputMode): Promise<void> {
    const key = this.progressKey();
    const cmds = this.plan.commands(batches);
    await this.conn.run(`batch ${batchId} (XADD to ${this.opts.stream ?? "the streams of the 'stream' column"})`, async (c) => {
      await c.watch(key);
      const last = await c.get(key);
      if (last !== null && Number(last) >= batchId) {
        await c.unwatch();
        return;
      }
      const m = c.multi();
      for (const cmd of cmds) m.addCommand(cmd);
      m.set(key, String(batchId));
      try {
        await m.exec();
      } catch (e) {
        if (e instanceof Error && e.constructor.name === "WatchError") {
          throw new ExecutionError("REDIS_SINK_CONCURRENT_WRITE", `Another writer changed the batch marker '${key}' at ${this.conn.address} while batch ${batchId} was written; is the same query running twice?`, { cause: e });
        }
        throw new ExecutionError("REDIS_SINK_WRITE_FAILED", `Batch ${batchId} could not be written to Redis at ${this.conn.address}: ${(e as Error).message}`, { cause: e });
      }
    });
  }

  async stop(): Promise<void> {
    await this.conn.close();
  }
}

/** `df.write.format("redis")`: XADD every row, pipelined (not transactional; no batch marker). */
export async function writeRedisBatch(opts: RedisSinkOptions, schema: StructType, batches: AsyncIterable<RecordBatch>, timeZone: string): Promise<number> {
  const plan = new XaddPlan(opts, schema, timeZone);
  const conn = new RedisConnection(opts, "Redis writer");
  let rows = 0;
  try {
    for await (const b of batches) {
      const cmds = plan.commands([b]);
      for (let i = 0; i < cmds.length; i += 1000) {
        const chunk = cmds.slice(i, i + 1000);
        // A chunk is retried whole after a lost connection, which may repeat some entries: a
        // batch write is at-least-once.
        await conn.run("XADD", (c) => Promise.all(chunk.map((cmd) => c.sendCommand(cmd))));
      }
      rows += cmds.length;
    }
  } finally {
    await conn.close();
  }
  return rows;
}
