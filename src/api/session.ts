import type { RecordBatch } from "../batch/record-batch.js";
import { BatchBuilder } from "../batch/record-batch.js";
import { Analyzer } from "../analyzer/analyzer.js";
import { AnalysisError, IllegalArgumentError } from "../errors/errors.js";
import { Expr as E } from "../expr/expression.js";
import { functionNames } from "../expr/function-registry.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { optimize } from "../optimizer/optimizer.js";
import type { ExecContext, ExecProgress, PhysicalOp } from "../physical/physical-op.js";
import { type ExecSettings, execContext, runPlan } from "../physical/query-execution.js";
import { type PlannerOptions, planPhysical } from "../physical/planner.js";
import { parseStatements } from "../sql/index.js";
import type { Statement } from "../sql/statement.js";
import { LongType, type StructType, structType } from "../types/data-type.js";
import type { DdlRow } from "../types/ddl-row-type.js";
import type { RowOf, UnknownRow } from "../types/row-type.js";
import type { FieldsSpec } from "../types/row-type.js";
import type { Schema } from "../types/schema-builder.js";
import { toInternal } from "../types/values.js";
import { SessionCatalog } from "./catalog.js";
import { DataFrame } from "./dataframe.js";
import { DataFrameReader, type SchemaLike, toStructType } from "./dataframe-reader.js";
import { explainString } from "./explain.js";
import { inferSchemaFromRows } from "./infer-schema.js";
import { RuntimeConfig } from "./runtime-config.js";
import { DataStreamReader } from "./data-stream-reader.js";
import { StreamingQueryManager } from "./streaming-query-manager.js";
import { MemoryStream } from "../connectors/memory/memory-stream-source.js";
import { UDFRegistration } from "./udf.js";
import { SessionMonitoring } from "../monitoring/session-monitoring.js";
import "../expr/builtins.js";
import { WorkerPool } from "../physical/parallel/worker-pool.js";

/**
 * The entry point, as Spark's SparkSession: configuration, temp views, readers, SQL, and the
 * engine that analyzes, optimizes and runs plans.
 *
 * @example
 * const spark = Session.builder().appName("app").config("sluice.sql.shuffle.partitions", 4).getOrCreate();
 * await spark.sql("SELECT 1 AS one").show();
 */
export class Session {
  readonly conf: RuntimeConfig;
  readonly catalog = new SessionCatalog();
  /** Registers TypeScript functions for SQL: `spark.udf.register("slug", fn, "string")`. */
  readonly udf = new UDFRegistration();
  private stopped = false;
  /** Receives input progress of every query this session runs (the CLI's progress bar sets it). */
  progress: ExecProgress | null = null;

  constructor(
    readonly appName = "sluice",
    config: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    this.conf = new RuntimeConfig(config);
    this.monitoring.applyConf();
    this.catalog.fileRelationResolver = (format, path) => (["json", "csv", "parquet", "text"].includes(format) ? this.read.format(format).load(path).plan : undefined);
  }

  static builder(): SessionBuilder {
    return new SessionBuilder();
  }

  get timeZone(): string {
    return this.conf.get("sluice.sql.session.timeZone");
  }
  get caseSensitive(): boolean {
    return this.conf.getBoolean("sluice.sql.caseSensitive");
  }

  get read(): DataFrameReader {
    return new DataFrameReader(this);
  }

  /** `spark.readStream`: streaming DataFrames from files, rate sources, ... */
  get readStream(): DataStreamReader {
    return new DataStreamReader(this);
  }
  /** The streaming queries of this session, and listeners for their events. */
  readonly streams: StreamingQueryManager = new StreamingQueryManager(this);
  /** Web UI, Prometheus metrics, batch logging and alerts, fed by `streams`' listener events (`sluice.ui.*`, `sluice.log.*`, `sluice.alerts.*`). */
  readonly monitoring: SessionMonitoring = new SessionMonitoring(this);
  /** A test stream held in memory: `addData(rows)` appends one batch; `toDF()` reads it. */
  memoryStream<const D extends string>(schema: D): MemoryStream<DdlRow<D>>;
  memoryStream(schema: SchemaLike): MemoryStream;
  memoryStream(schema: SchemaLike): MemoryStream {
    return new MemoryStream(this, toStructType(schema));
  }

