import { planOutput } from "../analyzer/plan-output.js";
import { StreamingError } from "../errors/errors.js";
import { type LogicalPlan, children, isStreamingPlan } from "../plan/logical-plan.js";
import { type StatefulOperatorInfo, aggCallsOf, eventTimeKeyOf, isSessionAttr, statefulOperatorsOf } from "../physical/stateful/stateful-operators.js";
import { checkStreamingJoin } from "../physical/stateful/stream-join-helper.js";
import { checkGroupStateOperator } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import { streamingWindowSpec } from "../physical/stateful/streaming-window-spec.js";
import { groupingKeyIds, statefulOperatorsBelow } from "../physical/stateful/update-chain.js";
import { exprSql } from "../analyzer/expr-sql.js";
import type { OutputMode } from "./sink.js";

/**
 * Spark's UnsupportedOperationChecker: rejects, at start(), query shapes that cannot run
 * incrementally, with Spark's reasons. Streaming aggregations run; the output mode must fit
 * them: append needs a watermarked event-time grouping key (or a window on one), complete needs
 * an aggregation, and sorting is allowed only on an aggregation in complete mode. Joins follow
 * Spark's support matrix ({@link checkStreamingJoin}); chains of stateful operators run in append
 * mode ({@link checkStatefulChain}); other stateful operators (streaming limit) are still
 * rejected as "not supported yet".
 */
export function checkStreamingQuery(plan: LogicalPlan, outputMode: OutputMode): void {
  if (!isStreamingPlan(plan)) {
    throw new StreamingError("WRITE_STREAM_NOT_ALLOWED", "'writeStream' can be called only on streaming Dataset/DataFrame.");
  }
  const fail = (cls: string, msg: string, node: LogicalPlan): never => {
    throw new StreamingError(cls, `${msg};\n${node.kind} [${planOutput(node).map((a) => a.name).join(", ")}]`);
  };
  const notYet = (what: string, node: LogicalPlan): never =>
    fail("STREAMING_STATEFUL_OPERATOR_NOT_SUPPORTED_YET", `${what} on streaming DataFrames/Datasets is not supported yet (it needs the state store of the stateful-streaming engine)`, node);
  const stateful = statefulOperatorsOf(plan);
  const aggregations = stateful.filter((op) => op.kind === "aggregate");
  /** Whether a streaming aggregation sits at or below `p` (what complete-mode sorting needs). */
  const aggregatedBelow = (p: LogicalPlan): boolean => p.kind === "Aggregate" || children(p).some((c) => isStreamingPlan(c) && aggregatedBelow(c));
  const visit = (p: LogicalPlan): void => {
    const streaming = isStreamingPlan(p);
    if (streaming) {
      switch (p.kind) {
        case "Aggregate":
          if (aggCallsOf(p.aggregateExprs).some((c) => c.distinct)) {
            fail("STREAMING_DISTINCT_AGGREGATION_NOT_SUPPORTED", "Distinct aggregations are not supported on streaming DataFrames/Datasets. Consider using approx_count_distinct() instead.", p);
          }
          // The session-window operator needs the session's time to be event time (a watermark):
          // otherwise the per-row sessions would be grouped as they are, never merged.
          if (eventTimeKeyOf(p)?.kind !== "session" && p.groupingExprs.some((g) => (g.kind === "AttributeRef" || g.kind === "Alias") && isSessionAttr(p.child, g.kind === "Alias" && g.child.kind === "AttributeRef" ? g.child.id : g.id))) {
            fail("STREAMING_SESSION_WINDOW_WITHOUT_WATERMARK", "Aggregating a streaming DataFrame by session_window needs a watermark on the session's time column; define one with withWatermark() on the input first", p);
          }
          break;
        case "GroupingSets": notYet("Aggregation with grouping sets", p); break;
        case "Deduplicate":
          if (p.withinWatermark && !planOutput(p.child).some((a) => a.watermarkDelayMicros !== undefined)) {
            fail("STREAMING_DEDUPLICATE_WITHIN_WATERMARK_WITHOUT_WATERMARK", "dropDuplicatesWithinWatermark is not supported on streaming DataFrames/DataSets without watermark; define a watermark with withWatermark() on the input first", p);
          }
          break;
        case "Sort":
          if (!(outputMode === "complete" && aggregatedBelow(p.child))) {
            fail("STREAMING_SORT_NOT_SUPPORTED", "Sorting is not supported on streaming DataFrames/Datasets, unless it is on aggregated DataFrame/Dataset in Complete output mode", p);
          }
          break;
        case "Limit":
          if (outputMode === "complete" && aggregatedBelow(p.child)) break;
          fail("STREAMING_LIMIT_NOT_SUPPORTED", outputMode === "update" ? "Limits are not supported on streaming DataFrames/Datasets in Update output mode" : "Limits on streaming DataFrames/Datasets are not supported yet (a streaming limit keeps state)", p); break;
        case "Window":
          // Ordered per-key window functions run incrementally (streaming-window-spec.ts says which).
          streamingWindowSpec(p, (cls, msg) => fail(cls, msg, p));
          // Each row is emitted once, when final: append and update mode write the same rows.
          if (outputMode === "complete") {
            fail("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", "Window functions on streaming DataFrames run in Append or Update output mode (each row is emitted once, when final), not in Complete output mode", p);
          }
          break;
        case "SetOperation": fail("STREAMING_SET_OPERATION_NOT_SUPPORTED", `${p.op === "intersect" ? "Intersect" : "Except"} is not supported with streaming DataFrames/Datasets`, p); break;
        case "Union":
          if (p.children.some((c) => !isStreamingPlan(c))) fail("STREAMING_UNION_WITH_BATCH", "Union between streaming and batch DataFrames/Datasets is not supported", p);
          break;
        case "Join": checkStreamingJoin(p, outputMode, fail); break;
        case "FlatMapGroupsWithState": checkGroupStateOperator(p, outputMode, aggregations.length > 0); break;
        default: break;
      }
    }
    children(p).forEach(visit);
  };
  visit(plan);
  if (stateful.length > 1) checkStatefulChain(stateful, outputMode, fail);
  if (outputMode === "complete" && aggregations.length === 0) {
    throw new StreamingError("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", "Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets");
  }
  if (outputMode === "append") {
    for (const op of aggregations) {
      if (op.kind === "aggregate" && op.eventTimeKey === null) {
        fail("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", "Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark", op.node);
      }
    }
  }
}

