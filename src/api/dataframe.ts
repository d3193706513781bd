import { type RecordBatch, totalRows } from "../batch/record-batch.js";
import { IllegalArgumentError, StreamingError } from "../errors/errors.js";
import { type AttributeRef, type Expr, type SortOrder, Expr as E } from "../expr/expression.js";
import { planOutput } from "../analyzer/plan-output.js";
import { matchName, unresolvedColumnError } from "../analyzer/resolve-column.js";
import { type JoinType, type LogicalPlan, Plan, isStreamingPlan } from "../plan/logical-plan.js";
import { parseExpression } from "../sql/index.js";
import { type StructType, simpleString, structField, structType } from "../types/data-type.js";
import { parseInterval } from "../types/interval.js";
import { treeString } from "../types/schema.js";
import type { ColumnPath, ColumnRef, DropColumns, PickColumns, RenameColumn, UnknownRow, WithColumn } from "../types/row-type.js";
import { Column, colExpr } from "./column.js";
import { GroupedData } from "./grouped-data.js";
import { KeyValueGroupedDataset } from "./key-value-grouped.js";
import { batchesToRows } from "./rows.js";
import { showString } from "./show-string.js";
import type { Session } from "./session.js";
import { DataFrameWriter } from "./dataframe-writer.js";
import { DataStreamWriter } from "./data-stream-writer.js";
import { describeFrame } from "./describe.js";
import { explainString, type ExplainMode } from "./explain.js";
import type { StorageLevel } from "./cache-manager.js";

type ColArg<Row> = Column | ColumnRef<Row>;

const JOIN_TYPES: Record<string, JoinType> = {
  inner: "inner", cross: "cross",
  outer: "full_outer", full: "full_outer", fullouter: "full_outer", full_outer: "full_outer",
  left: "left_outer", leftouter: "left_outer", left_outer: "left_outer",
  right: "right_outer", rightouter: "right_outer", right_outer: "right_outer",
  semi: "left_semi", leftsemi: "left_semi", left_semi: "left_semi",
  anti: "left_anti", leftanti: "left_anti", left_anti: "left_anti",
};

/**
 * A distributed-collection-shaped table, as in Spark: an immutable logical plan plus the
 * session that runs it. Transformations return new DataFrames; actions (collect, count, show,
 * write) run the plan and return Promises. `Row` is the row type when the schema is known at
 * compile time (see types/row-type.ts), otherwise `Record<string, unknown>`.
 *
 * @example
 * const df = spark.createDataFrame([{ word: "a", n: 1 }, { word: "b", n: 2 }], "word STRING, n INT");
 * await df.filter(col("n").gt(1)).show();
 * // +----+---+
 * // |word|  n|
 * // +----+---+
 * // |   b|  2|
 * // +----+---+
 */
export class DataFrame<Row = UnknownRow> {
  /** The analyzed logical plan. */
  readonly plan: LogicalPlan;

  constructor(
    readonly session: Session,
    plan: LogicalPlan,
  ) {
    this.plan = session.analyze(plan);
  }

  private derive<R = Row>(plan: LogicalPlan): DataFrame<R> {
    return new DataFrame<R>(this.session, plan);
  }

  /** The output columns with their ids (internal). */
  get output(): readonly AttributeRef[] {
    return planOutput(this.plan);
  }

  get schema(): StructType {
    return structType(this.output.map((a) => structField(a.name, a.dataType, a.nullable)));
  }

  get columns(): string[] {
    return this.output.map((a) => a.name);
  }

  /** [name, type] pairs, with Spark's type names (`int`, `bigint`, `string`, ...). */
  get dtypes(): [string, string][] {
    return this.schema.fields.map((f) => [f.name, simpleString(f.dataType)]);
  }

  get isStreaming(): boolean {
    return isStreamingPlan(this.plan);
  }

  /** The schema as Spark prints it. */
  printSchema(level?: number): void {
    process.stdout.write(this.schemaString(level));
  }
  schemaString(level?: number): string {
    return treeString(this.schema, level);
  }

