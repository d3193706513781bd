import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder, valueAt } from "../../batch/vector.js";
import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import type { Aggregate } from "../../plan/logical-plan.js";
import { type StateStore, decodeKey, encodeKey } from "../../state/state-store.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { schemaOf } from "../physical-op.js";
import type { StatefulOutputMode, StatefulRunResult } from "./streaming-aggregate-exec.js";
import { DroppedRowsCollector } from "./dropped-rows.js";
import { compileAggregation } from "../aggregate/aggregation-layout.js";

/** One stored session of a key: bounds in microseconds and the serialized aggregate buffers. */
export interface StoredSession {
  readonly start: number;
  readonly end: number;
  readonly bufs: unknown[];
}

/** A key's state: its open sessions, sorted by start and not overlapping. */
export type StoredSessions = StoredSession[];

interface Session {
  start: number;
  end: number;
  bufs: unknown[];
  /** Whether rows of this batch went into it (update mode emits those). */
  changed: boolean;
}

/**
 * A streaming aggregation grouped by other keys and a session window (Spark's
 * SessionWindowStateStoreRestore/Save with MergingSessions), for one micro-batch.
 *
 * The aggregation's grouping expression at `sessionIndex` gives each input row its own session
 * `struct<start, end>` = [ts, ts + gap) (what `session_window` yields outside an aggregation;
 * rows with a null session are skipped). Per key, the batch's rows are sorted by start and
 * merged into sessions (a row joins while its start is not after the session's end), then
 * merged with the sessions kept in state for the key, buffers combined with each aggregate's
 * `merge`. Sessions whose end is at or behind the watermark are late: a row whose own session
 * is late is dropped and counted. Output: **append** emits (and removes) each session once the
 * watermark reaches its end; **update** emits the sessions this batch changed, then evicts the
 * ones behind the watermark; **complete** emits every session in state.
 *
 * The incremental planner runs it for an Aggregate whose grouping includes the per-row session
 * column the analyzer produces for streams (see `eventTimeKeyOf`, kind `session`).
 */
export class StreamingSessionWindowExec {
  readonly output: readonly AttributeRef[];
  private readonly calls: readonly AggCall[];
  private readonly accs: readonly Accumulator[];
  private readonly keyAttrs: readonly AttributeRef[];
  private readonly aggAttrs: readonly AttributeRef[];
  private readonly resultExprs: readonly Expr[];

  constructor(
    readonly operatorId: number,
    private readonly agg: Aggregate,
    private readonly childOutput: readonly AttributeRef[],
    private readonly sessionIndex: number,
    private readonly fctx: ExecFunctionContext,
  ) {
    ({ output: this.output, calls: this.calls, keyAttrs: this.keyAttrs, aggAttrs: this.aggAttrs, resultExprs: this.resultExprs, accs: this.accs } = compileAggregation(agg, fctx));
  }

  /** Runs one batch against `store` (opened at the batch's version); does not commit. */
  run(input: readonly RecordBatch[], store: StateStore<StoredSessions>, mode: StatefulOutputMode, watermarkMs: number): StatefulRunResult {
    const wmMicros = watermarkMs * 1000;
    const late = mode !== "complete";
    const lateRows = new DroppedRowsCollector();
    const { rows, dropped } = this.readRows(input, late ? wmMicros : Number.NEGATIVE_INFINITY, lateRows);
    const out: { key: readonly unknown[]; s: Session }[] = [];
    for (const [k, list] of rows) {
      const stored = (store.get(k) ?? []).map((s): Session => ({ start: s.start, end: s.end, bufs: s.bufs.map((b, j) => this.accs[j]!.deserialize(b)), changed: false }));
      const merged = mergeSorted([...stored, ...list], this.accs);
      const key = decodeKey(k);
      if (mode === "update") for (const s of merged) if (s.changed) out.push({ key, s });
      this.save(store, k, merged);
    }
    for (const e of [...store.rangeScan(undefined, undefined)]) {
      const key = decodeKey(e.key);
      const sessions = e.value.map((s): Session => ({ start: s.start, end: s.end, bufs: s.bufs.map((b, j) => this.accs[j]!.deserialize(b)), changed: false }));
      if (mode === "complete") {
        for (const s of sessions) out.push({ key, s });
        continue;
      }
      const closed = sessions.filter((s) => s.end <= wmMicros);
      if (closed.length === 0) continue;
      if (mode === "append") for (const s of closed) out.push({ key, s });
      this.save(store, e.key, sessions.filter((s) => s.end > wmMicros));
    }
    return { output: this.toBatches(out), droppedByWatermark: dropped, late: lateRows.finish() };
  }

