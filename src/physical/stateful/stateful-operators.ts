import { planOutput } from "../../analyzer/plan-output.js";
import { exprSql } from "../../analyzer/expr-sql.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import { timeWindowFunction } from "../../expr/time-window.js";
import { sessionStructFunction } from "../../expr/session-window.js";
import { type Aggregate, type Deduplicate, type Distinct, type FlatMapGroupsWithState, type LogicalPlan, type Window, children, isStreamingPlan } from "../../plan/logical-plan.js";
import { StreamingError } from "../../errors/errors.js";
import { streamingWindowSpec } from "./streaming-window-spec.js";
import { updatingUpstreamOf } from "./update-chain.js";
import { updatingStateSchema } from "./streaming-updating-aggregate-exec.js";
import { sqlTypeName } from "../../types/data-type.js";
import { type JoinOperatorInfo, isStreamStreamJoin, joinOperatorInfo, joinStateSchema } from "./stream-join-helper.js";
import { aggCallsOf } from "../aggregate/aggregation-layout.js";

/**
 * The grouping key that carries event time, which is what lets a streaming aggregation drop late
 * rows, evict state and (in append mode) know when a group is final:
 * - `time`: a grouping column that is a withWatermark event-time column (or carries its delay);
 * - `window`: a `window(eventTime, ...)` struct column computed from such a column;
 * - `session`: the per-row `session_window(eventTime, gap)` column a streaming aggregation by
 *   session window groups by (the session-window operator merges the sessions in state).
 */
export interface EventTimeKey {
  /** Position among the grouping expressions. */
  readonly index: number;
  readonly kind: "time" | "window" | "session";
}

/** One stateful operator of a streaming plan, numbered as the state directories are (`state/<operatorId>`). */
export type StatefulOperatorInfo = AggregateOperatorInfo | DeduplicateOperatorInfo | GroupStateOperatorInfo | JoinOperatorInfo | WindowOperatorInfo;

interface OperatorInfoBase {
  readonly operatorId: number;
  /** Whether the operator emits or evicts when the watermark moves (what no-data batches are for). */
  readonly evictsOnWatermark: boolean;
}

export interface AggregateOperatorInfo extends OperatorInfoBase {
  readonly kind: "aggregate";
  /** Spark's operator names, as progress reports them (a session-window aggregation has its own). */
  readonly operatorName: "stateStoreSave" | "sessionWindowStateStoreSaveExec";
  readonly node: Aggregate;
  readonly eventTimeKey: EventTimeKey | null;
}

/** dropDuplicates / distinct() / dropDuplicatesWithinWatermark on a stream. */
export interface DeduplicateOperatorInfo extends OperatorInfoBase {
  readonly kind: "dedupe";
  readonly operatorName: "dedupe" | "dedupeWithinWatermark";
  readonly node: Deduplicate | Distinct;
  readonly keys: readonly AttributeRef[];
  readonly withinWatermark: boolean;
  /** The watermarked event-time column of the input, if any. */
  readonly eventTime: AttributeRef | null;
}

/** groupByKey(...).flatMapGroupsWithState / mapGroupsWithState on a stream. */
export interface GroupStateOperatorInfo extends OperatorInfoBase {
  readonly kind: "flatMapGroupsWithState";
  readonly operatorName: "flatMapGroupsWithState";
  readonly node: FlatMapGroupsWithState;
}

/** Window functions (PARTITION BY ... ORDER BY event time) on a stream: physical/stateful/streaming-window-exec.ts. */
export interface WindowOperatorInfo extends OperatorInfoBase {
  readonly kind: "window";
  readonly operatorName: "windowStateStoreSave";
  readonly node: Window;
}

/**
 * The stateful operators of a streaming plan in operator-id order: a post-order walk (children
 * left to right before their parent) over the streaming part of the plan. The incremental planner
 * walks the same way, so the ids it hands out match; they must stay stable for a checkpoint's life.
 */
