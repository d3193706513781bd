import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, VectorBuilder, valueAt } from "../../batch/vector.js";
import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import type { Aggregate } from "../../plan/logical-plan.js";
import { type StateEntry, type StateKey, type StateStore, type StateStoreMetrics, decodeKey, encodeKey } from "../../state/state-store.js";
import { KeyEncoder } from "../../state/key-encoder.js";
import { entriesBehindWatermarkTracked, eventMicros } from "./watermark-scan.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { schemaOf } from "../physical-op.js";
import type { EventTimeKey } from "./stateful-operators.js";
import { compileAggregation } from "../aggregate/aggregation-layout.js";
import { DroppedRowsCollector } from "./dropped-rows.js";
import { GroupTable } from "../aggregate/group-table.js";
import { bufferOfPartial } from "../parallel/partial-aggregation.js";

/** Spark's output modes, as a stateful operator sees them. */
export type StatefulOutputMode = "append" | "update" | "complete";

/** A group's state: the serialized buffer of each aggregate call, in call order. */
export type StoredBuffers = unknown[];

/** Per-batch figures of a stateful operator, for `stateOperators` in progress. */
export interface StatefulOperatorMetrics {
  operatorName: string;
  numRowsTotal: number;
  numRowsUpdated: number;
  numRowsRemoved: number;
  numRowsDroppedByWatermark: number;
  memoryUsedBytes: number;
  commitTimeMs: number;
  allUpdatesTimeMs: number;
  allRemovalsTimeMs: number;
  numShufflePartitions: number;
  numStateStoreInstances: number;
  customMetrics: Record<string, number>;
}

/** What a stateful operator's run over one batch gives back. */
export interface StatefulRunResult {
  readonly output: RecordBatch[];
  /** Late keys (groups) or rows dropped, for `numRowsDroppedByWatermark`. */
  readonly droppedByWatermark: number;
  /** The dropped input rows themselves (input schema), for a late-rows sink. */
  readonly late: RecordBatch[];
}

interface Group {
  readonly key: readonly unknown[];
  bufs: unknown[];
}

/**
 * A streaming aggregation for one micro-batch (Spark's StateStoreRestore + StateStoreSave, in
 * one step). Given the batch's input rows and the operator's state store opened at version N:
 *
 * 1. the rows are aggregated by key into fresh buffers (each aggregate's {@link Accumulator});
 * 2. with an event-time key, groups whose key is already behind the watermark are late: they are
 *    dropped and counted (`numRowsDroppedByWatermark`), as Spark does for append and update
 *    (for a `window` key, a window is late once its end is <= the watermark);
 * 3. each remaining group's buffers are merged with its buffers in state and written back;
 * 4. the output follows the mode: **complete** every group in state; **update** the groups this
 *    batch changed, then groups behind the watermark are evicted silently; **append** nothing
 *    until a group is behind the watermark, then it is emitted once and removed.
 *
 * The caller commits the store (version N+1) before the batch's commit log entry.
 */
export class StreamingAggregateExec {
  readonly output: readonly AttributeRef[];
  private readonly calls: readonly AggCall[];
  private readonly accs: readonly Accumulator[];
  private readonly skipNulls: readonly boolean[];
  private readonly keyAttrs: readonly AttributeRef[];
  private readonly aggAttrs: readonly AttributeRef[];
  private readonly resultExprs: readonly Expr[];

  constructor(
    readonly operatorId: number,
    private readonly agg: Aggregate,
    private readonly childOutput: readonly AttributeRef[],
    private readonly eventTimeKey: EventTimeKey | null,
    private readonly fctx: ExecFunctionContext,
    /**
     * Whether the input rows are the batch's partial aggregates (the keys, then one partial
     * result per call: {@link splitAggregation}'s `partialOutput`) instead of `childOutput` rows.
     */
    private readonly partialInput = false,
  ) {
    ({ output: this.output, calls: this.calls, keyAttrs: this.keyAttrs, aggAttrs: this.aggAttrs, resultExprs: this.resultExprs, accs: this.accs } = compileAggregation(agg, fctx));
    this.skipNulls = this.calls.map((c) => c.fn.skipNulls !== false);
  }