  private save(store: StateStore<StoredSessions>, key: string, sessions: readonly Session[]): void {
    if (sessions.length === 0) store.remove(key);
    else store.put(key, sessions.map((s) => ({ start: s.start, end: s.end, bufs: s.bufs.map((b, j) => this.accs[j]!.serialize(b)) })));
  }

  /** The batch's rows, one single-row session each, grouped by the other keys (encoded). */
  private readRows(input: readonly RecordBatch[], lateMicros: number, lateRows: DroppedRowsCollector): { rows: Map<string, Session[]>; dropped: number } {
    const k = this.agg.groupingExprs.length;
    const exprs: Expr[] = [...this.agg.groupingExprs];
    const argIx = this.calls.map((c) => c.args.map((a) => exprs.push(a) - 1));
    const filterIx = this.calls.map((c) => (c.filter ? exprs.push(c.filter) - 1 : -1));
    const schema = structType(exprs.map((e, i) => structField(`_in${i}`, exprType(e), true)));
    const project = compileProjection(this.childOutput, null, exprs, schema, this.fctx);
    const rows = new Map<string, Session[]>();
    let dropped = 0;
    for (const batch of input) {
      if (batch.numRows === 0) continue;
      const cols = project(batch).columns;
      for (let i = 0; i < batch.numRows; i++) {
        const keyVals: unknown[] = [];
        let session: readonly number[] | null = null;
        for (let j = 0; j < k; j++) {
          const v = valueAt(cols[j]!, i);
          if (j === this.sessionIndex) session = v as readonly number[] | null;
          else keyVals.push(v);
        }
        if (session === null || session[0] === null || session[1] === null) continue;
        if (session[1]! <= lateMicros) {
          dropped++;
          lateRows.add(batch, i);
          continue;
        }
        const bufs = this.accs.map((a) => a.init());
        for (let c = 0; c < this.calls.length; c++) {
          const fi = filterIx[c]!;
          if (fi >= 0) {
            const f = valueAt(cols[fi]!, i);
            if (f !== true && f !== 1) continue;
          }
          const args = argIx[c]!.map((x) => valueAt(cols[x]!, i));
          if (this.calls[c]!.fn.skipNulls !== false && args.some((v) => v === null)) continue;
          bufs[c] = (this.accs[c]!.update as (buf: unknown, ...a: unknown[]) => unknown)(bufs[c], ...args);
        }
        const key = encodeKey(keyVals);
        let list = rows.get(key);
        if (list === undefined) rows.set(key, (list = []));
        list.push({ start: session[0]!, end: session[1]!, bufs, changed: true });
      }
    }
    return { rows, dropped };
  }

  /** Output rows: (keys with the session struct in place, finished aggregates). */
  private toBatches(groups: readonly { key: readonly unknown[]; s: Session }[]): RecordBatch[] {
    if (groups.length === 0) return [];
    const keyB = this.keyAttrs.map((a) => new VectorBuilder(a.dataType, groups.length));
    const aggB = this.aggAttrs.map((a) => new VectorBuilder(a.dataType, groups.length));
    for (const g of groups) {
      const full = [...g.key.slice(0, this.sessionIndex), [g.s.start, g.s.end], ...g.key.slice(this.sessionIndex)];
      keyB.forEach((b, j) => b.append(full[j]));
      aggB.forEach((b, j) => b.append(this.accs[j]!.finish(g.s.bufs[j])));
    }
    const mid = [...this.keyAttrs, ...this.aggAttrs];
    const midBatch = makeBatch(schemaOf(mid), [...keyB, ...aggB].map((b) => b.finish()), groups.length);
    const finish = compileProjection(mid, null, this.resultExprs, schemaOf(this.output), this.fctx);
    return [finish(midBatch)];
  }
}

/** Sorts sessions by start and merges those that touch (start <= current end), combining buffers. */
function mergeSorted(sessions: Session[], accs: readonly Accumulator[]): Session[] {
  sessions.sort((a, b) => a.start - b.start);
  const out: Session[] = [];
  for (const s of sessions) {
    const cur = out[out.length - 1];
    if (cur !== undefined && s.start <= cur.end) {
      cur.end = Math.max(cur.end, s.end);
      cur.bufs = cur.bufs.map((b, j) => accs[j]!.merge(b, s.bufs[j]));
      cur.changed = cur.changed || s.changed;
    } else {
      out.push({ ...s, bufs: [...s.bufs] });
    }
  }
  return out;
}
