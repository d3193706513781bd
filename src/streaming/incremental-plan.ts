import { planOutput } from "../analyzer/plan-output.js";
import { type RecordBatch, totalRows } from "../batch/record-batch.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import type { AttributeRef } from "../expr/expression.js";
import { type DataSourceRelation, type LogicalPlan, Plan, children, isStreamingPlan, transformUp, withChildren } from "../plan/logical-plan.js";
import { type StatefulOperatorMetrics, type StatefulRunResult, lateInputRows, operatorMetricsOf, stateOperatorMetrics } from "../physical/stateful/streaming-aggregate-exec.js";
import { type StatefulOperatorInfo, eventTimeKeyOf, statePartitioning, statefulOperatorsOf } from "../physical/stateful/stateful-operators.js";
import { type RowPartitioner, type StateCommits, combineOperatorMetrics, keyPartitioner, rowPartitioner, runPartitions, splitByPartition } from "../physical/stateful/state-partitions.js";
import { splitAggregation } from "../physical/parallel/partial-aggregation.js";
import { type StateStore, commitStore } from "../state/state-store.js";
import { type SingleInputJob, type StatefulPartitionJob, jobOutput, statefulJobRunner, withoutInput } from "../physical/stateful/stateful-partition-job.js";
import { type StatefulWorkers, cannotRunOnWorkers, runJobOnWorkers } from "../physical/parallel/stateful-on-workers.js";
import { OffsetLog } from "../checkpoint/offset-log.js";
import { runStreamJoinBatch } from "../physical/stateful/stream-join-exec.js";
import { recordNextTimeout } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import type { StateStoreCoordinator } from "../state/state-store-registry.js";
import type { OutputMode } from "./sink.js";
import { type MicroBatchInput, type MicroBatchScan, type StreamingSourceProvider, isStreamingSourceProvider } from "./source.js";
import { estimatedLeafRows, isSplittableLeaf } from "../physical/parallel/leaf-splits.js";
import { EMPTY_EVENT_TIME_STATS, type EventTimeStats, eventTimeStatsOf } from "./watermark-tracker.js";
import type { ProgressTally } from "../physical/progress-tally.js";
import type { DroppedRows } from "../physical/stateful/dropped-rows.js";
import { streamingWindowSpec } from "../physical/stateful/streaming-window-spec.js";
import { type StoredUpdatingRow, StreamingUpdatingAggregateExec, UPDATING_AGGREGATE_OPERATOR } from "../physical/stateful/streaming-updating-aggregate-exec.js";
import { groupingKeyIds, updatingUpstreamOf } from "../physical/stateful/update-chain.js";
import { encodeKey } from "../state/state-store.js";
import { valueAt } from "../batch/vector.js";
import { StreamingError } from "../errors/errors.js";
import { sameResult } from "../plan/same-result.js";
import { subtreeDeterministic } from "../physical/planner.js";

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
 * Batch N's plan for a stateless query: every streaming relation replaced by a LocalRelation
 * holding that source's rows for the batch (or a batch scan of them), with the same output
 * attributes, so the rest of the analyzed plan is unchanged and the batch engine runs it as any
 * batch query.
 */
export function incrementalPlan(plan: LogicalPlan, batchId: number, data: ReadonlyMap<StreamingSourceProvider, MicroBatchInput>): LogicalPlan {
  const counted = new Set<StreamingSourceProvider>();
  return transformUp(plan, (p) => {
    if (p.kind !== "DataSourceRelation" || !p.isStreaming || !isStreamingSourceProvider(p.resolved)) return p;
    return microBatchRelation(p, data.get(p.resolved) ?? [], batchId, counted);
  });
}

/**
 * A source's rows for a batch in place of its streaming relation, with the relation's attributes
 * (those of the columns the rows hold, when the source gave only the columns the query reads).
 * A batch scan counts its rows as the source's input in the first relation of the source only
 * (`counted`: the sources already counted in this batch's plan; a self-union reads it twice).
 */
