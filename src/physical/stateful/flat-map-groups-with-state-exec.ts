import { planOutput } from "../../analyzer/plan-output.js";
import { batchesToRows } from "../../api/rows.js";
import { GroupStateImpl, type GroupStateOutputMode, type GroupStateTimeout, NO_TIMESTAMP } from "../../api/group-state.js";
import { BatchBuilder, type RecordBatch, takeBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import { ExecutionError, StreamingError } from "../../errors/errors.js";
import type { AttributeRef } from "../../expr/expression.js";
import type { FlatMapGroupsWithState, LogicalPlan } from "../../plan/logical-plan.js";
import type { StateStoreCoordinator } from "../../state/state-store-registry.js";
import { type StateKey, type StateStore, encodeKey } from "../../state/state-store.js";
import type { OutputMode } from "../../streaming/sink.js";
import { toInternal } from "../../types/values.js";
import { rebuildFunction, selfContained } from "../../expr/udf-source.js";
import { type ShippedProcessor, type TimeMode, processorFunction, rebuiltProcessor } from "../../api/transform-with-state.js";
import type { ExecContext, PhysicalOp } from "../physical-op.js";
import { collectBatches, schemaOf } from "../physical-op.js";

type Row = Record<string, unknown>;

/**
 * What `groupByKey(keyFn).flatMapGroupsWithState(...)` / `.mapGroupsWithState(...)` put in the
 * plan: opaque user functions plus their settings. `fn` always returns an iterable (the
 * mapGroupsWithState API wraps its single row).
 */
export interface GroupStateSpec {
  readonly keyFn: (row: Row) => unknown;
  readonly fn: (key: unknown, values: Iterable<Row>, state: GroupStateImpl) => Iterable<Row>;
  readonly outputMode: GroupStateOutputMode;
  readonly timeout: GroupStateTimeout;
  readonly isMapGroups: boolean;
  /** The user function's name (or "<anonymous>"), for messages and EXPLAIN. */
  readonly functionName: string;
  /** The API that built it, for messages ("transformWithState"); defaults from isMapGroups. */
  readonly apiName?: string;
  /**
   * The key function's and the user function's source text (udf-source.ts), from which a worker
   * thread that owns state partitions rebuilds them (mapGroupsWithState's function as the user
   * wrote it: the worker wraps it again, mapGroupsFunction), or transformWithState's processor
   * (ShippedProcessor). Absent when they cannot travel: a native or bound function, a processor
   * of a subclass or with a field that cannot be cloned.
   */
  readonly sources?: { readonly keyFn: string } & ({ readonly fn: string } | { readonly processor: ShippedProcessor; readonly timeMode: TimeMode });
}

/** mapGroupsWithState's function as flatMapGroupsWithState's: its one row as an iterable. */
export function mapGroupsFunction(fn: (key: unknown, values: Iterable<Row>, state: GroupStateImpl) => unknown): GroupStateSpec["fn"] {
  return (key, values, state) => [fn(key, values, state) as Row];
}

/** A spec as it travels to a worker thread: its settings and its functions' source text. */
export type ShippedGroupStateSpec = Omit<GroupStateSpec, "keyFn" | "fn"> & { readonly sources: NonNullable<GroupStateSpec["sources"]> };

/** The spec without its functions, or null when they have no source text to travel as. */
export function shippedGroupStateSpec(spec: GroupStateSpec): ShippedGroupStateSpec | null {
  const { keyFn: _keyFn, fn: _fn, sources, ...settings } = spec;
  return sources === undefined ? null : { ...settings, sources };
}

/** A shipped spec with its functions rebuilt in this (worker) thread; a call that reads a variable around it fails UDF_NOT_SELF_CONTAINED. */
export function rebuiltGroupStateSpec(shipped: ShippedGroupStateSpec): GroupStateSpec {
  const hint = "keep what it needs in the rows, the key, the state or its own fields, or define it inside the function";
  const sources = shipped.sources;
  const keyFn = rebuildFunction(sources.keyFn, "the groupByKey function", hint) as GroupStateSpec["keyFn"];
  const what = `${"processor" in sources ? "the processor" : "the function"} ${shipped.functionName} of ${operatorLabel(shipped)}`;
  if ("processor" in sources) {
    // A fresh processor per batch, as Spark initializes one per partition task.
    const fn = processorFunction(rebuiltProcessor(sources.processor, what), shipped.outputMode, sources.timeMode);
    return { ...shipped, keyFn, fn: selfContained(fn as (...args: unknown[]) => unknown, what, hint) as GroupStateSpec["fn"] };
  }
  const userFn = rebuildFunction(sources.fn, what, hint);
  return { ...shipped, keyFn, fn: shipped.isMapGroups ? mapGroupsFunction(userFn) : (userFn as GroupStateSpec["fn"]) };
}

/** One key's entry in the state store: the user's key, the state (if any) and the timeout (ms, or NO_TIMESTAMP). */
export interface StoredGroupState {
  readonly k: unknown;
  readonly s?: unknown;
  readonly t: number;
}

export const OPERATOR_NAME = "flatMapGroupsWithState";

/** The API a spec came from, for messages. */
export const operatorLabel = (spec: Pick<GroupStateSpec, "apiName" | "isMapGroups">): string => spec.apiName ?? (spec.isMapGroups ? "mapGroupsWithState" : "flatMapGroupsWithState");

/**
 * A user key → state key. Keys are any JSON-like value: they are encoded as canonical JSON
 * (object keys sorted; bigints, Dates, undefined and non-finite numbers tagged so that distinct
 * values never collide), so equal keys meet in state whatever their object's key order.
 */
export function groupStateKey(key: unknown): StateKey {
  return encodeKey([canonicalJson(key)]);
}

function canonicalJson(v: unknown): string {
  const walk = (x: unknown): unknown => {
    if (x === undefined) return null;
    if (typeof x === "bigint") return { $bigint: x.toString() };
    if (typeof x === "number" && !Number.isFinite(x)) return { $number: String(x) };
    if (x instanceof Date) return { $date: x.getTime() };
    if (x instanceof Uint8Array) return { $bytes: Buffer.from(x).toString("base64") };
    if (x instanceof Map) return { $map: [...x.entries()].map(([a, b]) => [walk(a), walk(b)]) };
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === "object") {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = walk((x as Row)[k]);
      return o;
    }
    if (typeof x === "function" || typeof x === "symbol") throw new ExecutionError("INVALID_GROUPING_KEY", `A groupByKey key cannot be a ${typeof x}.`);
    return x;
  };
  return JSON.stringify(walk(v));
}