  /** Whether this operator can emit or evict when the watermark moves (what a no-data batch is for). */
  get evictsOnWatermark(): boolean {
    return this.eventTimeKey !== null;
  }

  /**
   * Runs one batch against `store` (opened at the batch's version); does not commit. State is
   * read and written once per batch (`getMany` / `putMany` over the batch's encoded keys), and
   * only keys behind the watermark are read back for emission or eviction.
   */
  run(input: readonly RecordBatch[], store: StateStore<StoredBuffers>, mode: StatefulOutputMode, watermarkMs: number): StatefulRunResult {
    const groups = this.aggregateBatch(input);
    const late = mode !== "complete" && this.eventTimeKey !== null;
    let dropped = 0;
    const keys: StateKey[] = [];
    const changed: Group[] = [];
    for (const [k, g] of groups) {
      if (late && keyBehindWatermark(g.key, this.eventTimeKey, watermarkMs)) {
        dropped++;
        continue;
      }
      keys.push(k);
      changed.push(g);
    }
    const accs = this.accs, nAcc = accs.length;
    const stored = store.getMany(keys);
    const values = new Array<StoredBuffers>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const g = changed[i]!, old = stored[i];
      const ser = new Array<unknown>(nAcc);
      for (let j = 0; j < nAcc; j++) {
        const acc = accs[j]!;
        if (old !== undefined) g.bufs[j] = acc.merge(acc.deserialize(old[j]), g.bufs[j]);
        ser[j] = acc.serialize(g.bufs[j]);
      }
      values[i] = ser;
    }
    store.putMany(keys, values, stored);
    let output: RecordBatch[] = [];
    const et = this.eventTimeKey;
    const behind = (): StateEntry<StoredBuffers>[] => {
      const kind = et!.kind === "window" ? "window" : "time";
      let putMicros = Infinity;
      for (const g of changed) {
        const t = eventMicros(g.key[et!.index], kind);
        if (t !== null) putMicros = Math.min(putMicros, typeof t === "bigint" ? -Infinity : t);
      }
      return entriesBehindWatermarkTracked(store, { index: et!.index, kind }, watermarkMs * 1000, putMicros);
    };
    switch (mode) {
      case "complete":
        output = this.storedToBatches(store.rangeScan(undefined, undefined));
        break;
      case "update":
        output = this.toBatches(changed);
        if (et !== null) store.removeMany(behind().map((e) => e.key));
        break;
      case "append":
        if (et !== null) {
          const done = behind();
          output = this.storedToBatches(done);
          store.removeMany(done.map((e) => e.key));
        }
        break;
    }
    // Partial aggregates are not the rows a late-rows sink wants: the caller has those (lateInputRows).
    const lateRows = dropped > 0 && !this.partialInput ? lateInputRows(this.agg, this.childOutput, this.eventTimeKey!, input, watermarkMs, this.fctx) : [];
    return { output, droppedByWatermark: dropped, late: lateRows };
  }

  /**
   * Step 1: the batch's rows aggregated by encoded key, in first-seen order. Rows find their group
   * through a columnar group table (no key string per row); each new group's key is encoded once.
   * Partial input: each row's partial results are merged into its group's buffers.
   */
  private aggregateBatch(input: readonly RecordBatch[]): Map<StateKey, Group> {
    const k = this.agg.groupingExprs.length;
    const fromPartial = this.partialInput ? this.calls.map((c, j) => bufferOfPartial(c, this.accs[j]!)) : null;
    const exprs: Expr[] = [...this.agg.groupingExprs];
    const argIx = this.calls.map((c) => c.args.map((a) => exprs.push(a) - 1));
    const filterIx = this.calls.map((c) => (c.filter ? exprs.push(c.filter) - 1 : -1));
    const schema = structType(exprs.map((e, i) => structField(`_in${i}`, exprType(e), true)));
    // Partial input is read as it is: no projection to compile.
    const project = fromPartial === null ? compileProjection(this.childOutput, null, exprs, schema, this.fctx) : null;
    const table = new GroupTable(this.agg.groupingExprs.map(exprType));
    const byId: Group[] = [];
    const skipNulls = this.skipNulls;
    // Bound to their accumulator, so `update` may use `this`.
    const updates = this.accs.map((a) => (a.update as (buf: unknown, ...args: unknown[]) => unknown).bind(a));
    let gids = new Int32Array(0);
    for (const batch of input) {
      const n = batch.numRows;
      if (n === 0) continue;
      const cols: readonly Vector[] = project === null ? batch.columns : project(batch).columns;
      if (gids.length < n) gids = new Int32Array(n);
      table.lookup(cols.slice(0, k), n, gids);
      for (let i = 0; i < n; i++) {
        const gid = gids[i]!;
        let g = byId[gid];
        if (g === undefined) {
          const key = new Array<unknown>(k);
          for (let j = 0; j < k; j++) key[j] = valueAt(cols[j]!, i);
          byId[gid] = g = { key, bufs: this.accs.map((a) => a.init()) };
        }
        if (fromPartial !== null) {
          for (let c = 0; c < fromPartial.length; c++) g.bufs[c] = this.accs[c]!.merge(g.bufs[c], fromPartial[c]!(valueAt(cols[k + c]!, i)));
          continue;
        }
        for (let c = 0; c < this.calls.length; c++) {
          const fi = filterIx[c]!;
          if (fi >= 0) {
            const f = valueAt(cols[fi]!, i);
            if (f !== true && f !== 1) continue;
          }
          const ix = argIx[c]!;
          const update = updates[c]!;
          if (ix.length === 0) g.bufs[c] = update(g.bufs[c]);
          else if (ix.length === 1) {
            const v = valueAt(cols[ix[0]!]!, i);
            if (v === null && skipNulls[c]) continue;
            g.bufs[c] = update(g.bufs[c], v);
          } else {
            const args = ix.map((x) => valueAt(cols[x]!, i));
            if (skipNulls[c] && args.some((v) => v === null)) continue;
            g.bufs[c] = update(g.bufs[c], ...args);
          }
        }
      }
    }
    const groups = new Map<StateKey, Group>();
    const encoder = new KeyEncoder(k);
    for (const g of byId) {
      const key = encoder.encode(g.key);
      const same = groups.get(key);
      // Keys the table tells apart but the state encodes alike (never for Spark's types, but cheap to honour).
      if (same === undefined) groups.set(key, g);
      else same.bufs = same.bufs.map((b, j) => this.accs[j]!.merge(b, g.bufs[j]));
    }
    // A global aggregation has its one group even in a batch without rows (as Spark's does).
    if (k === 0 && groups.size === 0) groups.set(encodeKey([]), { key: [], bufs: this.accs.map((a) => a.init()) });
    return groups;
  }

  /** Output rows of this batch's groups: (keys, finished aggregates) through the aggregation's result expressions. */
  private toBatches(groups: readonly Group[]): RecordBatch[] {
    if (groups.length === 0) return [];
    const keyB = this.keyAttrs.map((a) => new VectorBuilder(a.dataType, groups.length));
    const aggB = this.aggAttrs.map((a) => new VectorBuilder(a.dataType, groups.length));
    for (const g of groups) {
      for (let j = 0; j < keyB.length; j++) keyB[j]!.append(g.key[j]);
      for (let j = 0; j < aggB.length; j++) aggB[j]!.append(this.accs[j]!.finish(g.bufs[j]));
    }
    return this.resultBatches(keyB, aggB, groups.length);
  }

  /**
   * Output rows of stored groups (every group in complete mode, the closed ones in append mode),
   * each key and buffer decoded straight into the columns: complete mode reads every group every
   * batch, and a group object per row was most of that.
   */
  private storedToBatches(entries: Iterable<StateEntry<StoredBuffers>>): RecordBatch[] {
    const keyB = this.keyAttrs.map((a) => new VectorBuilder(a.dataType));
    const aggB = this.aggAttrs.map((a) => new VectorBuilder(a.dataType));
    const accs = this.accs;
    let n = 0;
    for (const e of entries) {
      const key = decodeKey(e.key);
      for (let j = 0; j < keyB.length; j++) keyB[j]!.append(key[j]);
      for (let j = 0; j < aggB.length; j++) aggB[j]!.append(accs[j]!.finish(accs[j]!.deserialize(e.value[j])));
      n++;
    }
    return n === 0 ? [] : this.resultBatches(keyB, aggB, n);
  }

  private resultBatches(keyB: readonly VectorBuilder[], aggB: readonly VectorBuilder[], n: number): RecordBatch[] {
    const mid = [...this.keyAttrs, ...this.aggAttrs];
    const midBatch = makeBatch(schemaOf(mid), [...keyB, ...aggB].map((b) => b.finish()), n);
    const finish = compileProjection(mid, null, this.resultExprs, schemaOf(this.output), this.fctx);
    return [finish(midBatch)];
  }
}

