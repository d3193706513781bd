/**
 * Sluice: Structured Streaming for TypeScript. This file is the table of contents.
 */

// Sessions, DataFrames and columns
export { Session, SessionBuilder } from "./api/session.js";
export { DataFrame } from "./api/dataframe.js";
export { GroupedData } from "./api/grouped-data.js";
export { KeyValueGroupedDataset } from "./api/key-value-grouped.js";
export type { FlatMapGroupsWithStateFunction, MapGroupsWithStateFunction } from "./api/key-value-grouped.js";
export { GroupStateTimeout, OutputMode, GroupStateError } from "./api/group-state.js";
export type { GroupState, GroupStateOutputMode } from "./api/group-state.js";
export { TimeMode } from "./api/transform-with-state.js";
export type { StatefulProcessor, StatefulProcessorHandle, ValueState, ListState, MapState, TimerValues, ExpiredTimerInfo, TTLConfig } from "./api/transform-with-state.js";
export { Column } from "./api/column.js";
export type { ColumnOrValue } from "./api/column.js";
export { Window, WindowSpec } from "./api/window-spec.js";
export { DataFrameReader } from "./api/dataframe-reader.js";
export type { SchemaLike } from "./api/dataframe-reader.js";
export { DataFrameWriter } from "./api/dataframe-writer.js";
export { RuntimeConfig } from "./api/runtime-config.js";
export type { ExplainMode } from "./api/explain.js";

// Structured Streaming
export { DataStreamReader } from "./api/data-stream-reader.js";
export { DataStreamWriter } from "./api/data-stream-writer.js";
export { LateRowsWriter } from "./api/late-rows-writer.js";
export { StreamingQuery } from "./api/streaming-query.js";
export { StreamingQueryManager } from "./api/streaming-query-manager.js";
export { MemoryStream } from "./connectors/memory/memory-stream-source.js";
export { ManualClock, SystemClock } from "./streaming/clock.js";
export type { Clock } from "./streaming/clock.js";
export { StreamingQueryProgress } from "./streaming/progress.js";
export type { StreamingQueryStatus, SourceProgress, SinkProgress, StateOperatorProgress } from "./streaming/progress.js";
export type { StreamingQueryListener, QueryStartedEvent, QueryProgressEvent, QueryIdleEvent, QueryTerminatedEvent } from "./streaming/streaming-listener.js";
export { StreamingQueryException } from "./streaming/streaming-query-exception.js";
export { CheckpointError } from "./checkpoint/checkpoint-error.js";
export { ReadLimit } from "./streaming/source.js";
export type { Source, Offset, MaxReadLimitKind, StreamingSourceProvider } from "./streaming/source.js";
export type { Sink } from "./streaming/sink.js";
export { registerStreamSink } from "./streaming/sink-registry.js";
export type { StreamSinkContext, StreamSinkFactory } from "./streaming/sink-registry.js";
export type { TriggerSpec } from "./streaming/trigger.js";
export type { ForeachWriter } from "./connectors/foreach/foreach-sink.js";
export type { ForeachBatchFunction } from "./connectors/foreach/foreach-batch-sink.js";
export { registerStreamSource } from "./streaming/stream-source-registry.js";
export type { StreamSourceFactory, StreamSourceRequest } from "./streaming/stream-source-registry.js";

// Functions: `import { functions as F } from "sluice"`, or the common ones by name
export * as functions from "./api/functions.js";
export { col, lit, expr, when, window, session_window, window_time, timestamp_seconds, broadcast, udf, udaf } from "./api/functions.js";
export type { UserDefinedFunction, UserAggregator } from "./api/udf.js";

// Types and schemas
export * from "./types/data-type.js";
export { parseSchemaDDL, parseDataTypeDDL } from "./types/ddl.js";
export { treeString } from "./types/schema.js";
export * as t from "./types/schema-builder.js";
export { schema } from "./types/schema-builder.js";
export type { Schema } from "./types/schema-builder.js";
export type { RowOf, InputRowOf, UnknownRow } from "./types/row-type.js";
export type { DdlRow, DdlInputRow } from "./types/ddl-row-type.js";

// Errors
export { SluiceError, AnalysisError, ParseError, ExecutionError, IllegalArgumentError, FileFormatError, StreamingError } from "./errors/errors.js";

// Extension points
export type { ScalarFunctionDef, AggregateFunctionDef, Accumulator } from "./expr/function-def.js";
export { registerFunction } from "./expr/function-registry.js";
export type { BatchSourceProvider } from "./connectors/source-registry.js";
export { registerBatchSource } from "./connectors/source-registry.js";
