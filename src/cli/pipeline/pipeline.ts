import { join, resolve } from "node:path";
import type { DataFrame } from "../../api/dataframe.js";
import type { Session } from "../../api/session.js";
import { isFileFormat } from "../../connectors/file-format.js";
import { AnalysisError, IllegalArgumentError, SluiceError } from "../../errors/errors.js";
import { parseStatements } from "../../sql/index.js";
import type { CreateTempViewUsingStatement, InsertIntoStatement, Statement } from "../../sql/statement.js";
import { hasStreamSink } from "../../streaming/sink-registry.js";
import type { TriggerSpec } from "../../streaming/trigger.js";

/** A pipeline file that cannot run as written (no INSERT, an undeclared sink, a bad sink option, ...). */
export class PipelineError extends SluiceError {}

/** One streaming query of a pipeline: `INSERT INTO sink SELECT ...`, ready to start. */
export interface PipelineQuery {
  /** The sink view's name, also the query's name. */
  readonly name: string;
  readonly df: DataFrame;
  readonly format: string;
  /** Writer options (path, format options, ...), without the ones the pipeline interprets. */
  readonly options: Readonly<Record<string, string>>;
  readonly outputMode: string;
  readonly trigger: TriggerSpec | null;
  readonly partitionBy: readonly string[];
  /** Absolute checkpoint directory of the query, null when none is configured (console/memory sinks then use a temporary one). */
  readonly checkpoint: string | null;
}

export interface PipelineOptions {
  /** `--checkpoint DIR`: each query checkpoints under DIR/<sink view>. */
  readonly checkpointRoot?: string;
  /** `--once` / `--available-now`: overrides every sink's trigger. */
  readonly trigger?: TriggerSpec;
}

/** Sink view options the pipeline reads itself (matched case-insensitively). */
const PIPELINE_KEYS = new Set(["checkpointlocation", "outputmode", "trigger", "partitionby"]);
const BUILTIN_SINKS = new Set(["console", "memory"]);

/**
 * Reads a pipeline script: `SET` applies settings; `CREATE TEMP VIEW v [(schema)] USING fmt
 * OPTIONS (...)` declares a streaming source (option `watermark 'ts, 10 minutes'`: its event-time
 * watermark, as withWatermark) (or, when v is the target of an INSERT, a sink);
 * `CREATE TEMP VIEW v AS SELECT ...` a view over them; each `INSERT INTO sink SELECT ...` becomes
 * one streaming query. Nothing is started; every problem is reported before any query runs.
 */
