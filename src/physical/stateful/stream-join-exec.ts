import { type RecordBatch, makeBatch, totalRows } from "../../batch/record-batch.js";
import { VectorBuilder, valueAt } from "../../batch/vector.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { exprType } from "../../expr/expr-type.js";
import type { StateStoreCoordinator } from "../../state/state-store-registry.js";
import { type StateEntry, type StateKey, type StateStore, type StateStoreMetrics, commitStore, decodeKey, encodeKey, encodeKeyElement } from "../../state/state-store.js";
import { type StatefulWorkers, cannotRunOnWorkers, runJobOnWorkers } from "../parallel/stateful-on-workers.js";
import { type ChainWatermarks, type StatefulPartitionJob, joinSpecWithoutInputs, joinWatermarks } from "./stateful-partition-job.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { schemaOf } from "../physical-op.js";
import type { StatefulOperatorMetrics } from "./streaming-aggregate-exec.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import { type DroppedRows, DroppedRowsCollector } from "./dropped-rows.js";
import type { JoinOperatorInfo, JoinSide, StateWatermarkRules, StreamJoinSpec } from "./stream-join-helper.js";
import { type StateCommits, combineOperatorMetrics, keyPartitioner, runPartitions, splitByPartition } from "./state-partitions.js";
import { statePartitioning } from "./stateful-operators.js";

/** A buffered row of one join side and whether any row of the other side has matched it (for outer and semi joins). */
export interface JoinStateValue {
  readonly matched: boolean;
  readonly row: readonly unknown[];
}

/**
 * One side's state, in two stores as Spark names them:
 * - `<side>-keyWithIndexToValue`: key `(join key..., index)` → {@link JoinStateValue};
 * - `<side>-keyToNumValues`: key `(join key...)` → how many rows that join key has buffered
 *   (indices stay dense, 0 .. n-1: eviction moves the rows left into the holes; the entry is
 *   removed once the key has none).
 */
export interface JoinSideStores {
  readonly numValues: StateStore<number>;
  readonly rows: StateStore<JoinStateValue>;
}
export interface JoinStores {
  readonly left: JoinSideStores;
  readonly right: JoinSideStores;
}

export const joinStoreNames = (side: JoinSide): { numValues: string; rows: string } => ({ numValues: `${side}-keyToNumValues`, rows: `${side}-keyWithIndexToValue` });

/** Opens version `batchId` of the four stores of one state partition of join operator `operatorId`. */
export function openJoinStores(stores: StateStoreCoordinator, checkpointLocation: string, operatorId: number, partitionId: number, batchId: number): JoinStores {
  const open = (side: JoinSide): JoinSideStores => {
    const n = joinStoreNames(side);
    return {
      numValues: stores.getStore<number>({ checkpointLocation, operatorId, partitionId, storeName: n.numValues }, batchId),
      rows: stores.getStore<JoinStateValue>({ checkpointLocation, operatorId, partitionId, storeName: n.rows }, batchId),
    };
  };
  return { left: open("left"), right: open("right") };
}

const allStores = (s: JoinStores): StateStore[] => [s.left.numValues, s.left.rows, s.right.numValues, s.right.rows] as StateStore[];

export async function commitJoinStores(s: JoinStores): Promise<void> {
  await Promise.all(allStores(s).map(commitStore));
}

export function abortJoinStores(s: JoinStores): void {
  for (const st of allStores(s)) if (!st.committed) st.abort();
}

/** Progress figures of a join: rows are the buffered rows of both sides; the other figures add up the four stores. */
export function joinStateMetrics(s: JoinStores, droppedByWatermark: number, numShufflePartitions: number): StatefulOperatorMetrics {
  return joinMetricsOf(allStores(s).map((st) => st.metrics()), droppedByWatermark, numShufflePartitions);
}

