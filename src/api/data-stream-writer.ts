import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import type { ForeachBatchFunction } from "../connectors/foreach/foreach-batch-sink.js";
import type { ForeachWriter } from "../connectors/foreach/foreach-sink.js";
import type { MemorySink } from "../connectors/memory/memory-sink.js";
import { readOrCreateStreamMetadata } from "../checkpoint/stream-metadata.js";
import { isFileFormat } from "../connectors/file-format.js";
import { AnalysisError, IllegalArgumentError } from "../errors/errors.js";
import { type Clock, SystemClock } from "../streaming/clock.js";
import { type LateRowsTarget, lateRowsLayoutOf } from "../streaming/late-rows.js";
import { type OutputMode, parseOutputMode } from "../streaming/sink.js";
import { DEFAULT_TRIGGER, type Trigger, type TriggerSpec, parseTrigger } from "../streaming/trigger.js";
import { checkStreamingQuery } from "../streaming/unsupported-operations.js";
import type { UnknownRow } from "../types/row-type.js";
import type { DataFrame } from "./dataframe.js";
import type { StreamingQuery } from "./streaming-query.js";
import { LateRowsWriter } from "./late-rows-writer.js";
import { type SinkQueryInfo, type StreamSinkSpec, openStreamSink } from "./stream-sink-factory.js";

/**
 * `df.writeStream`: where and how a streaming DataFrame's results go, then `start()`.
 * Sinks: memory (a table named by queryName), console, json/csv/text/parquet files (with a
 * `_sluice_metadata` manifest), foreach, foreachBatch.
 *
 * @example
 * const q = await df.writeStream
 *   .format("memory").queryName("out").outputMode("append")
 *   .option("checkpointLocation", "/tmp/ckpt")
 *   .trigger({ processingTime: "1 second" })
 *   .start();
 */
export class DataStreamWriter<Row = UnknownRow> {
  private fmt = "memory";
  private mode: OutputMode = "append";
  private triggerValue: Trigger = DEFAULT_TRIGGER;
  private name: string | null = null;
  private clockValue: Clock | null = null;
  private parts: string[] = [];
  private readonly opts: Record<string, string> = {};
  // Stored untyped so that DataStreamWriter (and so DataFrame) stays assignable across row types.
  private foreachBatchFn: ForeachBatchFunction | null = null;
  private foreachWriter: ForeachWriter | null = null;
  private lateRowsWriter: LateRowsWriter | null = null;

  constructor(private readonly df: DataFrame<UnknownRow>) {
    if (!df.isStreaming) throw new AnalysisError("WRITE_STREAM_NOT_ALLOWED", "'writeStream' can be called only on streaming Dataset/DataFrame.");
  }

