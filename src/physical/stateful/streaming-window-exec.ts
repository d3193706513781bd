import { namedToAttribute } from "../../analyzer/plan-output.js";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, VectorBuilder, valueAt } from "../../batch/vector.js";
import type { AttributeRef } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import { boundSignature } from "../../expr/bound-signature.js";
import { type StateKey, type StateStore, encodeKey, encodeKeyElement } from "../../state/state-store.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { schemaOf } from "../physical-op.js";
import { type CrossComparator, crossComparator } from "../sort-util.js";
import { DroppedRowsCollector } from "./dropped-rows.js";
import type { StatefulRunResult } from "./streaming-aggregate-exec.js";
import type { StreamingWindowSpec } from "./streaming-window-spec.js";

/**
 * The state is entries of one store, of two kinds; their field names are the value columns
 * `format("state")` shows, so it reads both (a row entry has no rowCount; a key entry has empty
 * row lists):
 * - per PARTITION BY key (key: the partition key), a {@link StoredWindowKey}: what the emitted
 *   rows leave for the next ones, and a summary of the key's row entries;
 * - per buffered row (key: the partition key, the event time, a sequence number per key), a
 *   {@link StoredWindowRow}: a row not emitted yet, or an emitted row later rows still read.
 * A batch writes the rows that arrive, that become kept or that leave, and the small key entry —
 * never a key's whole buffer. The first layout (v1, up to the checkpoint fixture
 * v1-stream-window: every row inside the key entry's `pendingRows` and `lastRows`) is read too
 * and moved to row entries the first time a batch runs over it.
 */
export interface StoredWindowKey {
  /** v1 layout: the rows not emitted yet (input rows, internal values). Empty in the current layout. */
  pendingRows: unknown[][];
  /** Rows emitted so far (row_number of the last one). */
  rowCount: number;
  /** rank and dense_rank of the last emitted row. */
  rank: number;
  denseRank: number;
  /**
   * v1 layout: the emitted rows later rows still read, oldest first. Empty in the current layout.
   * Which rows those are: the last `lookBack` (lag, sliding ROWS frames), and those within
   * `lookBackMicros` of event time before the next row to emit (RANGE frames with an offset),
   * whichever reaches further back.
   */
  lastRows: unknown[][];
  /**
   * Per function: a running aggregate's serialized buffer, or the last n non-null values (oldest
   * first) a lag(x, n) IGNORE NULLS needs; null for other functions.
   */
  aggregates: unknown[];
  /** The next row entry's sequence number (absent in the v1 layout). */
  nextSeq?: number;
  /** How many row entries hold rows not emitted yet, and the earliest event time among them (null: none). */
  pending?: number;
  firstPending?: number | null;
  /** How many row entries hold kept emitted rows, and the earliest event time among them (null: none). */
  kept?: number;
  firstKept?: number | null;
}

/**
 * One buffered row: `pendingRows: [row]` while it waits to be emitted, or `lastRows: [row]` once
 * emitted and still read by later rows (the other list empty). Kept rows' entries sort (event
 * time, sequence number) in emission order, which is the ORDER BY order.
 */
export interface StoredWindowRow {
  pendingRows: unknown[][];
  lastRows: unknown[][];
}

type WindowStateValue = StoredWindowKey | StoredWindowRow;

const isKeyEntry = (v: WindowStateValue): v is StoredWindowKey => "rowCount" in v;

/** A row of a key in this batch and its row entry, if it has one (new rows and v1 rows have none yet). */
interface Item {
  readonly row: unknown[];
  readonly entry: StateKey | null;
  readonly kept: boolean;
}

/** One key whose rows are looked at this batch: where its rows sit in the batch evaluated at once. */
interface Segment {
  readonly key: StateKey;
  readonly stored: StoredWindowKey;
  /** All of the key's rows: the kept rows (in ORDER BY order), then the pending rows (unsorted). */
  readonly start: number;
  readonly carried: number;
  readonly pending: number;
}