  /** A column of this DataFrame, bound to it (useful to disambiguate joins). */
  col<K extends ColumnPath<Row>>(name: K): Column {
    const parts = name.split(".");
    const m = matchName(parts, this.output, this.session.caseSensitive);
    if (!m) throw unresolvedColumnError(parts, this.output);
    return new Column(m.rest.length ? E.columnParts([m.attr.name, ...m.rest]) : m.attr);
  }

  select<K extends ColumnPath<Row>>(...cols: K[]): DataFrame<PickColumns<Row, K>>;
  select(...cols: (Column | ColumnRef<Row> | (Column | ColumnRef<Row>)[])[]): DataFrame;
  select(...cols: (Column | string | (Column | string)[])[]): DataFrame {
    return this.derive(Plan.project(cols.flat().map(colExpr), this.plan));
  }

  /** Projects SQL expressions: `selectExpr("a + 1 AS b", "upper(c)")`. */
  selectExpr(...exprs: string[]): DataFrame {
    return this.derive(Plan.project(exprs.map((e) => (e.trim() === "*" ? E.star() : parseExpression(e))), this.plan));
  }

  filter(condition: Column | string): DataFrame<Row> {
    return this.derive(Plan.filter(typeof condition === "string" ? parseExpression(condition) : condition.expr, this.plan));
  }
  where(condition: Column | string): DataFrame<Row> {
    return this.filter(condition);
  }

  /** Adds or replaces a column (keeping its position when replacing, as Spark does). */
  withColumn<K extends string, V>(name: K, column: Column<V>): DataFrame<WithColumn<Row, K, V>> {
    return this.withColumns({ [name]: column } as Record<K, Column<V>>) as unknown as DataFrame<WithColumn<Row, K, V>>;
  }

  withColumns(columns: Record<string, Column>): DataFrame {
    const out = this.output;
    const entries = Object.entries(columns);
    const lower = (s: string): string => (this.session.caseSensitive ? s : s.toLowerCase());
    const list: Expr[] = out.map((a) => {
      const hit = entries.find(([n]) => lower(n) === lower(a.name));
      return hit ? E.alias(hit[1].expr.kind === "Alias" ? hit[1].expr.child : hit[1].expr, hit[0]) : a;
    });
    for (const [n, c] of entries) if (!out.some((a) => lower(a.name) === lower(n))) list.push(E.alias(c.expr.kind === "Alias" ? c.expr.child : c.expr, n));
    return this.derive(Plan.project(list, this.plan));
  }

  /** Renames a column; a missing column is ignored, as in Spark. */
  withColumnRenamed<F extends ColumnRef<Row>, T extends string>(existing: F, newName: T): DataFrame<RenameColumn<Row, F, T>> {
    return this.withColumnsRenamed({ [existing]: newName }) as unknown as DataFrame<RenameColumn<Row, F, T>>;
  }

  withColumnsRenamed(mapping: Record<string, string>): DataFrame {
    const lower = (s: string): string => (this.session.caseSensitive ? s : s.toLowerCase());
    const m = new Map(Object.entries(mapping).map(([k, v]) => [lower(k), v]));
    return this.derive(Plan.project(this.output.map((a) => (m.has(lower(a.name)) ? E.alias(a, m.get(lower(a.name))!) : a)), this.plan));
  }

  /** Drops columns by name (missing names are ignored) or by Column. */
  drop<K extends ColumnRef<Row>>(...cols: (K | Column)[]): DataFrame<DropColumns<Row, K>> {
    const lower = (s: string): string => (this.session.caseSensitive ? s : s.toLowerCase());
    const names = new Set(cols.filter((c): c is K => typeof c === "string").map(lower));
    const ids = new Set(cols.filter((c): c is Column => c instanceof Column).map((c) => (c.expr.kind === "AttributeRef" ? c.expr.id : -1)));
    const keep = this.output.filter((a) => !names.has(lower(a.name)) && !ids.has(a.id));
    return this.derive(Plan.project(keep, this.plan));
  }

  /** Renames the DataFrame (a table alias for qualified column names in joins). */
  alias(name: string): DataFrame<Row> {
    return this.derive(Plan.subqueryAlias(name, this.plan));
  }
  as(name: string): DataFrame<Row> {
    return this.alias(name);
  }

  distinct(): DataFrame<Row> {
    return this.derive(Plan.distinct(this.plan));
  }