/** {@link joinStateMetrics} from the four stores' figures (left numValues, left rows, right numValues, right rows), as a worker thread reports them. */
export function joinMetricsOf(ms: readonly StateStoreMetrics[], droppedByWatermark: number, numShufflePartitions: number): StatefulOperatorMetrics {
  const sum = (f: (m: StateStoreMetrics) => number): number => ms.reduce((a, m) => a + f(m), 0);
  const customMetrics: Record<string, number> = {};
  for (const m of ms) for (const [k, v] of Object.entries(m.customMetrics)) customMetrics[k] = (customMetrics[k] ?? 0) + v;
  const leftRows = ms[1]!, rightRows = ms[3]!;
  return {
    operatorName: "symmetricHashJoin",
    numRowsTotal: leftRows.numKeys + rightRows.numKeys,
    numRowsUpdated: leftRows.numRowsUpdated + rightRows.numRowsUpdated,
    numRowsRemoved: leftRows.numRowsRemoved + rightRows.numRowsRemoved,
    numRowsDroppedByWatermark: droppedByWatermark,
    memoryUsedBytes: sum((m) => m.memoryUsedBytes),
    commitTimeMs: Math.round(sum((m) => m.commitTimeMs)),
    allUpdatesTimeMs: Math.round(sum((m) => m.allUpdatesTimeMs)),
    allRemovalsTimeMs: Math.round(sum((m) => m.allRemovalsTimeMs)),
    numShufflePartitions,
    numStateStoreInstances: 4,
    customMetrics,
  };
}

/**
 * A new input row of one side: its values, its join key (null when a `=` key is null: it can
 * never match) and that key encoded (probing the other side and buffering the row both use it).
 */
interface InputRow {
  readonly row: unknown[];
  readonly key: unknown[] | null;
  readonly stateKey: StateKey | null;
}

/** The key element of a row's index under its join key: `encodeKey([...key, i]) === encodeKey(key) + indexElement(i)`. */
function indexElement(i: number): StateKey {
  if (i >= INDEX_ELEMENTS.length) return encodeKeyElement(i);
  return (INDEX_ELEMENTS[i] ??= encodeKeyElement(i));
}
const INDEX_ELEMENTS: (StateKey | undefined)[] = new Array<StateKey | undefined>(1024);

/**
 * The new rows of one side going into its buffer, written to its stores at once: each join key's
 * count is read once and written once (a batch of bids holds a few rows per auction), and each
 * store gets one putMany instead of a get and a put per row.
 */
class JoinAppends {
  /** Each join key's count of buffered rows once this batch's rows are in. */
  private readonly counts = new Map<StateKey, number>();
  /** Each join key's count before this batch (undefined: none buffered), as the store held it. */
  private readonly before = new Map<StateKey, number | undefined>();
  private readonly rowKeys: StateKey[] = [];
  private readonly rowValues: JoinStateValue[] = [];

  constructor(private readonly stores: JoinSideStores) {}

  add(r: InputRow, matched: boolean): void {
    const k = r.stateKey!;
    let next = this.counts.get(k);
    if (next === undefined) {
      const n = this.stores.numValues.get(k);
      this.before.set(k, n);
      next = n ?? 0;
    }
    this.counts.set(k, next + 1);
    this.rowKeys.push(k + indexElement(next));
    this.rowValues.push({ matched, row: r.row });
  }

  write(): void {
    if (this.rowKeys.length === 0) return;
    const keys = [...this.counts.keys()];
    this.stores.numValues.putMany(keys, [...this.counts.values()], keys.map((k) => this.before.get(k)));
    this.stores.rows.putMany(this.rowKeys, this.rowValues);
  }
}

/**
 * A new row that this batch's eviction would drop at once (downstream of another stateful
 * operator, a row whose window the upstream just closed): it is kept out of the stores, in
 * memory until the end of the batch, where the other side's new rows still meet it.
 */
interface TransientRow {
  matched: boolean;
  readonly row: readonly unknown[];
}

const NO_TRANSIENT_ROWS: readonly TransientRow[] = [];

/** A candidate pair: a new row of one side and a buffered row of the other (in the store at `stateKey`, or transient). */
interface Pair {
  readonly input: number;
  readonly stateKey: StateKey;
  readonly state: JoinStateValue;
  readonly transient: TransientRow | null;
}