/** Calls the user function, materializing its output so errors in lazy iterables surface here, wrapped with the function's name. */
function callUser(spec: GroupStateSpec, key: unknown, values: readonly Row[], state: GroupStateImpl): Row[] {
  try {
    const out = spec.fn(key, values, state);
    if (out === null || out === undefined || typeof (out as Iterable<Row>)[Symbol.iterator] !== "function") {
      throw new ExecutionError("GROUP_STATE_FUNCTION_RESULT", `The function must return an iterable of rows, got ${out === null ? "null" : typeof out}.`);
    }
    return [...out];
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ExecutionError(
      "FLATMAPGROUPSWITHSTATE_USER_FUNCTION_ERROR",
      `The user function ${spec.functionName} of ${operatorLabel(spec)} failed for key ${safeJson(key)}: ${msg}`,
      { cause: e },
    );
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** User rows → a batch of the operator's output columns. */
function rowsToBatches(output: readonly AttributeRef[], rows: readonly Row[], spec: GroupStateSpec, timeZone: string): RecordBatch[] {
  if (rows.length === 0) return [];
  const schema = schemaOf(output);
  const b = new BatchBuilder(schema, rows.length);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object") {
      throw new ExecutionError("GROUP_STATE_FUNCTION_RESULT", `The function ${spec.functionName} of ${operatorLabel(spec)} returned ${safeJson(r)} as a row; rows are objects keyed by the output schema's column names.`);
    }
    b.appendRow(schema.fields.map((f) => toInternal(r[f.name], f.dataType, `output row ${i} column \`${f.name}\` of ${operatorLabel(spec)}`, timeZone)));
  });
  return [b.finish()];
}