  /** Keeps one row per distinct value of `cols` (all columns when omitted). */
  dropDuplicates(cols?: ColumnRef<Row>[]): DataFrame<Row> {
    return this.derive(Plan.deduplicate(cols ? cols.map((c) => E.column(c)) : null, false, this.plan));
  }
  drop_duplicates(cols?: ColumnRef<Row>[]): DataFrame<Row> {
    return this.dropDuplicates(cols);
  }
  /** Streaming deduplication whose state is bounded by the watermark delay. */
  dropDuplicatesWithinWatermark(cols?: ColumnRef<Row>[]): DataFrame<Row> {
    return this.derive(Plan.deduplicate(cols ? cols.map((c) => E.column(c)) : null, true, this.plan));
  }

  groupBy(...cols: (ColArg<Row> | ColArg<Row>[])[]): GroupedData<Row> {
    return new GroupedData<Row>(this as DataFrame<UnknownRow>, cols.flat().map((c) => colExpr(c as Column | string)), "groupBy");
  }
  groupby(...cols: (ColArg<Row> | ColArg<Row>[])[]): GroupedData<Row> {
    return this.groupBy(...cols);
  }
  /** Groups rows by a key computed in TypeScript, for mapGroupsWithState / flatMapGroupsWithState (see api/key-value-grouped.ts). */
  groupByKey<K>(keyFn: (row: Row) => K): KeyValueGroupedDataset<K, Row> {
    return new KeyValueGroupedDataset<K, Row>(this as unknown as DataFrame<UnknownRow>, keyFn);
  }
  cube(...cols: ColArg<Row>[]): GroupedData<Row> {
    return new GroupedData<Row>(this as DataFrame<UnknownRow>, cols.map((c) => colExpr(c as Column | string)), "cube");
  }
  rollup(...cols: ColArg<Row>[]): GroupedData<Row> {
    return new GroupedData<Row>(this as DataFrame<UnknownRow>, cols.map((c) => colExpr(c as Column | string)), "rollup");
  }
  /** A global aggregation: `df.agg(F.max("a"), F.count("*"))`. */
  agg(...exprs: Column[]): DataFrame {
    return this.groupBy().agg(...exprs);
  }

  orderBy(...cols: (ColArg<Row> | ColArg<Row>[])[]): DataFrame<Row> {
    return this.derive(Plan.sort(cols.flat().map((c) => toSortOrder(c as Column | string)), true, this.plan));
  }
  sort(...cols: (ColArg<Row> | ColArg<Row>[])[]): DataFrame<Row> {
    return this.orderBy(...cols);
  }
  sortWithinPartitions(...cols: ColArg<Row>[]): DataFrame<Row> {
    return this.derive(Plan.sort(cols.map((c) => toSortOrder(c as Column | string)), false, this.plan));
  }

  limit(n: number): DataFrame<Row> {
    if (!Number.isInteger(n) || n < 0) throw new IllegalArgumentError("INVALID_LIMIT", `The limit must be a non-negative integer, got ${n}.`);
    return this.derive(Plan.limit(n, this.plan));
  }
  offset(n: number): DataFrame<Row> {
    return this.derive(Plan.limit(Number.MAX_SAFE_INTEGER, this.plan, n));
  }

  /**
   * Joins with another DataFrame on column names (output once, as USING), a Column condition,
   * or nothing (an inner join without condition is a cross join).
   * `how`: inner, left/left_outer, right/right_outer, full/outer/full_outer, left_semi, left_anti, cross.
   */
  join<Other>(other: DataFrame<Other>, on?: string | string[] | Column, how = "inner"): DataFrame {
    const jt = JOIN_TYPES[how.toLowerCase().replace(/\s+/g, "")];
    if (!jt) throw new IllegalArgumentError("UNSUPPORTED_JOIN_TYPE", `Unsupported join type '${how}'. Supported join types include: 'inner', 'outer', 'full', 'fullouter', 'full_outer', 'leftouter', 'left', 'left_outer', 'rightouter', 'right', 'right_outer', 'leftsemi', 'left_semi', 'semi', 'leftanti', 'left_anti', 'anti', 'cross'.`);
    const right = other.plan;
    if (on === undefined) return this.derive(Plan.join(this.plan, right, jt === "inner" ? "cross" : jt, null));
    if (typeof on === "string" || Array.isArray(on)) return this.derive(Plan.join(this.plan, right, jt, null, typeof on === "string" ? [on] : on));
    return this.derive(Plan.join(this.plan, right, jt, on.expr));
  }
  crossJoin<Other>(other: DataFrame<Other>): DataFrame {
    return this.derive(Plan.join(this.plan, other.plan, "cross", null));
  }