/**
 * A stream-stream join for one micro-batch (Spark's StreamingSymmetricHashJoinExec, one
 * partition). Each side buffers its rows in state, keyed by join key and a per-key index, with
 * a `matched` flag. With W the batch's watermark:
 *
 * 1. input rows at or behind W on their side's watermarked column are late: dropped, counted;
 * 2. the new left rows are joined with the buffered right rows, then buffered; the new right
 *    rows are joined with the buffered left rows (new ones included, so a new-new pair is
 *    produced once), then buffered. The residual condition is evaluated on every candidate pair;
 *    a buffered row that matches gets `matched` set. A new row that is already behind its side's
 *    state watermark is not buffered (an unmatched one of an outer side is emitted with nulls
 *    at once); for a left semi join a left row is emitted once, on its first match, and a new
 *    left row that matched at once is not buffered; a new row the batch's eviction would drop
 *    at once (downstream of another stateful operator) is held in memory for the batch instead
 *    ({@link TransientRow}), never written to the stores;
 * 3. buffered rows that can no longer match (see {@link StateWatermarkRules}) are evicted; for
 *    outer joins the unmatched ones among them are emitted with nulls for the other side — so
 *    outer rows appear only once the watermark has passed far enough.
 */
export class StreamingSymmetricHashJoinExec {
  readonly output: readonly AttributeRef[];
  private readonly keyProj: { left: (b: RecordBatch) => RecordBatch; right: (b: RecordBatch) => RecordBatch };
  private readonly residual: ((b: RecordBatch) => RecordBatch) | null;
  private readonly joinedSchema;

  constructor(
    readonly operatorId: number,
    private readonly spec: StreamJoinSpec,
    fctx: ExecFunctionContext,
  ) {
    this.output = spec.output;
    const keySchema = structType(spec.keys.map((k, i) => structField(`_k${i}`, exprType(k.left), true)));
    this.keyProj = {
      left: compileProjection(spec.leftOutput, null, spec.keys.map((k) => k.left), keySchema, fctx),
      right: compileProjection(spec.rightOutput, null, spec.keys.map((k) => k.right), keySchema, fctx),
    };
    const joined = [...spec.leftOutput, ...spec.rightOutput];
    this.joinedSchema = schemaOf(joined);
    this.residual = spec.residual ? compileProjection(joined, null, [spec.residual], structType([structField("c", { kind: "boolean" }, true)]), fctx) : null;
  }

  private get preserves(): { left: boolean; right: boolean } {
    const jt = this.spec.joinType;
    return { left: jt === "left_outer" || jt === "full_outer", right: jt === "right_outer" || jt === "full_outer" };
  }

