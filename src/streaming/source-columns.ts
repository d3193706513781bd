import { planOutput } from "../analyzer/plan-output.js";
import { referencedIds } from "../expr/expr-tree.js";
import { type LogicalPlan, children, isStreamingPlan } from "../plan/logical-plan.js";
import { planExprs } from "../plan/plan-exprs.js";
import { type StreamingSourceProvider, isStreamingSourceProvider } from "./source.js";

/** Nodes that use only the columns their expressions name (and pass the others through). */
const NAMES_ITS_COLUMNS = new Set<LogicalPlan["kind"]>(["DataSourceRelation", "LocalRelation", "Project", "Filter", "Aggregate", "Join", "EventTimeWatermark", "SubqueryAlias", "ResolvedHint", "Repartition", "Expand", "Generate"]);

/**
 * The columns a streaming query reads of each of its sources (names in schema order), so that a
 * micro-batch asks its sources for those only (as Spark pushes a scan's required columns into a
 * source). A column counts as read when any expression of the analyzed plan names it, or the
 * query outputs it. The incremental plan keeps the analyzed nodes, so an unread column may
 * vanish from the micro-batch's rows only if no node uses a column without naming it: a plan
 * holding any other node (a user function over whole rows, a dedup or set operation over all
 * columns, a union by position, a stream-stream join that stores its input rows in state) reads
 * every column (the map is empty).
 */
export function sourceColumnsRead(plan: LogicalPlan): Map<StreamingSourceProvider, readonly string[]> {
  const used = new Set<number>(planOutput(plan).map((a) => a.id));
  let prunable = true;
  const visit = (p: LogicalPlan): void => {
    if (!NAMES_ITS_COLUMNS.has(p.kind)) prunable = false;
    if (p.kind === "Join") {
      if (isStreamingPlan(p.left) && isStreamingPlan(p.right)) prunable = false;
      // USING columns are merged by name in the join's output.
      const using = new Set((p.usingColumns ?? []).map((c) => c.toLowerCase()));
      for (const side of [p.left, p.right]) for (const a of planOutput(side)) if (using.has(a.name.toLowerCase())) used.add(a.id);
    }
    for (const e of planExprs(p)) referencedIds(e, used);
    children(p).forEach(visit);
  };
  visit(plan);
  const out = new Map<StreamingSourceProvider, readonly string[]>();
  if (!prunable) return out;
  const collect = (p: LogicalPlan): void => {
    if (p.kind === "DataSourceRelation" && p.isStreaming && isStreamingSourceProvider(p.resolved) && p.output.length > 0) {
      const read = p.output.filter((a) => used.has(a.id));
      // A batch needs a column to hold its rows (count(*) reads none).
      out.set(p.resolved, (read.length > 0 ? read : [p.output[0]!]).map((a) => a.name));
    }
    children(p).forEach(collect);
  };
  collect(plan);
  return out;
}