function microBatchRelation(p: DataSourceRelation, input: MicroBatchInput, batchId: number, counted: Set<StreamingSourceProvider>): LogicalPlan {
  const provider = p.resolved as StreamingSourceProvider;
  if (!isRows(input)) {
    const { scan, sourceIndex, columns } = input;
    const counts = !counted.has(provider);
    counted.add(provider);
    // The scan's columns (data, then partition columns; those the query reads) under the stream's
    // attributes, put back in the stream's order.
    const fields = columns === undefined ? scan.schema.fields : scan.schema.fields.filter((f) => columns.some((c) => c.toLowerCase() === f.name.toLowerCase()));
    const output = fields.map((f) => {
      const a = p.output.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
      if (a === undefined) throw new StreamingError("INTERNAL_ERROR", `The micro-batch scan of ${provider.name} has a column ${f.name} the stream does not.`);
      return a;
    });
    const requiredColumns = columns === undefined ? null : output.map((a) => a.name);
    const rel = scanRelation(scan, output, requiredColumns, { source: sourceIndex, counts });
    const streamOrder = p.output.filter((a) => output.includes(a));
    return streamOrder.every((a, i) => a === output[i]) ? rel : Plan.project(streamOrder, rel);
  }
  const fields = input[0]?.schema.fields;
  const output = fields === undefined || fields.length === p.output.length ? p.output : p.output.filter((a) => fields.some((f) => f.name === a.name));
  return Plan.localRelation(output, input, `MicroBatch ${batchId} of ${provider.name}`);
}

/** The EventTimeWatermark nodes below any of `nodes` (the stateful operators). */
function watermarksBelow(nodes: readonly LogicalPlan[]): Set<LogicalPlan> {
  const out = new Set<LogicalPlan>();
  const visit = (p: LogicalPlan): void => {
    if (p.kind === "EventTimeWatermark") out.add(p);
    children(p).forEach(visit);
  };
  for (const n of nodes) children(n).forEach(visit);
  return out;
}

/**
 * Whether a micro-batch is large enough to be taken as a scan: about two tasks of
 * `minRowsPerTask` rows or more, so it can split across the workers (with more than one executor
 * thread), and on one thread the scan still streams into the operators above it (a windowed count
 * of JSON events: 0.6 -> 1.05 M events/s, the rows never kept). A smaller batch is taken as rows
 * (getBatch), and its plans are then kept for the next batches (MicroBatchPlans), which a scan's
 * plans are not (planning was a small batch's largest fixed cost).
 */
export function takesScan(scan: MicroBatchScan, minRowsPerTask: number): boolean {
  const rel = scanRelation(scan, [], null);
  return isSplittableLeaf(rel) && (estimatedLeafRows(rel) ?? 0) >= 2 * Math.max(1, minRowsPerTask);
}

/** The batch source relation a micro-batch's scan stands for. */
function scanRelation(scan: MicroBatchScan, output: readonly AttributeRef[], requiredColumns: readonly string[] | null, microBatch?: DataSourceRelation["microBatch"]): DataSourceRelation {
  return Plan.dataSource({ format: scan.format, paths: scan.paths, options: scan.options, schema: scan.schema, output, isStreaming: false, pushedFilters: [], requiredColumns, resolved: scan.resolved, ...(microBatch ? { microBatch } : {}) });
}

function isRows(input: MicroBatchInput): input is readonly RecordBatch[] {
  return Array.isArray(input);
}

/** What batch N's incremental execution is bound to. */
export interface IncrementalContext {
  readonly batchId: number;
  /** The watermark batch N runs with (from `offsets/N`), in ms. */
  readonly watermarkMs: number;
  readonly outputMode: OutputMode;
  /** Per source, its rows for the batch or a batch scan of them. */
  readonly data: ReadonlyMap<StreamingSourceProvider, MicroBatchInput>;
  /** Optimizes, plans and runs a batch plan with the batch's settings. */
  readonly run: (plan: LogicalPlan) => Promise<RecordBatch[]>;
  readonly fctx: ExecFunctionContext;
  /** State stores of this query run; batch N opens version N of each operator's store. */
  readonly stores: StateStoreCoordinator;
  readonly checkpointDir: string;
  /** Per stateful operator (by id), its number of state partitions (fixed per checkpoint). */
  readonly statePartitions: readonly number[];
  /** Whether state stores do their maintenance (snapshots, cleanup) after this batch's commit. */
  readonly maintainState: boolean;
  /** The query's worker threads for stateful partitions (absent: one thread, or a provider that stays on this one). */
  readonly statefulWorkers?: StatefulWorkers;
  /** Whether a late-rows sink takes the rows stateful operators drop (else they need not be kept). */
  readonly keepLateRows: boolean;
  /** The batch's ExecProgress: where the watermark nodes measuring in place report their event times. */
  readonly progress: Pick<ProgressTally, "eventTimesOf">;
  /** Where the batch's state commits go (they start once `offsets/N` is durable; the batch awaits them before `commits/N`). */
  readonly stateCommits: StateCommits;
}