  /**
   * Runs one batch against the stores (opened at the batch's version); does not commit. Rows are
   * late, and new rows too old to buffer, by `lateEventsMs`; buffered rows are evicted by
   * `evictionMs`. Both are the batch watermark, except downstream of another stateful operator
   * (a chain): there an input row may be behind this batch's watermark yet on time (a window the
   * upstream aggregation emitted because the watermark passed its end), so it is buffered, meets
   * the other side's rows of this batch, and is evicted at the end of the batch.
   */
  run(leftInput: readonly RecordBatch[], rightInput: readonly RecordBatch[], stores: JoinStores, watermarks: ChainWatermarks): { output: RecordBatch[]; droppedByWatermark: number; late: { left: RecordBatch[]; right: RecordBatch[] } } {
    const w = watermarks.lateEventsMs * 1000, evictAt = watermarks.evictionMs * 1000;
    /** Whether a row to buffer would be evicted at the end of this batch (only when the two watermarks differ). */
    const transient = (side: JoinSide, r: InputRow): boolean => evictAt > w && this.behindStateWatermark(side, r.key!, r.row, evictAt);
    const transientLeft = new Map<StateKey, TransientRow[]>(), transientRight: TransientRow[] = [];
    const out: unknown[][] = [];
    const dropped = { n: 0 };
    const lateLeft = new DroppedRowsCollector(), lateRight = new DroppedRowsCollector();
    const left = this.inputRows("left", leftInput, w, dropped, lateLeft);
    const right = this.inputRows("right", rightInput, w, dropped, lateRight);
    const semi = this.spec.joinType === "left_semi";
    const keep = this.preserves;
    const nullsOf = (side: JoinSide): null[] => new Array<null>((side === "left" ? this.spec.leftOutput : this.spec.rightOutput).length).fill(null);
    const emit = (l: readonly unknown[], r: readonly unknown[] | null): void => {
      out.push(semi ? [...l] : [...l, ...(r ?? nullsOf("right"))]);
    };

    // 2a. New left rows against the buffered right rows, then into the left buffer.
    {
      const pairs = this.candidates(left, stores.right, false);
      const ok = this.evaluate(pairs, (p) => [left[p.input]!.row, p.state.row]);
      const matched = new Uint8Array(left.length);
      pairs.forEach((p, x) => {
        if (!ok[x]) return;
        const l = left[p.input]!;
        if (!semi) emit(l.row, p.state.row);
        else if (matched[p.input] === 0) emit(l.row, null);
        matched[p.input] = 1;
        if (keep.right && !p.state.matched) {
          const v = { matched: true, row: p.state.row };
          stores.right.rows.put(p.stateKey, v);
        }
      });
      const buffered = new JoinAppends(stores.left);
      left.forEach((l, i) => {
        const m = matched[i] === 1;
        if (semi && m) return;
        if (l.key === null || this.behindStateWatermark("left", l.key, l.row, w)) {
          if (keep.left && !m) emit(l.row, null);
        } else if (transient("left", l)) {
          const rows = transientLeft.get(l.stateKey!);
          if (rows === undefined) transientLeft.set(l.stateKey!, [{ matched: m, row: l.row }]);
          else rows.push({ matched: m, row: l.row });
        } else buffered.add(l, m);
      });
      buffered.write();
    }
    // 2b. New right rows against the buffered left rows (this batch's included), then into the right buffer.
    {
      const pairs = this.candidates(right, stores.left, semi, transientLeft);
      const ok = this.evaluate(pairs, (p) => [p.state.row, right[p.input]!.row]);
      const matched = new Uint8Array(right.length);
      const semiDone = new Set<StateKey>();
      pairs.forEach((p, x) => {
        if (!ok[x]) return;
        const r = right[p.input]!;
        matched[p.input] = 1;
        if (p.transient !== null) {
          if (semi && p.transient.matched) return;
          if (semi) emit(p.state.row, null);
          else out.push([...p.state.row, ...r.row]);
          p.transient.matched = true;
          return;
        }
        if (semi) {
          if (semiDone.has(p.stateKey)) return;
          semiDone.add(p.stateKey);
          emit(p.state.row, null);
          stores.left.rows.put(p.stateKey, { matched: true, row: p.state.row });
          return;
        }
        out.push([...p.state.row, ...r.row]);
        if (keep.left && !p.state.matched) stores.left.rows.put(p.stateKey, { matched: true, row: p.state.row });
      });
      const buffered = new JoinAppends(stores.right);
      right.forEach((r, i) => {
        const m = matched[i] === 1;
        if (r.key === null || this.behindStateWatermark("right", r.key, r.row, w)) {
          if (keep.right && !m) out.push([...nullsOf("left"), ...r.row]);
        } else if (transient("right", r)) transientRight.push({ matched: m, row: r.row });
        else buffered.add(r, m);
      });
      buffered.write();
    }
    // 3. Evict what can no longer match; outer sides emit their never-matched rows with nulls,
    // this batch's transient rows too.
    this.evict("left", stores.left, evictAt, keep.left ? (row) => emit(row, null) : null);
    if (keep.left) for (const rows of transientLeft.values()) for (const t of rows) if (!t.matched) emit(t.row, null);
    this.evict("right", stores.right, evictAt, keep.right ? (row) => out.push([...nullsOf("left"), ...row]) : null);
    if (keep.right) for (const t of transientRight) if (!t.matched) out.push([...nullsOf("left"), ...t.row]);
    return { output: this.toBatches(out), droppedByWatermark: dropped.n, late: { left: lateLeft.finish(), right: lateRight.finish() } };
  }

