import type { RecordBatch } from "../../batch/record-batch.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { BatchSourceProvider, SaveMode, WriteResult } from "../source-registry.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import { RedisConnection } from "./redis-connection.js";
import { compareIds } from "./redis-entry-id.js";
import { parseRedisSinkOptions, parseRedisSourceOptions, type RedisSourceOptions } from "./redis-options.js";
import { RedisRowConverter, projectBatch, redisSourceSchema } from "./redis-rows.js";
import { writeRedisBatch } from "./redis-sink.js";
import { RedisStreamReader } from "./redis-stream-reader.js";

/**
 * Reads the entries between `startingOffsets` (exclusive; default earliest) and
 * `endingOffsets` (inclusive; default latest, taken when the scan starts) of every listed
 * stream: the batch twin of the streaming source, same rows and schema. Typed fields are cast
 * in legacy mode (a malformed value reads as null): a batch source is not told the session's
 * ANSI setting.
 */
export async function* scanRedis(opts: RedisSourceOptions, required: readonly string[] | null, timeZone: string): AsyncIterable<RecordBatch> {
  const schema = redisSourceSchema(opts.fieldSchema);
  const conn = new RedisConnection(opts, "Redis reader");
  const reader = new RedisStreamReader(conn);
  const converter = new RedisRowConverter(schema, opts.fieldSchema, "legacy", timeZone);
  try {
    const start = await reader.resolveAll(opts.streams, opts.startingOffsets);
    const end: Record<string, string> = {};
    for (const s of opts.streams) {
      const p = opts.endingOffsets.kind === "perStream" ? opts.endingOffsets.positions[s]! : opts.endingOffsets;
      end[s] = p.kind === "latest" ? ((await reader.lastId(s)) ?? start[s]!) : await reader.resolve(s, p);
    }
    for (const s of opts.streams) {
      if (compareIds(end[s]!, start[s]!) <= 0) continue;
      const chunks: RecordBatch[] = [];
      let after = start[s]!;
      // Page by page, yielding as we go (rangeAll's callback cannot yield).
      while (compareIds(end[s]!, after) > 0) {
        const got = await reader.range(s, after, end[s]!, opts.fetchSize);
        if (got.length > 0) chunks.push(converter.convert(s, got));
        for (const b of chunks.splice(0)) yield projectBatch(b, schema, required);
        if (got.length < opts.fetchSize) break;
        after = got[got.length - 1]![0];
      }
    }
  } finally {
    await conn.close();
  }
}

const WRITE_MODES: readonly SaveMode[] = ["append", "errorifexists"];

/** `spark.read.format("redis")` and `df.write.format("redis")`. */
export const redisBatchSource: BatchSourceProvider = {
  name: "redis",
  resolve(paths, options, userSchema) {
    if (paths.length > 0) throw new IllegalArgumentError("REDIS_OPTION_INVALID", `spark.read.format("redis") takes no path; name the streams with option 'streams' (got path ${paths.join(", ")}).`);
    const opts = parseRedisSourceOptions(options, userSchema, "batch");
    return { schema: redisSourceSchema(opts.fieldSchema), resolved: opts };
  },
  scan(rel: DataSourceRelation, timeZone: string) {
    return scanRedis(rel.resolved as RedisSourceOptions, rel.requiredColumns, timeZone);
  },
  async write(path, mode, partitionBy, options, schema, batches, timeZone): Promise<WriteResult> {
    // As Spark's Kafka writer: entries are appended; ErrorIfExists (the default) appends too.
    if (!WRITE_MODES.includes(mode)) throw new IllegalArgumentError("REDIS_SAVE_MODE_UNSUPPORTED", `Save mode '${mode}' is not allowed for format("redis"); allowed save modes are 'append' and 'errorifexists' (both append entries).`);
    if (partitionBy.length > 0) throw new IllegalArgumentError("REDIS_OPTION_INVALID", `format("redis") does not support partitionBy; give rows a 'stream' column to write to several streams.`);
    const opts = parseRedisSinkOptions(options, path === "" ? null : path);
    const rows = await writeRedisBatch(opts, schema, batches, timeZone);
    return { files: [], rows };
  },
};