/** What running the stateful part of batch N left behind for the trigger loop. */
export interface IncrementalResult {
  /** The rest of the batch: a plan over LocalRelations that the batch engine runs for the sink. */
  readonly plan: LogicalPlan;
  /** Per EventTimeWatermark node (post-order), the event times of the rows it passed. */
  readonly eventTimeStats: readonly EventTimeStats[];
  /** Per stateful operator (operator-id order), its progress figures: complete once `stateCommits` is done. */
  readonly stateOperators: () => StatefulOperatorMetrics[];
  /** The rows stateful operators dropped as late in this batch (for `writeStream.lateRowsTo`). */
  readonly lateRows: readonly DroppedRows[];
}

/**
 * Batch N's incremental execution (Spark's IncrementalExecution). The plan is walked bottom-up
 * (post-order, children left to right) over its streaming part:
 *
 * - a streaming relation becomes a LocalRelation of the batch's rows, or a batch scan of them
 *   (Source.batchScan) that the batch planner may split across the workers;
 * - an **EventTimeWatermark** node measures the event times of the rows passing through it —
 *   before any filter above it, as Spark's EventTimeWatermarkExec does — for the watermark of
 *   the next batch. Below a stateful operator it stays in the plan (`measureAs`) and measures
 *   while the operator's input runs (in the tasks of a parallel stage too, reported with their
 *   results); elsewhere its input is run first and measured, and the node reads those rows;
 * - an **Aggregate** is a stateful operator with a stable id (its position among the plan's
 *   stateful operators): its input is run (and, when every aggregate merges exactly, aggregated
 *   into one row of partial results per group by the batch engine), the rows go through {@link StreamingAggregateExec}
 *   against version N of `state/<id>/0`, the store is committed as version N+1, and the node is
 *   replaced by a LocalRelation of the operator's output for this batch; grouped by a per-row
 *   `session_window`, it runs {@link StreamingSessionWindowExec} instead (sessions merged in state).
 *
 * - in a **chain** (an aggregation after another stateful operator, append mode only), the
 *   downstream operator reads the upstream one's output for this batch; it drops late rows by the
 *   previous batch's watermark and emits/evicts by this batch's, each lowered by the lag the
 *   upstream operators add to event time (Spark 3.5's multiple stateful operators); a
 *   withWatermark above a stateful operator only marks its event-time column.
 *
 * So a stateful operator is a stage boundary: what is below it runs (as one batch job) before
 * it, what is above it runs afterwards from its output. State commits happen here, before the
 * sink receives the batch and before `commits/N`; a re-run of batch N opens version N again.
 */