  private inputRows(side: JoinSide, batches: readonly RecordBatch[], w: number, dropped: { n: number }, late: DroppedRowsCollector): InputRow[] {
    const et = this.spec.eventTime[side];
    const attrs = side === "left" ? this.spec.leftOutput : this.spec.rightOutput;
    const etWindow = et >= 0 && attrs[et]!.dataType.kind === "struct";
    const nullSafe = this.spec.keys.map((k) => k.nullSafe);
    const out: InputRow[] = [];
    for (const b of batches) {
      if (b.numRows === 0) continue;
      const keys = this.keyProj[side](b).columns;
      for (let i = 0; i < b.numRows; i++) {
        if (et >= 0) {
          const v = valueAt(b.columns[et]!, i);
          const t = etWindow && v !== null ? (v as readonly number[])[1] : (v as number | null);
          if (t !== null && t !== undefined && t <= w) {
            dropped.n++;
            late.add(b, i);
            continue;
          }
        }
        const row = b.columns.map((c) => valueAt(c, i));
        let key: unknown[] | null = keys.map((c) => valueAt(c, i));
        if (key.some((v, j) => v === null && !nullSafe[j])) key = null;
        out.push({ row, key, stateKey: key === null ? null : encodeKey(key) });
      }
    }
    return out;
  }

  /** Every (new row, buffered row of the other side) with the same join key; `unmatchedOnly` skips buffered rows already matched. */
  private candidates(rows: readonly InputRow[], other: JoinSideStores, unmatchedOnly: boolean, transient: ReadonlyMap<StateKey, readonly TransientRow[]> | null = null): Pair[] {
    const out: Pair[] = [];
    rows.forEach((r, input) => {
      if (r.key === null) return;
      // A key's rows are at indices 0 .. count-1 (evict keeps them dense): read by index, as
      // Spark's keyWithIndexToValue is, rather than by a prefix scan of the store's sorted keys
      // (which a store keeps only once scanned, at a cost per row put after that).
      const key = r.stateKey!;
      const n = other.numValues.get(key) ?? 0;
      for (let i = 0; i < n; i++) {
        const stateKey = key + indexElement(i);
        const state = other.rows.get(stateKey);
        if (state === undefined || (unmatchedOnly && state.matched)) continue;
        out.push({ input, stateKey, state, transient: null });
      }
      for (const t of transient?.get(key) ?? NO_TRANSIENT_ROWS) if (!(unmatchedOnly && t.matched)) out.push({ input, stateKey: key, state: t, transient: t });
    });
    return out;
  }

  /** The residual condition on each pair (true when there is none). */
  private evaluate(pairs: readonly Pair[], sides: (p: Pair) => [readonly unknown[], readonly unknown[]]): boolean[] {
    if (this.residual === null || pairs.length === 0) return pairs.map(() => true);
    const attrs = [...this.spec.leftOutput, ...this.spec.rightOutput];
    const nl = this.spec.leftOutput.length;
    const builders = attrs.map((a) => new VectorBuilder(a.dataType, pairs.length));
    for (const p of pairs) {
      const [l, r] = sides(p);
      for (let j = 0; j < attrs.length; j++) builders[j]!.append(j < nl ? l[j] : r[j - nl]);
    }
    const batch = makeBatch(this.joinedSchema, builders.map((b) => b.finish()), pairs.length);
    const c = this.residual(batch).columns[0]!;
    return pairs.map((_, x) => valueAt(c, x) === true);
  }