/** Whether a group's key is behind the watermark (ms): a late group, or one to emit/evict. */
function keyBehindWatermark(key: readonly unknown[], k: EventTimeKey | null, watermarkMs: number): boolean {
  if (k === null) return false;
  const v = key[k.index];
  if (v === null || v === undefined) return false;
  const micros = k.kind === "window" ? (v as readonly number[])[1] : (v as number);
  return micros !== null && micros !== undefined && micros <= watermarkMs * 1000;
}

/** The input rows of an aggregation's late groups (their event-time key behind the watermark), for a late-rows sink. */
export function lateInputRows(agg: Aggregate, childOutput: readonly AttributeRef[], k: EventTimeKey, input: readonly RecordBatch[], watermarkMs: number, fctx: ExecFunctionContext): RecordBatch[] {
  const g = agg.groupingExprs[k.index]!;
  const project = compileProjection(childOutput, null, [g], structType([structField("_t", exprType(g), true)]), fctx);
  const late = new DroppedRowsCollector();
  const key = new Array<unknown>(agg.groupingExprs.length).fill(null);
  for (const batch of input) {
    if (batch.numRows === 0) continue;
    const col = project(batch).columns[0]!;
    for (let i = 0; i < batch.numRows; i++) {
      key[k.index] = valueAt(col, i);
      if (keyBehindWatermark(key, k, watermarkMs)) late.add(batch, i);
    }
  }
  return late.finish();
}

/** Reads a store's figures into the shape progress reports (Spark's StateOperatorProgress). */
export function stateOperatorMetrics(store: StateStore, operatorName: string, droppedByWatermark: number, numShufflePartitions: number): StatefulOperatorMetrics {
  return operatorMetricsOf(store.metrics(), operatorName, droppedByWatermark, numShufflePartitions);
}

/** {@link stateOperatorMetrics} from a store's figures (as a worker thread reports them). */
export function operatorMetricsOf(m: StateStoreMetrics, operatorName: string, droppedByWatermark: number, numShufflePartitions: number): StatefulOperatorMetrics {
  return {
    operatorName,
    numRowsTotal: m.numKeys,
    numRowsUpdated: m.numRowsUpdated,
    numRowsRemoved: m.numRowsRemoved,
    numRowsDroppedByWatermark: droppedByWatermark,
    memoryUsedBytes: m.memoryUsedBytes,
    commitTimeMs: Math.round(m.commitTimeMs),
    allUpdatesTimeMs: Math.round(m.allUpdatesTimeMs),
    allRemovalsTimeMs: Math.round(m.allRemovalsTimeMs),
    numShufflePartitions,
    numStateStoreInstances: 1,
    customMetrics: { ...m.customMetrics },
  };
}
