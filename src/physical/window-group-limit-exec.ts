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
import { crossComparator, rowComparator } from "./sort-util.js";

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
   * matching pairs of row numbers, only the columns the keys read are gathered at them, and each
   * partition's best `limit` pairs so far are kept as it goes (the rule of keptRows, comparing
   * keys across batches). Of a streamed batch only the rows that are among the best when it ends
   * are copied (its arrays are reused after); the build side stays as it is. Nexmark q9: 1.3 M
   * joined rows of 15 columns, 112 k kept, and about 3 copies of a bid per auction.
   */
  private async *overJoin(join: HashJoinExec, ctx: ExecContext): AsyncIterable<RecordBatch> {
    const { keySchema, keyOf } = this.keyProjection(ctx);
    const read = new Set<number>();
    for (const e of this.partitionSpec) referencedIds(e, read);
    for (const o of this.orderSpec) referencedIds(o.child, read);
    const buildLeft = join.buildSide === "left";
    const joinedSchema = schemaOf(join.output);
    const np = this.partitionSpec.length;
    const table = new GroupTable(this.partitionSpec.map((e) => exprType(e)));
    const ahead = crossComparator(this.orderSpec.map((o) => exprType(o.child)), this.orderSpec);
    const best = new BestPerGroup(this.limit);
    // Per streamed batch: its order keys, and its rows that were among the best when it ended.
    const orderKeys: Vector[][] = [], copies: RecordBatch[] = [];
    let build: RecordBatch | null = null;
    let gids = new Int32Array(0);
    for await (const m of join.executeMatches(ctx)) {
      build = m.build;
      const { stream, pi, bi, pairs } = m;
      // The key columns at the pairs; the other columns are left as they are (the keys read none of them).
      const s = stream.columns.map((c, j) => (read.has(join.output[buildLeft ? build!.columns.length + j : j]!.id) ? takeVector(c, pi, pairs) : c));
      const b = m.build.columns.map((c, j) => (read.has(join.output[buildLeft ? j : stream.columns.length + j]!.id) ? takeVector(c, bi, pairs) : c));
      const keys = keyOf(makeBatch(joinedSchema, buildLeft ? [...b, ...s] : [...s, ...b], pairs)).columns;
      if (gids.length < pairs) gids = new Int32Array(pairs);
      table.lookup(keys.slice(0, np), pairs, gids);
      const batchNo = orderKeys.length, ok = keys.slice(np);
      orderKeys.push(ok);
      // One comparison function per batch (not per pair): whether pair x is strictly ahead of a held one.
      const isAhead = (x: number, ob: number, or: number): boolean => ahead(ok, x, orderKeys[ob]!, or) < 0;
      for (let x = 0; x < pairs; x++) best.offer(gids[x]!, batchNo, x, isAhead);
      // This batch's pairs still among the best: their streamed rows copied, their build rows noted.
      const held = best.heldFrom(batchNo);
      const rows = new Int32Array(held.length);
      for (let h = 0; h < held.length; h++) rows[h] = pi[held[h]!]!;
      copies.push(takeBatch(stream, rows));
      best.noteCopies(batchNo, held, bi);
    }
    if (build === null) return;
    const kept = best.kept();
    if (kept.count === 0) return;
    const offsets = new Int32Array(copies.length);
    for (let c = 1; c < copies.length; c++) offsets[c] = offsets[c - 1]! + copies[c - 1]!.numRows;
    const all = concatBatches(copies[0]!.schema, copies);
    const outSchema = schemaOf(this.output);
    for (let from = 0; from < kept.count; from += ctx.batchSize) {
      const count = Math.min(ctx.batchSize, kept.count - from);
      const p = new Int32Array(count), q = new Int32Array(count);
      for (let x = 0; x < count; x++) {
        p[x] = offsets[kept.batch[from + x]!]! + kept.copy[from + x]!;
        q[x] = kept.buildRow[from + x]!;
      }
      const st = all.columns.map((c) => takeVector(c, p, count)), b = build.columns.map((c) => takeVector(c, q, count));
      yield makeBatch(outSchema, buildLeft ? [...b, ...st] : [...st, ...b], count);
    }
    void keySchema;
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

/**
 * Each group's best `limit` pairs so far, best first, as (batch, pair) numbers, in the rule of
 * keptRows: a pair displaces a held one only when strictly ahead of it, so ties stay with the
 * earlier pair. A held pair also notes where its streamed row was copied and its build row.
 */
class BestPerGroup {
  private batch = new Int32Array(1024);
  private pair = new Int32Array(1024);
  private copy = new Int32Array(1024);
  private buildRow = new Int32Array(1024);
  private counts = new Int32Array(1024);
  /** Slots holding a pair of the current batch (may repeat or be stale; checked in heldFrom). */
  private touched: number[] = [];

  constructor(private readonly limit: number) {}

  offer(g: number, batchNo: number, x: number, isAhead: (x: number, batch: number, pair: number) => boolean): void {
    const k = this.limit;
    if ((g + 1) * k > this.batch.length) this.grow((g + 1) * k);
    if (g >= this.counts.length) this.counts = grown(this.counts, g + 1);
    const c = this.counts[g]!, base = g * k;
    if (c === k && !isAhead(x, this.batch[base + k - 1]!, this.pair[base + k - 1]!)) return;
    let pos = c === k ? k - 1 : c;
    while (pos > 0 && isAhead(x, this.batch[base + pos - 1]!, this.pair[base + pos - 1]!)) pos--;
    const last = base + Math.min(c, k - 1);
    if (pos < last - base) {
      this.batch.copyWithin(base + pos + 1, base + pos, last);
      this.pair.copyWithin(base + pos + 1, base + pos, last);
      this.copy.copyWithin(base + pos + 1, base + pos, last);
      this.buildRow.copyWithin(base + pos + 1, base + pos, last);
    }
    this.batch[base + pos] = batchNo;
    this.pair[base + pos] = x;
    if (c < k) this.counts[g] = c + 1;
    for (let j = pos; j <= last - base; j++) if (this.batch[base + j] === batchNo) this.touched.push(base + j);
  }

  /** The pairs of batch `batchNo` held now, ascending, once each. */
  heldFrom(batchNo: number): Int32Array {
    const slots = [...new Set(this.touched)].filter((t) => this.batch[t] === batchNo && (t % this.limit) < this.counts[Math.floor(t / this.limit)]!);
    this.touched = slots;
    const pairs = new Int32Array(slots.length);
    for (let i = 0; i < slots.length; i++) pairs[i] = this.pair[slots[i]!]!;
    return pairs.sort();
  }

  /** Records, for the held pairs of batch `batchNo` (as heldFrom gave them), their copy positions and build rows. */
  noteCopies(batchNo: number, held: Int32Array, bi: Int32Array): void {
    const at = new Map<number, number>();
    held.forEach((x, h) => at.set(x, h));
    for (const t of this.touched) {
      const x = this.pair[t]!;
      this.copy[t] = at.get(x)!;
      this.buildRow[t] = bi[x]!;
    }
    this.touched = [];
    void batchNo;
  }

  /** Every held pair, in the order the pairs came. */
  kept(): { count: number; batch: Int32Array; copy: Int32Array; buildRow: Int32Array } {
    const k = this.limit;
    // The held slots grouped by batch (a counting sort), then each batch's by pair number.
    const held: number[] = [];
    let batches = 0;
    for (let g = 0; g < this.counts.length; g++) {
      for (let j = 0; j < this.counts[g]!; j++) {
        held.push(g * k + j);
        batches = Math.max(batches, this.batch[g * k + j]! + 1);
      }
    }
    const starts = new Int32Array(batches + 1);
    for (const t of held) starts[this.batch[t]! + 1]!++;
    for (let b = 0; b < batches; b++) starts[b + 1]! += starts[b]!;
    const next = starts.slice(), slots = new Int32Array(held.length);
    for (const t of held) slots[next[this.batch[t]!]!++] = t;
    for (let b = 0; b < batches; b++) {
      // A batch's held pairs by their copy positions, which ascend with the pair numbers.
      const part = slots.subarray(starts[b]!, starts[b + 1]!);
      let most = 0;
      for (let i = 0; i < part.length; i++) most = Math.max(most, this.copy[part[i]!]!);
      const byCopy = new Int32Array(most + 1).fill(-1);
      for (let i = 0; i < part.length; i++) byCopy[this.copy[part[i]!]!] = part[i]!;
      let at = 0;
      for (let c = 0; c <= most; c++) if (byCopy[c]! >= 0) part[at++] = byCopy[c]!;
    }
    const count = slots.length, batch = new Int32Array(count), copy = new Int32Array(count), buildRow = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const t = slots[i]!;
      batch[i] = this.batch[t]!;
      copy[i] = this.copy[t]!;
      buildRow[i] = this.buildRow[t]!;
    }
    return { count, batch, copy, buildRow };
  }

  private grow(need: number): void {
    this.batch = grown(this.batch, need);
    this.pair = grown(this.pair, need);
    this.copy = grown(this.copy, need);
    this.buildRow = grown(this.buildRow, need);
  }
}

function grown(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
