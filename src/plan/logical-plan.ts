import type { RecordBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr, SortOrder } from "../expr/expression.js";
import type { SourceFilter } from "../connectors/source-filter.js";
import type { StructType } from "../types/data-type.js";
import type { Interval } from "../types/interval.js";
import type { GroupStateSpec } from "../physical/stateful/flat-map-groups-with-state-exec.js";

/**
 * Logical plan nodes: frozen plain objects with a `kind` literal, built by the DataFrame API and
 * the SQL front end alike, rewritten (never mutated) by the analyzer and optimizer.
 * Each node kind must be handled by every exhaustive pass (see plan/plan-visitor.ts).
 */
export type LogicalPlan =
  | UnresolvedRelation
  | LocalRelation
  | RangeRelation
  | DataSourceRelation
  | InlineTable
  | Project
  | Filter
  | Aggregate
  | GroupingSets
  | Expand
  | Join
  | Sort
  | Limit
  | Distinct
  | Deduplicate
  | Union
  | SetOperation
  | SubqueryAlias
  | Window
  | WindowGroupLimit
  | Generate
  | Repartition
  | EventTimeWatermark
  | ResolvedHint
  | FlatMapGroupsWithState;

export type LogicalPlanKind = LogicalPlan["kind"];

/** A table or view name, resolved against temp views by the analyzer. */
export interface UnresolvedRelation {
  readonly kind: "UnresolvedRelation";
  readonly nameParts: readonly string[];
}

/** Rows held in memory (createDataFrame, memory sink tables, cached data). */
export interface LocalRelation {
  readonly kind: "LocalRelation";
  readonly output: readonly AttributeRef[];
  readonly batches: readonly RecordBatch[];
  /** For EXPLAIN: where the rows came from. */
  readonly description?: string;
}

/** spark.range(start, end, step): one LONG column `id`. */
export interface RangeRelation {
  readonly kind: "RangeRelation";
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly numPartitions: number;
  readonly output: readonly [AttributeRef];
}

/**
 * Data read through a connector: files (json, csv, text, parquet) or any registered source.
 * The schema is fixed when the DataFrame is created (user schema or inference), so analysis
 * needs no I/O. `pushedFilters` and `requiredColumns` are filled by the optimizer.
 */
export interface DataSourceRelation {
  readonly kind: "DataSourceRelation";
  readonly format: string;
  readonly paths: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  /** The full schema the source produces (data columns, then partition columns). */
  readonly schema: StructType;
  readonly output: readonly AttributeRef[];
  readonly isStreaming: boolean;
  /** Conjuncts the source may use to skip data; rows are still filtered above the scan. */
  readonly pushedFilters: readonly SourceFilter[];
  /** Names of the columns the query needs, or null for all. */
  readonly requiredColumns: readonly string[] | null;
  /** Opaque source-specific data resolved at load time (listed files, partition values, ...). */
  readonly resolved?: unknown;
  /**
   * Set when the scan reads a micro-batch of the query's streaming source `source` (its index;
   * Source.batchScan). With `counts`, the rows it reads are that source's input rows (a source
   * read twice in one plan, a self-union, counts once).
   */
  readonly microBatch?: { readonly source: number; readonly counts: boolean };
}

/** `VALUES (1, 'a'), (2, 'b') AS t(x, y)`. */
export interface InlineTable {
  readonly kind: "InlineTable";
  readonly rows: readonly (readonly Expr[])[];
  readonly names: readonly string[] | null;
}

export interface Project {
  readonly kind: "Project";
  /** After analysis, every element is an AttributeRef or an Alias. */
  readonly projectList: readonly Expr[];
  readonly child: LogicalPlan;
}

export interface Filter {
  readonly kind: "Filter";
  readonly condition: Expr;
  readonly child: LogicalPlan;
}

export interface Aggregate {
  readonly kind: "Aggregate";
  readonly groupingExprs: readonly Expr[];
  /** The output: grouping columns and aggregate expressions, each named. */
  readonly aggregateExprs: readonly Expr[];
  readonly child: LogicalPlan;
}

