import { IllegalArgumentError } from "../../errors/errors.js";
import { registerStreamSink } from "../../streaming/sink-registry.js";
import type { SourceContext, StreamingSourceProvider } from "../../streaming/source.js";
import { type StreamSourceRequest, registerStreamSource } from "../../streaming/stream-source-registry.js";
import { registerBatchSource } from "../source-registry.js";
import { KAFKA_SINK_OPTIONS, KAFKA_SOURCE_OPTIONS, type KafkaSourceOptions, parseSourceOptions } from "./kafka-options.js";
import { KAFKA_SCHEMA_WITH_HEADERS, kafkaSchema } from "./kafka-rows.js";
import { KafkaSink, KafkaWriter, parseSinkOptions } from "./kafka-sink.js";
import { createKafkaSource, describeSubscription, scanKafka } from "./kafka-source.js";

/**
 * The Kafka connector: `readStream` / `read` / `writeStream` / `write` with `format("kafka")`,
 * on @platformatic/kafka. This descriptor is what registries and the UI read.
 */
export const kafkaConnector = {
  name: "kafka",
  sourceOptions: KAFKA_SOURCE_OPTIONS,
  sinkOptions: KAFKA_SINK_OPTIONS,
  schema: KAFKA_SCHEMA_WITH_HEADERS,
  delivery: { source: "exactly-once (replayable offsets in the checkpoint)", sink: "at-least-once (idempotent producer)" },
} as const;

function noUserSchema(userSchema: unknown): void {
  if (userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The Kafka source does not support a user-specified schema: its columns are fixed (key, value, topic, partition, offset, timestamp, timestampType[, headers]).");
}

registerStreamSource({
  name: "kafka",
  resolve(req: StreamSourceRequest): StreamingSourceProvider {
    noUserSchema(req.userSchema);
    const opts = parseSourceOptions(req.options, true);
    return {
      kind: "StreamingSourceProvider",
      name: `KafkaV2[${describeSubscription(opts.subscription)}]`,
      schema: kafkaSchema(opts.includeHeaders),
      createSource: (ctx: SourceContext) => createKafkaSource(opts, ctx),
    };
  },
});

registerBatchSource({
  name: "kafka",
  resolve(_paths, options, userSchema) {
    noUserSchema(userSchema);
    const opts = parseSourceOptions(options, false);
    return { schema: kafkaSchema(opts.includeHeaders), resolved: opts };
  },
  scan: (rel) => scanKafka(rel.resolved as KafkaSourceOptions, rel.requiredColumns),
  async write(_path, mode, partitionBy, options, schema, batches) {
    if (mode !== "append" && mode !== "errorifexists") {
      throw new IllegalArgumentError("KAFKA_INVALID_SAVE_MODE", `Save mode ${mode} is not allowed for Kafka. Allowed save modes are append and errorifexists (the default); both append.`);
    }
    if (partitionBy.length > 0) throw new IllegalArgumentError("KAFKA_INVALID_OPTION", "partitionBy is not supported by the Kafka sink; use a 'partition' column.");
    const { client, topic } = parseSinkOptions(options);
    const writer = new KafkaWriter(client, schema, topic);
    try {
      const rows = await writer.write(batches);
      return { files: [], rows };
    } finally {
      await writer.close();
    }
  },
});

registerStreamSink("kafka", async (ctx) => {
  const { client, topic } = parseSinkOptions(ctx.options);
  const writer = new KafkaWriter(client, ctx.schema, topic);
  try {
    await writer.check();
  } catch (e) {
    await writer.close();
    throw e;
  }
  return new KafkaSink(writer, topic);
});