export async function executeIncremental(plan: LogicalPlan, ctx: IncrementalContext): Promise<IncrementalResult> {
  const stats: EventTimeStats[] = [];
  /** Read once the state commits are done (their times are part of the figures). */
  const metrics: (() => StatefulOperatorMetrics)[] = [];
  const lateRows: DroppedRows[] = [];
  /** Records what an operator dropped as late (nothing when it dropped nothing). */
  const dropped = (operatorId: number, operatorName: string, input: readonly AttributeRef[], watermarkMs: number, batches: readonly RecordBatch[]): void => {
    if (batches.length > 0) lateRows.push({ operatorId, operatorName, side: null, watermarkMs, input, batches });
  };
  /** Each aggregation's output this batch, for an update-mode aggregation downstream of it. */
  const aggregateOutputs = new Map<LogicalPlan, { attrs: readonly AttributeRef[]; batches: readonly RecordBatch[] }>();
  /** The aggregations run this batch that a twin may reuse (see {@link twinAggregation}). */
  const ranAggregations: { readonly node: LogicalPlan; readonly operatorId: number; readonly batches: readonly RecordBatch[] }[] = [];
  /** Watermark nodes (their `measureAs` slots) under an aggregation that reused its twin's output: they never see rows. */
  const unmeasured = new Set<number>();
  let nextOperatorId = 0;
  const operators = statefulOperatorsOf(plan);
  let previousWatermarkMs: number | undefined;
  /** The watermark batch N-1 ran with (offsets/N-1), what late rows of a downstream operator are judged by. */
  const previousBatchWatermarkMs = (): number => {
    if (previousWatermarkMs === undefined) {
      // Batch 0 runs with watermark 0, and so did the (empty) batch before it; a purged entry
      // falls back to dropping nothing.
      previousWatermarkMs = ctx.batchId === 0 ? 0 : (new OffsetLog(ctx.checkpointDir).get(ctx.batchId - 1)?.metadata.batchWatermarkMs ?? Number.NEGATIVE_INFINITY);
    }
    return previousWatermarkMs;
  };
  /**
   * The watermarks of a stateful operator downstream of another one (null for the first
   * operators of a chain, which use the batch's watermark for both). As Spark 3.5 does with
   * multiple stateful operators: eviction (and append-mode emission) uses this batch's global
   * watermark, late-row filtering the previous batch's, each lowered by the delay the upstream
   * operators add to the event time of what they emit (see {@link outputDelayMicros}). An
   * upstream append-mode aggregation emits a window in the batch whose watermark passes its end,
   * so its rows are behind this batch's watermark but never behind the previous batch's.
   */
  const operatorWatermarks = (node: LogicalPlan): { lateEventsMs: number; evictionMs: number } | null => {
    const delay = upstreamDelayMicros(node, operators);
    if (delay === null) return null;
    const lower = (ms: number): number => (Number.isFinite(ms) ? Math.floor((ms * 1000 - delay) / 1000) : ms);
    return { lateEventsMs: lower(previousBatchWatermarkMs()), evictionMs: lower(ctx.watermarkMs) };
  };

  const partitionsOf = (operatorId: number): number => ctx.statePartitions[operatorId] ?? 1;
  /**
   * Runs one stateful operator over its state partitions (state-partitions.ts): the rows go to
   * the partition of their key, each partition runs against its own store (opened at version N,
   * all committed as N+1 once every partition ran), and the outputs are concatenated in partition
   * order. Records the operator's progress.
   */
  /** The rows of `input` each state partition of the operator gets. */
  const partitionRows = (info: StatefulOperatorInfo, input: readonly AttributeRef[], rows: readonly RecordBatch[]): RecordBatch[][] =>
    splitByPartition(rows, partitionsOf(info.operatorId), rowPartitioner(statePartitioning(info, { outputMode: ctx.outputMode, operators }), input, ctx.fctx));
  const runOperator = async <V, R extends StatefulRunResult = StatefulRunResult>(
    info: StatefulOperatorInfo,
    operatorName: string,
    parts: readonly (readonly RecordBatch[])[],
    run: (rows: readonly RecordBatch[], store: StateStore<V>) => R,
  ): Promise<{ output: RecordBatch[]; late: RecordBatch[]; results: R[] }> => {
    const n = parts.length;
    const { results, stores } = runPartitions(
      n,
      (partitionId) => ctx.stores.getStore<V>({ checkpointLocation: ctx.checkpointDir, operatorId: info.operatorId, partitionId }, ctx.batchId),
      (partitionId, store) => run(parts[partitionId]!, store),
      async (store) => void (await commitStore(store)),
      (store) => store.abort(),
      ctx.stateCommits,
    );
    metrics.push(() => combineOperatorMetrics(stores.map((store, i) => stateOperatorMetrics(store, operatorName, results[i]!.droppedByWatermark, n))));
    return { output: results.flatMap((r) => r.output), late: results.flatMap((r) => r.late), results };
  };

  /**
   * Runs an operator whose batch is a {@link StatefulPartitionJob}: on this thread, or, once the
   * query's stateful operators moved to the worker threads (see {@link StatefulWorkers}), with
   * each partition on the worker that owns it.
   */
  const runJob = async (info: StatefulOperatorInfo, operatorName: string, input: readonly AttributeRef[], rows: readonly RecordBatch[], job: SingleInputJob, partitioner?: RowPartitioner | null): Promise<{ output: RecordBatch[]; late: RecordBatch[]; droppedByWatermark: number; nextTimeoutMs: number }> => {
    const n = partitionsOf(info.operatorId);
    const parts = partitioner === undefined ? partitionRows(info, input, rows) : splitByPartition(rows, n, partitioner);
    const workers = ctx.statefulWorkers;
    const nextTimeout = (results: readonly { readonly nextTimeoutMs?: number }[]): number => Math.min(Number.POSITIVE_INFINITY, ...results.map((r) => r.nextTimeoutMs ?? Number.POSITIVE_INFINITY));
    // User state whose functions have no source text (a native function, a processor of a subclass) stays here.
    const shippable = job.kind !== "groupState" || job.node.spec.sources !== undefined;
    if (workers !== undefined && n > 1 && shippable && workers.use(totalRows(rows))) {
      try {
        const { results, metrics: ms } = await runJobOnWorkers(workers.pool, job, parts.map((p) => [p]), ctx);
        const m = combineOperatorMetrics(ms.map((x, i) => operatorMetricsOf(x[0]!, operatorName, results[i]!.droppedByWatermark, n)));
        metrics.push(() => m);
        return { output: results.flatMap((r) => r.output), late: results.flatMap((r) => r.late[0]!), droppedByWatermark: results.reduce((a, x) => a + x.droppedByWatermark, 0), nextTimeoutMs: nextTimeout(results) };
      } catch (e) {
        if (!cannotRunOnWorkers(e)) throw e;
        workers.stayHere(e);
      }
    }
    const r = await runOperator(info, operatorName, parts, statefulJobRunner(job, ctx.fctx));
    return { ...r, droppedByWatermark: r.results.reduce((a, x) => a + x.droppedByWatermark, 0), nextTimeoutMs: nextTimeout(r.results) };
  };

  const counted = new Set<StreamingSourceProvider>();
  const measuredInPlace = watermarksBelow(operators.map((o) => o.node));
  /** The `stats` slots of the watermark nodes measuring in place. */
  const inPlace: number[] = [];
  const rewrite = async (p: LogicalPlan): Promise<LogicalPlan> => {
    if (!isStreamingPlan(p)) return p;
    if (p.kind === "DataSourceRelation") {
      if (!isStreamingSourceProvider(p.resolved)) return p;
      return microBatchRelation(p, ctx.data.get(p.resolved) ?? [], ctx.batchId, counted);
    }
    const kids: LogicalPlan[] = [];
    for (const c of children(p)) kids.push(await rewrite(c));
    const q = withChildren(p, kids);
    switch (q.kind) {
      case "EventTimeWatermark": {
        // Under a stateful operator, the node measures in place: the operator's input runs as one
        // batch job through it (on the workers when it splits), reported to ctx.progress.
        if (measuredInPlace.has(p) && upstreamDelayMicros(p, operators) === null) {
          const slot = stats.length;
          stats.push(EMPTY_EVENT_TIME_STATS);
          inPlace.push(slot);
          return Plan.watermark(q.eventTime, q.delay, q.child, slot);
        }
        const input = planOutput(q.child);
        const rows = await ctx.run(q.child);
        const et = q.eventTime.kind === "AttributeRef" ? input.findIndex((a) => a.id === (q.eventTime as { id: number }).id) : -1;
        const measured = et >= 0 ? eventTimeStatsOf(rows, et) : EMPTY_EVENT_TIME_STATS;
        // Downstream of a stateful operator, a withWatermark only marks the event-time column.
        stats.push(upstreamDelayMicros(p, operators) === null ? measured : { ...measured, derived: true });
        return Plan.watermark(q.eventTime, q.delay, Plan.localRelation(input, rows, `EventTimeWatermark input of batch ${ctx.batchId}`));
      }
      case "Aggregate": {
        const operatorId = nextOperatorId++;
        const info = operators[operatorId]!;
        const input = planOutput(q.child);
        // The original node (p) carries the analyzed child, where the event-time key is traced.
        const key = eventTimeKeyOf(p as typeof q);
        const upstream = ctx.outputMode === "update" ? updatingUpstreamOf(p, operators) : null;
        const operatorName = key?.kind === "session" ? "sessionWindowStateStoreSaveExec" : "stateStoreSave";
        const twin = upstream === null ? twinAggregation(p, ranAggregations, operators) : undefined;
        if (twin !== undefined) {
          // The same aggregation of the same rows ran earlier this batch (a self-join of an
          // aggregation, as Nexmark q5 compares each count with its window's maximum): its state
          // holds what this one's would, so its output is this one's. This operator keeps no state.
          const output = planOutput(p);
          visitWatermarks(q, (slot) => unmeasured.add(slot));
          metrics.push(() => reusedOperatorMetrics(operatorName, twin.operatorId));
          aggregateOutputs.set(p, { attrs: output, batches: twin.batches });
          return Plan.localRelation(output, twin.batches, `StateStoreSave [operator ${operatorId} = operator ${twin.operatorId}, batch ${ctx.batchId}, ${ctx.outputMode}]`);
        }
        if (upstream !== null) {
          const rows = await ctx.run(q.child);
          // Update mode after an update-mode aggregation: upstream groups replace their previous rows.
          const produced = aggregateOutputs.get(upstream.node);
          const upKeyIds = groupingKeyIds(upstream.node)!;
          const exec = new StreamingUpdatingAggregateExec(operatorId, q, input, upKeyIds, key, ctx.fctx);
          const changed = new Set<string>();
          if (produced !== undefined) {
            const at = upKeyIds.map((id) => produced.attrs.findIndex((a) => a.id === id));
            for (const b of produced.batches) for (let i = 0; i < b.numRows; i++) changed.add(encodeKey(at.map((j) => valueAt(b.columns[j]!, i))));
          }
          const wm = operatorWatermarks(p) ?? { lateEventsMs: ctx.watermarkMs, evictionMs: ctx.watermarkMs };
          const r = await runOperator<StoredUpdatingRow>(info, UPDATING_AGGREGATE_OPERATOR, partitionRows(info, input, rows), (part, store) => exec.run(part, changed, store, wm.lateEventsMs, wm.evictionMs));
          dropped(operatorId, UPDATING_AGGREGATE_OPERATOR, input, wm.lateEventsMs, r.late);
          aggregateOutputs.set(p, { attrs: exec.output, batches: r.output });
          return Plan.localRelation(exec.output, r.output, `StateStoreSave over updates [operator ${operatorId}, batch ${ctx.batchId}, update]`);
        }
        const wm = operatorWatermarks(p);
        const lateEventsMs = wm === null ? ctx.watermarkMs : wm.lateEventsMs;
        // As Spark's partial HashAggregate before the exchange: aggregates that merge exactly are
        // computed over the whole batch by the batch engine first, so the state partitions split
        // and merge one row per group instead of every input row.
        const split = key?.kind === "session" ? null : splitOf(p as typeof q, ctx.fctx.ansi);
        // The input rows are kept only for what needs them: no partial aggregation, or a late-rows
        // sink; else the batch engine streams them into the partial aggregation.
        const rows = split !== null && !ctx.keepLateRows ? null : await ctx.run(q.child);
        const partials = split === null ? rows! : await ctx.run(Plan.aggregate(q.groupingExprs, split.partialExprs, rows === null ? q.child : Plan.localRelation(input, rows, `input of operator ${operatorId}, batch ${ctx.batchId}`)));
        // The store holds the aggregate's buffers per key, or a session-window operator's sessions.
        const job: StatefulPartitionJob = { kind: "aggregate", operatorId, node: withoutInput(q, input), input, eventTimeKey: key, partialInput: split !== null, mode: ctx.outputMode, watermarkMs: ctx.watermarkMs, chain: wm };
        // Partial rows hash by their key columns: the same values, so the same partitions, as the grouping keys of input rows.
        const partitioner = split === null ? undefined : split.keyAttrs.length === 0 ? null : keyPartitioner(split.partialOutput, split.keyAttrs, ctx.fctx);
        const r = await runJob(info, operatorName, input, partials, job, partitioner);
        const late = split === null ? r.late : rows !== null && r.droppedByWatermark > 0 ? lateInputRows(q, input, key!, rows, lateEventsMs, ctx.fctx) : [];
        dropped(operatorId, operatorName, input, lateEventsMs, late);
        const output = jobOutput(job);
        aggregateOutputs.set(p, { attrs: output, batches: r.output });
        ranAggregations.push({ node: p, operatorId, batches: r.output });
        const label = key?.kind === "session" ? "SessionWindowStateStoreSave" : "StateStoreSave";
        return Plan.localRelation(output, r.output, `${label} [operator ${operatorId}, batch ${ctx.batchId}, ${ctx.outputMode}]`);
      }
      case "Join": {
        // A stream-stream join is a stateful operator; a stream-static join runs as a batch join.
        const info = operators[nextOperatorId];
        if (info?.kind !== "join" || info.node !== p) return q;
        nextOperatorId++;
        const joined = await runStreamJoinBatch(info, q.left, q.right, { ...ctx, chain: operatorWatermarks(p) }, partitionsOf(info.operatorId));
        metrics.push(joined.metrics);
        lateRows.push(...joined.late);
        return joined.plan;
      }
      case "Deduplicate": case "Distinct": {
        const operatorId = nextOperatorId++;
        const info = operators[operatorId];
        if (info?.kind !== "dedupe") throw new Error(`internal error: stateful operator ${operatorId} is not a deduplication`);
        const input = planOutput(q.child);
        const rows = await ctx.run(q.child);
        const wm = operatorWatermarks(p);
        const job: StatefulPartitionJob = { kind: "dedupe", operatorId, input: planOutput(p.kind === "Deduplicate" || p.kind === "Distinct" ? p.child : q.child), keys: info.keys, withinWatermark: info.withinWatermark, watermarkMs: ctx.watermarkMs, chain: wm };
        const r = await runJob(info, info.operatorName, input, rows, job);
        dropped(operatorId, info.operatorName, input, wm === null ? ctx.watermarkMs : wm.lateEventsMs, r.late);
        return Plan.localRelation(input, r.output, `${info.operatorName} [operator ${operatorId}, batch ${ctx.batchId}]`);
      }
      case "Window": {
        // A window over a stream: ordered per-key window functions with rows buffered in state.
        const operatorId = nextOperatorId++;
        const info = operators[operatorId];
        if (info?.kind !== "window") throw new Error(`internal error: stateful operator ${operatorId} is not a streaming window`);
        const rows = await ctx.run(q.child);
        const spec = streamingWindowSpec(p as typeof q, (cls, msg) => {
          throw new StreamingError(cls, msg);
        });
        const wm = operatorWatermarks(p);
        const job: StatefulPartitionJob = { kind: "window", operatorId, spec: { ...spec, node: withoutInput(spec.node, spec.input) }, watermarkMs: ctx.watermarkMs, chain: wm };
        const r = await runJob(info, info.operatorName, spec.input, rows, job);
        dropped(operatorId, info.operatorName, spec.input, wm === null ? ctx.watermarkMs : wm.lateEventsMs, r.late);
        return Plan.localRelation(jobOutput(job), r.output, `${info.operatorName} [operator ${operatorId}, batch ${ctx.batchId}]`);
      }
      case "FlatMapGroupsWithState": {
        const operatorId = nextOperatorId++;
        const info = operators[operatorId]!;
        const input = planOutput(q.child);
        const rows = await ctx.run(q.child);
        // The analyzed node (p): its input's event-time column carries the watermark (EventTimeTimeout).
        const node = p as typeof q;
        const job: StatefulPartitionJob = { kind: "groupState", operatorId, node: withoutInput(node, planOutput(node.child)), batchTimestampMs: Math.trunc(ctx.fctx.currentTimestampMicros / 1000), watermarkMs: ctx.watermarkMs, timeZone: ctx.fctx.timeZone };
        const r = await runJob(info, "flatMapGroupsWithState", input, rows, job);
        recordNextTimeout(ctx.stores, ctx.checkpointDir, operatorId, ctx.batchId + 1, r.nextTimeoutMs);
        dropped(operatorId, "flatMapGroupsWithState", input, ctx.watermarkMs, r.late);
        return Plan.localRelation(q.output, r.output, `FlatMapGroupsWithState [operator ${operatorId}, batch ${ctx.batchId}]`);
      }
      default:
        return q;
    }
  };

  const out = await rewrite(plan);
  // Every stateful operator has run its input by now, and with it the nodes measuring in place.
  // A node that never ran (under a reused aggregation) stays out of the global watermark, as a derived one does: its twin counts.
  for (const slot of inPlace) stats[slot] = unmeasured.has(slot) ? { ...EMPTY_EVENT_TIME_STATS, derived: true } : ctx.progress.eventTimesOf(slot);
  return { plan: out, eventTimeStats: stats, stateOperators: () => metrics.map((m) => m()), lateRows };
}

