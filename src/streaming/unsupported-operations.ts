import { planOutput } from "../analyzer/plan-output.js";
import { StreamingError } from "../errors/errors.js";
import { type LogicalPlan, children, isStreamingPlan } from "../plan/logical-plan.js";
import { aggCallsOf, statefulOperatorsOf } from "../physical/stateful/stateful-operators.js";
import { checkStreamingJoin } from "../physical/stateful/stream-join-helper.js";
import { checkGroupStateOperator } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import type { OutputMode } from "./sink.js";

/**
 * Spark's UnsupportedOperationChecker: rejects, at start(), query shapes that cannot run
 * incrementally, with Spark's reasons. Streaming aggregations run (one per query for now); the
 * output mode must fit them: append needs a watermarked event-time grouping key (or a window on
 * one), complete needs an aggregation, and sorting is allowed only on an aggregation in complete
 * mode. Joins follow Spark's support matrix ({@link checkStreamingJoin}); other stateful
 * operators (streaming limit) are still rejected as "not supported yet".
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
        case "Window": fail("NON_TIME_WINDOW_NOT_SUPPORTED_IN_STREAMING", "Window function is not supported in streaming DataFrames/Datasets: non-time-based windows are not supported on streaming DataFrames/Datasets", p); break;
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
  if (aggregations.length > 1) {
    fail(
      "STREAMING_MULTIPLE_AGGREGATIONS_NOT_SUPPORTED",
      "Multiple streaming aggregations are not supported with streaming DataFrames/Datasets (chains of stateful operators are not supported yet; aggregate once, or write the first aggregation out and read it as a new stream)",
      aggregations[1]!.node,
    );
  }
  if (stateful.length > 1) {
    fail(
      "STREAMING_STATEFUL_OPERATOR_CHAIN_NOT_SUPPORTED_YET",
      "Chains of stateful operators (here deduplication and aggregation) on streaming DataFrames/Datasets are not supported yet; use one stateful operator per query",
      stateful[1]!.node,
    );
  }
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