export function statefulOperatorsOf(plan: LogicalPlan): StatefulOperatorInfo[] {
  const out: StatefulOperatorInfo[] = [];
  const visit = (p: LogicalPlan): void => {
    if (!isStreamingPlan(p)) return;
    children(p).forEach(visit);
    if (isStreamStreamJoin(p)) {
      out.push(joinOperatorInfo(p, out.length));
      return;
    }
    if (p.kind === "Aggregate") {
      const eventTimeKey = eventTimeKeyOf(p);
      const operatorName = eventTimeKey?.kind === "session" ? "sessionWindowStateStoreSaveExec" : "stateStoreSave";
      out.push({ kind: "aggregate", operatorId: out.length, operatorName, node: p, eventTimeKey, evictsOnWatermark: eventTimeKey !== null });
    } else if (p.kind === "Deduplicate" || p.kind === "Distinct") {
      const input = planOutput(p.child);
      const keys = p.kind === "Deduplicate" && p.keys ? p.keys.map((k) => input.find((a) => a.id === (k as AttributeRef).id) ?? (k as AttributeRef)) : input;
      const withinWatermark = p.kind === "Deduplicate" && p.withinWatermark;
      const eventTime = input.find((a) => a.watermarkDelayMicros !== undefined) ?? null;
      const evictsOnWatermark = eventTime !== null && (withinWatermark || keys.some((k) => k.id === eventTime.id));
      out.push({ kind: "dedupe", operatorId: out.length, operatorName: withinWatermark ? "dedupeWithinWatermark" : "dedupe", node: p, keys, withinWatermark, eventTime, evictsOnWatermark });
    } else if (p.kind === "Window") {
      // Rows are emitted as the watermark passes them: no-data batches matter.
      out.push({ kind: "window", operatorId: out.length, operatorName: "windowStateStoreSave", node: p, evictsOnWatermark: true });
    } else if (p.kind === "FlatMapGroupsWithState") {
      // Event-time timeouts fire when the watermark moves: a no-data batch is then worth running.
      const evictsOnWatermark = p.spec.timeout === "EventTimeTimeout" && planOutput(p.child).some((a) => a.watermarkDelayMicros !== undefined);
      out.push({ kind: "flatMapGroupsWithState", operatorId: out.length, operatorName: "flatMapGroupsWithState", node: p, evictsOnWatermark });
    }
  };
  visit(plan);
  return out;
}

/** Whether a plan node is one the incremental planner turns into a stateful operator. */
export function isStatefulNode(p: LogicalPlan): p is Aggregate | Deduplicate | Distinct | FlatMapGroupsWithState {
  return p.kind === "Aggregate" || p.kind === "Deduplicate" || p.kind === "Distinct" || p.kind === "FlatMapGroupsWithState";
}

/** The EventTimeWatermark nodes of the streaming part of a plan, in the incremental planner's (post-)order. */
export function watermarkNodesOf(plan: LogicalPlan): Extract<LogicalPlan, { kind: "EventTimeWatermark" }>[] {
  const out: Extract<LogicalPlan, { kind: "EventTimeWatermark" }>[] = [];
  const visit = (p: LogicalPlan): void => {
    if (!isStreamingPlan(p)) return;
    children(p).forEach(visit);
    if (p.kind === "EventTimeWatermark") out.push(p);
  };
  visit(plan);
  return out;
}

/** The delay of a withWatermark node in milliseconds (a month counts 31 days, as the analyzer does). */
export function watermarkDelayMs(p: Extract<LogicalPlan, { kind: "EventTimeWatermark" }>): number {
  return Math.trunc((p.delay.months * 31 * 86_400_000_000 + p.delay.days * 86_400_000_000 + p.delay.micros) / 1000);
}

/**
 * Finds the event-time grouping key of an aggregation, if any (see {@link EventTimeKey}). The key
 * may also come from an upstream stateful operator (a chain): the window of an earlier windowed
 * aggregation, its `window.start` / `window.end`, or a `window(...)` over those (see
 * {@link isEventTimeAttr}).
 */