/**
 * An aggregation run earlier in this batch that computes the same rows as `p` (sameResult over
 * the analyzed plans: the same source relation, expressions and grouping up to column ids), when
 * `p` and everything under it are deterministic and no other stateful operator lies below it
 * (its state would then depend on that operator's own). Batch after batch the two see the same
 * rows, so their states stay equal; a checkpoint from before, where both kept state, goes on
 * giving the same rows.
 */
function twinAggregation<T extends { readonly node: LogicalPlan }>(p: LogicalPlan, ran: readonly T[], operators: readonly StatefulOperatorInfo[]): T | undefined {
  if (ran.length === 0 || upstreamDelayMicros(p, operators) !== null || !subtreeDeterministic(p)) return undefined;
  return ran.find((r) => sameResult(r.node, p));
}

/** Calls `f` with the `measureAs` slot of each watermark node measuring in place under `p`. */
function visitWatermarks(p: LogicalPlan, f: (slot: number) => void): void {
  if (p.kind === "EventTimeWatermark" && p.measureAs !== undefined) f(p.measureAs);
  for (const c of children(p)) visitWatermarks(c, f);
}

/** Progress of an aggregation that reused its twin's output: it keeps no state; `sameResultAsOperator` names the twin. */
function reusedOperatorMetrics(operatorName: string, twinId: number): StatefulOperatorMetrics {
  return { operatorName, numRowsTotal: 0, numRowsUpdated: 0, numRowsRemoved: 0, numRowsDroppedByWatermark: 0, memoryUsedBytes: 0, commitTimeMs: 0, allUpdatesTimeMs: 0, allRemovalsTimeMs: 0, numShufflePartitions: 0, numStateStoreInstances: 0, customMetrics: { sameResultAsOperator: twinId } };
}