/**
 * Ordered per-key window functions on a stream (beyond Spark, which refuses non-time windows on
 * streams), for one micro-batch, in append mode. With W the batch's watermark:
 *
 * 1. an input row whose event time (the first ORDER BY column) is at or behind W, or null, is
 *    late: dropped and counted, as a stateful operator does;
 * 2. other rows are buffered in state, an entry each under their PARTITION BY key (see
 *    {@link StoredWindowKey}), so a batch writes only what changed;
 * 3. a key's buffered rows at or behind W are final (no earlier row can arrive any more); they
 *    are sorted by the ORDER BY and emitted in that order, except that a row waits until the
 *    `lookAhead` rows after it (the largest lead offset) are final too, and for a
 *    lead(x, n) IGNORE NULLS until n final rows after it have a non-null x; rows that tie on the
 *    whole ORDER BY are emitted together (so peers share RANGE aggregates and rank);
 * 4. what the next rows need survives in state: the row count (row_number), the last rank and
 *    dense rank, the emitted rows later rows read (the last `lookBack` for lag and sliding ROWS
 *    frames; for RANGE frames with an offset, those within `lookBackMicros` before the earliest
 *    row still to emit — older ones are evicted, also from keys that emit nothing), and each
 *    running aggregate's buffer.
 *
 * So every emitted row has exactly the values a batch query over all the stream's on-time rows
 * gives it. Rows waiting on lead successors wait for more data: when the stream ends they stay.
 */
export class StreamingWindowExec {
  readonly output: readonly AttributeRef[];
  private readonly accs: readonly (Accumulator | null)[];

  constructor(
    readonly operatorId: number,
    private readonly spec: StreamingWindowSpec,
    private readonly fctx: ExecFunctionContext,
  ) {
    this.output = [...spec.input, ...spec.node.windowExprs.map(namedToAttribute)];
    this.accs = spec.functions.map((f) => (f.kind === "aggregate" || f.kind === "sliding" || f.kind === "range" ? f.call.fn.compile(boundSignature(f.call.args, f.call.dataType, f.call.state), fctx) : null));
  }

  private project(batch: RecordBatch): readonly Vector[] {
    const exprs = this.spec.exprs;
    return compileProjection(this.spec.input, null, exprs, structType(exprs.map((e, i) => structField(`_w${i}`, exprType(e), true))), this.fctx)(batch).columns;
  }

  /**
   * Runs one batch against `store` (opened at the batch's version); does not commit. Rows at or
   * behind `lateMs` are late; rows at or behind `watermarkMs` are final (the same watermark,
   * except downstream of another stateful operator: see incremental-plan.ts).
   */
  run(input: readonly RecordBatch[], keyStore: StateStore<StoredWindowKey>, watermarkMs: number, lateMs = watermarkMs): StatefulRunResult {
    // The store holds key entries and row entries (see StoredWindowKey).
    const store = keyStore as unknown as StateStore<WindowStateValue>;
    const spec = this.spec;
    const wm = watermarkMs * 1000, lateMicros = lateMs * 1000;
    const np = spec.numPartitionKeys;
    const et = spec.eventTimeIndex;
    const width = spec.input.length;
    // 1-2. New rows by key; late ones dropped.
    const late = new DroppedRowsCollector();
    const fresh = new Map<StateKey, unknown[][]>();
    let dropped = 0;
    for (const b of input) {
      if (b.numRows === 0) continue;
      const cols = this.project(b);
      const keyVals = new Array<unknown>(np);
      for (let i = 0; i < b.numRows; i++) {
        const t = valueAt(b.columns[et]!, i) as number | null;
        if (t === null || t <= lateMicros) {
          dropped++;
          late.add(b, i);
          continue;
        }
        for (let j = 0; j < np; j++) keyVals[j] = valueAt(cols[j]!, i);
        const key = encodeKey(keyVals);
        let list = fresh.get(key);
        if (list === undefined) fresh.set(key, (list = []));
        const row = new Array<unknown>(width);
        for (let c = 0; c < width; c++) row[c] = valueAt(b.columns[c]!, i);
        list.push(row);
      }
    }
    // 3. Keys to look at: a row at or behind the watermark (emit), kept rows to trim, or the v1
    // layout (move to row entries); they go into one batch evaluated at once. A key with only
    // new rows, none final, just gets their row entries.
    const keys = new Set<StateKey>(fresh.keys());
    for (const e of store.iterator()) if (isKeyEntry(e.value) && this.due(e.value, wm)) keys.add(e.key);
    const segments: Segment[] = [];
    const rows: unknown[][] = [];
    const items: Item[] = [];
    for (const key of keys) {
      const stored = (store.get(key) as StoredWindowKey | undefined) ?? this.emptyState();
      const added = fresh.get(key) ?? [];
      if (!this.due(stored, wm) && !added.some((r) => (r[et] as number) <= wm)) {
        this.addPending(store, key, stored, added);
        continue;
      }
      const kept: Item[] = stored.lastRows.map((row) => ({ row, entry: null, kept: true }));
      const pending: Item[] = [...stored.pendingRows, ...added].map((row) => ({ row, entry: null, kept: false }));
      if (stored.nextSeq !== undefined) {
        // Row entries in key order: kept rows come in ORDER BY order.
        for (const e of store.prefixScan(key)) {
          const v = e.value;
          if (isKeyEntry(v)) continue;
          if (v.lastRows.length > 0) kept.push({ row: v.lastRows[0]!, entry: e.key, kept: true });
          else pending.push({ row: v.pendingRows[0]!, entry: e.key, kept: false });
        }
      }
      segments.push({ key, stored, start: rows.length, carried: kept.length, pending: pending.length });
      // (a loop, not push(...spread): a key may hold more rows than a call takes arguments)
      for (const it of [kept, pending]) {
        for (const x of it) {
          items.push(x);
          rows.push(x.row);
        }
      }
    }
    if (segments.length === 0) return { output: [], droppedByWatermark: dropped, late: late.finish() };
    const all = this.rowsToBatch(rows);
    const cols = this.project(all);
    const order = cols.slice(np, np + spec.order.length);
    const cmp = crossComparator(order.map((v) => v.type), spec.order.map((o) => ({ ascending: o.ascending, nullsFirst: o.nullsFirst })));
    const out: unknown[][] = [];
    for (const s of segments) this.emit(s, rows, items, cols, order, cmp, wm, out, store);
    return { output: out.length === 0 ? [] : [this.rowsToBatch(out, this.output)], droppedByWatermark: dropped, late: late.finish() };
  }

