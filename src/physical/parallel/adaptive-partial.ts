import { planOutput } from "../../analyzer/plan-output.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { type LogicalPlan, Plan, withChildren } from "../../plan/logical-plan.js";
import type { SplitAggregation } from "./partial-aggregation.js";
import type { StageExchange, StageInput } from "./parallel-stage-exec.js";
import { type ParallelOptions, mapFragments, splitLeafPath } from "./stage-fragments.js";

/** Describes the in-memory relation that stands for a map task's own rows in its partial aggregation plan. */
export const MAP_ROWS = "map task rows";

/**
 * A map task's partial aggregation, which the task may skip (stage-task.ts): it runs its chain
 * up to the Expand, aggregates a sample of those rows partially, and when the groups are many
 * next to the rows (more than `maxGroupsPerRow` per row), ships the rows themselves instead of
 * the partials.
 */
export interface SkippablePartial {
  /** The partial aggregation over the LocalRelation described {@link MAP_ROWS} (the map plan's output). */
  readonly plan: LogicalPlan;
  /** Its shuffle keys, over its output: the partitioning of the rows' keys, so both meet in one task. */
  readonly keys: readonly Expr[];
  /** Rows of the task's sample (its first batches up to this many). */
  readonly sampleRows: number;
  readonly maxGroupsPerRow: number;
}

/**
 * Above this many groups per row of a map task's sample, shipping rows beats merging partials:
 * a partial group costs its reduce task about as much as ten rows do (a new group in a hash
 * table, a struct key decoded, against two numbers moved and aggregated where they land).
 */
const MAX_GROUPS_PER_ROW = 0.1;

/** A map task's sample: a few batches (a larger one cost a fifth of a q5 map task in aggregating it). */
const SAMPLE_ROWS = 8_192;

/**
 * An aggregation of an Expand (sliding windows, grouping sets) whose grouping keys include some
 * that the Expand passes through unchanged (Nexmark q5: `auction`, beside the window). Partial
 * aggregation per map task is what Spark does, but with many groups (q5: a third as many as the
 * bids, since each bid opens up to five windows of its auction) the partials are almost as many
 * as the final groups and the reduce tasks pay to build every group twice. So each map task
 * chooses: partials (input 0), or the rows under the Expand (input 1), both hash-partitioned by
 * the pass-through keys alone, so that a group's partials and rows meet in one reduce task,
 * which expands and aggregates the rows and merges them with the partials. Null when the
 * aggregation does not have that shape.
 */
export function skippablePartialShuffle(
  p: Extract<LogicalPlan, { kind: "Aggregate" }>,
  split: SplitAggregation,
  output: readonly AttributeRef[],
  withOutput: (p: LogicalPlan, attrs: readonly AttributeRef[]) => LogicalPlan,
  opts: ParallelOptions,
): { inputs: StageInput[]; exchange: StageExchange } | null {
  const found = expandUnder(p.child);
  if (!found) return null;
  const { expand } = found;
  const rawAttrs = planOutput(expand.child);
  // Grouping keys (by position) that are an Expand output column copied from one input column in every projection.
  const passThrough: { index: number; input: AttributeRef }[] = [];
  p.groupingExprs.forEach((g, index) => {
    const source = found.sources.get(g.kind === "AttributeRef" ? g.id : -1);
    if (source === undefined) return;
    const j = expand.output.findIndex((a) => a.id === source);
    const first = expand.projections[0]?.[j];
    if (j < 0 || first?.kind !== "AttributeRef" || !expand.projections.every((proj) => proj[j]?.kind === "AttributeRef" && (proj[j] as AttributeRef).id === first.id)) return;
    passThrough.push({ index, input: first });
  });
  if (passThrough.length === 0) return null;
  const path = splitLeafPath(expand.child, opts);
  const maps = path && mapFragments(expand.child, path, opts);
  if (!maps) return null;
  const over = (rows: LogicalPlan): LogicalPlan => found.replaceExpandChild(rows);
  const partialOver = (rows: LogicalPlan): LogicalPlan => Plan.aggregate(p.groupingExprs, split.partialExprs, over(rows));
  const partial: SkippablePartial = {
    plan: partialOver(Plan.localRelation(rawAttrs, [], MAP_ROWS)),
    keys: passThrough.map((k) => split.keyAttrs[k.index]!),
    sampleRows: SAMPLE_ROWS,
    maxGroupsPerRow: MAX_GROUPS_PER_ROW,
  };
  const reduce = ([partials, rows]: readonly LogicalPlan[], present: readonly boolean[] = [true, true]): LogicalPlan => {
    if (!present[0]) return Plan.aggregate(p.groupingExprs, p.aggregateExprs, over(rows!));
    if (!present[1]) return withOutput(split.final(partials!), output);
    return withOutput(split.final(Plan.union([partials!, partialOver(rows!)])), output);
  };
  return {
    inputs: [{ maps, keys: passThrough.map((k) => k.input), partial }],
    exchange: { partitions: opts.shufflePartitions, inputs: [split.partialOutput, rawAttrs], reduce },
  };
}

/**
 * The Expand under an aggregation, through filters and projections, with where each column of
 * the aggregation's input comes from (an Expand output column, through projections that only
 * rename), and the chain rebuilt over other rows in place of the Expand's input.
 */
function expandUnder(p: LogicalPlan): { expand: Extract<LogicalPlan, { kind: "Expand" }>; sources: Map<number, number>; replaceExpandChild: (rows: LogicalPlan) => LogicalPlan } | null {
  if (p.kind === "Expand") {
    const sources = new Map(p.output.map((a) => [a.id, a.id]));
    return { expand: p, sources, replaceExpandChild: (rows) => withChildren(p, [rows]) };
  }
  if (p.kind !== "Filter" && p.kind !== "Project") return null;
  const below = expandUnder(p.child);
  if (!below) return null;
  const rebuild = (rows: LogicalPlan): LogicalPlan => withChildren(p, [below.replaceExpandChild(rows)]);
  if (p.kind === "Filter") return { ...below, replaceExpandChild: rebuild };
  const sources = new Map<number, number>();
  for (const e of p.projectList) {
    if (e.kind !== "Alias" && e.kind !== "AttributeRef") continue;
    const inner = e.kind === "Alias" ? e.child : e;
    const s = inner.kind === "AttributeRef" ? below.sources.get(inner.id) : undefined;
    if (s !== undefined) sources.set(e.id, s);
  }
  return { expand: below.expand, sources, replaceExpandChild: rebuild };
}