  /** Wraps a plan in a DataFrame of this session (analyzing it). */
  dataFrame<R = UnknownRow>(plan: LogicalPlan): DataFrame<R> {
    return new DataFrame<R>(this, plan);
  }

  analyze(plan: LogicalPlan): LogicalPlan {
    const analyzer = new Analyzer(this.catalog, { caseSensitive: this.caseSensitive, timeZone: this.timeZone, ansi: this.conf.getBoolean("sluice.sql.ansi.enabled") });
    return analyzer.analyze(plan);
  }

  optimize(plan: LogicalPlan): LogicalPlan {
    return this.conf.getBoolean("sluice.sql.optimizer.enabled") ? optimize(plan, { timeZone: this.timeZone, ansi: this.conf.getBoolean("sluice.sql.ansi.enabled"), windowGroupLimitThreshold: this.conf.getNumber("sluice.sql.optimizer.windowGroupLimitThreshold") }) : plan;
  }

  execSettings(): ExecSettings {
    return {
      timeZone: this.timeZone,
      ansi: this.conf.getBoolean("sluice.sql.ansi.enabled"),
      batchSize: this.conf.getNumber("sluice.sql.execution.batchSize"),
      memoryLimitBytes: this.conf.getNumber("sluice.sql.execution.memoryLimitBytes"),
      shufflePartitions: this.conf.getNumber("sluice.sql.shuffle.partitions"),
      optimize: (p) => this.optimize(p),
      ...(this.progress ? { progress: this.progress } : {}),
      planner: this.plannerOptions(),
      ...(this.executorThreads() > 1 ? { workers: this.workerPool() } : {}),
    };
  }

  /** Join strategy and parallelism settings for the physical planner. */
  plannerOptions(): PlannerOptions {
    const threads = this.executorThreads();
    const autoBroadcastJoinThreshold = this.conf.getNumber("sluice.sql.autoBroadcastJoinThreshold");
    const ansi = this.conf.getBoolean("sluice.sql.ansi.enabled");
    return {
      preferSortMergeJoin: this.conf.getBoolean("sluice.sql.join.preferSortMergeJoin"),
      autoBroadcastJoinThreshold,
      ansi,
      slidingWindowPanes: this.conf.getBoolean("sluice.sql.optimizer.slidingWindowPanes"),
      ...(threads > 1
        ? {
            parallel: {
              threads,
              minRowsPerTask: this.conf.getNumber("sluice.executor.minRowsPerTask"),
              shufflePartitions: this.conf.getNumber("sluice.sql.shuffle.partitions"),
              broadcastBytes: Math.max(0, autoBroadcastJoinThreshold),
              ansi,
            },
          }
        : {}),
    };
  }

  private executorThreads(): number {
    const n = this.conf.getNumber("sluice.executor.threads");
    if (!Number.isInteger(n) || n < 1) throw new IllegalArgumentError("INVALID_CONF_VALUE", `Invalid value '${this.conf.get("sluice.executor.threads")}' for sluice.executor.threads: expected a whole number of threads, at least 1.`);
    return n;
  }

  private pool: WorkerPool | null = null;

  /** The executor threads, started on first use; a change of `sluice.executor.threads` replaces them. */
  private workerPool(): WorkerPool {
    const n = this.executorThreads();
    if (this.pool?.size !== n) {
      void this.pool?.terminate();
      this.pool = new WorkerPool(n);
    }
    return this.pool;
  }

  execContext(): ExecContext {
    return execContext(this.execSettings());
  }

  /** The physical operators for an analyzed plan (subqueries are run only at execution). */
  physicalPlan(analyzed: LogicalPlan): PhysicalOp {
    return planPhysical(this.optimize(analyzed), this.plannerOptions());
  }