/** How progress and error messages name a stateful operator. */
function describeOperator(op: StatefulOperatorInfo): string {
  switch (op.kind) {
    case "aggregate": return "aggregation";
    case "dedupe": return op.withinWatermark ? "dropDuplicatesWithinWatermark" : "deduplication";
    case "join": return "stream-stream join";
    case "flatMapGroupsWithState": return "flatMapGroupsWithState";
    case "window": return "window functions";
  }
}

/** Whether a stateful operator of the streaming plan sits strictly below `node`. */
function statefulBelow(node: LogicalPlan, ops: readonly StatefulOperatorInfo[]): StatefulOperatorInfo | undefined {
  let found: StatefulOperatorInfo | undefined;
  const visit = (p: LogicalPlan): void => {
    if (found !== undefined || !isStreamingPlan(p)) return;
    const op = ops.find((o) => o.node === p);
    if (op !== undefined) {
      found = op;
      return;
    }
    children(p).forEach(visit);
  };
  children(node).forEach(visit);
  return found;
}

/**
 * Several stateful operators in one query (Spark 3.5's multiple stateful operators): only in
 * append mode, where each operator emits a row once it is final and bounds the event time of what
 * it emits by the watermark, so the operator downstream can drop late rows and evict with the
 * watermark the upstream one guarantees. Any of aggregation, deduplication, stream-stream join,
 * window functions or flatMapGroupsWithState (append) may be followed by an aggregation, window
 * functions, a deduplication or a stream-stream join (Spark 3.5 runs the same shapes: two
 * windowed aggregations joined on their window, an aggregation deduplicated, three streams joined).
 * Complete mode would re-emit every result each batch; Spark refuses it, and update mode, too.
 * Update mode chains run here (beyond Spark) when they end in aggregations: see {@link checkUpdateChain}.
 */