  /**
   * Where the suffix of `emitted` (in ORDER BY order) that rows still to emit may read starts:
   * the last `lookBack` rows, and the rows at or after `first - lookBackMicros` for the earliest
   * event time `first` a row still to emit can have (`firstPending`, or just after the watermark
   * `wm`: rows arriving later lie after it), whichever reaches further back.
   */
  private keepFrom(emitted: readonly unknown[][], firstPending: number | null, wm: number): number {
    const { lookBack, lookBackMicros, eventTimeIndex: et } = this.spec;
    let from = Math.max(0, emitted.length - lookBack);
    if (lookBackMicros !== null) {
      const oldest = Math.min(firstPending ?? Infinity, wm + 1) - lookBackMicros;
      let k = emitted.length;
      while (k > 0 && (emitted[k - 1]![et] as number) >= oldest) k--;
      from = Math.min(from, k);
    }
    return from;
  }

  /** Whether a key's rows must be looked at: one is final, kept rows can be trimmed, or the v1 layout. */
  private due(v: StoredWindowKey, wm: number): boolean {
    if (v.nextSeq === undefined) return true;
    if (v.firstPending != null && v.firstPending <= wm) return true;
    const { lookBack, lookBackMicros } = this.spec;
    // The first kept row is past the last `lookBack` ones and older than every frame reaches.
    return lookBackMicros !== null && (v.kept ?? 0) > lookBack && v.firstKept != null && v.firstKept < Math.min(v.firstPending ?? Infinity, wm + 1) - lookBackMicros;
  }

  /** New rows of a key with nothing to emit: a row entry each, and the key entry's summary. */
  private addPending(store: StateStore<WindowStateValue>, key: StateKey, stored: StoredWindowKey, added: readonly unknown[][]): void {
    const et = this.spec.eventTimeIndex;
    let seq = stored.nextSeq ?? 0;
    let first = stored.firstPending ?? null;
    for (const row of added) {
      const t = row[et] as number;
      store.put(key + encodeKeyElement(t) + encodeKeyElement(seq++), { pendingRows: [row], lastRows: [] });
      first = first === null ? t : Math.min(first, t);
    }
    store.put(key, { ...stored, nextSeq: seq, pending: (stored.pending ?? 0) + added.length, firstPending: first });
  }

  /**
   * Writes back a key after a batch looked at it: `emitted` are the kept rows and the rows just
   * emitted (ORDER BY order), `pending` the rows still to emit. Only changes are written: new
   * pending rows get entries; rows that become kept get a new entry (sequence numbers in
   * emission order keep kept entries in ORDER BY order); entries of rows no longer read go.
   */
  private writeBack(store: StateStore<WindowStateValue>, key: StateKey, stored: StoredWindowKey, carry: Pick<StoredWindowKey, "rowCount" | "rank" | "denseRank" | "aggregates">, emitted: readonly Item[], pending: readonly Item[], wm: number): void {
    const et = this.spec.eventTimeIndex;
    let seq = stored.nextSeq ?? 0;
    const entryOf = (row: unknown[]): StateKey => key + encodeKeyElement(row[et] as number) + encodeKeyElement(seq++);
    let firstPending: number | null = null;
    for (const it of pending) {
      const t = it.row[et] as number;
      firstPending = firstPending === null ? t : Math.min(firstPending, t);
    }
    const from = this.keepFrom(emitted.map((it) => it.row), firstPending, wm);
    for (let i = 0; i < emitted.length; i++) {
      const it = emitted[i]!;
      if (i >= from && it.kept && it.entry !== null) continue;
      if (it.entry !== null) store.remove(it.entry);
      if (i >= from) store.put(entryOf(it.row), { pendingRows: [], lastRows: [it.row] });
    }
    for (const it of pending) if (it.entry === null) store.put(entryOf(it.row), { pendingRows: [it.row], lastRows: [] });
    store.put(key, {
      ...carry,
      pendingRows: [],
      lastRows: [],
      nextSeq: seq,
      pending: pending.length,
      firstPending,
      kept: emitted.length - from,
      firstKept: from < emitted.length ? (emitted[from]!.row[et] as number) : null,
    });
  }

