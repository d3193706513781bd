import { registerBatchSource } from "../source-registry.js";
import { registerStreamSink } from "../../streaming/sink-registry.js";
import { registerStreamSource } from "../../streaming/stream-source-registry.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import { redisBatchSource } from "./redis-batch-source.js";
import { parseRedisSinkOptions, parseRedisSourceOptions } from "./redis-options.js";
import { RedisStreamSink } from "./redis-sink.js";
import { redisStreamingProvider } from "./redis-stream-source.js";

/**
 * The Redis Streams connector (`format("redis")`), on node-redis:
 * - `spark.readStream.format("redis")`: a replayable streaming source (redis-stream-source.ts);
 * - `spark.read.format("redis")`: entries between offsets (redis-batch-source.ts);
 * - `writeStream.format("redis")`: XADD, idempotent per batch id (redis-sink.ts);
 * - `df.write.format("redis")`: pipelined XADD.
 * Options: redis-options.ts. Importing this module registers all four.
 *
 * @example
 * const events = spark.readStream.format("redis")
 *   .option("url", "redis://127.0.0.1:6379").option("streams", "events")
 *   .option("startingOffsets", "earliest").option("schema", "user STRING, amount DOUBLE")
 *   .load();   // id STRING, stream STRING, fields MAP<STRING,STRING>, user STRING, amount DOUBLE
 */
export const REDIS_CONNECTOR = {
  name: "redis",
  description: "Redis Streams: source (entry IDs as offsets), batch read, idempotent XADD sink",
  source: true,
  sink: true,
  batch: true,
} as const;

registerStreamSource({
  name: "redis",
  resolve(req) {
    if (req.paths.length > 0) throw new IllegalArgumentError("REDIS_OPTION_INVALID", `readStream.format("redis") takes no path; name the streams with option 'streams' (got path ${req.paths.join(", ")}).`);
    return redisStreamingProvider(parseRedisSourceOptions(req.options, req.userSchema, "stream"));
  },
});

registerBatchSource(redisBatchSource);

registerStreamSink("redis", async (ctx) => {
  const sink = new RedisStreamSink(parseRedisSinkOptions(ctx.options), ctx.schema, ctx.session, ctx.queryId);
  try {
    await sink.open();
  } catch (e) {
    await sink.stop();
    throw e;
  }
  return sink;
});
