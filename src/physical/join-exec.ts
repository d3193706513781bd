import { type RecordBatch, concatBatches, emptyBatch, takeBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprSql } from "../analyzer/expr-sql.js";
import type { JoinType } from "../plan/logical-plan.js";
import { HashJoinProbe } from "./join-probe.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "./physical-op.js";
import { DataSourceScanExec } from "./data-source-scan-exec.js";
import { ProjectFilterExec } from "./project-filter-exec.js";
import { isDeterministic } from "../optimizer/optimizer-helpers.js";
import { batchSource } from "../connectors/source-registry.js";
import { sameType } from "../types/data-type.js";
import { valueAt } from "../batch/vector.js";
import { collectBatches, schemaOf } from "./physical-op.js";

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
    this.runtimeFilter = runtimeFilterOf(this);
  }

  /**
   * An inner join on one key that streams a source scan able to skip rows (Spark's runtime
   * filter): when the build side has few keys, the scan is told them, and skips the rows that
   * could not match before building their other columns. Nexmark q7: 20 highest prices, whose
   * bids alone get their `extra` text made.
   */
  readonly runtimeFilter: { readonly column: string; readonly buildColumn: number } | null;

  describe(): string {
    const ks = this.keys.map((k) => `${exprSql(k.left)} ${k.nullSafe ? "<=>" : "="} ${exprSql(k.right)}`).join(", ");
    const build = this.keys.length > 0 ? `, ${this.buildSide === "left" ? "BuildLeft" : "BuildRight"}` : "";
    const rf = this.runtimeFilter !== null ? `, RuntimeFilter: ${this.runtimeFilter.column}` : "";
    return `[${ks}], ${this.joinType}${build}${this.residual ? `, ${exprSql(this.residual)}` : ""}${rf}`;
  }

  /** How the streamed side is read: refilled arrays (the probe copies what it outputs), and the build keys as a runtime filter. */
  private streamOptions(build: RecordBatch): ExecOptions {
    const rf = this.runtimeFilter;
    if (rf === null || build.numRows > RUNTIME_FILTER_MAX_ROWS) return { reuseBuffers: true };
    const keys = build.columns[rf.buildColumn]!, values = new Set<unknown>();
    for (let i = 0; i < build.numRows; i++) {
      const v = valueAt(keys, i);
      if (v !== null) values.add(v);
    }
    return { reuseBuffers: true, runtimeFilters: [{ op: "in", column: rf.column, values: [...values] }] };
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const { build, join, streamOp } = await this.buildSideOf(ctx);
    // The probe copies the streamed rows it outputs (takeVector) before the next batch is asked
    // for: the streamed side may refill its arrays.
    for await (const whole of streamOp.execute(ctx, this.streamOptions(build))) {
      for (const slice of this.keys.length === 0 ? slicesForPairs(whole, build.numRows) : [whole]) yield* join.probe(slice);
    }
    const rest = join.unmatchedBuild();
    if (rest !== null) yield rest;
  }

  /** Whether `executeMatches` can stand for `execute`: an inner join on equal keys. */
  get yieldsMatches(): boolean {
    return this.joinType === "inner" && this.keys.length > 0;
  }

  /**
   * An inner equi-join's output as pairs of row numbers, not yet copied out: per streamed batch,
   * the matching (streamed row, build row) pairs in the order `execute` outputs them. For a
   * consumer that keeps few of the joined rows (WindowGroupLimitExec): it copies what it keeps
   * of `stream` and the pair arrays before asking for the next (they are reused); `build` lives on.
   */
  async *executeMatches(ctx: ExecContext): AsyncIterable<JoinMatches> {
    if (!this.yieldsMatches) throw new Error("executeMatches: only for an inner join on equal keys");
    const { build, join, streamOp } = await this.buildSideOf(ctx);
    for await (const stream of streamOp.execute(ctx, this.streamOptions(build))) {
      const { pi, bi, pairs } = join.matches(stream);
      if (pairs > 0) yield { stream, build, pi, bi, pairs };
    }
  }

  private async buildSideOf(ctx: ExecContext): Promise<{ build: RecordBatch; join: HashJoinProbe; streamOp: PhysicalOp }> {
    const buildLeft = this.buildSide === "left";
    const streamOp = buildLeft ? this.right : this.left, buildOp = buildLeft ? this.left : this.right;
    const builds = ctx.stageBuilds, key = builds ? copiedBuildKey(buildOp) : null;
    let read: Promise<RecordBatch>;
    if (builds && key !== null) builds.set(key, (read = builds.get(key) ?? readBuildSide(buildOp, ctx)));
    else read = readBuildSide(buildOp, ctx);
    const build = await read;
    const shape = { streamOutput: streamOp.output, buildOutput: buildOp.output, buildLeft, keys: this.keys, residual: this.residual, joinType: this.joinType, output: this.output };
    return { build, join: new HashJoinProbe(shape, build, ctx.fctx), streamOp };
  }
}

