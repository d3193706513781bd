import { type RecordBatch, concatBatches, makeBatch, takeBatch } from "../batch/record-batch.js";
import { type Vector, VectorBuilder, valueAt } from "../batch/vector.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import type { JoinType } from "../plan/logical-plan.js";
import { type DataType, type StructType, structField, structType } from "../types/data-type.js";
import { compileProjection } from "./codegen/projection.js";
import { ExternalSorter } from "./external-sort.js";
import type { EquiKey } from "./join-exec.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { type CrossComparator, type SortKeySpec, crossComparator, rowComparator } from "./sort-util.js";

/** Whether values of `t` can be sorted (maps and calendar intervals cannot), so a sort-merge join can use it as a key. */
export function isOrderable(t: DataType): boolean {
  switch (t.kind) {
    case "map": case "interval": return false;
    case "array": return isOrderable(t.elementType);
    case "struct": return t.fields.every((f) => isOrderable(f.dataType));
    default: return true;
  }
}

/**
 * An equi-join that sorts both sides by the join keys (with the external sorter, so a side that
 * outgrows `memoryLimitBytes` is spilled to disk and merged) and then merges the two sorted
 * streams. The rows of one key on the right are buffered (as references into their batches) and
 * paired with each left row of that key, so duplicate keys join many-to-many. A key with a null
 * in an `=` column never matches; `<=>` columns match null with null. Any residual (non-equi)
 * condition is evaluated, vectorised, on candidate pairs of equal keys; a row of an outer, semi or
 * anti join is decided once all of its candidates have been evaluated.
 */
export class SortMergeJoinExec implements PhysicalOp {
  readonly name = "SortMergeJoin";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  /** Sorted runs the last execution spilled to disk, both sides together (for tests and metrics). */
  lastSpilledRuns = 0;

  constructor(
    readonly left: PhysicalOp,
    readonly right: PhysicalOp,
    readonly joinType: Exclude<JoinType, "cross">,
    readonly keys: readonly EquiKey[],
    readonly residual: Expr | null,
    outputNullability: readonly AttributeRef[],
  ) {
    if (keys.length === 0) throw new Error("A sort-merge join needs equi-join keys.");
    this.children = [left, right];
    this.output = outputNullability;
  }

  describe(): string {
    const l = this.keys.map((k) => exprSql(k.left)).join(", ");
    const r = this.keys.map((k) => exprSql(k.right)).join(", ");
    const ops = this.keys.some((k) => k.nullSafe) ? ` (${this.keys.map((k) => (k.nullSafe ? "<=>" : "=")).join(", ")})` : "";
    return `[${l}], [${r}]${ops}, ${this.joinType}${this.residual ? `, ${exprSql(this.residual)}` : ""}`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const jt = this.joinType;
    const keyTypes = this.keys.map((k) => exprType(k.left));
    const keySchema = structType(keyTypes.map((t, i) => structField(`_k${i}`, t, true)));
    const specs: SortKeySpec[] = this.keys.map(() => ({ ascending: true, nullsFirst: true }));
    const cmp = crossComparator(keyTypes, specs);
    const nullSafe = this.keys.map((k) => k.nullSafe);
    const leftKeysOf = compileProjection(this.left.output, null, this.keys.map((k) => k.left), keySchema, ctx.fctx);
    const rightKeysOf = compileProjection(this.right.output, null, this.keys.map((k) => k.right), keySchema, ctx.fctx);
    const leftSchema = schemaOf(this.left.output), rightSchema = schemaOf(this.right.output);

    this.lastSpilledRuns = 0;
    const leftSorter = await sortInput(this.left, leftSchema, (b) => leftKeysOf(b).columns, specs, ctx);
    this.lastSpilledRuns += leftSorter.spilledRuns;
    const lc = new SortedCursor(leftSorter.finish(), (b) => leftKeysOf(b).columns, nullSafe);
    let rc: SortedCursor | null = null;
    try {
      await lc.load();
      // Nothing on the left: only right and full outer joins have anything to output.
      const rightNeeded = !lc.done || jt === "right_outer" || jt === "full_outer";
      const rightSorter = rightNeeded ? await sortInput(this.right, rightSchema, (b) => rightKeysOf(b).columns, specs, ctx) : null;
      if (rightSorter === null) return;
      this.lastSpilledRuns += rightSorter.spilledRuns;
      rc = new SortedCursor(rightSorter.finish(), (b) => rightKeysOf(b).columns, nullSafe);
      await rc.load();
      yield* this.merge(lc, rc, cmp, ctx);
    } finally {
      await lc.close();
      await rc?.close();
    }
  }

