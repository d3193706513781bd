import { planOutput } from "../../analyzer/plan-output.js";
import { exprSql } from "../../analyzer/expr-sql.js";
import type { OperatorStateSchema, StateColumn } from "./stateful-operators.js";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder, valueAt } from "../../batch/vector.js";
import type { AggCall, AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import type { Aggregate } from "../../plan/logical-plan.js";
import { type StateKey, type StateStore, decodeKey, encodeKey } from "../../state/state-store.js";
import { sqlTypeName, structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { schemaOf } from "../physical-op.js";
import { compileAggregation } from "../aggregate/aggregation-layout.js";
import { DroppedRowsCollector } from "./dropped-rows.js";
import type { EventTimeKey } from "./stateful-operators.js";
import type { StatefulRunResult } from "./streaming-aggregate-exec.js";

/**
 * State of an aggregation over an updating input, in one store, keys of one shape
 * `[entry, ...group, ...upstreamKey]` (what `format("state")` shows, see {@link updatingStateSchema}):
 * - `["g", ...group, ...upstreamKey]` → `{ row }`: the upstream group's latest row (this
 *   operator's input values), counted in `group`;
 * - `["k", nulls, ...upstreamKey]` → `{ group }`: where that row is counted (to find it again).
 */
export type StoredUpdatingRow = { readonly row: readonly unknown[] } | { readonly group: readonly unknown[] };

/** The progress and metadata name of an aggregation over an updating input. */
export const UPDATING_AGGREGATE_OPERATOR = "stateStoreSaveOverUpdates";

/**
 * An aggregation in update mode whose input is the output of another aggregation in update
 * mode (beyond Spark, which refuses update-mode chains). The upstream emits, each batch, the
 * new value of every group it changed; an earlier value of the same group must stop counting.
 * So this operator keeps the latest row of each upstream group (by the upstream's grouping key)
 * and, per batch:
 *
 * 1. a row whose own event-time key (if any) is behind the late-events watermark is late: dropped;
 * 2. each upstream group that changed replaces its previous row (which may have counted in
 *    another downstream group); one that changed but no longer reaches this operator (a filter
 *    in between) is removed;
 * 3. every downstream group touched is aggregated again from its rows and emitted (update mode);
 *    a group left without rows is not emitted (an update stream cannot retract a row);
 * 4. groups behind the eviction watermark are removed with their rows.
 *
 * Aggregates are recomputed from the group's rows, so any aggregate works (no inverse needed);
 * the cost of a batch is the size of the groups it touches.
 */
export class StreamingUpdatingAggregateExec {
  readonly output: readonly AttributeRef[];
  private readonly calls: readonly AggCall[];
  private readonly accs: readonly Accumulator[];
  private readonly keyAttrs: readonly AttributeRef[];
  private readonly aggAttrs: readonly AttributeRef[];
  private readonly resultExprs: readonly Expr[];
  /** Positions, in the input, of the upstream aggregation's grouping columns. */
  private readonly upstreamKey: readonly number[];

  constructor(
    readonly operatorId: number,
    private readonly agg: Aggregate,
    private readonly childOutput: readonly AttributeRef[],
    upstreamKeyIds: readonly number[],
    private readonly eventTimeKey: EventTimeKey | null,
    private readonly fctx: ExecFunctionContext,
  ) {
    ({ output: this.output, calls: this.calls, keyAttrs: this.keyAttrs, aggAttrs: this.aggAttrs, resultExprs: this.resultExprs, accs: this.accs } = compileAggregation(agg, fctx));
    this.upstreamKey = upstreamKeyIds.map((id) => childOutput.findIndex((a) => a.id === id));
  }

  private isLate(group: readonly unknown[], micros: number): boolean {
    const k = this.eventTimeKey;
    if (k === null) return false;
    const v = group[k.index];
    if (v === null || v === undefined) return false;
    const t = k.kind === "window" ? (v as readonly number[])[1] : (v as number);
    return t !== null && t !== undefined && t <= micros;
  }

  /**
   * One batch: `input` holds this batch's rows of the upstream groups that changed and still
   * reach this operator; `changedUpstreamKeys` every upstream group that changed (encoded).
   */
  run(input: readonly RecordBatch[], changedUpstreamKeys: ReadonlySet<StateKey>, store: StateStore<StoredUpdatingRow>, lateMs: number, evictionMs: number): StatefulRunResult {
    const nk = this.agg.groupingExprs.length;
    const groupOf = compileProjection(this.childOutput, null, this.agg.groupingExprs, structType(this.agg.groupingExprs.map((g, i) => structField(`_g${i}`, exprType(g), true))), this.fctx);
    const late = new DroppedRowsCollector();
    let dropped = 0;
    const touched = new Map<StateKey, readonly unknown[]>();
    const seen = new Set<StateKey>();
    const noGroup = new Array<null>(nk).fill(null);
    const indexKey = (upKey: readonly unknown[]): StateKey => encodeKey(["k", ...noGroup, ...upKey]);
    const detach = (upKey: readonly unknown[]): void => {
      const kk = indexKey(upKey);
      const old = (store.get(kk) as { group?: readonly unknown[] } | undefined)?.group;
      if (old === undefined) return;
      store.remove(kk);
      store.remove(encodeKey(["g", ...old, ...upKey]));
      touched.set(encodeKey(old), old);
    };
    for (const b of input) {
      if (b.numRows === 0) continue;
      const gcols = groupOf(b).columns;
      for (let i = 0; i < b.numRows; i++) {
        const group = gcols.map((c) => valueAt(c, i));
        if (this.isLate(group, lateMs * 1000)) {
          dropped++;
          late.add(b, i);
          continue;
        }
        const upKey = this.upstreamKey.map((j) => valueAt(b.columns[j]!, i));
        seen.add(encodeKey(upKey));
        detach(upKey);
        store.put(indexKey(upKey), { group });
        store.put(encodeKey(["g", ...group, ...upKey]), { row: b.columns.map((c) => valueAt(c, i)) });
        touched.set(encodeKey(group), group);
      }
    }
    // Upstream groups that changed but were filtered out on the way: they no longer count.
    for (const k of changedUpstreamKeys) if (!seen.has(k)) detach(decodeKey(k));
    // Re-aggregate every touched group from its rows.
    const rows: unknown[][] = [];
    const spans: { group: readonly unknown[]; start: number; end: number }[] = [];
    for (const group of touched.values()) {
      const start = rows.length;
      for (const e of store.prefixScan(encodeKey(["g", ...group]))) rows.push([...(e.value as { row: readonly unknown[] }).row]);
      if (rows.length > start) spans.push({ group, start, end: rows.length });
    }
    const out = spans.length === 0 ? [] : [this.aggregate(rows, spans)];
    // Evict groups behind the watermark, with their rows.
    if (this.eventTimeKey !== null) {
      for (const e of [...store.prefixScan(encodeKey(["g"]))]) {
        const key = decodeKey(e.key);
        const group = key.slice(1, 1 + nk);
        if (!this.isLate(group, evictionMs * 1000)) continue;
        store.remove(e.key);
        store.remove(indexKey(key.slice(1 + nk)));
      }
    }
    return { output: out, droppedByWatermark: dropped, late: late.finish() };
  }

  /** The aggregation of each span of `rows` (one touched group each) through the result expressions. */
  private aggregate(rows: readonly unknown[][], spans: readonly { group: readonly unknown[]; start: number; end: number }[]): RecordBatch {
    const builders = this.childOutput.map((a) => new VectorBuilder(a.dataType, rows.length));
    for (const r of rows) for (let j = 0; j < builders.length; j++) builders[j]!.append(r[j]);
    const batch = makeBatch(schemaOf(this.childOutput), builders.map((b) => b.finish()), rows.length);
    const exprs: Expr[] = [];
    const argIx = this.calls.map((c) => c.args.map((a) => exprs.push(a) - 1));
    const filterIx = this.calls.map((c) => (c.filter ? exprs.push(c.filter) - 1 : -1));
    const cols = exprs.length === 0 ? [] : compileProjection(this.childOutput, null, exprs, structType(exprs.map((e, i) => structField(`_a${i}`, exprType(e), true))), this.fctx)(batch).columns;
    const keyB = this.keyAttrs.map((a) => new VectorBuilder(a.dataType, spans.length));
    const aggB = this.aggAttrs.map((a) => new VectorBuilder(a.dataType, spans.length));
    for (const s of spans) {
      keyB.forEach((b, j) => b.append(s.group[j]));
      this.accs.forEach((acc, c) => {
        const update = acc.update as (buf: unknown, ...a: unknown[]) => unknown;
        const skipNulls = this.calls[c]!.fn.skipNulls !== false;
        let buf = acc.init();
        for (let r = s.start; r < s.end; r++) {
          const fi = filterIx[c]!;
          if (fi >= 0) {
            const f = valueAt(cols[fi]!, r);
            if (f !== true && f !== 1) continue;
          }
          const args = argIx[c]!.map((x) => valueAt(cols[x]!, r));
          if (skipNulls && args.some((v) => v === null)) continue;
          buf = update(buf, ...args);
        }
        aggB[c]!.append(acc.finish(buf));
      });
    }
    const mid = [...this.keyAttrs, ...this.aggAttrs];
    const midBatch = makeBatch(schemaOf(mid), [...keyB, ...aggB].map((b) => b.finish()), spans.length);
    return compileProjection(mid, null, this.resultExprs, schemaOf(this.output), this.fctx)(midBatch);
  }
}

/** What `state/<op>/_metadata` records for an aggregation over an updating input. */
export function updatingStateSchema(operatorId: number, agg: Aggregate, upstream: Aggregate): OperatorStateSchema {
  const col = (e: Expr): StateColumn => ({ name: e.kind === "AttributeRef" || e.kind === "Alias" ? e.name : exprSql(e), type: sqlTypeName(exprType(e)) });
  const input = planOutput(agg.child);
  return {
    operatorId,
    operatorName: UPDATING_AGGREGATE_OPERATOR,
    keySchema: [{ name: "entry", type: "STRING" }, ...agg.groupingExprs.map(col), ...upstream.groupingExprs.map((g) => ({ ...col(g), name: `upstream.${col(g).name}` }))],
    valueSchema: [
      { name: "row", type: `STRUCT<${input.map((a) => `\`${a.name.replace(/`/g, "``")}\`: ${sqlTypeName(a.dataType)}`).join(", ")}>` },
      { name: "group", type: "JSON" },
    ],
  };
}