  private behindStateWatermark(side: JoinSide, key: readonly unknown[], row: readonly unknown[], w: number): boolean {
    const rules: StateWatermarkRules = this.spec.stateWatermark[side];
    for (const k of rules.keys) {
      const v = key[k.index];
      if (v === null || v === undefined) continue;
      const t = k.window ? (v as readonly number[])[1] : (v as number);
      if (t !== null && t !== undefined && t <= w + k.offsetMicros) return true;
    }
    for (const r of rules.values) {
      const t = row[r.column] as number | null;
      // A null time never satisfies the range condition: such a row can never match.
      if (t === null || t === undefined) return true;
      if (r.strict ? t <= w + r.offsetMicros : t < w + r.offsetMicros) return true;
    }
    return false;
  }

  private evict(side: JoinSide, stores: JoinSideStores, w: number, onUnmatched: ((row: readonly unknown[]) => void) | null): void {
    const rules = this.spec.stateWatermark[side];
    if (rules.keys.length === 0 && rules.values.length === 0) return;
    const n = this.spec.keys.length;
    // Every row is read in the store's own order (a sorted scan would make the store keep its keys
    // sorted, at a cost per row put after that); the few evicted are then taken in key order.
    // Without key rules a row's key is decoded only once it is evicted.
    const byKey = rules.keys.length > 0, noKey: readonly unknown[] = [];
    const evicted: StateEntry<JoinStateValue>[] = [];
    for (const e of stores.rows.iterator()) {
      if (this.behindStateWatermark(side, byKey ? decodeKey(e.key).slice(0, n) : noKey, e.value.row, w)) evicted.push(e);
    }
    // Outer rows come out in key order, whatever order the store holds them in (an inner join emits nothing here).
    if (onUnmatched !== null) evicted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const removed = new Map<StateKey, Set<number>>();
    for (const entry of evicted) {
      // The row's key is its join key's encoding followed by its index's.
      const index = decodeKey(entry.key)[n] as number;
      const key = entry.key.slice(0, entry.key.length - indexElement(index).length);
      stores.rows.remove(entry.key);
      let at = removed.get(key);
      if (at === undefined) removed.set(key, (at = new Set()));
      at.add(index);
      if (onUnmatched !== null && !entry.value.matched) onUnmatched(entry.value.row);
    }
    // Keep each key's indices dense (0 .. count-1, as Spark does): the rows left move down into the
    // holes, in index order (a row moves only to a lower index, already free).
    for (const [k, gone] of removed) {
      const count = stores.numValues.get(k) ?? 0;
      let kept = 0;
      for (let i = 0; i < count; i++) {
        if (gone.has(i)) continue;
        if (i !== kept) {
          const from = k + indexElement(i);
          stores.rows.put(k + indexElement(kept), stores.rows.get(from)!);
          stores.rows.remove(from);
        }
        kept++;
      }
      if (kept === 0) stores.numValues.remove(k);
      else stores.numValues.put(k, kept);
    }
  }

  private toBatches(rows: readonly unknown[][]): RecordBatch[] {
    if (rows.length === 0) return [];
    const builders = this.output.map((a) => new VectorBuilder(a.dataType, rows.length));
    for (const r of rows) for (let j = 0; j < builders.length; j++) builders[j]!.append(r[j]);
    return [makeBatch(schemaOf(this.output), builders.map((b) => b.finish()), rows.length)];
  }
}

/** What one batch of a join needs from the incremental planner. */
export interface StreamJoinBatchContext {
  readonly batchId: number;
  readonly watermarkMs: number;
  /** The join's watermarks downstream of another stateful operator (incremental-plan.ts), else null. */
  readonly chain: ChainWatermarks | null;
  readonly run: (plan: LogicalPlan) => Promise<RecordBatch[]>;
  readonly fctx: ExecFunctionContext;
  readonly stores: StateStoreCoordinator;
  readonly checkpointDir: string;
  /** Whether the stores do their maintenance after this batch's commit (on the workers). */
  readonly maintainState: boolean;
  /** The query's worker threads for stateful partitions, when it has them. */
  readonly statefulWorkers?: StatefulWorkers;
  /** Where the batch's state commits go (see StateCommits). */
  readonly stateCommits: StateCommits;
}

