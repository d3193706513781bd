import { totalRows } from "../../batch/record-batch.js";
import { type SlicedWindows, type TimeSlice, batchSource, hasBatchSource } from "../../connectors/source-registry.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import { type TaskShares, splitEventRange } from "../../connectors/split-range.js";

/** A leaf a task can read whole (the small side of a join): in-memory rows, a range, or a batch source. */
export type CopyableLeaf = Extract<LogicalPlan, { kind: "LocalRelation" | "RangeRelation" | "DataSourceRelation" }>;

/** A leaf a parallel stage can cut into independent scans. */
export type SplittableLeaf = Extract<LogicalPlan, { kind: "RangeRelation" | "DataSourceRelation" }>;

/**
 * Leaves that tasks read themselves: ranges and sources that split (files, generators). Rows
 * already in this thread's memory are not split: copying them to workers (strings are cloned one
 * by one) costs about what the work on them would.
 */
export function isSplittableLeaf(p: LogicalPlan): p is SplittableLeaf {
  if (p.kind === "RangeRelation") return true;
  return p.kind === "DataSourceRelation" && !p.isStreaming && hasBatchSource(p.format) && batchSource(p.format).split !== undefined;
}

export function isCopyableLeaf(p: LogicalPlan): p is CopyableLeaf {
  return p.kind === "LocalRelation" || isSplittableLeaf(p);
}

/** About how many rows the leaf produces, or null when unknown. */
export function estimatedLeafRows(p: CopyableLeaf): number | null {
  switch (p.kind) {
    case "LocalRelation": return totalRows(p.batches);
    case "RangeRelation": return rangeRows(p.start, p.end, p.step);
    case "DataSourceRelation": return batchSource(p.format).estimatedRows?.(p) ?? null;
  }
}

/**
 * The leaf as leaves holding about `shares` of its rows (fewer when it cannot be cut so finely)
 * whose rows, concatenated in order, are the leaf's rows: contiguous id ranges, or the source's
 * own splits.
 */
export function splitLeaf(p: SplittableLeaf, shares: TaskShares): SplittableLeaf[] {
  switch (p.kind) {
    case "RangeRelation": {
      const n = rangeRows(p.start, p.end, p.step);
      return splitEventRange(0, n, 1, shares).map(([a, b]) => Plan.range(p.start + a * p.step, p.start + b * p.step, p.step, 1, p.output[0]));
    }
    case "DataSourceRelation":
      return batchSource(p.format).split!(p, shares).map((resolved) => ({ ...p, resolved }));
  }
}

/** The leaf's scan as slices of event time by `column` (BatchSourceProvider.splitByTime), or null when its source cannot cut it so. */
export function splitLeafByTime(p: SplittableLeaf, parts: number, column: string, windows: SlicedWindows): readonly TimeSlice[] | null {
  // A micro-batch's scan is not cut so: slices read rows past their ends, which would count twice
  // in the batch's input rows and its watermark's event-time average.
  if (p.kind !== "DataSourceRelation" || p.microBatch !== undefined) return null;
  return batchSource(p.format).splitByTime?.(p, parts, column, windows) ?? null;
}

function rangeRows(start: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - start) / step));
}