/** CUBE / ROLLUP / GROUPING SETS before the analyzer expands them into Expand + Aggregate. */
export interface GroupingSets {
  readonly kind: "GroupingSets";
  readonly sets: readonly (readonly Expr[])[];
  readonly groupingExprs: readonly Expr[];
  readonly aggregateExprs: readonly Expr[];
  readonly child: LogicalPlan;
}

/** Emits each input row once per projection (how grouping sets are computed). */
export interface Expand {
  readonly kind: "Expand";
  readonly projections: readonly (readonly Expr[])[];
  readonly output: readonly AttributeRef[];
  readonly child: LogicalPlan;
}

export type JoinType = "inner" | "left_outer" | "right_outer" | "full_outer" | "left_semi" | "left_anti" | "cross";

export interface Join {
  readonly kind: "Join";
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly joinType: JoinType;
  readonly condition: Expr | null;
  /** `join(other, ["a", "b"])`: columns matched by name and output once (removed by the analyzer). */
  readonly usingColumns: readonly string[] | null;
}

export interface Sort {
  readonly kind: "Sort";
  readonly order: readonly SortOrder[];
  /** false for sortWithinPartitions. */
  readonly global: boolean;
  readonly child: LogicalPlan;
}

export interface Limit {
  readonly kind: "Limit";
  readonly limit: number;
  readonly offset: number;
  readonly child: LogicalPlan;
}

export interface Distinct {
  readonly kind: "Distinct";
  readonly child: LogicalPlan;
}

/** dropDuplicates(keys) / dropDuplicatesWithinWatermark(keys); keys null means all columns. */
export interface Deduplicate {
  readonly kind: "Deduplicate";
  readonly keys: readonly Expr[] | null;
  readonly withinWatermark: boolean;
  readonly child: LogicalPlan;
}

/** UNION ALL by position, or by name (unionByName) with optional missing columns as nulls. */
export interface Union {
  readonly kind: "Union";
  readonly children: readonly LogicalPlan[];
  readonly byName: boolean;
  readonly allowMissingColumns: boolean;
}

export interface SetOperation {
  readonly kind: "SetOperation";
  readonly op: "intersect" | "except";
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
}

/** `child AS alias`: qualifies the child's columns with `alias`. */
export interface SubqueryAlias {
  readonly kind: "SubqueryAlias";
  readonly alias: string;
  readonly child: LogicalPlan;
}

/** Window functions over one (partition, order) spec; output = child output + windowExprs. */
export interface Window {
  readonly kind: "Window";
  readonly windowExprs: readonly Expr[];
  readonly partitionSpec: readonly Expr[];
  readonly orderSpec: readonly SortOrder[];
  readonly child: LogicalPlan;
}

/**
 * Per partition (equal `partitionSpec` values), the first `limit` rows by `orderSpec`, ties in
 * input order: the rows `row_number() <= limit` keeps (Spark's WindowGroupLimit). Only the
 * parallel planner makes it, for map tasks before a window's shuffle.
 */
export interface WindowGroupLimit {
  readonly kind: "WindowGroupLimit";
  readonly partitionSpec: readonly Expr[];
  readonly orderSpec: readonly SortOrder[];
  readonly limit: number;
  readonly child: LogicalPlan;
}

/** explode / posexplode / inline: each input row yields zero or more rows. */
export interface Generate {
  readonly kind: "Generate";
  readonly generator: Expr;
  /** explode_outer: keep rows whose collection is empty or null, with nulls. */
  readonly outer: boolean;
  /** Names for the generated columns (empty: the generator's defaults, e.g. `col`, `pos`). */
  readonly outputNames: readonly string[];
  /** Set by the analyzer: the generated attributes. */
  readonly generatorOutput: readonly AttributeRef[];
  /** When true, the child's columns are kept beside the generated ones (LATERAL VIEW, select with explode). */
  readonly keepChildOutput: boolean;
  readonly child: LogicalPlan;
}

export interface Repartition {
  readonly kind: "Repartition";
  readonly numPartitions: number;
  readonly partitionExprs: readonly Expr[];
  /** false for coalesce(n). */
  readonly shuffle: boolean;
  readonly child: LogicalPlan;
}