  format(source: string): this {
    this.fmt = source.toLowerCase();
    return this;
  }
  outputMode(mode: OutputMode | string): this {
    try {
      this.mode = parseOutputMode(mode);
    } catch (e) {
      throw new IllegalArgumentError("STREAMING_OUTPUT_MODE.INVALID", (e as Error).message);
    }
    return this;
  }
  trigger(spec: TriggerSpec): this {
    this.triggerValue = parseTrigger(spec);
    return this;
  }
  queryName(name: string): this {
    this.name = name;
    return this;
  }
  option(key: string, value: string | number | boolean): this {
    this.opts[key] = String(value);
    return this;
  }
  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }
  partitionBy(...cols: string[]): this {
    this.parts = cols.flat();
    return this;
  }
  /** The processing-time clock (tests pass a ManualClock). */
  clock(clock: Clock): this {
    this.clockValue = clock;
    return this;
  }
  /** Calls `fn(batchDf, batchId)` for every micro-batch. */
  foreachBatch(fn: ForeachBatchFunction<Row>): this {
    this.fmt = "foreachbatch";
    this.foreachBatchFn = fn as unknown as ForeachBatchFunction;
    return this;
  }
  /** open / process / close per partition of every micro-batch. */
  foreach(writer: ForeachWriter<Row>): this {
    this.fmt = "foreach";
    this.foreachWriter = writer as unknown as ForeachWriter;
    return this;
  }

  /**
   * Sends the rows that stateful operators drop as late (behind the watermark) to a sink of their
   * own instead of only counting them; see {@link LateRowsWriter} for the columns and guarantees.
   *
   * @example
   * input.toDF().withWatermark("ts", "10 seconds")
   *   .groupBy(window(col("ts"), "5 seconds"), col("word")).count()
   *   .writeStream.format("memory").queryName("counts")
   *   .lateRowsTo((late) => late.format("json").option("path", "/data/late"))
   *   .start();
   */
  lateRowsTo(configure: (late: LateRowsWriter) => LateRowsWriter): this {
    this.lateRowsWriter = configure(new LateRowsWriter());
    return this;
  }

  /** Starts the query; `path` is the output directory of file sinks. */
  async start(outputPath?: string): Promise<StreamingQuery> {
    checkStreamingQuery(this.df.plan, this.mode);
    if (this.triggerValue.kind === "continuous") {
      throw new IllegalArgumentError("CONTINUOUS_TRIGGER_NOT_SUPPORTED", "Continuous processing (trigger { continuous: ... }) is not supported yet; use a processingTime, once or availableNow trigger.");
    }
    const spec = { format: this.fmt, options: this.opts, queryName: this.name, partitionBy: this.parts, outputPath, foreachBatch: this.foreachBatchFn, foreach: this.foreachWriter, what: "writeStream" };
    // The checkpoint (and so the query id) comes first: sinks are told both (StreamSinkContext).
    const { dir, temporary } = this.checkpointDir(isFileFormat(this.fmt));
    try {
      return await this.startWith(spec, { id: readOrCreateStreamMetadata(dir).id, checkpointLocation: dir, temporary });
    } catch (e) {
      if (temporary) fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private async startWith(spec: StreamSinkSpec, query: SinkQueryInfo): Promise<StreamingQuery> {
    const df = this.df;
    const session = df.session;
    const { sink, memory } = await openStreamSink(session, spec, df.schema, this.mode, query);
    let lateRows: LateRowsTarget | undefined;
    let lateMemory: MemorySink | null = null;
    try {
      ({ lateRows, lateMemory } = await this.openLateRows(query));
    } catch (e) {
      await Promise.resolve(sink.stop?.()).catch(() => {});
      throw e;
    }
    let started: StreamingQuery;
    try {
      started = session.streams.startQuery({
        plan: df.plan,
        sink,
        ...(lateRows !== undefined ? { lateRows } : {}),
        outputMode: this.mode,
        trigger: this.triggerValue,
        clock: this.clockValue ?? new SystemClock(),
        checkpointDir: query.checkpointLocation,
        deleteCheckpointOnStop: query.temporary,
        name: this.name,
      });
    } catch (e) {
      // The query never ran, so nothing else will stop its sinks (connections would stay open).
      for (const s of [sink, lateRows?.sink]) await Promise.resolve(s?.stop?.()).catch(() => {});
      throw e;
    }
    if (memory !== null) session.catalog.createView(this.name!, memory.relation(), true);
    if (lateMemory !== null) session.catalog.createView(this.lateRowsWriter!.sinkSpec().queryName!, lateMemory.relation(), true);
    // A source that cannot connect (Source.open) fails start() with the query's exception.
    await started.execution.whenSourcesOpen();
    return started;
  }

  /** The late-rows sink of `lateRowsTo(...)`, if one was configured. */
  private async openLateRows(query: SinkQueryInfo): Promise<{ lateRows: LateRowsTarget | undefined; lateMemory: MemorySink | null }> {
    if (this.lateRowsWriter === null) return { lateRows: undefined, lateMemory: null };
    const layout = lateRowsLayoutOf(this.df.plan, this.mode);
    const late = this.lateRowsWriter.sinkSpec();
    if (late.format === "memory" && late.queryName !== null && late.queryName === this.name) {
      throw new AnalysisError("QUERY_NAME_REQUIRED", `lateRowsTo(...): the late rows' memory table needs a name of its own, not the query's (${late.queryName})`);
    }
    const opened = await openStreamSink(this.df.session, late, layout.schema, "append", query);
    return { lateRows: { sink: opened.sink, layout }, lateMemory: opened.memory };
  }

  /** Spark's toTable: here, the memory table `name` (catalog tables come with a catalog). */
  async toTable(name: string): Promise<StreamingQuery> {
    return this.format("memory").queryName(name).start();
  }

  private checkpointDir(isFileSink: boolean): { dir: string; temporary: boolean } {
    const explicit = Object.entries(this.opts).find(([k]) => k.toLowerCase() === "checkpointlocation")?.[1];
    if (explicit) return { dir: toLocal(explicit), temporary: false };
    const root = this.df.session.conf.getOption("sluice.sql.streaming.checkpointLocation");
    if (root) return { dir: path.join(toLocal(root), this.name ?? randomUUID()), temporary: false };
    if (isFileSink) {
      throw new AnalysisError("CHECKPOINT_LOCATION_REQUIRED", `checkpointLocation must be specified either through option("checkpointLocation", ...) or the session conf "sluice.sql.streaming.checkpointLocation".`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-temporary-checkpoint-"));
    process.emitWarning(`Temporary checkpoint location created at ${dir}; it is deleted when the query stops without failure. Set option("checkpointLocation", ...) to restart the query after a failure.`);
    return { dir, temporary: true };
  }
}

function toLocal(p: string): string {
  return path.resolve(p.replace(/^file:(\/\/)?/, ""));
}