  /** UNION ALL by position (Spark's union keeps duplicates). */
  union<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.derive(Plan.union([this.plan, other.plan]));
  }
  unionAll<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.union(other);
  }
  /** Union by column name; with `allowMissingColumns`, missing columns are filled with nulls. */
  unionByName<Other>(other: DataFrame<Other>, allowMissingColumns = false): DataFrame<Row> {
    return this.derive(Plan.union([this.plan, other.plan], true, allowMissingColumns));
  }
  intersect<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.derive(Plan.setOperation("intersect", false, this.plan, other.plan));
  }
  intersectAll<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.derive(Plan.setOperation("intersect", true, this.plan, other.plan));
  }
  subtract<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.derive(Plan.setOperation("except", false, this.plan, other.plan));
  }
  exceptAll<Other>(other: DataFrame<Other>): DataFrame<Row> {
    return this.derive(Plan.setOperation("except", true, this.plan, other.plan));
  }

  /** Hash-repartitions into n partitions (by columns when given). Execution is single-threaded: this fixes partitioning for later stages. */
  repartition(n: number, ...cols: ColArg<Row>[]): DataFrame<Row> {
    if (!Number.isInteger(n) || n < 1) throw new IllegalArgumentError("INVALID_PARTITIONS", `The number of partitions must be a positive integer, got ${n}.`);
    return this.derive(Plan.repartition(n, cols.map((c) => colExpr(c as Column | string)), true, this.plan));
  }
  coalesce(n: number): DataFrame<Row> {
    return this.derive(Plan.repartition(n, [], false, this.plan));
  }

  /** `hint("broadcast")`: hold this side in memory in joins. */
  hint(name: "broadcast"): DataFrame<Row> {
    if (name.toLowerCase() !== "broadcast") throw new IllegalArgumentError("UNSUPPORTED_HINT", `Unknown hint '${name}'; supported: broadcast.`);
    return this.derive(Plan.hint("broadcast", this.plan));
  }

  /** Declares `eventTime` late-data tolerance for streaming aggregations and joins. */
  withWatermark(eventTime: ColumnRef<Row>, delayThreshold: string): DataFrame<Row> {
    const delay = parseInterval(delayThreshold, "watermark delay");
    if (delay.months < 0 || delay.days < 0 || delay.micros < 0) throw new IllegalArgumentError("INVALID_WATERMARK", `The watermark delay '${delayThreshold}' must not be negative.`);
    return this.derive(Plan.watermark(E.column(eventTime), delay, this.plan));
  }

  /**
   * Keeps the result in memory once computed, as Spark does: returns this DataFrame; nothing runs
   * until the first action, which computes the rows once; later actions on it (or on DataFrames,
   * views and SQL built from it) reuse them. `persist(level)` takes Spark's storage level names
   * (all kept in memory here); `unpersist()` forgets the rows.
   *
   * @example
   * const big = spark.read.parquet("events/").filter("amount > 100").cache();
   * await big.count();                       // computes and keeps the rows
   * await big.groupBy("user").count().show(); // reads the kept rows
   */
  cache(): DataFrame<Row> {
    return this.persist();
  }
  persist(level: StorageLevel = "MEMORY_AND_DISK"): DataFrame<Row> {
    this.assertBatch("cache");
    this.session.catalog.cacheManager.cache(this.plan, level);
    return this;
  }
  unpersist(_blocking = false): DataFrame<Row> {
    this.session.catalog.cacheManager.uncache(this.plan);
    return this;
  }
  /** The level given to persist(), or "NONE". */
  get storageLevel(): StorageLevel {
    return this.session.catalog.cacheManager.storageLevel(this.plan);
  }
  /** True after cache() / persist() (PySpark's `is_cached`). */
  get isCached(): boolean {
    return this.session.catalog.cacheManager.isCached(this.plan);
  }

  createOrReplaceTempView(name: string): void {
    this.session.catalog.createView(name, this.plan, true);
  }
  createTempView(name: string): void {
    this.session.catalog.createView(name, this.plan, false);
  }

  private assertBatch(action: string): void {
    if (this.isStreaming) {
      throw new StreamingError("UNSUPPORTED_OPERATION", `Queries with streaming sources must be executed with writeStream.start(); ${action}() is not allowed on a streaming DataFrame.`);
    }
  }

  /** Runs the query and returns its columnar batches (internal). */
  async collectBatches(): Promise<RecordBatch[]> {
    this.assertBatch("collect");
    return this.session.execute(this.plan);
  }

  /** Runs the query and returns all rows as plain objects (timestamps as Date). */
  async collect(): Promise<Row[]> {
    return batchesToRows(this.schema, await this.collectBatches()) as Row[];
  }
  async toArray(): Promise<Row[]> {
    return this.collect();
  }
  async take(n: number): Promise<Row[]> {
    return this.limit(n).collect();
  }
  async head(n = 1): Promise<Row[]> {
    return this.take(n);
  }
  async first(): Promise<Row | undefined> {
    return (await this.take(1))[0];
  }
  async count(): Promise<number> {
    this.assertBatch("count");
    const batches = await this.session.execute(this.plan);
    return totalRows(batches);
  }
  async isEmpty(): Promise<boolean> {
    return (await this.take(1)).length === 0;
  }

  /** The table `show()` prints, as a string. */
  async showString(n = 20, truncate: boolean | number = true, vertical = false): Promise<string> {
    this.assertBatch("show");
    const width = truncate === true ? 20 : truncate === false ? 0 : truncate;
    const batches = await this.session.execute(Plan.limit(n + 1, this.plan));
    return showString(this.schema, batches, n, width, vertical, this.session.timeZone);
  }
  /** Prints the first `n` rows as Spark does. */
  async show(n = 20, truncate: boolean | number = true, vertical = false): Promise<void> {
    process.stdout.write(await this.showString(n, truncate, vertical));
  }

  /** count, mean, stddev, min, max of numeric and string columns. */
  describe(...cols: string[]): DataFrame {
    return describeFrame(this as DataFrame<UnknownRow>, cols, ["count", "mean", "stddev", "min", "max"]);
  }
  /** Like describe, plus percentiles: default count, mean, stddev, min, 25%, 50%, 75%, max. */
  summary(...statistics: string[]): DataFrame {
    return describeFrame(this as DataFrame<UnknownRow>, [], statistics.length ? statistics : ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"]);
  }

  /** Each row as a JSON string in a column `value`. */
  toJSON(): DataFrame<{ value: string }> {
    return this.derive(Plan.project([E.alias(E.fn("to_json", [E.fn("struct", this.output)]), "value")], this.plan));
  }

  /** The plans as Spark's explain() prints them; modes simple, extended, codegen, formatted. */
  explainString(mode: ExplainMode | boolean = "simple"): string {
    return explainString(this.session, this.plan, mode === true ? "extended" : mode === false ? "simple" : mode);
  }
  explain(mode: ExplainMode | boolean = "simple"): void {
    process.stdout.write(this.explainString(mode) + "\n");
  }

  get write(): DataFrameWriter {
    this.assertBatch("write");
    return new DataFrameWriter(this as DataFrame<UnknownRow>);
  }

  toString(): string {
    return `DataFrame[${this.dtypes.map(([n, t]) => `${n}: ${t}`).join(", ")}]`;
  }

  /** Starts writing a streaming DataFrame: `df.writeStream.format("memory").queryName("t").start()`. */
  get writeStream(): DataStreamWriter<Row> {
    return new DataStreamWriter<Row>(this as unknown as DataFrame<UnknownRow>);
  }
}

function toSortOrder(c: Column | string): SortOrder {
  const e = colExpr(c);
  return e.kind === "SortOrder" ? e : E.sortOrder(e, true);
}