/** withWatermark(eventTime, delay). */
export interface EventTimeWatermark {
  readonly kind: "EventTimeWatermark";
  readonly eventTime: Expr;
  readonly delay: Interval;
  readonly child: LogicalPlan;
  /**
   * In a micro-batch's plan: the node measures the event times of the rows passing through it
   * and reports them as those of the query's watermark node number `measureAs` (ExecProgress.eventTimesSeen).
   */
  readonly measureAs?: number;
}

/**
 * `groupByKey(fn).flatMapGroupsWithState(...)` / `.mapGroupsWithState(...)`: user code run per
 * key with a GroupState (see physical/stateful/flat-map-groups-with-state-exec.ts). `output` is
 * fixed by the user's output schema; the user functions are opaque to the optimizer.
 */
export interface FlatMapGroupsWithState {
  readonly kind: "FlatMapGroupsWithState";
  readonly spec: GroupStateSpec;
  readonly output: readonly AttributeRef[];
  readonly child: LogicalPlan;
}

export interface ResolvedHint {
  readonly kind: "ResolvedHint";
  readonly hint: "broadcast";
  readonly child: LogicalPlan;
}

const f = <T extends object>(o: T): T => Object.freeze(o);
const fa = <T>(a: readonly T[]): readonly T[] => Object.freeze([...a]);

/** Factories: the one way to build plan nodes. */
export const Plan = {
  unresolvedRelation: (nameParts: readonly string[]): UnresolvedRelation => f({ kind: "UnresolvedRelation", nameParts: fa(nameParts) }),
  localRelation: (output: readonly AttributeRef[], batches: readonly RecordBatch[], description?: string): LocalRelation =>
    f({ kind: "LocalRelation", output: fa(output), batches: fa(batches), ...(description ? { description } : {}) }),
  range: (start: number, end: number, step: number, numPartitions: number, id: AttributeRef): RangeRelation =>
    f({ kind: "RangeRelation", start, end, step, numPartitions, output: Object.freeze([id] as const) }),
  dataSource: (o: Omit<DataSourceRelation, "kind">): DataSourceRelation => f({ kind: "DataSourceRelation", ...o }),
  inlineTable: (rows: readonly (readonly Expr[])[], names: readonly string[] | null): InlineTable =>
    f({ kind: "InlineTable", rows: fa(rows.map((r) => fa(r))), names: names ? fa(names) : null }),
  project: (projectList: readonly Expr[], child: LogicalPlan): Project => f({ kind: "Project", projectList: fa(projectList), child }),
  filter: (condition: Expr, child: LogicalPlan): Filter => f({ kind: "Filter", condition, child }),
  aggregate: (groupingExprs: readonly Expr[], aggregateExprs: readonly Expr[], child: LogicalPlan): Aggregate =>
    f({ kind: "Aggregate", groupingExprs: fa(groupingExprs), aggregateExprs: fa(aggregateExprs), child }),
  groupingSets: (sets: readonly (readonly Expr[])[], groupingExprs: readonly Expr[], aggregateExprs: readonly Expr[], child: LogicalPlan): GroupingSets =>
    f({ kind: "GroupingSets", sets: fa(sets.map((s) => fa(s))), groupingExprs: fa(groupingExprs), aggregateExprs: fa(aggregateExprs), child }),
  expand: (projections: readonly (readonly Expr[])[], output: readonly AttributeRef[], child: LogicalPlan): Expand =>
    f({ kind: "Expand", projections: fa(projections.map((p) => fa(p))), output: fa(output), child }),
  join: (left: LogicalPlan, right: LogicalPlan, joinType: JoinType, condition: Expr | null, usingColumns: readonly string[] | null = null): Join =>
    f({ kind: "Join", left, right, joinType, condition, usingColumns: usingColumns ? fa(usingColumns) : null }),
  sort: (order: readonly SortOrder[], global: boolean, child: LogicalPlan): Sort => f({ kind: "Sort", order: fa(order), global, child }),
  limit: (limit: number, child: LogicalPlan, offset = 0): Limit => f({ kind: "Limit", limit, offset, child }),
  distinct: (child: LogicalPlan): Distinct => f({ kind: "Distinct", child }),
  deduplicate: (keys: readonly Expr[] | null, withinWatermark: boolean, child: LogicalPlan): Deduplicate =>
    f({ kind: "Deduplicate", keys: keys ? fa(keys) : null, withinWatermark, child }),
  union: (children: readonly LogicalPlan[], byName = false, allowMissingColumns = false): Union =>
    f({ kind: "Union", children: fa(children), byName, allowMissingColumns }),
  setOperation: (op: "intersect" | "except", all: boolean, left: LogicalPlan, right: LogicalPlan): SetOperation =>
    f({ kind: "SetOperation", op, all, left, right }),
  subqueryAlias: (alias: string, child: LogicalPlan): SubqueryAlias => f({ kind: "SubqueryAlias", alias, child }),
  window: (windowExprs: readonly Expr[], partitionSpec: readonly Expr[], orderSpec: readonly SortOrder[], child: LogicalPlan): Window =>
    f({ kind: "Window", windowExprs: fa(windowExprs), partitionSpec: fa(partitionSpec), orderSpec: fa(orderSpec), child }),
  windowGroupLimit: (partitionSpec: readonly Expr[], orderSpec: readonly SortOrder[], limit: number, child: LogicalPlan): WindowGroupLimit =>
    f({ kind: "WindowGroupLimit", partitionSpec: fa(partitionSpec), orderSpec: fa(orderSpec), limit, child }),
  generate: (generator: Expr, outer: boolean, outputNames: readonly string[], keepChildOutput: boolean, child: LogicalPlan, generatorOutput: readonly AttributeRef[] = []): Generate =>
    f({ kind: "Generate", generator, outer, outputNames: fa(outputNames), generatorOutput: fa(generatorOutput), keepChildOutput, child }),
  repartition: (numPartitions: number, partitionExprs: readonly Expr[], shuffle: boolean, child: LogicalPlan): Repartition =>
    f({ kind: "Repartition", numPartitions, partitionExprs: fa(partitionExprs), shuffle, child }),
  watermark: (eventTime: Expr, delay: Interval, child: LogicalPlan, measureAs?: number): EventTimeWatermark => f({ kind: "EventTimeWatermark", eventTime, delay, child, ...(measureAs !== undefined ? { measureAs } : {}) }),
  hint: (hint: "broadcast", child: LogicalPlan): ResolvedHint => f({ kind: "ResolvedHint", hint, child }),
  flatMapGroupsWithState: (spec: GroupStateSpec, output: readonly AttributeRef[], child: LogicalPlan): FlatMapGroupsWithState =>
    f({ kind: "FlatMapGroupsWithState", spec, output: fa(output), child }),
};