export function eventTimeKeyOf(agg: Aggregate): EventTimeKey | null {
  const childOut = planOutput(agg.child);
  // `groupBy(window(...).alias("w"))` groups by an alias of the column.
  const attrOf = (e: Expr): AttributeRef | null => (e.kind === "AttributeRef" ? e : e.kind === "Alias" && e.child.kind === "AttributeRef" ? e.child : null);
  if (isStreamingPlan(agg)) {
    for (let i = 0; i < agg.groupingExprs.length; i++) {
      const g = attrOf(agg.groupingExprs[i]!);
      if (g !== null && g.dataType.kind === "struct" && isSessionAttr(agg.child, g.id) && isEventTimeAttr(agg.child, g.id)) return { index: i, kind: "session" };
    }
  }
  for (let i = 0; i < agg.groupingExprs.length; i++) {
    const g = attrOf(agg.groupingExprs[i]!);
    if (g === null) continue;
    const a = childOut.find((x) => x.id === g.id) ?? g;
    if (a.watermarkDelayMicros !== undefined && a.dataType.kind === "timestamp") return { index: i, kind: "time" };
  }
  for (let i = 0; i < agg.groupingExprs.length; i++) {
    const g = attrOf(agg.groupingExprs[i]!);
    if (g !== null && g.dataType.kind === "timestamp" && isEventTimeAttr(agg.child, g.id)) return { index: i, kind: "time" };
  }
  for (let i = 0; i < agg.groupingExprs.length; i++) {
    const g = attrOf(agg.groupingExprs[i]!);
    if (g !== null && g.dataType.kind === "struct" && isEventTimeAttr(agg.child, g.id)) return { index: i, kind: "window" };
  }
  return null;
}

/**
 * Whether attribute `id` of `p`'s output carries event time: a watermarked column, a
 * `window(t, ...)` of an event-time column `t`, a field (`start` / `end`) of an event-time window,
 * `window_time(w)` of one, or the event-time grouping key of a streaming aggregation below (the
 * window an earlier aggregation emits keeps its event time, as Spark's chained aggregations do).
 */
export function isEventTimeAttr(p: LogicalPlan, id: number): boolean {
  const own = planOutput(p).find((a) => a.id === id);
  if (own === undefined) return false;
  if (own.watermarkDelayMicros !== undefined) return true;
  switch (p.kind) {
    case "Project": {
      const def = p.projectList.find((e) => (e.kind === "Alias" || e.kind === "AttributeRef") && e.id === id);
      if (def === undefined) return false;
      return isEventTimeExpr(def.kind === "Alias" ? def.child : def, p.child);
    }
    case "Expand": {
      const j = p.output.findIndex((a) => a.id === id);
      return j >= 0 && p.projections.length > 0 && p.projections.every((proj) => proj[j] !== undefined && isEventTimeExpr(proj[j]!.kind === "Alias" ? (proj[j] as { child: Expr }).child : proj[j]!, p.child));
    }
    case "Aggregate": {
      const def = p.aggregateExprs.find((e) => (e.kind === "Alias" || e.kind === "AttributeRef") && e.id === id);
      if (def === undefined) return false;
      const inner = def.kind === "Alias" ? def.child : def;
      if (inner.kind !== "AttributeRef" || !isStreamingPlan(p)) return false;
      const key = eventTimeKeyOf(p);
      if (key === null) return false;
      const g = p.groupingExprs[key.index]!;
      const gid = g.kind === "AttributeRef" || g.kind === "Alias" ? g.id : -1;
      return gid === inner.id;
    }
    case "FlatMapGroupsWithState": case "LocalRelation": case "DataSourceRelation": case "RangeRelation":
      return false;
    default:
      return children(p).some((c) => isEventTimeAttr(c, id));
  }
}

/**
 * Whether attribute `id` of `p`'s output is a per-row session (`session_window(ts, gap)` as the
 * analyzer writes it for a streaming aggregation: a Project of `__session_struct(ts, end)`),
 * traced through the nodes that pass it on unchanged.
 */