  /** Runs an analyzed plan (internal; DataFrame actions call this). */
  async execute(analyzed: LogicalPlan): Promise<RecordBatch[]> {
    if (this.stopped) throw new IllegalArgumentError("SESSION_STOPPED", "This session was stopped; create a new one with Session.builder().getOrCreate().");
    const settings = this.execSettings();
    // Cached DataFrames inside the plan are read from (or computed once into) the cache.
    const plan = await this.catalog.cacheManager.substitute(analyzed, (p) => runPlan(p, settings));
    return runPlan(plan, settings);
  }

  /**
   * A DataFrame from rows (plain objects) and a schema (DDL, StructType or schema builder). Without
   * a schema, types are inferred as PySpark does (integers as bigint, other numbers as double, ...).
   */
  createDataFrame<const D extends string>(rows: readonly Readonly<Record<string, unknown>>[], schema: D): DataFrame<DdlRow<D>>;
  createDataFrame<F extends FieldsSpec>(rows: readonly Readonly<Record<string, unknown>>[], schema: Schema<F>): DataFrame<RowOf<Schema<F>>>;
  createDataFrame(rows: readonly Record<string, unknown>[], schema?: StructType): DataFrame;
  createDataFrame(rows: readonly Record<string, unknown>[] | readonly unknown[][], schema?: SchemaLike): DataFrame {
    const st = schema === undefined ? inferSchemaFromRows(rows as readonly Record<string, unknown>[]) : toStructType(schema);
    const b = new BatchBuilder(st, rows.length);
    const tz = this.timeZone;
    rows.forEach((r, i) => {
      if (Array.isArray(r)) b.appendRow(st.fields.map((f, j) => toInternal(r[j], f.dataType, `row ${i} column \`${f.name}\``, tz)));
      else {
        const o = r as Record<string, unknown>;
        b.appendRow(st.fields.map((f) => {
          const v = o[f.name];
          if ((v === null || v === undefined) && !f.nullable) throw new IllegalArgumentError("NULL_IN_NON_NULLABLE_COLUMN", `Row ${i} has no value for the non-nullable column \`${f.name}\`.`);
          return toInternal(v, f.dataType, `row ${i} column \`${f.name}\``, tz);
        }));
      }
    });
    const output = st.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    return this.dataFrame(Plan.localRelation(output, [b.finish()]));
  }

  /** A single LONG column `id`: range(end), range(start, end), range(start, end, step). */
  range(start: number, end?: number, step = 1, numPartitions?: number): DataFrame<{ id: number }> {
    if (end === undefined) {
      end = start;
      start = 0;
    }
    if (step === 0) throw new IllegalArgumentError("INVALID_RANGE", "The step of range() must not be 0.");
    return this.dataFrame(Plan.range(start, end, step, numPartitions ?? this.conf.getNumber("sluice.sql.shuffle.partitions"), E.attr("id", LongType, false)));
  }

  /** A temp view as a DataFrame. */
  table(name: string): DataFrame {
    return this.dataFrame(Plan.unresolvedRelation(name.split(".")));
  }

  /** Runs SQL text (one or more statements; the result of the last is returned). */
  sql(text: string): DataFrame {
    const stmts = parseStatements(text);
    if (stmts.length === 0) throw new IllegalArgumentError("EMPTY_SQL", "The SQL text has no statement.");
    let last: DataFrame | null = null;
    for (const s of stmts) last = this.runStatement(s, text);
    return last!;
  }