/** The children of a node, in order. */
export function children(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case "UnresolvedRelation": case "LocalRelation": case "RangeRelation": case "DataSourceRelation": case "InlineTable":
      return [];
    case "Join": case "SetOperation":
      return [p.left, p.right];
    case "Union":
      return p.children;
    default:
      return [p.child];
  }
}

/** The same node with new children (same order as `children`). */
export function withChildren(p: LogicalPlan, cs: readonly LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case "UnresolvedRelation": case "LocalRelation": case "RangeRelation": case "DataSourceRelation": case "InlineTable":
      return p;
    case "Join": case "SetOperation":
      return cs[0] === p.left && cs[1] === p.right ? p : f({ ...p, left: cs[0]!, right: cs[1]! });
    case "Union":
      return cs.every((c, i) => c === p.children[i]) ? p : f({ ...p, children: fa(cs) });
    default:
      return cs[0] === p.child ? p : (f({ ...p, child: cs[0]! }) as LogicalPlan);
  }
}

/** Rebuilds the tree bottom-up with `fn` applied to every node after its children. */
export function transformUp(p: LogicalPlan, fn: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const cs = children(p);
  const next = cs.length === 0 ? p : withChildren(p, cs.map((c) => transformUp(c, fn)));
  return fn(next);
}

/** True when any leaf reads a stream. */
export function isStreamingPlan(p: LogicalPlan): boolean {
  if (p.kind === "DataSourceRelation") return p.isStreaming;
  return children(p).some(isStreamingPlan);
}
