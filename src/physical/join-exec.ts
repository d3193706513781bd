import { type RecordBatch, concatBatches, emptyBatch, makeBatch, takeBatch } from "../batch/record-batch.js";
import { type Vector, VectorBuilder, takeVector } from "../batch/vector.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { referencedIds } from "../expr/expr-tree.js";
import { exprSql } from "../analyzer/expr-sql.js";
import type { JoinType } from "../plan/logical-plan.js";
import { type DataType, structField, structType } from "../types/data-type.js";
import { compileProjection } from "./codegen/projection.js";
import { GroupTable } from "./aggregate/group-table.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";

export interface EquiKey {
  readonly left: Expr;
  readonly right: Expr;
  /** `<=>`: nulls match nulls. */
  readonly nullSafe: boolean;
}

/** Which input of a hash join is held in memory (hashed); the other one is streamed through it. */
export type BuildSide = "left" | "right";

/** How the planner chose a hash join, for EXPLAIN: `BroadcastHashJoin` or `ShuffledHashJoin`. */
export type HashJoinKind = "broadcast" | "shuffled";

/**
 * Joins by hashing the build side (held in memory) and streaming the other side through it.
 * With no equi-join keys it compares every pair (nested loop, always building the right side).
 * Every join type works with either build side: unmatched streamed rows are emitted batch by
 * batch, unmatched (or, for semi/anti joins building the left side, matched) build rows after
 * the streamed side is exhausted. The planner only builds the sides Spark would.
 */
