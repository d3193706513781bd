import { ReusableArrays } from "../batch/reusable-arrays.js";
import { type RecordBatch, makeBatch, takeBatch } from "../batch/record-batch.js";
import { type Vector, VectorBuilder, takeVector } from "../batch/vector.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { referencedIds } from "../expr/expr-tree.js";
import type { JoinType } from "../plan/logical-plan.js";
import { type DataType, type StructType, sameType, structField, structType } from "../types/data-type.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import { type CompiledProjection, compileProjection } from "./codegen/projection.js";
import { GroupTable } from "./aggregate/group-table.js";
import type { EquiKey } from "./join-exec.js";
import { schemaOf } from "./physical-op.js";

/** What a hash join joins: its inputs as streamed and built, its keys, condition and type. */
export interface HashJoinShape {
  readonly streamOutput: readonly AttributeRef[];
  readonly buildOutput: readonly AttributeRef[];
  readonly buildLeft: boolean;
  readonly keys: readonly EquiKey[];
  readonly residual: Expr | null;
  readonly joinType: JoinType;
  /** The join's output (left columns then right, with the join's nullability). */
  readonly output: readonly AttributeRef[];
}

/**
 * The per-batch work of a hash join over a build side held in memory: `probe` joins one streamed
 * batch, `unmatchedBuild` gives the build rows an outer (or left-building semi/anti) join emits
 * at the end. Kept out of the exec's async generator on purpose: V8 optimizes a generator as one
 * function with everything it calls inlined (47 KB of machine code, 110-150 ms of compiling per
 * worker thread, again after each deoptimization), where these plain methods compile in a few.
 */
export class HashJoinProbe {
  private readonly table: GroupTable;
  /** Bucket g holds build rows order[start[g] .. start[g + 1]). */
  private readonly start: Int32Array = new Int32Array(1);
  private readonly order: Int32Array = new Int32Array(0);
  private readonly m: number;
  private readonly nullMatches: boolean[];
  private readonly streamKeys: (b: RecordBatch) => RecordBatch;
  private readonly residual: CompiledProjection | null;
  private readonly residualIds = new Set<number>();
  private readonly joinedSchema: StructType;
  private readonly outSchema: StructType;
  private readonly streamOuter: boolean;
  private readonly semiOrAnti: boolean;
  private readonly buildMatched: Uint8Array | null;
  /** probe()'s working arrays, used again for each streamed batch (slots below). */
  private readonly scratch = new ReusableArrays();
  /** The columns the residual reads, gathered for each streamed batch (slot: the column's place among the streamed, then the built columns). */
  private readonly residualColumns = new ReusableArrays();
  /** The residual's verdicts, read before the next batch's are computed. */
  private readonly residualVerdicts = new ReusableArrays();

  constructor(
    private readonly shape: HashJoinShape,
    private readonly build: RecordBatch,
    fctx: ExecFunctionContext,
  ) {
    const { keys, buildLeft, joinType: jt } = shape;
    const m = (this.m = build.numRows);
    const keyTypes: DataType[] = keys.map((k) => exprType(k.left));
    this.nullMatches = keys.map((k) => k.nullSafe);
    const keySchema = structType(keyTypes.map((t, i) => structField(`_k${i}`, t)));
    this.streamKeys = compileProjection(shape.streamOutput, null, keys.map((k) => (buildLeft ? k.right : k.left)), keySchema, fctx);
    if (keys.length > 0 && m > 0) {
      const built = bucketsOf(build, shape.buildOutput, keys.map((k) => (buildLeft ? k.left : k.right)), keyTypes, this.nullMatches, keySchema, fctx);
      this.table = built.table;
      this.start = built.start;
      this.order = built.order;
    } else this.table = new GroupTable(keyTypes);
    const joinedOutput = buildLeft ? [...shape.buildOutput, ...shape.streamOutput] : [...shape.streamOutput, ...shape.buildOutput];
    this.joinedSchema = schemaOf(joinedOutput);
    this.residual = shape.residual ? compileProjection(joinedOutput, null, [shape.residual], structType([structField("c", { kind: "boolean" })]), fctx) : null;
    if (shape.residual) referencedIds(shape.residual, this.residualIds);
    this.outSchema = schemaOf(shape.output);
    this.semiOrAnti = jt === "left_semi" || jt === "left_anti";
    // Outer joins from the point of view of the streamed and the built side.
    this.streamOuter = jt === "full_outer" || jt === (buildLeft ? "right_outer" : "left_outer");
    const buildOuter = jt === "full_outer" || jt === (buildLeft ? "left_outer" : "right_outer");
    this.buildMatched = buildOuter || (buildLeft && this.semiOrAnti) ? new Uint8Array(m) : null;
  }

