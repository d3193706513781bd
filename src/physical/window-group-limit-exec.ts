import { type RecordBatch, concatBatches, makeBatch, takeBatch } from "../batch/record-batch.js";
import { type Vector, takeVector } from "../batch/vector.js";
import { referencedIds } from "../expr/expr-tree.js";
import type { AttributeRef, Expr, SortOrder } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { type StructType, structField, structType } from "../types/data-type.js";
import { GroupTable } from "./aggregate/group-table.js";
import { type CompiledProjection, compileProjection } from "./codegen/projection.js";
import { HashJoinExec } from "./join-exec.js";
import { type ExecContext, type PhysicalOp, schemaOf } from "./physical-op.js";
import { rowComparator } from "./sort-util.js";

/**
 * The rows `row_number() OVER (PARTITION BY partitionSpec ORDER BY orderSpec) <= limit` keeps, in
 * input order, without sorting: one pass keeps per partition (a hash table of the partition keys)
 * the best `limit` rows so far, a row replacing a kept one only when strictly ahead of it in
 * order, so ties go to the earlier row as in a stable sort.
 */
export class WindowGroupLimitExec implements PhysicalOp {
  readonly name = "WindowGroupLimit";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly partitionSpec: readonly Expr[],
    readonly orderSpec: readonly SortOrder[],
    readonly limit: number,
  ) {
    this.children = [child];
    this.output = child.output;
  }

  describe(): string {
    return `[${this.partitionSpec.map((e) => exprSql(e)).join(", ")}], [${this.orderSpec.map((e) => exprSql(e)).join(", ")}], ${this.limit}`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    if (this.child instanceof HashJoinExec && this.child.yieldsMatches) {
      yield* this.overJoin(this.child, ctx);
      return;
    }
    const batches: RecordBatch[] = [];
    for await (const b of this.child.execute(ctx)) if (b.numRows > 0) batches.push(b);
    if (batches.length === 0) return;
    // Only the key columns are put together; the rows kept are taken from their own batches, in
    // input order (a copy of every input row first cost Nexmark q19 5% of its time).
    const { keySchema, keyOf } = this.keyProjection(ctx);
    const evald = concatBatches(keySchema, batches.map((b) => keyOf(b))).columns;
    const n = batches.reduce((sum, b) => sum + b.numRows, 0);
    const kept = this.keptRows(evald, n);
    let at = 0, offset = 0;
    for (const b of batches) {
      const from = at;
      while (at < kept.length && kept[at]! < offset + b.numRows) at++;
      if (at > from) yield takeBatch(b, kept.subarray(from, at).map((i) => i - offset));
      offset += b.numRows;
    }
  }

  /**
   * Over an inner equi-join, the joined rows are not made: per streamed batch the join gives its
   * matching pairs of row numbers, only the columns the keys read are gathered at them, and of the
   * streamed rows only those in a match are copied (the build side stays as it is); the rows kept
   * are made at the end. The pairs come in the join's output order, so ties go as they would.
   * (Nexmark q9: 1.3 M joined rows of 15 columns, of which 112 k are kept.)
   */
  private async *overJoin(join: HashJoinExec, ctx: ExecContext): AsyncIterable<RecordBatch> {
    const { keySchema, keyOf } = this.keyProjection(ctx);
    const read = new Set<number>();
    for (const e of this.partitionSpec) referencedIds(e, read);
    for (const o of this.orderSpec) referencedIds(o.child, read);
    const buildLeft = join.buildSide === "left";
    const joinedSchema = schemaOf(join.output);
    const keyBatches: RecordBatch[] = [], streamed: RecordBatch[] = [];
    let build: RecordBatch | null = null;
    let pairP = new Int32Array(1024), pairB = new Int32Array(1024);
    let n = 0, streamedRows = 0;
    for await (const m of join.executeMatches(ctx)) {
      build = m.build;
      const { stream, pi, bi, pairs } = m;
      // The key columns at the pairs; the other columns are left as they are (the keys read none of them).
      const s = stream.columns.map((c, j) => (read.has(join.output[buildLeft ? build!.columns.length + j : j]!.id) ? takeVector(c, pi, pairs) : c));
      const b = m.build.columns.map((c, j) => (read.has(join.output[buildLeft ? j : stream.columns.length + j]!.id) ? takeVector(c, bi, pairs) : c));
      keyBatches.push(keyOf(makeBatch(joinedSchema, buildLeft ? [...b, ...s] : [...s, ...b], pairs)));
      if (n + pairs > pairP.length) {
        const size = Math.max(pairP.length * 2, n + pairs);
        const p = new Int32Array(size), q = new Int32Array(size);
        p.set(pairP.subarray(0, n));
        q.set(pairB.subarray(0, n));
        pairP = p;
        pairB = q;
      }
      // The streamed rows in a match (pi ascends), copied: the streamed side may reuse its arrays.
      const rows = new Int32Array(pairs);
      let distinct = 0;
      for (let x = 0; x < pairs; x++) {
        const r = pi[x]!;
        if (distinct === 0 || rows[distinct - 1] !== r) rows[distinct++] = r;
        pairP[n + x] = streamedRows + distinct - 1;
        pairB[n + x] = bi[x]!;
      }
      streamed.push(takeBatch(stream, rows, distinct));
      streamedRows += distinct;
      n += pairs;
    }
    if (n === 0 || build === null) return;
    const kept = this.keptRows(concatBatches(keySchema, keyBatches).columns, n);
    const all = concatBatches(streamed[0]!.schema, streamed);
    const outSchema = schemaOf(this.output);
    for (let from = 0; from < kept.length; from += ctx.batchSize) {
      const count = Math.min(ctx.batchSize, kept.length - from);
      const p = new Int32Array(count), q = new Int32Array(count);
      for (let x = 0; x < count; x++) {
        p[x] = pairP[kept[from + x]!]!;
        q[x] = pairB[kept[from + x]!]!;
      }
      const s = all.columns.map((c) => takeVector(c, p, count)), b = build.columns.map((c) => takeVector(c, q, count));
      yield makeBatch(outSchema, buildLeft ? [...b, ...s] : [...s, ...b], count);
    }
  }

  private keyProjection(ctx: ExecContext): { keySchema: StructType; keyOf: CompiledProjection } {
    const exprs = [...this.partitionSpec, ...this.orderSpec.map((o) => o.child)];
    const keySchema = structType(exprs.map((e, i) => structField(`_l${i}`, exprType(e))));
    return { keySchema, keyOf: compileProjection(this.child.output, null, exprs, keySchema, ctx.fctx) };
  }

  /** Of rows 0 .. n-1 (their partition then order keys in `evald`), the ones kept, ascending. */
  private keptRows(evald: readonly Vector[], n: number): Int32Array {
    const np = this.partitionSpec.length;
    const pk = evald.slice(0, np), ok = evald.slice(np);
    const gids = new Int32Array(n);
    const table = new GroupTable(pk.map((v) => v.type));
    table.lookup(pk, n, gids);
    const cmp = rowComparator(ok, this.orderSpec);
    const ahead = (a: number, b: number): boolean => cmp(a, b) < 0;
    const k = this.limit;
    const groups = table.size;
    let kept: Int32Array;
    if (k === 1) {
      // The first row of each partition: a row replaces it only when strictly ahead of it.
      const first = new Int32Array(groups).fill(-1);
      for (let i = 0; i < n; i++) {
        const g = gids[i]!, f = first[g]!;
        if (f < 0 || ahead(i, f)) first[g] = i;
      }
      kept = first;
    } else {
      // Per partition, its kept rows in order (ties in input order), in min(k, its rows) slots of
      // one array (a list per partition was 120 k small arrays for Nexmark q19, garbage after).
      const start = new Int32Array(groups + 1);
      for (let i = 0; i < n; i++) start[gids[i]! + 1]!++;
      for (let g = 0; g < groups; g++) start[g + 1] = start[g]! + Math.min(k, start[g + 1]!);
      const slots = new Int32Array(start[groups]!), counts = new Int32Array(groups);
      for (let i = 0; i < n; i++) {
        const g = gids[i]!, c = counts[g]!, base = start[g]!;
        if (c === k && !ahead(i, slots[base + k - 1]!)) continue;
        // After every kept row that row i is not strictly ahead of (its ties stay before it).
        let pos = c;
        while (pos > 0 && ahead(i, slots[base + pos - 1]!)) pos--;
        slots.copyWithin(base + pos + 1, base + pos, base + Math.min(c, k - 1));
        slots[base + pos] = i;
        if (c < k) counts[g] = c + 1;
      }
      // Every slot is filled: a partition keeps min(k, its rows).
      kept = slots;
    }
    return kept.sort();
  }
}