export class HashJoinExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];

  constructor(
    readonly left: PhysicalOp,
    readonly right: PhysicalOp,
    readonly joinType: JoinType,
    readonly keys: readonly EquiKey[],
    readonly residual: Expr | null,
    outputNullability: readonly AttributeRef[],
    readonly buildSide: BuildSide = "right",
    readonly kind: HashJoinKind = "shuffled",
  ) {
    this.children = [left, right];
    this.output = outputNullability;
    if (keys.length === 0 && buildSide !== "right") throw new Error("A nested-loop join builds its right side.");
    this.name = keys.length === 0 ? "BroadcastNestedLoopJoin" : kind === "broadcast" ? "BroadcastHashJoin" : "ShuffledHashJoin";
  }

  describe(): string {
    const ks = this.keys.map((k) => `${exprSql(k.left)} ${k.nullSafe ? "<=>" : "="} ${exprSql(k.right)}`).join(", ");
    const build = this.keys.length > 0 ? `, ${this.buildSide === "left" ? "BuildLeft" : "BuildRight"}` : "";
    return `[${ks}], ${this.joinType}${build}${this.residual ? `, ${exprSql(this.residual)}` : ""}`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const buildLeft = this.buildSide === "left";
    const streamOp = buildLeft ? this.right : this.left, buildOp = buildLeft ? this.left : this.right;
    const streamSchema = schemaOf(streamOp.output), buildSchema = schemaOf(buildOp.output);
    const buildBatches: RecordBatch[] = [];
    for await (const b of buildOp.execute(ctx)) if (b.numRows > 0) buildBatches.push(b);
    const build = buildBatches.length ? concatBatches(buildSchema, buildBatches) : emptyBatch(buildSchema);
    const m = build.numRows;
    const keyTypes = this.keys.map((k) => exprType(k.left));
    const nullMatches = this.keys.map((k) => k.nullSafe);
    const keySchema = structType(keyTypes.map((t, i) => structField(`_k${i}`, t)));
    const streamKeys = compileProjection(streamOp.output, null, this.keys.map((k) => (buildLeft ? k.right : k.left)), keySchema, ctx.fctx);
    const buildKeys = compileProjection(buildOp.output, null, this.keys.map((k) => (buildLeft ? k.left : k.right)), keySchema, ctx.fctx);

    // Build: group build rows by key; bucket g holds rows order[start[g] .. start[g+1]).
    let start = new Int32Array(1), order = new Int32Array(0);
    const table = new GroupTable(keyTypes);
    if (this.keys.length > 0 && m > 0) {
      const bk = buildKeys(build).columns;
      const gids = new Int32Array(m);
      table.lookup(bk, m, gids);
      // Rows whose key has a null (for `=` keys) never match: drop them from the buckets.
      const valid = (i: number): boolean => bk.every((v, j) => nullMatches[j] || v.nulls === null || v.nulls[i] !== 1);
      const counts = new Int32Array(table.size + 1);
      for (let i = 0; i < m; i++) if (valid(i)) counts[gids[i]! + 1]!++;
      for (let g = 0; g < table.size; g++) counts[g + 1]! += counts[g]!;
      start = counts.slice();
      order = new Int32Array(m);
      const fill = counts.slice();
      for (let i = 0; i < m; i++) if (valid(i)) order[fill[gids[i]!]!++] = i;
    }
    const joinedOutput = [...this.left.output, ...this.right.output];
    const joinedSchema = schemaOf(joinedOutput);
    const residual = this.residual ? compileProjection(joinedOutput, null, [this.residual], structType([structField("c", { kind: "boolean" })]), ctx.fctx) : null;
    // The residual reads a few columns of the candidate pairs: only those are gathered (the
    // generated loop reads no other column, so the rest stay as they are, unaligned).
    const residualIds = new Set<number>();
    if (this.residual) referencedIds(this.residual, residualIds);
    const gatherForResidual = (cols: readonly Vector[], attrs: readonly AttributeRef[], idx: Int32Array, count: number): Vector[] =>
      cols.map((c, j) => (residualIds.has(attrs[j]!.id) ? takeVector(c, idx, count) : c));
    const outSchema = schemaOf(this.output);
    const jt = this.joinType;
    const semiOrAnti = jt === "left_semi" || jt === "left_anti";
    // Outer joins from the point of view of the streamed and the built side.
    const streamOuter = jt === "full_outer" || jt === (buildLeft ? "right_outer" : "left_outer");
    const buildOuter = jt === "full_outer" || jt === (buildLeft ? "left_outer" : "right_outer");
    const buildMatched = buildOuter || (buildLeft && semiOrAnti) ? new Uint8Array(m) : null;
    /** Output columns in left-then-right order from streamed and built columns. */
    const ordered = (s: readonly Vector[], b: readonly Vector[]): Vector[] => (buildLeft ? [...b, ...s] : [...s, ...b]);

    for await (const whole of streamOp.execute(ctx)) for (const probe of this.keys.length === 0 ? slicesForPairs(whole, m) : [whole]) {
      const n = probe.numRows;
      if (n === 0) continue;
      // Candidate pairs (probe row, build row): the first `pairs` entries of pi and bi.
      let pi: Int32Array<ArrayBuffer> = new Int32Array(n), bi: Int32Array<ArrayBuffer> = new Int32Array(n), pairs = 0;
      const addPair = (i: number, j: number): void => {
        if (pairs === pi.length) {
          const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
            const b = new Int32Array(a.length * 2);
            b.set(a);
            return b;
          };
          pi = grow(pi);
          bi = grow(bi);
        }
        pi[pairs] = i;
        bi[pairs++] = j;
      };
      if (this.keys.length > 0) {
        const pk = streamKeys(probe).columns;
        const g = new Int32Array(n);
        if (m > 0) table.probe(pk, n, g, nullMatches);
        else g.fill(-1);
        for (let i = 0; i < n; i++) {
          const grp = g[i]!;
          if (grp < 0) continue;
          for (let x = start[grp]!; x < start[grp + 1]!; x++) addPair(i, order[x]!);
        }
      } else {
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) addPair(i, j);
      }
      let keep: Uint8Array | null = null;
      if (residual && pairs > 0) {
        const candidates = makeBatch(joinedSchema, ordered(gatherForResidual(probe.columns, streamOp.output, pi, pairs), gatherForResidual(build.columns, buildOp.output, bi, pairs)), pairs);
        const r = residual(candidates).columns[0]!;
        keep = new Uint8Array(pairs);
        for (let x = 0; x < pairs; x++) keep[x] = r.values[x] === 1 && (r.nulls === null || r.nulls[x] !== 1) ? 1 : 0;
      }
      const probeMatched = new Uint8Array(n);
      let outP = pi, outB = bi, kept = pairs;
      if (keep !== null) {
        outP = new Int32Array(pairs);
        outB = new Int32Array(pairs);
        kept = 0;
        for (let x = 0; x < pairs; x++) {
          if (keep[x] === 0) continue;
          outP[kept] = pi[x]!;
          outB[kept++] = bi[x]!;
        }
      }
      for (let x = 0; x < kept; x++) {
        probeMatched[outP[x]!] = 1;
        if (buildMatched) buildMatched[outB[x]!] = 1;
      }
      if (semiOrAnti) {
        if (buildLeft) continue;
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if ((probeMatched[i] === 1) === (jt === "left_semi")) rows.push(i);
        if (rows.length) yield makeBatch(outSchema, takeBatch(probe, rows).columns, rows.length);
        continue;
      }
      const parts: RecordBatch[] = [];
      if (kept > 0) parts.push(makeBatch(outSchema, ordered(probe.columns.map((c) => takeVector(c, outP, kept)), build.columns.map((c) => takeVector(c, outB, kept))), kept));
      if (streamOuter) {
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if (probeMatched[i] === 0) rows.push(i);
        if (rows.length) parts.push(makeBatch(outSchema, ordered(probe.columns.map((c) => takeVector(c, rows)), buildSchema.fields.map((f) => nullVector(f.dataType, rows.length))), rows.length));
      }
      for (const p of parts) yield p;
    }
    if (buildMatched) {
      // Outer joins: the build rows nothing matched. Semi/anti joins building the left side: the
      // left rows something did (or did not) match.
      const want = jt === "left_semi" ? 1 : 0;
      const rows: number[] = [];
      for (let j = 0; j < m; j++) if (buildMatched[j] === want) rows.push(j);
      if (rows.length === 0) return;
      if (semiOrAnti) yield makeBatch(outSchema, takeBatch(build, rows).columns, rows.length);
      else yield makeBatch(outSchema, ordered(streamSchema.fields.map((f) => nullVector(f.dataType, rows.length)), build.columns.map((c) => takeVector(c, rows))), rows.length);
    }
  }
}

/**
 * A nested-loop join pairs every probe row with every build row; the probe batch is cut so that
 * one slice makes at most MAX_PAIRS candidate pairs (the pair arrays stay far below V8's limits).
 */
const MAX_PAIRS = 1 << 22;
function slicesForPairs(b: RecordBatch, buildRows: number): RecordBatch[] {
  const n = b.numRows;
  if (n * buildRows <= MAX_PAIRS) return [b];
  const step = Math.max(1, Math.floor(MAX_PAIRS / Math.max(1, buildRows)));
  const out: RecordBatch[] = [];
  for (let s = 0; s < n; s += step) out.push(takeBatch(b, Array.from({ length: Math.min(step, n - s) }, (_, i) => s + i)));
  return out;
}

export function nullVector(t: DataType, n: number): Vector {
  const b = new VectorBuilder(t, n);
  for (let i = 0; i < n; i++) b.append(null);
  return b.finish();
}
