import { namedToAttribute } from "../../analyzer/plan-output.js";
import type { RecordBatch } from "../../batch/record-batch.js";
import type { AttributeRef } from "../../expr/expression.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { type Aggregate, type FlatMapGroupsWithState, type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import type { StateStore } from "../../state/state-store.js";
import type { EventTimeKey } from "./stateful-operators.js";
import { type StoredGroupState, runFlatMapGroupsWithState } from "./flat-map-groups-with-state-exec.js";
import { StreamingAggregateExec, type StatefulOutputMode, type StatefulRunResult } from "./streaming-aggregate-exec.js";
import { StreamingDeduplicateExec } from "./streaming-deduplicate-exec.js";
import { StreamingSessionWindowExec } from "./streaming-session-window-exec.js";
import { StreamingWindowExec } from "./streaming-window-exec.js";
import type { StreamingWindowSpec } from "./streaming-window-spec.js";
import { StreamingSymmetricHashJoinExec, joinStoreNames } from "./stream-join-exec.js";
import type { StreamJoinSpec } from "./stream-join-helper.js";

/**
 * The watermarks of an operator downstream of another stateful operator: late rows are judged by
 * what the upstream guaranteed last batch, emission and eviction by this batch's (see
 * incremental-plan.ts). Null for the first operators of a chain, which use the batch watermark.
 */
export interface ChainWatermarks {
  readonly lateEventsMs: number;
  readonly evictionMs: number;
}

/**
 * One batch of a stateful operator as plain data: what a partition needs to run, on this thread
 * or shipped to the worker thread that owns the partition (plan-codec.ts carries it). The plan
 * nodes in it have an empty input in place of their child (the rows travel separately).
 */
export type StatefulPartitionJob =
  | {
      readonly kind: "aggregate";
      readonly operatorId: number;
      readonly node: Aggregate;
      readonly input: readonly AttributeRef[];
      readonly eventTimeKey: EventTimeKey | null;
      /** The rows are the batch's partial aggregates, not `input` rows (see StreamingAggregateExec). */
      readonly partialInput: boolean;
      readonly mode: StatefulOutputMode;
      readonly watermarkMs: number;
      readonly chain: ChainWatermarks | null;
    }
  | {
      readonly kind: "dedupe";
      readonly operatorId: number;
      readonly input: readonly AttributeRef[];
      readonly keys: readonly AttributeRef[];
      readonly withinWatermark: boolean;
      readonly watermarkMs: number;
      readonly chain: ChainWatermarks | null;
    }
  | {
      readonly kind: "window";
      readonly operatorId: number;
      readonly spec: StreamingWindowSpec;
      readonly watermarkMs: number;
      readonly chain: ChainWatermarks | null;
    }
  /**
   * flatMapGroupsWithState / mapGroupsWithState: the node's spec carries the user's functions
   * (as source text when shipped, plan-codec.ts).
   */
  | {
      readonly kind: "groupState";
      readonly operatorId: number;
      readonly node: FlatMapGroupsWithState;
      readonly batchTimestampMs: number;
      readonly watermarkMs: number;
      readonly timeZone: string;
    }
  /** A stream-stream join: two inputs (left, right rows) and four stores per partition. */
  | {
      readonly kind: "join";
      readonly operatorId: number;
      readonly spec: StreamJoinSpec;
      readonly watermarkMs: number;
      readonly chain: ChainWatermarks | null;
    };

/** A join's watermarks for one batch: the chain's two, or the batch watermark for both (see StreamingSymmetricHashJoinExec.run). */
export function joinWatermarks(watermarkMs: number, chain: ChainWatermarks | null): ChainWatermarks {
  return chain ?? { lateEventsMs: watermarkMs, evictionMs: watermarkMs };
}

/** The jobs of single-input operators (all but the join). */
export type SingleInputJob = Exclude<StatefulPartitionJob, { kind: "join" }>;

/** What one partition of a job gives back: its output, and the late rows of each input. */
export interface PartitionRunResult {
  readonly output: RecordBatch[];
  readonly droppedByWatermark: number;
  readonly late: RecordBatch[][];
  /** A groupState job's earliest timeout left in the partition's state (ms; +Infinity: none). */
  readonly nextTimeoutMs?: number;
}

/** The stores of one partition of a job's operator, in the order its runner takes them (undefined: the default store). */
export function jobStoreNames(job: StatefulPartitionJob): readonly (string | undefined)[] {
  if (job.kind !== "join") return [undefined];
  return (["left", "right"] as const).flatMap((side) => {
    const n = joinStoreNames(side);
    return [n.numValues, n.rows];
  });
}

/** A join spec without the plans below the join (the rows travel separately). */
export function joinSpecWithoutInputs(spec: StreamJoinSpec): StreamJoinSpec {
  return {
    ...spec,
    node: { ...spec.node, left: Plan.localRelation(spec.leftOutput, [], "join left input"), right: Plan.localRelation(spec.rightOutput, [], "join right input") },
  };
}