  /** The output batches of one streamed batch (none, one, or the matches then the unmatched rows of an outer join). */
  probe(batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    if (n === 0) return [];
    const { pi: outP, bi: outB, pairs: kept } = this.matches(batch);
    const probeMatched = this.scratch.uint8(STREAM_MATCHED, n).fill(0);
    const buildMatched = this.buildMatched;
    for (let x = 0; x < kept; x++) {
      probeMatched[outP[x]!] = 1;
      if (buildMatched) buildMatched[outB[x]!] = 1;
    }
    const { buildLeft, joinType: jt } = this.shape;
    if (this.semiOrAnti) {
      if (buildLeft) return [];
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if ((probeMatched[i] === 1) === (jt === "left_semi")) rows.push(i);
      return rows.length ? [makeBatch(this.outSchema, takeBatch(batch, rows).columns, rows.length)] : [];
    }
    const out: RecordBatch[] = [];
    if (kept > 0) out.push(makeBatch(this.outSchema, this.ordered(batch.columns.map((c) => takeVector(c, outP, kept)), this.build.columns.map((c) => takeVector(c, outB, kept))), kept));
    if (this.streamOuter) {
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if (probeMatched[i] === 0) rows.push(i);
      if (rows.length) out.push(makeBatch(this.outSchema, this.ordered(batch.columns.map((c) => takeVector(c, rows)), this.shape.buildOutput.map((a) => nullVector(a.dataType, rows.length))), rows.length));
    }
    return out;
  }

  /**
   * The pairs (streamed row pi[x], build row bi[x]) of one streamed batch that match: equal keys
   * and the residual true, in the order an inner join outputs them (streamed rows ascending). The
   * arrays are this probe's, overwritten by the next call; nothing is marked matched.
   */
  matches(batch: RecordBatch): { pi: Int32Array; bi: Int32Array; pairs: number } {
    if (batch.numRows === 0) return { pi: new Int32Array(0), bi: new Int32Array(0), pairs: 0 };
    const { pi, bi, pairs } = this.candidatePairs(batch);
    const keep = this.residualHolds(batch, pi, bi, pairs);
    if (keep === null) return { pi, bi, pairs };
    const outP = this.scratch.int32(KEPT_STREAM_ROWS, pairs), outB = this.scratch.int32(KEPT_BUILD_ROWS, pairs);
    let kept = 0;
    for (let x = 0; x < pairs; x++) {
      if (keep[x] === 0) continue;
      outP[kept] = pi[x]!;
      outB[kept++] = bi[x]!;
    }
    return { pi: outP, bi: outB, pairs: kept };
  }

  /**
   * After the last streamed batch: for outer joins the build rows nothing matched; for semi/anti
   * joins building the left side, the left rows something did (or did not) match.
   */
  unmatchedBuild(): RecordBatch | null {
    const buildMatched = this.buildMatched;
    if (buildMatched === null) return null;
    const want = this.shape.joinType === "left_semi" ? 1 : 0;
    const rows: number[] = [];
    for (let j = 0; j < this.m; j++) if (buildMatched[j] === want) rows.push(j);
    if (rows.length === 0) return null;
    if (this.semiOrAnti) return makeBatch(this.outSchema, takeBatch(this.build, rows).columns, rows.length);
    return makeBatch(this.outSchema, this.ordered(this.shape.streamOutput.map((a) => nullVector(a.dataType, rows.length)), this.build.columns.map((c) => takeVector(c, rows))), rows.length);
  }