const splits = new WeakMap<LogicalPlan, ReturnType<typeof splitAggregation>>();

/**
 * The partial and final parts of a streaming aggregation node, the same objects every batch (its
 * plans then have the same shape each batch, and are planned once: micro-batch-plans.ts).
 */
function splitOf(agg: Extract<LogicalPlan, { kind: "Aggregate" }>, ansi: boolean): ReturnType<typeof splitAggregation> {
  // Under ANSI a batch's partial sums are exact (a sum fails only when its total overflows).
  if (!splits.has(agg)) splits.set(agg, splitAggregation(agg.groupingExprs, agg.aggregateExprs, { ansi }));
  return splits.get(agg)!;
}

/**
 * How far behind the watermark the event time of an operator's output may lag (micros): 0 for
 * aggregations (append mode emits a window once the watermark passes its end; Spark's window_time
 * is end - 1 µs), deduplication and flatMapGroupsWithState; for a stream-stream join, the largest
 * lag of its state watermarks (a buffered row with S > W + offset can still be matched and emitted,
 * offset < 0 for a time-range condition such as `S BETWEEN O - 5 s AND O`).
 */
export function outputDelayMicros(op: StatefulOperatorInfo): number {
  if (op.kind !== "join") return 0;
  // A side's rows stay buffered while their time is above W + offset (or at it, for a
  // non-strict rule): 1 µs more keeps a row exactly at the bound from counting as late.
  let d = 0;
  for (const side of [op.spec.stateWatermark.left, op.spec.stateWatermark.right]) {
    for (const v of side.values) d = Math.max(d, -v.offsetMicros + 1);
    for (const k of side.keys) d = Math.max(d, -k.offsetMicros + 1);
  }
  return d;
}

/**
 * For a stateful operator node: null when no stateful operator lies below it, else the largest
 * accumulated output delay of the nearest ones below (and, recursively, of theirs).
 */
export function upstreamDelayMicros(node: LogicalPlan, operators: readonly StatefulOperatorInfo[]): number | null {
  let found: number | null = null;
  const visit = (p: LogicalPlan): void => {
    if (!isStreamingPlan(p)) return;
    const op = operators.find((o) => o.node === p);
    if (op !== undefined) {
      const d = outputDelayMicros(op) + (upstreamDelayMicros(p, operators) ?? 0);
      found = found === null ? d : Math.max(found, d);
      return;
    }
    children(p).forEach(visit);
  };
  children(node).forEach(visit);
  return found;
}