export function planPipeline(spark: Session, text: string, o: PipelineOptions = {}): PipelineQuery[] {
  const stmts = parseStatements(text);
  const targets = new Set(stmts.filter((s): s is InsertIntoStatement => s.kind === "InsertInto").map((s) => s.table.join(".").toLowerCase()));
  if (targets.size === 0) throw new PipelineError("PIPELINE_WITHOUT_INSERT", "The pipeline has no INSERT INTO statement, so nothing to run: declare a sink with CREATE TEMP VIEW out USING <format> OPTIONS (...) and write to it with INSERT INTO out SELECT ...");
  const sinks = new Map<string, CreateTempViewUsingStatement>();
  const queries: PipelineQuery[] = [];
  stmts.forEach((s, i) => {
    const where = `statement ${i + 1} (${describe(s)})`;
    try {
      runStatement(s);
    } catch (e) {
      if (e instanceof SluiceError && !(e instanceof PipelineError) && !e.message.includes("\n")) {
        throw new PipelineError(e.errorClass, `${where}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  });
  return queries;

  function runStatement(s: Statement): void {
    switch (s.kind) {
      case "SetConfig":
        if (s.key === null || s.value === null) throw new PipelineError("PIPELINE_UNSUPPORTED_STATEMENT", "SET in a pipeline must set a value: SET key = value.");
        spark.conf.set(s.key, s.value);
        return;
      case "ResetConfig":
        if (s.key) spark.conf.unset(s.key);
        return;
      case "CreateTempViewUsing": {
        const key = s.name.toLowerCase();
        if (targets.has(key)) {
          checkSinkFormat(s);
          sinks.set(key, s);
          return;
        }
        const options: Record<string, string> = {};
        let watermark: string | null = null;
        for (const [k, v] of Object.entries(s.options)) {
          if (k.toLowerCase() === "watermark") watermark = v;
          else options[k] = v;
        }
        const r = spark.readStream.format(s.provider).options(options);
        if (s.schema) r.schema(s.schema);
        let df = r.load();
        if (watermark !== null) {
          const m = /^\s*([^,\s]+)\s*,\s*(.+?)\s*$/.exec(watermark);
          if (!m) throw new IllegalArgumentError("INVALID_WATERMARK", `The watermark option of \`${s.name}\` must be 'column, delay', e.g. 'ts, 10 minutes'; got '${watermark}'.`);
          df = df.withWatermark(m[1]!, m[2]!);
        }
        spark.catalog.createView(s.name, df.plan, s.replace);
        return;
      }
      case "CreateView":
        if (s.ifNotExists && spark.catalog.tableExists(s.name)) return;
        spark.catalog.createView(s.name, spark.analyze(s.plan), s.replace);
        return;
      case "InsertInto":
        queries.push(planInsert(s));
        return;
      default:
        throw new PipelineError("PIPELINE_UNSUPPORTED_STATEMENT", `${s.kind} statements cannot be part of a pipeline; a pipeline holds SET, CREATE TEMP VIEW and INSERT INTO statements (run queries with sluice sql).`);
    }
  }

  function planInsert(s: InsertIntoStatement): PipelineQuery {
    const name = s.table.join(".");
    const sink = sinks.get(name.toLowerCase());
    if (!sink) {
      throw new PipelineError(
        "PIPELINE_UNDECLARED_SINK",
        `INSERT INTO \`${name}\`: no sink view \`${name}\` is declared before it; declare it first with CREATE TEMP VIEW ${name} USING <format> OPTIONS (path '...').`,
      );
    }
    if (s.overwrite) throw new PipelineError("PIPELINE_UNSUPPORTED_STATEMENT", `INSERT OVERWRITE \`${name}\`: a streaming sink cannot be overwritten; use INSERT INTO (and OPTIONS (outputMode 'complete') on the sink view to rewrite results).`);
    let df = spark.dataFrame(s.plan);
    if (!df.isStreaming) throw new PipelineError("PIPELINE_NOT_STREAMING", `INSERT INTO \`${name}\`: its query reads no streaming source view (declare one with CREATE TEMP VIEW src USING <format> OPTIONS (...)).`);
    if (s.columns) {
      if (s.columns.length !== df.columns.length) throw new AnalysisError("INSERT_COLUMN_ARITY_MISMATCH", `INSERT INTO \`${name}\` (${s.columns.join(", ")}) names ${s.columns.length} columns but its query returns ${df.columns.length}.`);
      const cols = s.columns;
      df = df.select(...df.columns.map((c, j) => df.col(c).alias(cols[j]!)));
    }
    const options: Record<string, string> = {};
    let outputMode = "append", trigger: TriggerSpec | null = null, checkpoint: string | null = null;
    let partitionBy: string[] = [];
    for (const [k, v] of Object.entries(sink.options)) {
      const lk = k.toLowerCase();
      if (!PIPELINE_KEYS.has(lk)) options[k] = v;
      else if (lk === "outputmode") outputMode = v;
      else if (lk === "trigger") trigger = parseTriggerOption(name, v);
      else if (lk === "partitionby") partitionBy = v.split(",").map((c) => c.trim()).filter((c) => c !== "");
      else checkpoint = resolve(v.replace(/^file:(\/\/)?/, ""));
    }
    if (o.checkpointRoot !== undefined) checkpoint = join(resolve(o.checkpointRoot), name);
    else if (checkpoint === null) {
      const root = spark.conf.getOption("sluice.sql.streaming.checkpointLocation");
      if (root) checkpoint = join(resolve(root.replace(/^file:(\/\/)?/, "")), name);
    }
    if (checkpoint === null && isFileFormat(sink.provider)) {
      throw new PipelineError("PIPELINE_CHECKPOINT_REQUIRED", `INSERT INTO \`${name}\`: the ${sink.provider} sink needs a checkpoint to write exactly once; run with --checkpoint DIR or add checkpointLocation '...' to the OPTIONS of \`${name}\`.`);
    }
    return { name, df, format: sink.provider, options, outputMode, trigger: o.trigger ?? trigger, partitionBy, checkpoint };
  }
}

function checkSinkFormat(s: CreateTempViewUsingStatement): void {
  const f = s.provider;
  if (!BUILTIN_SINKS.has(f) && !isFileFormat(f) && !hasStreamSink(f)) {
    throw new PipelineError("PIPELINE_UNKNOWN_SINK_FORMAT", `The sink view \`${s.name}\` uses the format '${f}', which cannot be written by a stream; use console, memory, json, csv, parquet, text, or a connector such as kafka.`);
  }
  if (isFileFormat(f) && !Object.keys(s.options).some((k) => k.toLowerCase() === "path")) {
    throw new PipelineError("PIPELINE_SINK_PATH_REQUIRED", `The ${f} sink view \`${s.name}\` needs the output directory: OPTIONS (path '...').`);
  }
}

function parseTriggerOption(name: string, v: string): TriggerSpec {
  const t = v.trim();
  if (/^available[-_ ]?now$/i.test(t)) return { availableNow: true };
  if (/^once$/i.test(t)) return { once: true };
  if (t === "") throw new IllegalArgumentError("INVALID_TRIGGER", `The trigger option of \`${name}\` is empty; use 'availableNow', 'once' or an interval such as '10 seconds'.`);
  return { processingTime: t.replace(/^processing[-_ ]?time\s*/i, "") };
}

function describe(s: Statement): string {
  switch (s.kind) {
    case "SetConfig": return `SET ${s.key ?? ""}`.trim();
    case "CreateTempViewUsing": return `CREATE TEMP VIEW ${s.name} USING ${s.provider}`;
    case "CreateView": return `CREATE VIEW ${s.name}`;
    case "InsertInto": return `INSERT INTO ${s.table.join(".")}`;
    default: return s.kind;
  }
}