  private async *merge(lc: SortedCursor, rc: SortedCursor, cmp: CrossComparator, ctx: ExecContext): AsyncIterable<RecordBatch> {
    const jt = this.joinType;
    const semiOrAnti = jt === "left_semi" || jt === "left_anti";
    const leftOuter = jt === "left_outer" || jt === "full_outer";
    const rightOuter = jt === "right_outer" || jt === "full_outer";
    const leftSchema = schemaOf(this.left.output), rightSchema = schemaOf(this.right.output);
    const out = new JoinedRows(schemaOf(this.output), leftSchema, semiOrAnti ? null : rightSchema);
    const batchSize = ctx.batchSize;
    const joinedOutput = [...this.left.output, ...this.right.output];
    const residualFn = this.residual ? compileProjection(joinedOutput, null, [this.residual], structType([structField("c", { kind: "boolean" })]), ctx.fctx) : null;
    const cand = residualFn ? new Candidates(new JoinedRows(schemaOf(joinedOutput), leftSchema, rightSchema)) : null;
    // Left rows that need a decision after their candidates are evaluated (outer/semi/anti).
    const needLeftDecision = leftOuter || semiOrAnti;

    /** Evaluates the buffered candidate pairs and settles the rows whose candidates are all in. */
    const evaluate = (): void => {
      if (cand === null) return;
      if (cand.rows.size > 0) {
        const pairs = cand.rows.finish();
        const r = residualFn!(pairs).columns[0]!;
        const keep: number[] = [];
        for (let x = 0; x < pairs.numRows; x++) {
          if (r.values[x] !== 1 || (r.nulls !== null && r.nulls[x] === 1)) continue;
          keep.push(x);
          const lr = cand.leftRecs[x], rr = cand.rightRecs[x];
          if (lr) lr.matched = true;
          if (rr) rr.matched = true;
        }
        if (!semiOrAnti && keep.length > 0) out.addBatch(takeBatch(pairs, keep));
        cand.leftRecs = [];
        cand.rightRecs = [];
      }
      cand.pendingLeft = cand.pendingLeft.filter((rec) => {
        if (!rec.done) return true;
        if (jt === "left_semi" ? rec.matched : !rec.matched) out.add(rec.batch, rec.row, null, -1);
        return false;
      });
      cand.pendingRight = cand.pendingRight.filter((rec) => {
        if (!rec.done) return true;
        if (!rec.matched) out.add(null, -1, rec.batch, rec.row);
        return false;
      });
    };
    const leftUnmatched = (): void => {
      if (leftOuter || jt === "left_anti") out.add(lc.batch!, lc.pos, null, -1);
    };
    const rightUnmatched = (): void => {
      if (rightOuter) out.add(null, -1, rc.batch!, rc.pos);
    };
    const ready = function* (): Iterable<RecordBatch> {
      if (cand !== null && cand.rows.size >= batchSize) evaluate();
      if (out.size >= batchSize) yield out.finish();
    };

    // The right group of the current key: references to its rows.
    let gb: RecordBatch[] = [], gr: number[] = [], grec: (Rec | null)[] = [];
    while (!lc.done) {
      if (lc.nullKey()) {
        leftUnmatched();
        yield* ready();
        if (!lc.step()) await lc.load();
        continue;
      }
      // Skip right rows below the left key: none of them matches anything.
      let c = 1;
      while (!rc.done) {
        if (rc.nullKey()) {
          rightUnmatched();
        } else {
          c = cmp(lc.keys, lc.pos, rc.keys, rc.pos);
          if (c <= 0) break;
          rightUnmatched();
        }
        yield* ready();
        if (!rc.step()) await rc.load();
      }
      if (rc.done || c < 0) {
        leftUnmatched();
        yield* ready();
        if (!lc.step()) await lc.load();
        continue;
      }
      // Equal keys: buffer the right group.
      const groupKeys = rc.keys, groupPos = rc.pos;
      gb = [];
      gr = [];
      grec = [];
      while (!rc.done && !rc.nullKey() && cmp(groupKeys, groupPos, rc.keys, rc.pos) === 0) {
        gb.push(rc.batch!);
        gr.push(rc.pos);
        if (cand !== null && rightOuter) {
          const rec: Rec = { batch: rc.batch!, row: rc.pos, matched: false, done: false };
          grec.push(rec);
          cand.pendingRight.push(rec);
        } else grec.push(null);
        if (!rc.step()) await rc.load();
      }
      // Pair every left row of the key with the group.
      while (!lc.done && !lc.nullKey() && cmp(lc.keys, lc.pos, groupKeys, groupPos) === 0) {
        const lb = lc.batch!, lrow = lc.pos;
        if (cand === null) {
          // No residual: every pair matches.
          if (jt === "left_semi") out.add(lb, lrow, null, -1);
          else if (jt !== "left_anti") {
            for (let j = 0; j < gb.length; j++) {
              out.add(lb, lrow, gb[j]!, gr[j]!);
              if (out.size >= batchSize) yield out.finish();
            }
          }
        } else {
          const lrec: Rec | null = needLeftDecision ? { batch: lb, row: lrow, matched: false, done: false } : null;
          if (lrec) cand.pendingLeft.push(lrec);
          for (let j = 0; j < gb.length; j++) {
            cand.rows.add(lb, lrow, gb[j]!, gr[j]!);
            cand.leftRecs.push(lrec);
            cand.rightRecs.push(grec[j]!);
            if (cand.rows.size >= batchSize) yield* ready();
          }
          if (lrec) lrec.done = true;
        }
        yield* ready();
        if (!lc.step()) await lc.load();
      }
      for (const rec of grec) if (rec) rec.done = true;
    }
    // The left side is exhausted: the remaining right rows match nothing.
    while (!rc.done) {
      rightUnmatched();
      yield* ready();
      if (!rc.step()) await rc.load();
    }
    evaluate();
    if (out.size > 0) yield out.finish();
  }
}