async function readBuildSide(buildOp: PhysicalOp, ctx: ExecContext): Promise<RecordBatch> {
  const batches = await collectBatches(buildOp, ctx), schema = schemaOf(buildOp.output);
  return batches.length ? concatBatches(schema, batches) : emptyBatch(schema);
}

/**
 * What identifies a build side read the same way by every map task of a stage: a scan of a batch
 * source (its options, columns and filters) under deterministic projections and filters. Null for
 * anything else, in-memory rows above all (a reduce task's shuffled partitions print alike and differ).
 * Nexmark q4 joins each split of the bids with all 120,000 auctions: generating them took 35-60 ms
 * of every one of eight tasks.
 */
export function copiedBuildKey(op: PhysicalOp): string | null {
  const parts: string[] = [];
  for (let node: PhysicalOp = op; ; ) {
    if (node instanceof DataSourceScanExec) {
      const r = node.relation;
      if (r.isStreaming || r.microBatch !== undefined) return null;
      parts.push(`${node.name} ${node.describe()} ${JSON.stringify([r.resolved, r.requiredColumns], (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`);
      return parts.join("\n");
    }
    if (!(node instanceof ProjectFilterExec) || ![node.condition, ...(node.projectList ?? [])].every((e) => e === null || isDeterministic(e))) return null;
    parts.push(`${node.name} ${node.describe()}`);
    node = node.child;
  }
}

/** A build side of more rows than this sends no runtime filter (the source would test a large set per row). */
export const RUNTIME_FILTER_MAX_ROWS = 4096;

function runtimeFilterOf(j: HashJoinExec): HashJoinExec["runtimeFilter"] {
  if (j.joinType !== "inner" || j.keys.length !== 1 || j.keys[0]!.nullSafe) return null;
  const buildLeft = j.buildSide === "left";
  const stream = buildLeft ? j.right : j.left, buildOp = buildLeft ? j.left : j.right;
  // Not a micro-batch's scan: its rows read are the query's input rows (progress).
  if (!(stream instanceof DataSourceScanExec) || stream.relation.microBatch !== undefined || batchSource(stream.relation.format).runtimeFilters !== true) return null;
  const sk = buildLeft ? j.keys[0]!.right : j.keys[0]!.left, bk = buildLeft ? j.keys[0]!.left : j.keys[0]!.right;
  if (sk.kind !== "AttributeRef" || bk.kind !== "AttributeRef" || !sameType(sk.dataType, bk.dataType)) return null;
  const buildColumn = buildOp.output.findIndex((a) => a.id === bk.id);
  if (buildColumn < 0 || !stream.output.some((a) => a.id === sk.id)) return null;
  return { column: sk.name, buildColumn };
}

/** One streamed batch's matches (HashJoinExec.executeMatches): joined row x is stream row pi[x] with build row bi[x]. */
export interface JoinMatches {
  readonly stream: RecordBatch;
  readonly build: RecordBatch;
  readonly pi: Int32Array;
  readonly bi: Int32Array;
  readonly pairs: number;
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