export function isSessionAttr(p: LogicalPlan, id: number): boolean {
  if (!planOutput(p).some((a) => a.id === id)) return false;
  switch (p.kind) {
    case "Project": {
      const def = p.projectList.find((e) => (e.kind === "Alias" || e.kind === "AttributeRef") && e.id === id);
      if (def === undefined) return false;
      if (def.kind === "AttributeRef") return isSessionAttr(p.child, id);
      return def.kind === "Alias" && def.child.kind === "Call" && def.child.fn === sessionStructFunction;
    }
    case "Filter": case "EventTimeWatermark":
      return isSessionAttr(p.child, id);
    default:
      return false;
  }
}

/** Whether an expression over `inputOf`'s output is an event-time value (see {@link isEventTimeAttr}). */
function isEventTimeExpr(e: Expr, inputOf: LogicalPlan): boolean {
  switch (e.kind) {
    case "AttributeRef":
      return isEventTimeAttr(inputOf, e.id);
    case "GetField":
      return exprType(e.child).kind === "struct" && isEventTimeExpr(e.child, inputOf);
    case "Call": {
      const arg = e.args[0];
      if (arg === undefined) return false;
      if (e.fn === timeWindowFunction || e.fn === sessionStructFunction) return isEventTimeExpr(arg, inputOf);
      const name = (e.fn as { name?: string }).name;
      return name === "window_time" && isEventTimeExpr(arg, inputOf);
    }
    default:
      return false;
  }
}

/** The distinct aggregate calls of an aggregation, in first-appearance order (as HashAggregateExec collects them). */

/**
 * What an operator's state is partitioned by (see state-partitions.ts): key expressions over its
 * input, the equality keys of each side of a join, the user key of flatMapGroupsWithState, or
 * null for an operator with a single partition: no keys (a global aggregation, a window without
 * PARTITION BY, a join without an equality), or an update-mode aggregation over another one,
 * whose state is keyed by the upstream groups while its output groups need all of them at once.
 */
export type StatePartitioning =
  | { readonly kind: "keys"; readonly keys: readonly Expr[] }
  | { readonly kind: "join"; readonly left: readonly Expr[]; readonly right: readonly Expr[] }
  | { readonly kind: "userKey"; readonly node: FlatMapGroupsWithState }
  | null;

export function statePartitioning(op: StatefulOperatorInfo, query: { readonly outputMode: string; readonly operators: readonly StatefulOperatorInfo[] }): StatePartitioning {
  const keys = (ks: readonly Expr[]): StatePartitioning => (ks.length === 0 ? null : { kind: "keys", keys: ks });
  switch (op.kind) {
    case "aggregate": {
      if (query.outputMode === "update" && updatingUpstreamOf(op.node, query.operators) !== null) return null;
      const session = op.eventTimeKey?.kind === "session" ? op.eventTimeKey.index : -1;
      return keys(op.node.groupingExprs.filter((_, i) => i !== session));
    }
    case "dedupe":
      return keys(op.keys);
    case "window":
      return keys(op.node.partitionSpec);
    case "flatMapGroupsWithState":
      return { kind: "userKey", node: op.node };
    case "join": {
      const ks = op.spec.keys;
      // Equal values must hash alike on both sides: the analyzer gives both sides of `=` one type.
      if (ks.length === 0 || ks.some((k) => sqlTypeName(exprType(k.left)) !== sqlTypeName(exprType(k.right)))) return null;
      return { kind: "join", left: ks.map((k) => k.left), right: ks.map((k) => k.right) };
    }
  }
}

/**
 * How many state partitions an operator has: what its checkpoint recorded when it first ran,
 * else `sluice.sql.shuffle.partitions` as the checkpoint fixed it, and 1 without partitioning.
 */
export function statePartitionCount(partitioning: StatePartitioning, recorded: number | undefined, shufflePartitions: number): number {
  if (recorded !== undefined) return recorded;
  return partitioning === null ? 1 : shufflePartitions;
}

/** A column of a state schema: a name and a SQL type. */
export interface StateColumn {
  readonly name: string;
  readonly type: string;
}

/** What an operator keeps, for the checkpoint's `state/<op>/_metadata` and its compatibility check. */
export interface OperatorStateSchema {
  readonly operatorId: number;
  readonly operatorName: string;
  readonly keySchema: readonly StateColumn[];
  readonly valueSchema: readonly StateColumn[];
}