/** A row waiting for its residual-condition verdict. */
interface Rec {
  readonly batch: RecordBatch;
  readonly row: number;
  matched: boolean;
  /** All candidate pairs of the row have been generated. */
  done: boolean;
}

class Candidates {
  leftRecs: (Rec | null)[] = [];
  rightRecs: (Rec | null)[] = [];
  pendingLeft: Rec[] = [];
  pendingRight: Rec[] = [];
  constructor(readonly rows: JoinedRows) {}
}

/** Feeds a child into an external sorter by the join keys. */
async function sortInput(
  child: PhysicalOp,
  schema: StructType,
  keysOf: (b: RecordBatch) => readonly Vector[],
  specs: readonly SortKeySpec[],
  ctx: ExecContext,
): Promise<ExternalSorter> {
  const sortRun = (batches: RecordBatch[]): RecordBatch => {
    const all = concatBatches(schema, batches);
    const idx = Array.from({ length: all.numRows }, (_, i) => i);
    idx.sort(rowComparator(keysOf(all), specs));
    return takeBatch(all, idx);
  };
  const sorter = new ExternalSorter(schema, sortRun, keysOf, specs, ctx);
  for await (const b of child.execute(ctx)) await sorter.add(b);
  return sorter;
}

/** Walks a sorted stream of batches row by row, with each batch's key vectors. */
class SortedCursor {
  batch: RecordBatch | null = null;
  keys: readonly Vector[] = [];
  pos = 0;
  private readonly it: AsyncIterator<RecordBatch>;
  private finished = false;

  constructor(
    source: AsyncIterable<RecordBatch>,
    private readonly keysOf: (b: RecordBatch) => readonly Vector[],
    private readonly nullSafe: readonly boolean[],
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  get done(): boolean {
    return this.batch === null;
  }

  /** Moves to the first row of the next non-empty batch (or to the end). */
  async load(): Promise<void> {
    this.batch = null;
    while (!this.finished) {
      const r = await this.it.next();
      if (r.done) {
        this.finished = true;
        break;
      }
      if (r.value.numRows === 0) continue;
      this.batch = r.value;
      this.keys = this.keysOf(r.value);
      this.pos = 0;
      return;
    }
  }

  /** Moves to the next row of the current batch; false when the batch is used up (then `load`). */
  step(): boolean {
    return ++this.pos < this.batch!.numRows;
  }

  /** Whether the current row has a null in an `=` key column (such a row matches nothing). */
  nullKey(): boolean {
    for (let j = 0; j < this.keys.length; j++) {
      const v = this.keys[j]!;
      if (!this.nullSafe[j] && v.nulls !== null && v.nulls[this.pos] === 1) return true;
    }
    return false;
  }

  async close(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      await this.it.return?.();
    }
  }
}

/**
 * Output rows gathered as references (left batch and row, right batch and row; a null batch
 * stands for nulls on that side) plus ready-made batches, turned into one batch on `finish`.
 * With `right` null only the left columns are output (semi and anti joins).
 */
class JoinedRows {
  private lb: (RecordBatch | null)[] = [];
  private lr: number[] = [];
  private rb: (RecordBatch | null)[] = [];
  private rr: number[] = [];
  private parts: RecordBatch[] = [];
  private partRows = 0;

  constructor(
    private readonly schema: StructType,
    private readonly left: StructType,
    private readonly right: StructType | null,
  ) {}

  get size(): number {
    return this.lb.length + this.partRows;
  }

  add(lb: RecordBatch | null, lr: number, rb: RecordBatch | null, rr: number): void {
    this.lb.push(lb);
    this.lr.push(lr);
    this.rb.push(rb);
    this.rr.push(rr);
  }

  addBatch(b: RecordBatch): void {
    if (b.numRows === 0) return;
    this.parts.push(makeBatch(this.schema, b.columns, b.numRows));
    this.partRows += b.numRows;
  }

  finish(): RecordBatch {
    const n = this.lb.length;
    if (n > 0) {
      const cols = [...gather(this.left, this.lb, this.lr), ...(this.right ? gather(this.right, this.rb, this.rr) : [])];
      this.parts.push(makeBatch(this.schema, cols, n));
    }
    const out = concatBatches(this.schema, this.parts);
    this.lb = [];
    this.lr = [];
    this.rb = [];
    this.rr = [];
    this.parts = [];
    this.partRows = 0;
    return out;
  }
}

function gather(schema: StructType, batches: readonly (RecordBatch | null)[], rows: readonly number[]): Vector[] {
  const n = rows.length;
  return schema.fields.map((f, c) => {
    const b = new VectorBuilder(f.dataType, n);
    for (let i = 0; i < n; i++) {
      const src = batches[i];
      b.append(src ? valueAt(src.columns[c]!, rows[i]!) : null);
    }
    return b.finish();
  });
}