/**
 * Batch N of a stream-stream join: runs both inputs (already LocalRelations and watermark nodes
 * of this batch), joins them against version N of the operator's stores, commits version N+1 and
 * returns the join's output for the batch as a LocalRelation.
 */
export async function runStreamJoinBatch(info: JoinOperatorInfo, left: LogicalPlan, right: LogicalPlan, ctx: StreamJoinBatchContext, numPartitions: number): Promise<{ plan: LogicalPlan; metrics: () => StatefulOperatorMetrics; late: DroppedRows[] }> {
  const leftRows = await ctx.run(left);
  const rightRows = await ctx.run(right);
  const exec = new StreamingSymmetricHashJoinExec(info.operatorId, info.spec, ctx.fctx);
  const watermarks = joinWatermarks(ctx.watermarkMs, ctx.chain);
  // Each side goes to the partition of its join key: equal keys meet in one partition.
  const partitioning = info.spec.keys.length === 0 || numPartitions === 1 ? null : statePartitioning(info, { outputMode: "append", operators: [info] });
  const split = (rows: readonly RecordBatch[], attrs: readonly AttributeRef[], keys: readonly Expr[] | undefined): RecordBatch[][] =>
    splitByPartition(rows, numPartitions, keys === undefined ? null : keyPartitioner(attrs, keys, ctx.fctx));
  const lefts = split(leftRows, info.spec.leftOutput, partitioning?.kind === "join" ? partitioning.left : undefined);
  const rights = split(rightRows, info.spec.rightOutput, partitioning?.kind === "join" ? partitioning.right : undefined);
  const workers = ctx.statefulWorkers;
  const label = `StreamingSymmetricHashJoin ${info.spec.joinType} [operator ${info.operatorId}, batch ${ctx.batchId}]`;
  const lateOf = (late: { left: RecordBatch[]; right: RecordBatch[] }): DroppedRows[] =>
    (["left", "right"] as const)
      .filter((side) => late[side].length > 0)
      .map((side) => ({ operatorId: info.operatorId, operatorName: info.operatorName, side, watermarkMs: watermarks.lateEventsMs, input: side === "left" ? info.spec.leftOutput : info.spec.rightOutput, batches: late[side] }));
  if (workers !== undefined && lefts.length > 1 && workers.use(totalRows(leftRows) + totalRows(rightRows))) {
    // Each partition (its four stores) on the worker that owns it.
    const job: StatefulPartitionJob = { kind: "join", operatorId: info.operatorId, spec: joinSpecWithoutInputs(info.spec), watermarkMs: ctx.watermarkMs, chain: ctx.chain };
    try {
      const { results, metrics } = await runJobOnWorkers(workers.pool, job, lefts.map((l, p) => [l, rights[p]!]), ctx);
      const combined = combineOperatorMetrics(metrics.map((m, i) => joinMetricsOf(m, results[i]!.droppedByWatermark, lefts.length)));
      return {
        plan: Plan.localRelation(exec.output, results.flatMap((r) => r.output), label),
        metrics: () => combined,
        late: lateOf({ left: results.flatMap((r) => r.late[0]!), right: results.flatMap((r) => r.late[1]!) }),
      };
    } catch (e) {
      if (!cannotRunOnWorkers(e)) throw e;
      workers.stayHere(e);
    }
  }
  const { results, stores } = runPartitions(
    lefts.length,
    (partitionId) => openJoinStores(ctx.stores, ctx.checkpointDir, info.operatorId, partitionId, ctx.batchId),
    (partitionId, s) => exec.run(lefts[partitionId]!, rights[partitionId]!, s, watermarks),
    commitJoinStores,
    abortJoinStores,
    ctx.stateCommits,
  );
  return {
    plan: Plan.localRelation(exec.output, results.flatMap((r) => r.output), label),
    metrics: () => combineOperatorMetrics(stores.map((s, i) => joinStateMetrics(s, results[i]!.droppedByWatermark, lefts.length))),
    late: lateOf({ left: results.flatMap((r) => r.late.left), right: results.flatMap((r) => r.late.right) }),
  };
}