function checkStatefulChain(ops: readonly StatefulOperatorInfo[], outputMode: OutputMode, fail: (cls: string, msg: string, node: LogicalPlan) => never): void {
  const mode = outputMode === "update" ? "Update" : "Complete";
  if (outputMode !== "append" && ops.every((op) => statefulBelow(op.node, ops) === undefined)) {
    // Side by side (e.g. a union of two aggregations): refused outside append mode as before.
    const [a, b] = [ops[0]!, ops[1]!];
    fail(
      a.kind === "aggregate" && b.kind === "aggregate" ? "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED" : "STREAMING_MULTIPLE_STATEFUL_OPERATORS_NOT_SUPPORTED",
      `Multiple stateful operators (here ${describeOperator(a)} and ${describeOperator(b)}) on streaming DataFrames/Datasets are supported only in Append output mode, not in ${mode} output mode`,
      b.node,
    );
  }
  for (const op of ops) {
    const up = statefulBelow(op.node, ops);
    if (up === undefined) continue;
    const here = `here ${describeOperator(up)} followed by ${describeOperator(op)}`;
    if (up.kind === "window" && up.node.kind === "Window" && streamingWindowSpec(up.node, (cls, msg) => fail(cls, msg, up.node)).lookAhead > 0) {
      fail(
        "STREAMING_STATEFUL_OPERATOR_CHAIN_NOT_SUPPORTED_YET",
        `Chains of stateful operators (${here}) on streaming DataFrames/Datasets are not supported with lead(): a lead waits on following rows, so the delay it adds to event time has no bound and the operator after it could not tell late rows; compute lead in a query of its own or last`,
        op.node,
      );
    }
    if (outputMode === "update" && checkUpdateChain(op, up, ops, here, fail)) continue;
    if (outputMode !== "append") {
      if (op.kind === "aggregate" && up.kind === "aggregate") {
        fail(
          "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED",
          `Multiple streaming aggregations are not supported with streaming DataFrames/Datasets in ${mode} output mode; chained aggregations run only in Append output mode, with a watermark`,
          op.node,
        );
      }
      fail(
        "STREAMING_MULTIPLE_STATEFUL_OPERATORS_NOT_SUPPORTED",
        `Multiple stateful operators (${here}) on streaming DataFrames/Datasets are supported only in Append output mode, not in ${mode} output mode`,
        op.node,
      );
    }
    if (up.kind === "flatMapGroupsWithState" && up.node.spec.outputMode !== "append") {
      fail(
        "STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION",
        `flatMapGroupsWithState in ${up.node.spec.outputMode} mode is not supported with an aggregation after it on a streaming DataFrame/Dataset; use its append mode`,
        up.node,
      );
    }
    if (op.kind === "flatMapGroupsWithState") {
      fail(
        "STREAMING_STATEFUL_OPERATOR_CHAIN_NOT_SUPPORTED_YET",
        `Chains of stateful operators (${here}) on streaming DataFrames/Datasets are not supported yet: only an aggregation, window functions, a deduplication or a stream-stream join may follow another stateful operator`,
        op.node,
      );
    }
  }
}

/**
 * Whether an update-mode chain `up` → `op` can run (beyond Spark): `op` is window functions
 * after an insert-only operator, or an aggregation (not by session window) whose input is either
 * insert-only (deduplication, a stream-stream join,
 * window functions, flatMapGroupsWithState in append mode: each row arrives once) or the updates of one
 * aggregation, whose grouping columns reach `op` so that a group's new row can replace its
 * previous one (physical/stateful/streaming-updating-aggregate-exec.ts). Fails with the reason
 * when the shape is close but cannot run; returns false to let the general rules decide.
 */
function checkUpdateChain(op: StatefulOperatorInfo, up: StatefulOperatorInfo, ops: readonly StatefulOperatorInfo[], here: string, fail: (cls: string, msg: string, node: LogicalPlan) => never): boolean {
  if (statefulOperatorsBelow(op.node, ops).length !== 1) return false;
  // Window functions emit final rows only: after an insert-only operator they run as in append mode.
  if (op.kind === "window") return up.kind === "dedupe" || up.kind === "join" || up.kind === "window" || (up.kind === "flatMapGroupsWithState" && up.node.spec.outputMode === "append");
  if (op.kind !== "aggregate" || op.eventTimeKey?.kind === "session") return false;
  switch (up.kind) {
    case "dedupe": case "join": case "window":
      return true;
    case "flatMapGroupsWithState":
      return up.node.spec.outputMode === "append";
    case "aggregate": {
      if (up.eventTimeKey?.kind === "session") {
        fail("STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED", `Update output mode chains (${here}) are not supported after a session-window aggregation: merged sessions change their key, so their earlier rows could not be replaced`, op.node);
      }
      const ids = groupingKeyIds(up.node);
      const input = planOutput(op.node.child);
      const missing = ids === null ? null : ids.filter((id) => !input.some((a) => a.id === id));
      if (ids === null || missing!.length > 0) {
        fail(
          "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED",
          `Update output mode chains (${here}) need the first aggregation's grouping columns (${up.node.groupingExprs.map((g) => exprSql(g)).join(", ")}) in the input of the second one, to replace a group's previous row when it changes; keep them in the select between the two`,
          op.node,
        );
      }
      return true;
    }
    default:
      return false;
  }
}