  /** Candidate pairs (streamed row, build row): equal keys, or every pair without keys. */
  private candidatePairs(batch: RecordBatch): { pi: Int32Array; bi: Int32Array; pairs: number } {
    const n = batch.numRows, m = this.m;
    const scratch = this.scratch;
    let pi = scratch.int32(PAIR_STREAM_ROWS, n), bi = scratch.int32(PAIR_BUILD_ROWS, n), pairs = 0;
    const room = (more: number): void => {
      if (pairs + more <= pi.length) return;
      const size = Math.max(pi.length * 2, pairs + more);
      const p = scratch.int32(PAIR_STREAM_ROWS, size), b = scratch.int32(PAIR_BUILD_ROWS, size);
      // A longer array, or the same one seen longer: the pairs so far are at its start either way.
      if (p.buffer !== pi.buffer) p.set(pi.subarray(0, pairs));
      if (b.buffer !== bi.buffer) b.set(bi.subarray(0, pairs));
      pi = p;
      bi = b;
    };
    if (this.shape.keys.length === 0) {
      room(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) { pi[pairs] = i; bi[pairs++] = j; }
      return { pi, bi, pairs };
    }
    if (m === 0) return { pi, bi, pairs };
    const g = scratch.int32(STREAM_GROUPS, n);
    this.table.probe(this.streamKeys(batch).columns, n, g, this.nullMatches);
    const start = this.start, order = this.order;
    for (let i = 0; i < n; i++) {
      const grp = g[i]!;
      if (grp < 0) continue;
      const from = start[grp]!, to = start[grp + 1]!;
      room(to - from);
      for (let x = from; x < to; x++) { pi[pairs] = i; bi[pairs++] = order[x]!; }
    }
    return { pi, bi, pairs };
  }

  /** The columns the residual reads, gathered at the pairs' rows `idx`; the others as they are. */
  private gather(cols: readonly Vector[], attrs: readonly AttributeRef[], idx: Int32Array, pairs: number, firstSlot: number): Vector[] {
    const out: Vector[] = [];
    for (let j = 0; j < cols.length; j++) out.push(this.residualIds.has(attrs[j]!.id) ? takeVector(cols[j]!, idx, pairs, { arrays: this.residualColumns, slot: firstSlot + j }) : cols[j]!);
    return out;
  }

  /** Which candidate pairs satisfy the residual condition (null: no residual, all do). */
  private residualHolds(batch: RecordBatch, pi: Int32Array, bi: Int32Array, pairs: number): Uint8Array | null {
    if (this.residual === null || pairs === 0) return null;
    // The residual reads a few columns of the pairs: only those are gathered (the generated loop
    // reads no other column, so the rest stay as they are, unaligned), into arrays used again
    // for the next batch (the candidates live only while the residual runs).
    const streamed = this.shape.streamOutput;
    const candidates = makeBatch(this.joinedSchema, this.ordered(this.gather(batch.columns, streamed, pi, pairs, 0), this.gather(this.build.columns, this.shape.buildOutput, bi, pairs, streamed.length)), pairs);
    const r = this.residual(candidates, this.residualVerdicts).columns[0]!;
    const keep = this.scratch.uint8(PAIR_KEPT, pairs);
    for (let x = 0; x < pairs; x++) keep[x] = r.values[x] === 1 && (r.nulls === null || r.nulls[x] !== 1) ? 1 : 0;
    return keep;
  }

  /** Output columns in left-then-right order from streamed and built columns. */
  private ordered(s: readonly Vector[], b: readonly Vector[]): Vector[] {
    return this.shape.buildLeft ? [...b, ...s] : [...s, ...b];
  }
}

export function nullVector(t: DataType, n: number): Vector {
  const b = new VectorBuilder(t, n);
  for (let i = 0; i < n; i++) b.append(null);
  return b.finish();
}

/** A build side's rows grouped by key: bucket g holds rows order[start[g] .. start[g + 1]). */
interface KeyBuckets {
  readonly table: GroupTable;
  readonly start: Int32Array;
  readonly order: Int32Array;
}