  private runStatement(s: Statement, text: string): DataFrame {
    switch (s.kind) {
      case "Query": return this.dataFrame(s.plan);
      case "CreateView": {
        if (s.ifNotExists && this.catalog.tableExists(s.name)) return this.emptyResult();
        this.catalog.createView(s.name, this.analyze(s.plan), s.replace);
        return this.emptyResult();
      }
      case "CreateTempViewUsing": {
        const r = this.read.format(s.provider).options(s.options);
        if (s.schema) r.schema(s.schema);
        this.catalog.createView(s.name, r.load().plan, s.replace);
        return this.emptyResult();
      }
      case "DropView": {
        if (!this.catalog.dropView(s.name) && !s.ifExists) throw new AnalysisError("TABLE_OR_VIEW_NOT_FOUND", `[TABLE_OR_VIEW_NOT_FOUND] The view \`${s.name}\` cannot be found.`);
        return this.emptyResult();
      }
      case "ShowTables":
        return this.rowsResult("namespace STRING, tableName STRING, isTemporary BOOLEAN", this.catalog.relationNames().filter((n) => !s.pattern || likeToRegex(s.pattern).test(n)).map((n) => ["", n, true]));
      case "ShowFunctions":
        return this.rowsResult("function STRING", functionNames().filter((n) => !n.startsWith("__") && (!s.pattern || likeToRegex(s.pattern).test(n))).map((n) => [n]));
      case "DescribeQuery": {
        const df = this.dataFrame(s.plan);
        return this.rowsResult("col_name STRING, data_type STRING, comment STRING", df.dtypes.map(([n, t]) => [n, t, null]));
      }
      case "SetConfig": {
        if (s.key !== null && s.value !== null) {
          this.conf.set(s.key, s.value);
          return this.rowsResult("key STRING, value STRING", [[s.key, s.value]]);
        }
        if (s.key !== null) return this.rowsResult("key STRING, value STRING", [[s.key, this.conf.getOption(s.key) ?? "<undefined>"]]);
        return this.rowsResult("key STRING, value STRING", Object.entries(this.conf.getAll()).sort().map(([k, v]) => [k, v]));
      }
      case "ResetConfig": {
        if (s.key) this.conf.unset(s.key);
        return this.emptyResult();
      }
      case "Explain": {
        if (s.statement.kind !== "Query") throw new IllegalArgumentError("UNSUPPORTED_EXPLAIN", "EXPLAIN supports queries only.");
        const parsed = s.statement.plan;
        return this.rowsResult("plan STRING", [[explainString(this, this.analyze(parsed), s.mode, parsed)]]);
      }
      case "CacheTable": {
        // Lazy in both forms: the rows are computed by the first query that reads the view (Spark's default is eager).
        if (s.plan) this.catalog.createView(s.name, this.analyze(s.plan), true);
        this.catalog.cacheTable(s.name);
        return this.emptyResult();
      }
      case "UncacheTable": {
        if (this.catalog.tableExists(s.name) || !s.ifExists) this.catalog.uncacheTable(s.name);
        return this.emptyResult();
      }
      case "InsertInto":
        throw new IllegalArgumentError("UNSUPPORTED_STATEMENT", `${s.kind} is not supported by spark.sql() in this version (statement: ${text.trim().slice(0, 60)}).`);
    }
  }

  private emptyResult(): DataFrame {
    return this.createDataFrame([], structType([]));
  }

  private rowsResult(ddl: string, rows: unknown[][]): DataFrame {
    return this.createDataFrame(rows as unknown as Record<string, unknown>[], ddl as unknown as StructType);
  }

  stop(): void {
    this.stopped = true;
    void this.pool?.terminate();
    this.pool = null;
    if (defaultSession === this) defaultSession = null;
  }
}

function likeToRegex(pattern: string): RegExp {
  return new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/%/g, ".*").replace(/_/g, ".") + "$", "i");
}

let defaultSession: Session | null = null;

export class SessionBuilder {
  private name = "sluice";
  private readonly settings: Record<string, string | number | boolean> = {};
  appName(name: string): this {
    this.name = name;
    return this;
  }
  config(key: string, value: string | number | boolean): this {
    this.settings[key] = value;
    return this;
  }
  master(_url: string): this {
    return this;
  }
  /** The process-wide default session (created on first use); config given here is applied to it. */
  getOrCreate(): Session {
    if (!defaultSession) defaultSession = new Session(this.name, this.settings);
    else for (const [k, v] of Object.entries(this.settings)) defaultSession.conf.set(k, v);
    return defaultSession;
  }
  /** A new, independent session. */
  create(): Session {
    return new Session(this.name, this.settings);
  }
}