  private emptyState(): StoredWindowKey {
    return {
      pendingRows: [], rowCount: 0, rank: 0, denseRank: 0, lastRows: [],
      aggregates: this.accs.map((a, k) => (a === null || this.spec.functions[k]!.kind !== "aggregate" ? null : a.serialize(a.init()))),
      nextSeq: 0, pending: 0, firstPending: null, kept: 0, firstKept: null,
    };
  }

  /** Emits a key's final rows (step 3) and writes back what the next rows need (step 4). */
  private emit(s: Segment, rows: readonly unknown[][], items: readonly Item[], cols: readonly Vector[], order: readonly Vector[], cmp: CrossComparator, wm: number, out: unknown[][], store: StateStore<WindowStateValue>): void {
    const spec = this.spec;
    const et = spec.eventTimeIndex;
    const first = s.start + s.carried;
    // Sequence: kept rows (already in order), then the pending rows sorted (stable).
    const sorted = Array.from({ length: s.pending }, (_, j) => first + j).sort((a, b) => cmp(order, a, order, b));
    const seq = [...Array.from({ length: s.carried }, (_, j) => s.start + j), ...sorted];
    let final = 0;
    while (final < sorted.length && (rows[sorted[final]!]![et] as number) <= wm) final++;
    let m = final - spec.lookAhead;
    // lead(x, n) IGNORE NULLS: a row is ready once n final rows after it have a non-null x.
    const nonNulls = new Map<number, number[]>();
    spec.functions.forEach((f, k) => {
      if (f.kind !== "leadIgnoreNulls") return;
      const q: number[] = [];
      for (let i = 0; i < final; i++) if (valueAt(cols[f.value]!, sorted[i]!) !== null) q.push(i);
      nonNulls.set(k, q);
      m = Math.min(m, q.length >= f.n ? q[q.length - f.n]! : 0);
    });
    // Peers (rows tied on the whole ORDER BY) go out together.
    while (m > 0 && m < sorted.length && cmp(order, sorted[m - 1]!, order, sorted[m]!) === 0) m--;
    const st = s.stored;
    if (m <= 0) {
      this.writeBack(store, s.key, st, st, seq.slice(0, s.carried).map((i) => items[i]!), sorted.map((i) => items[i]!), wm);
      return;
    }
    const values = spec.functions.map(() => new Array<unknown>(m));
    // Ranks: a new peer group starts at 0 (the row after the kept ones is never their peer).
    let rank = st.rank, dense = st.denseRank;
    const ranks = new Array<number>(m), denses = new Array<number>(m);
    for (let i = 0; i < m; i++) {
      if (i === 0 || cmp(order, sorted[i - 1]!, order, sorted[i]!) !== 0) {
        rank = st.rowCount + i + 1;
        dense++;
      }
      ranks[i] = rank;
      denses[i] = dense;
    }
    const aggregates = [...st.aggregates];
    spec.functions.forEach((f, k) => {
      const vals = values[k]!;
      switch (f.kind) {
        case "row_number":
          for (let i = 0; i < m; i++) vals[i] = st.rowCount + i + 1;
          break;
        case "rank":
          for (let i = 0; i < m; i++) vals[i] = ranks[i];
          break;
        case "dense_rank":
          for (let i = 0; i < m; i++) vals[i] = denses[i];
          break;
        case "offset":
          for (let i = 0; i < m; i++) {
            const j = s.carried + i + f.offset;
            vals[i] = j >= 0 && j < seq.length ? valueAt(cols[f.value]!, seq[j]!) : f.fallback >= 0 ? valueAt(cols[f.fallback]!, sorted[i]!) : null;
          }
          break;
        case "aggregate": {
          const acc = this.accs[k]!;
          const update = acc.update as (buf: unknown, ...a: unknown[]) => unknown;
          const skipNulls = f.call.fn.skipNulls !== false;
          let buf = acc.deserialize(st.aggregates[k]);
          const add = (r: number): void => {
            const args = f.args.map((a) => valueAt(cols[a]!, r));
            if (skipNulls && args.some((v) => v === null)) return;
            buf = update(buf, ...args);
          };
          let i = 0;
          while (i < m) {
            let end = i + 1;
            if (f.frame === "range") while (end < m && cmp(order, sorted[end - 1]!, order, sorted[end]!) === 0) end++;
            for (let r = i; r < end; r++) add(sorted[r]!);
            if (f.frame === "range") {
              const v = acc.finish(buf);
              for (let r = i; r < end; r++) vals[r] = v;
            } else {
              vals[i] = acc.finish(buf);
            }
            i = end;
          }
          aggregates[k] = acc.serialize(buf);
          break;
        }
        case "lagIgnoreNulls": {
          const kept = [...((st.aggregates[k] as unknown[] | null) ?? [])];
          for (let i = 0; i < m; i++) {
            vals[i] = kept.length >= f.n ? kept[kept.length - f.n] : f.fallback >= 0 ? valueAt(cols[f.fallback]!, sorted[i]!) : null;
            const v = valueAt(cols[f.value]!, sorted[i]!);
            if (v !== null) {
              kept.push(v);
              if (kept.length > f.n) kept.shift();
            }
          }
          aggregates[k] = kept;
          break;
        }
        case "leadIgnoreNulls": {
          // The n-th non-null position after i (m was chosen so that it exists).
          const q = nonNulls.get(k)!;
          let p = 0;
          for (let i = 0; i < m; i++) {
            while (q[p]! <= i) p++;
            vals[i] = valueAt(cols[f.value]!, sorted[q[p + f.n - 1]!]!);
          }
          break;
        }
        case "range": {
          // Frame rows: those of the kept and emitted rows (in order) with event time in
          // [t + lower, t + upper]; peers share t, so each peer group is aggregated once.
          const acc = this.accs[k]!;
          const update = acc.update as (buf: unknown, ...a: unknown[]) => unknown;
          const skipNulls = f.call.fn.skipNulls !== false;
          const n = s.carried + m;
          const ts = (j: number): number => rows[seq[j]!]![et] as number;
          let lo = 0, hi = 0;
          for (let i = 0; i < m; i++) {
            const t = ts(s.carried + i);
            if (i > 0 && t === ts(s.carried + i - 1)) {
              vals[i] = vals[i - 1];
              continue;
            }
            while (lo < n && ts(lo) < t + f.lower) lo++;
            while (hi < n && ts(hi) <= t + f.upper) hi++;
            let buf = acc.init();
            for (let j = lo; j < hi; j++) {
              const args = f.args.map((a) => valueAt(cols[a]!, seq[j]!));
              if (skipNulls && args.some((v) => v === null)) continue;
              buf = update(buf, ...args);
            }
            vals[i] = acc.finish(buf);
          }
          break;
        }
        case "sliding": {
          // Rows before the kept ones were never needed (lookBack covers -lower).
          const acc = this.accs[k]!;
          const update = acc.update as (buf: unknown, ...a: unknown[]) => unknown;
          const skipNulls = f.call.fn.skipNulls !== false;
          for (let i = 0; i < m; i++) {
            const pos = s.carried + i;
            let buf = acc.init();
            for (let j = Math.max(0, pos + f.lower); j <= pos + f.upper; j++) {
              const args = f.args.map((a) => valueAt(cols[a]!, seq[j]!));
              if (skipNulls && args.some((v) => v === null)) continue;
              buf = update(buf, ...args);
            }
            vals[i] = acc.finish(buf);
          }
          break;
        }
      }
    });
    for (let i = 0; i < m; i++) out.push([...rows[sorted[i]!]!, ...values.map((v) => v[i])]);
    const carry = { rowCount: st.rowCount + m, rank: ranks[m - 1]!, denseRank: denses[m - 1]!, aggregates };
    this.writeBack(store, s.key, st, carry, seq.slice(0, s.carried + m).map((i) => items[i]!), sorted.slice(m).map((i) => items[i]!), wm);
  }

  private rowsToBatch(rows: readonly unknown[][], attrs: readonly AttributeRef[] = this.spec.input): RecordBatch {
    const builders = attrs.map((a) => new VectorBuilder(a.dataType, rows.length));
    for (const r of rows) for (let j = 0; j < builders.length; j++) builders[j]!.append(r[j]);
    return makeBatch(schemaOf(attrs), builders.map((b) => b.finish()), rows.length);
  }
}