function userKeyOf(spec: GroupStateSpec, r: Row): unknown {
  try {
    return spec.keyFn(r);
  } catch (e) {
    throw new ExecutionError("FLATMAPGROUPSWITHSTATE_USER_FUNCTION_ERROR", `The groupByKey function failed for row ${safeJson(r)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The state key of each row of a batch of the operator's input (what its state partitions are split by). */
export function groupStateKeysOf(node: FlatMapGroupsWithState, b: RecordBatch): StateKey[] {
  return batchesToRows(schemaOf(planOutput(node.child)), [b]).map((r) => groupStateKey(userKeyOf(node.spec, r)));
}

/** Groups external rows by user key, in first-seen order. */
function groupRows(spec: GroupStateSpec, rows: readonly Row[]): Map<StateKey, { key: unknown; rows: Row[] }> {
  const groups = new Map<StateKey, { key: unknown; rows: Row[] }>();
  for (const r of rows) {
    const key = userKeyOf(spec, r);
    const sk = groupStateKey(key);
    let g = groups.get(sk);
    if (g === undefined) groups.set(sk, (g = { key, rows: [] }));
    g.rows.push(r);
  }
  return groups;
}

/** Whether the input of the operator carries a watermarked event-time column. */
export function hasWatermarkInput(node: FlatMapGroupsWithState): boolean {
  return planOutput(node.child).some((a) => a.watermarkDelayMicros !== undefined);
}

/** The result of one micro-batch of the operator. */
export interface GroupStateBatchResult {
  readonly output: RecordBatch[];
  readonly droppedByWatermark: number;
  /** The dropped input rows (input schema), for a late-rows sink. */
  readonly late: RecordBatch[];
  /** The earliest timeout left in state (ms), or +Infinity. */
  readonly nextTimeoutMs: number;
}

/**
 * One micro-batch of flatMapGroupsWithState (Spark's FlatMapGroupsWithStateExec) against its
 * store opened at version N; does not commit.
 *
 * 1. With EventTimeTimeout, input rows at or behind the watermark are dropped (and counted).
 * 2. Each key with rows is called with its rows and its state; then each other key whose
 *    timeout is earlier than the batch timestamp (ProcessingTimeTimeout) or the watermark
 *    (EventTimeTimeout) is called with no rows and `hasTimedOut` true.
 * 3. A call's timeout is what it set (none if it set none); a call that removed the state and
 *    set no timeout removes the key, otherwise the key is written when its state or timeout changed.
 */
export function runFlatMapGroupsWithState(
  node: FlatMapGroupsWithState,
  input: readonly RecordBatch[],
  store: StateStore<StoredGroupState>,
  opts: { readonly batchTimestampMs: number; readonly watermarkMs: number; readonly timeZone: string },
): GroupStateBatchResult {
  const spec = node.spec;
  const childOut = planOutput(node.child);
  const watermarkPresent = hasWatermarkInput(node);
  let dropped = 0;
  const late: RecordBatch[] = [];
  let batches = input;
  if (spec.timeout === "EventTimeTimeout" && watermarkPresent) {
    const et = childOut.findIndex((a) => a.watermarkDelayMicros !== undefined);
    const wm = opts.watermarkMs * 1000;
    batches = input.flatMap((b) => {
      const keep: number[] = [], drop: number[] = [];
      for (let i = 0; i < b.numRows; i++) {
        const t = valueAt(b.columns[et]!, i) as number | null;
        if (t !== null && t <= wm) drop.push(i);
        else keep.push(i);
      }
      dropped += drop.length;
      if (drop.length > 0) late.push(drop.length === b.numRows ? b : takeBatch(b, drop));
      return keep.length === b.numRows ? [b] : keep.length === 0 ? [] : [takeBatch(b, keep)];
    });
  }
  const rows = batchesToRows(schemaOf(childOut), batches);
  const out: Row[] = [];
  const stateFor = (stored: StoredGroupState | undefined, hasTimedOut: boolean): GroupStateImpl =>
    new GroupStateImpl({
      exists: stored !== undefined && stored.s !== undefined,
      value: stored?.s,
      timeout: spec.timeout,
      batchTimestampMs: opts.batchTimestampMs,
      watermarkMs: opts.watermarkMs,
      watermarkPresent,
      hasTimedOut,
      operator: operatorLabel(spec),
    });
  const save = (sk: StateKey, key: unknown, stored: StoredGroupState | undefined, st: GroupStateImpl): void => {
    const t = st.timeoutTimestamp;
    if (st.isRemoved && t === NO_TIMESTAMP) {
      if (stored !== undefined) store.remove(sk);
      return;
    }
    const prevT = stored?.t ?? NO_TIMESTAMP;
    if (st.isUpdated || st.isRemoved || t !== prevT) store.put(sk, st.exists ? { k: key, s: st.stateValue, t } : { k: key, t });
  };

  const seen = new Set<StateKey>();
  for (const [sk, g] of groupRows(spec, rows)) {
    seen.add(sk);
    const stored = store.get(sk);
    const st = stateFor(stored, false);
    out.push(...callUser(spec, g.key, g.rows, st));
    save(sk, g.key, stored, st);
  }

  if (spec.timeout !== "NoTimeout" && (spec.timeout === "ProcessingTimeTimeout" || watermarkPresent)) {
    const threshold = spec.timeout === "ProcessingTimeTimeout" ? opts.batchTimestampMs : opts.watermarkMs;
    const due: [StateKey, StoredGroupState][] = [];
    for (const e of store.iterator()) if (!seen.has(e.key) && e.value.t !== NO_TIMESTAMP && e.value.t < threshold) due.push([e.key, e.value]);
    due.sort((a, b) => a[1].t - b[1].t || (a[0] < b[0] ? -1 : 1));
    for (const [sk, stored] of due) {
      const st = stateFor(stored, true);
      out.push(...callUser(spec, stored.k, [], st));
      save(sk, stored.k, stored, st);
    }
  }

  return { output: rowsToBatches(node.output, out, spec, opts.timeZone), droppedByWatermark: dropped, late, nextTimeoutMs: earliestTimeout(store) };
}

function earliestTimeout(store: { iterator(): IterableIterator<{ value: StoredGroupState }> }): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of store.iterator()) if (e.value.t !== NO_TIMESTAMP && e.value.t < min) min = e.value.t;
  return min;
}

// ---- when is a timeout due (for no-data batches) ----

/**
 * Per query run (its store coordinator) and (checkpoint, operator): the earliest timeout in the
 * state version it was computed for. A new run starts empty, so nothing stale survives a restart.
 */
const timeoutIndexes = new WeakMap<StateStoreCoordinator, Map<string, { version: number; nextTimeoutMs: number }>>();
const indexKey = (checkpointDir: string, operatorId: number): string => `${checkpointDir}\u0000${operatorId}`;
function timeoutIndexOf(stores: StateStoreCoordinator): Map<string, { version: number; nextTimeoutMs: number }> {
  let m = timeoutIndexes.get(stores);
  if (m === undefined) timeoutIndexes.set(stores, (m = new Map()));
  return m;
}

/** Records the earliest timeout of a committed state version (the operator calls it after commit). */
export function recordNextTimeout(stores: StateStoreCoordinator, checkpointDir: string, operatorId: number, version: number, nextTimeoutMs: number): void {
  timeoutIndexOf(stores).set(indexKey(checkpointDir, operatorId), { version, nextTimeoutMs });
}

/**
 * The hook the trigger loop asks before deciding there is nothing to do: whether some
 * flatMapGroupsWithState operator of `plan` has a key whose timeout is due in a batch with this
 * timestamp and watermark, given the state version `version` (what the next batch opens). After
 * a restart the first answer scans the committed state once; later ones come from what each
 * batch recorded.
 */
export function groupStateTimeoutDue(
  plan: LogicalPlan,
  stores: StateStoreCoordinator,
  checkpointDir: string,
  version: number,
  batchTimestampMs: number,
  watermarkMs: number,
  operatorIdOf: (node: FlatMapGroupsWithState) => number,
  partitionsOf: (operatorId: number) => number,
): boolean {
  for (const node of groupStateNodesOf(plan)) {
    const timeout = node.spec.timeout;
    if (timeout === "NoTimeout" || (timeout === "EventTimeTimeout" && !hasWatermarkInput(node))) continue;
    const operatorId = operatorIdOf(node);
    if (operatorId < 0) continue;
    const k = indexKey(checkpointDir, operatorId);
    const timeoutIndex = timeoutIndexOf(stores);
    let entry = timeoutIndex.get(k);
    if (entry === undefined || entry.version !== version) {
      let nextTimeoutMs = Number.POSITIVE_INFINITY;
      for (let partitionId = 0; partitionId < partitionsOf(operatorId); partitionId++) {
        const read = stores.provider({ checkpointLocation: checkpointDir, operatorId, partitionId }).getReadStore<StoredGroupState>(version);
        try {
          nextTimeoutMs = Math.min(nextTimeoutMs, earliestTimeout(read));
        } finally {
          read.abort();
        }
      }
      entry = { version, nextTimeoutMs };
      timeoutIndex.set(k, entry);
    }
    const threshold = timeout === "ProcessingTimeTimeout" ? batchTimestampMs : watermarkMs;
    if (entry.nextTimeoutMs < threshold) return true;
  }
  return false;
}

function groupStateNodesOf(plan: LogicalPlan): FlatMapGroupsWithState[] {
  const out: FlatMapGroupsWithState[] = [];
  const visit = (p: LogicalPlan): void => {
    if (p.kind === "FlatMapGroupsWithState") out.push(p);
    for (const c of "child" in p ? [p.child] : "left" in p ? [p.left, p.right] : "children" in p ? p.children : []) visit(c);
  };
  visit(plan);
  return out;
}

// ---- checks at start ----

/**
 * The output-mode and watermark rules for a streaming flatMapGroupsWithState (as Spark's
 * UnsupportedOperationChecker): mapGroupsWithState needs the update output mode and no
 * aggregation; flatMapGroupsWithState without an aggregation needs the query's output mode to be
 * its own; EventTimeTimeout needs a watermark on its input.
 */
export function checkGroupStateOperator(node: FlatMapGroupsWithState, queryMode: OutputMode, hasAggregation: boolean): void {
  const spec = node.spec;
  const fail = (cls: string, msg: string): never => {
    throw new StreamingError(cls, msg);
  };
  if (spec.isMapGroups) {
    if (hasAggregation) fail("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", "mapGroupsWithState cannot be combined with a streaming aggregation in one query.");
    if (queryMode !== "update") fail("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", `mapGroupsWithState on a streaming DataFrame needs the update output mode, not ${queryMode}.`);
  } else if (!hasAggregation && spec.outputMode !== queryMode) {
    fail("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION", `flatMapGroupsWithState in ${spec.outputMode} mode needs the query's output mode to be ${spec.outputMode}, not ${queryMode}.`);
  }
  if (spec.timeout === "EventTimeTimeout" && !hasWatermarkInput(node)) {
    fail("GROUP_STATE_EVENT_TIME_TIMEOUT_WITHOUT_WATERMARK", `${operatorLabel(spec)} with GroupStateTimeout.EventTimeTimeout needs a watermark: call withWatermark() on its input first.`);
  }
}

// ---- batch queries ----

/**
 * flatMapGroupsWithState in a batch query: every key is called once with all its rows and an
 * empty state; timeouts may be set but never fire (as in Spark).
 */
export class FlatMapGroupsWithStateBatchExec implements PhysicalOp {
  readonly name = "FlatMapGroupsWithState";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly node: FlatMapGroupsWithState,
  ) {
    this.children = [child];
    this.output = node.output;
  }
  describe(): string {
    return `${this.node.spec.functionName}, ${this.node.spec.outputMode}, ${this.node.spec.timeout}`;
  }
  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const spec = this.node.spec;
    const rows = batchesToRows(schemaOf(this.child.output), await collectBatches(this.child, ctx));
    const watermarkPresent = hasWatermarkInput(this.node);
    const out: Row[] = [];
    for (const g of groupRows(spec, rows).values()) {
      const st = new GroupStateImpl({ exists: false, value: undefined, timeout: spec.timeout, batchTimestampMs: NO_TIMESTAMP, watermarkMs: NO_TIMESTAMP, watermarkPresent, hasTimedOut: false, operator: operatorLabel(spec) });
      out.push(...callUser(spec, g.key, g.rows, st));
    }
    yield* rowsToBatches(this.output, out, spec, ctx.fctx.timeZone);
  }
}
