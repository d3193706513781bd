import { ConsoleSink } from "../connectors/console/console-sink.js";
import { type ForeachBatchFunction, ForeachBatchSink } from "../connectors/foreach/foreach-batch-sink.js";
import { type ForeachWriter, ForeachSink } from "../connectors/foreach/foreach-sink.js";
import { MemorySink } from "../connectors/memory/memory-sink.js";
import { isFileFormat } from "../connectors/file-format.js";
import { AnalysisError, IllegalArgumentError } from "../errors/errors.js";
import { FileStreamSink, fileSinkSettings } from "../streaming/file-stream-sink.js";
import { createStreamSink, hasStreamSink } from "../streaming/sink-registry.js";
import type { OutputMode, Sink } from "../streaming/sink.js";
import type { StructType } from "../types/data-type.js";
import type { Session } from "./session.js";

/** What a writer collected about its sink (format, options, name, callbacks). */
export interface StreamSinkSpec {
  readonly format: string;
  readonly options: Readonly<Record<string, string>>;
  readonly queryName: string | null;
  readonly partitionBy: readonly string[];
  readonly outputPath: string | undefined;
  readonly foreachBatch: ForeachBatchFunction | null;
  readonly foreach: ForeachWriter | null;
  /** How errors name the writer: `writeStream` or `lateRowsTo`. */
  readonly what: string;
}

/** The query a sink is made for: its id, checkpoint, and whether the checkpoint is temporary. */
export interface SinkQueryInfo {
  readonly id: string;
  readonly checkpointLocation: string;
  readonly temporary: boolean;
}

/**
 * Makes the sink a writer describes, for rows of `schema`: memory (a table named by the query
 * name), console, foreach, foreachBatch, a registered connector, or a file format. A memory sink
 * is returned as `memory` too, so the caller can register its table once the query started.
 */
export async function openStreamSink(session: Session, spec: StreamSinkSpec, schema: StructType, mode: OutputMode, query: SinkQueryInfo): Promise<{ sink: Sink; memory: MemorySink | null; isFileSink: boolean }> {
  const fmt = spec.format;
  const isFileSink = isFileFormat(fmt);
  const target = spec.outputPath ?? spec.options["path"];
  let sink: Sink;
  let memory: MemorySink | null = null;
  switch (fmt) {
    case "memory":
      if (spec.queryName === null) throw new AnalysisError("QUERY_NAME_REQUIRED", spec.what === "writeStream" ? "queryName must be specified for memory sink" : `queryName must be specified for the memory sink of ${spec.what}`);
      sink = memory = new MemorySink(schema);
      break;
    case "console":
      sink = new ConsoleSink(schema, spec.options, session.timeZone);
      break;
    case "foreachbatch":
      sink = new ForeachBatchSink(session, schema, spec.foreachBatch as ForeachBatchFunction);
      break;
    case "foreach":
      sink = new ForeachSink(schema, spec.foreach as ForeachWriter);
      break;
    default:
      if (hasStreamSink(fmt)) {
        sink = await createStreamSink(fmt, {
          session,
          schema,
          options: { ...spec.options },
          outputMode: mode,
          queryName: spec.queryName,
          queryId: query.id,
          checkpointLocation: query.checkpointLocation,
          temporaryCheckpoint: query.temporary,
        });
        break;
      }
      if (!isFileSink) throw new IllegalArgumentError("UNSUPPORTED_DATA_SOURCE_FOR_STREAMING_WRITE", `Data source ${fmt} does not support streamed writing${spec.what === "writeStream" ? "" : ` (in ${spec.what})`}.`);
      if (!target) throw new IllegalArgumentError("PATH_NOT_SPECIFIED", spec.what === "writeStream" ? `'path' is not specified for the ${fmt} file sink: call start(path).` : `'path' is not specified for the ${fmt} file sink of ${spec.what}: set option("path", ...).`);
      // Spark's file sink writes each batch as new files: it can only append.
      if (mode !== "append") throw new AnalysisError("STREAMING_OUTPUT_MODE.UNSUPPORTED_DATASOURCE", `Data source ${fmt} does not support ${mode[0]!.toUpperCase()}${mode.slice(1)} output mode.`);
      sink = new FileStreamSink(fmt, target, spec.partitionBy, spec.options, schema, session.timeZone, fileSinkSettings(session));
  }
  if (spec.partitionBy.length > 0 && !isFileSink) throw new IllegalArgumentError("UNSUPPORTED_PARTITION_BY", `partitionBy is supported by file sinks only, not by ${fmt}.`);
  return { sink, memory, isFileSink };
}