/**
 * What an operator keeps. In update mode, an aggregation after another aggregation keeps rows,
 * not buffers (streaming-updating-aggregate-exec.ts): pass the output mode and all operators.
 */
export function stateSchemaOf(op: StatefulOperatorInfo, query?: { readonly outputMode: string; readonly operators: readonly StatefulOperatorInfo[] }): OperatorStateSchema {
  if (op.kind === "aggregate" && query?.outputMode === "update") {
    const upstream = updatingUpstreamOf(op.node, query.operators);
    if (upstream !== null) return updatingStateSchema(op.operatorId, op.node, upstream.node);
  }
  if (op.kind === "join") return joinStateSchema(op);
  if (op.kind === "flatMapGroupsWithState") {
    // Keys and values are user values (JSON-like), not typed columns: only the shape is recorded.
    return {
      operatorId: op.operatorId,
      operatorName: op.operatorName,
      keySchema: [{ name: "groupingKey", type: "STRING" }],
      valueSchema: [{ name: "groupState", type: "BINARY" }, { name: "timeoutTimestamp", type: "BIGINT" }],
    };
  }
  if (op.kind === "window") {
    // Keyed by the PARTITION BY values; the value holds the rows still to emit and the carry-over.
    const spec = streamingWindowSpec(op.node, (cls, msg) => {
      throw new StreamingError(cls, msg);
    });
    const rowType = `ARRAY<STRUCT<${spec.input.map((a) => `\`${a.name.replace(/`/g, "``")}\`: ${sqlTypeName(a.dataType)}`).join(", ")}>>`;
    return {
      operatorId: op.operatorId,
      operatorName: op.operatorName,
      keySchema: op.node.partitionSpec.map((g) => ({ name: g.kind === "AttributeRef" || g.kind === "Alias" ? g.name : exprSql(g), type: sqlTypeName(exprType(g)) })),
      valueSchema: [
        { name: "pendingRows", type: rowType },
        { name: "rowCount", type: "BIGINT" },
        { name: "rank", type: "INT" },
        { name: "denseRank", type: "INT" },
        { name: "lastRows", type: rowType },
        // Accumulator buffers: shown as JSON by the state reader.
        { name: "aggregates", type: "JSON" },
      ],
    };
  }
  if (op.kind === "dedupe") {
    return {
      operatorId: op.operatorId,
      operatorName: op.operatorName,
      keySchema: op.keys.map((k) => ({ name: k.name, type: sqlTypeName(k.dataType) })),
      valueSchema: op.withinWatermark ? [{ name: "expiresAtMicros", type: "BIGINT" }] : [],
    };
  }
  const keyName = (e: Expr): string => (e.kind === "AttributeRef" || e.kind === "Alias" ? e.name : exprSql(e));
  const session = op.eventTimeKey?.kind === "session" ? op.eventTimeKey.index : -1;
  if (session >= 0) {
    // Keyed by the other grouping columns; the value is the key's list of sessions, each with
    // its bounds and the aggregate buffers.
    const s = op.node.groupingExprs[session]!;
    return {
      operatorId: op.operatorId,
      operatorName: op.operatorName,
      keySchema: op.node.groupingExprs.filter((_, i) => i !== session).map((g) => ({ name: keyName(g), type: sqlTypeName(exprType(g)) })),
      valueSchema: [
        { name: keyName(s), type: sqlTypeName(exprType(s)) },
        ...aggCallsOf(op.node.aggregateExprs).map((c) => ({ name: exprSql(c, true), type: sqlTypeName(c.dataType) })),
      ],
    };
  }
  return {
    operatorId: op.operatorId,
    operatorName: op.operatorName,
    keySchema: op.node.groupingExprs.map((g) => ({ name: keyName(g), type: sqlTypeName(exprType(g)) })),
    valueSchema: aggCallsOf(op.node.aggregateExprs).map((c) => ({ name: exprSql(c, true), type: sqlTypeName(c.dataType) })),
  };
}

export type { AttributeRef };

export { aggCallsOf };