/** A plan node's child replaced by an empty relation with the same output: what a job carries of its node. */
export function withoutInput<T extends LogicalPlan & { readonly child: LogicalPlan }>(node: T, input: readonly AttributeRef[]): T {
  return { ...node, child: Plan.localRelation(input, [], "stateful operator input") };
}

/** The output attributes of a job's operator (as its exec has them). */
export function jobOutput(job: StatefulPartitionJob): readonly AttributeRef[] {
  switch (job.kind) {
    case "aggregate": return job.node.aggregateExprs.map(namedToAttribute);
    case "dedupe": return job.input;
    case "window": return [...job.spec.input, ...job.spec.node.windowExprs.map(namedToAttribute)];
    case "join": return job.spec.output;
    case "groupState": return job.node.output;
  }
}

function prepare(job: Extract<StatefulPartitionJob, { kind: "aggregate" }>, fctx: ExecFunctionContext): StreamingAggregateExec | StreamingSessionWindowExec {
  const key = job.eventTimeKey;
  // Grouped by a per-row session_window: the session-window operator merges sessions in state.
  return key?.kind === "session" ? new StreamingSessionWindowExec(job.operatorId, job.node, job.input, key.index, fctx) : new StreamingAggregateExec(job.operatorId, job.node, job.input, key, fctx, job.partialInput);
}

/**
 * Compiles a job's operator once; the returned function runs one partition: its rows of each
 * input against its stores (in {@link jobStoreNames} order).
 */
export function partitionRunner(job: StatefulPartitionJob, fctx: ExecFunctionContext): (inputs: readonly (readonly RecordBatch[])[], stores: readonly StateStore<never>[]) => PartitionRunResult {
  if (job.kind === "join") {
    const exec = new StreamingSymmetricHashJoinExec(job.operatorId, job.spec, fctx);
    return (inputs, s) => {
      const r = exec.run(inputs[0]!, inputs[1]!, { left: { numValues: s[0]!, rows: s[1]! }, right: { numValues: s[2]!, rows: s[3]! } }, joinWatermarks(job.watermarkMs, job.chain));
      return { output: r.output, droppedByWatermark: r.droppedByWatermark, late: [r.late.left, r.late.right] };
    };
  }
  const run = statefulJobRunner(job, fctx);
  return (inputs, stores) => {
    const r = run(inputs[0]!, stores[0]!);
    return { output: r.output, droppedByWatermark: r.droppedByWatermark, late: [r.late], ...(r.nextTimeoutMs === undefined ? {} : { nextTimeoutMs: r.nextTimeoutMs }) };
  };
}

/** Compiles a single-input job's operator once; the returned function runs one partition's rows against that partition's store. */
export function statefulJobRunner(job: SingleInputJob, fctx: ExecFunctionContext): (rows: readonly RecordBatch[], store: StateStore<never>) => StatefulRunResult & { readonly nextTimeoutMs?: number } {
  switch (job.kind) {
    case "groupState": {
      const opts = { batchTimestampMs: job.batchTimestampMs, watermarkMs: job.watermarkMs, timeZone: job.timeZone };
      return (rows, store) => runFlatMapGroupsWithState(job.node, rows, store as StateStore<StoredGroupState>, opts);
    }
    case "aggregate": {
      const exec = prepare(job, fctx);
      const chain = job.chain;
      return (rows, store) => {
        if (chain === null) return exec.run(rows, store, job.mode, job.watermarkMs);
        // Downstream in a chain (append mode only): late rows by the watermark the upstream
        // operator guaranteed last batch, then emission and eviction by this batch's.
        const first = exec.run(rows, store, job.mode, chain.lateEventsMs);
        const second = exec.run([], store, job.mode, chain.evictionMs);
        // In update mode the second run only evicts (a global aggregation would repeat its row).
        return { output: job.mode === "update" ? first.output : [...first.output, ...second.output], droppedByWatermark: first.droppedByWatermark, late: first.late };
      };
    }
    case "dedupe": {
      const exec = new StreamingDeduplicateExec(job.operatorId, job.input, job.keys, job.withinWatermark);
      const chain = job.chain;
      return (rows, store) => {
        if (chain === null) return exec.run(rows, store, job.watermarkMs);
        // Downstream in a chain: late rows by the watermark the upstream operator guaranteed
        // last batch, then the keys this batch's watermark passed are forgotten.
        const first = exec.run(rows, store, chain.lateEventsMs);
        exec.run([], store, chain.evictionMs);
        return first;
      };
    }
    case "window": {
      const exec = new StreamingWindowExec(job.operatorId, job.spec, fctx);
      const chain = job.chain;
      // Downstream in a chain: late rows by the watermark the upstream operator guaranteed last batch.
      return (rows, store) => (chain === null ? exec.run(rows, store, job.watermarkMs) : exec.run(rows, store, chain.evictionMs, chain.lateEventsMs));
    }
  }
}
