import type { RecordBatch } from "../batch/record-batch.js";
import { type LogicalPlan, Plan, children, transformUp } from "../plan/logical-plan.js";
import { type StreamingSourceProvider, isStreamingSourceProvider } from "./source.js";

/** The distinct streaming sources of a plan, in the order of its leaves (source i ↔ `sources/i`). */
export function streamingSourcesOf(plan: LogicalPlan): StreamingSourceProvider[] {
  const out: StreamingSourceProvider[] = [];
  const visit = (p: LogicalPlan): void => {
    if (p.kind === "DataSourceRelation" && p.isStreaming && isStreamingSourceProvider(p.resolved) && !out.includes(p.resolved)) out.push(p.resolved);
    children(p).forEach(visit);
  };
  visit(plan);
  return out;
}

/**
 * Batch N's plan: every streaming relation replaced by a LocalRelation holding that source's rows
 * for the batch, with the same output attributes, so the rest of the analyzed plan is unchanged
 * and the batch engine runs it as any batch query. (Stateful operators will be rewritten here
 * into their incremental forms, bound to batch N's state version and watermark.)
 */
export function incrementalPlan(plan: LogicalPlan, batchId: number, data: ReadonlyMap<StreamingSourceProvider, readonly RecordBatch[]>): LogicalPlan {
  return transformUp(plan, (p) => {
    if (p.kind !== "DataSourceRelation" || !p.isStreaming || !isStreamingSourceProvider(p.resolved)) return p;
    return Plan.localRelation(p.output, data.get(p.resolved) ?? [], `MicroBatch ${batchId} of ${p.resolved.name}`);
  });
}