// HashJoinProbe's scratch slots: candidate pairs, the streamed rows' key groups, the pairs the
// residual keeps (int32); the residual's verdicts, which streamed rows matched (uint8).
const PAIR_STREAM_ROWS = 0, PAIR_BUILD_ROWS = 1, STREAM_GROUPS = 2, KEPT_STREAM_ROWS = 3, KEPT_BUILD_ROWS = 4;
const PAIR_KEPT = 0, STREAM_MATCHED = 1;

/** How many build sides this thread hashed (tests check that an unchanged one is hashed once). */
export const hashJoinBuilds = { count: 0 };

/**
 * Buckets built from key columns that are the build side's own vectors, by the first of them
 * (vectors are immutable): a stream-static join whose static side yields the same vectors every
 * micro-batch (a cached DataFrame, an in-memory table) hashes it once, not once per batch.
 */
const bucketsByKeyVector = new WeakMap<Vector, { readonly keys: readonly Vector[]; readonly rows: number; readonly nullMatches: string; readonly buckets: KeyBuckets }>();

function bucketsOf(build: RecordBatch, buildOutput: readonly AttributeRef[], keyExprs: readonly Expr[], keyTypes: readonly DataType[], nullMatches: readonly boolean[], keySchema: StructType, fctx: ExecFunctionContext): KeyBuckets {
  const at = keyExprs.map((e) => (e.kind === "AttributeRef" ? buildOutput.findIndex((a) => a.id === e.id) : -1));
  const direct = at.every((i, j) => i >= 0 && sameType(build.columns[i]!.type, keyTypes[j]!, true));
  if (!direct) return hashBuild(compileProjection(buildOutput, null, keyExprs, keySchema, fctx)(build).columns, build.numRows, keyTypes, nullMatches);
  const keys = at.map((i) => build.columns[i]!);
  const nm = nullMatches.map((x) => (x ? "1" : "0")).join("");
  const hit = bucketsByKeyVector.get(keys[0]!);
  if (hit !== undefined && hit.rows === build.numRows && hit.nullMatches === nm && hit.keys.length === keys.length && hit.keys.every((v, j) => v === keys[j])) return hit.buckets;
  const buckets = hashBuild(keys, build.numRows, keyTypes, nullMatches);
  bucketsByKeyVector.set(keys[0]!, { keys, rows: build.numRows, nullMatches: nm, buckets });
  return buckets;
}

/** Groups build rows by key into buckets; rows whose key has a null (for `=` keys) never match and are left out. */
function hashBuild(bk: readonly Vector[], m: number, keyTypes: readonly DataType[], nullMatches: readonly boolean[]): KeyBuckets {
  hashJoinBuilds.count++;
  const table = new GroupTable(keyTypes);
  const gids = new Int32Array(m);
  table.lookup(bk, m, gids);
  const skip = rowsWithNullKey(bk, m, nullMatches);
  const counts = new Int32Array(table.size + 1);
  for (let i = 0; i < m; i++) if (skip === null || skip[i] === 0) counts[gids[i]! + 1]!++;
  for (let g = 0; g < table.size; g++) counts[g + 1]! += counts[g]!;
  const start = counts.slice();
  const order = new Int32Array(m);
  const fill = counts.slice();
  for (let i = 0; i < m; i++) if (skip === null || skip[i] === 0) order[fill[gids[i]!]!++] = i;
  return { table, start, order };
}

/** 1 for the rows with a null in a key that nulls do not match (`=`), or null when there are none. */
function rowsWithNullKey(bk: readonly Vector[], m: number, nullMatches: readonly boolean[]): Uint8Array | null {
  let skip: Uint8Array | null = null;
  for (let j = 0; j < bk.length; j++) {
    const nulls = bk[j]!.nulls;
    if (nullMatches[j] || nulls === null) continue;
    skip ??= new Uint8Array(m);
    for (let i = 0; i < m; i++) skip[i] |= nulls[i]!;
  }
  return skip;
}
