import { type RecordBatch, concatBatches, emptyBatch, takeBatch } from "../../batch/record-batch.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import { semanticEquals } from "../../expr/expr-tree.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { type LogicalPlan, Plan, transformUp } from "../../plan/logical-plan.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { type ExecContext, type PhysicalOp, schemaOf } from "../physical-op.js";
import { type ProgressReport, ProgressTally } from "../progress-tally.js";
import { type PlannerOptions, planPhysical } from "../planner.js";
import { type TransferBatch, encodeBatches } from "./batch-transfer.js";
import { partitionIds, rowsByPartition } from "./hash-partitioner.js";
import { type Encoded, type UdfRebuilder, decodeTree } from "./plan-codec.js";
import { MAP_ROWS, type SkippablePartial } from "./adaptive-partial.js";

/** What a task needs of the query's execution context (all of it survives structured clone). */
export interface TaskSettings {
  readonly fctx: ExecFunctionContext;
  readonly batchSize: number;
  readonly memoryLimitBytes: number;
  readonly shufflePartitions: number;
  readonly planner: PlannerOptions;
  /** The run of a stage its map tasks belong to (unique in the process): they share the build sides they all read (ExecContext.stageBuilds). */
  readonly stageRun?: number;
}

/** The build sides read by map tasks of the latest stage run on this worker; replaced when a task of another run comes (at most one run's kept). */
let stageBuilds: { run: number; builds: Map<string, Promise<RecordBatch>> } | null = null;

function buildsOfRun(run: number | undefined): Map<string, Promise<RecordBatch>> | undefined {
  if (run === undefined) return undefined;
  if (stageBuilds?.run !== run) stageBuilds = { run, builds: new Map() };
  return stageBuilds.builds;
}

/**
 * One task of a parallel stage, run by a worker thread:
 * - map: run a plan fragment over one split of the input; with an exchange, cut its output
 *   into shuffle partitions by the hash of the keys;
 * - reduce: run a plan over the rows of some shuffle partitions (given in the plan as in-memory rows).
 */
export type StageTask =
  | { readonly kind: "map"; readonly body: Encoded<MapBody>; readonly partitions: number; readonly settings: TaskSettings }
  | { readonly kind: "reduce"; readonly body: Encoded<{ plan: LogicalPlan; keys: readonly Expr[] | null }>; readonly settings: TaskSettings };

/**
 * A map task's plan and the keys its output is hash-partitioned by. With `cellKeys` too, the
 * output is cut into partitions x partitions cells, cell = p(cellKeys) * partitions + p(keys)
 * (see StageExchange.oneRound).
 */
interface MapBody {
  readonly plan: LogicalPlan;
  readonly keys: readonly Expr[] | null;
  readonly cellKeys?: readonly Expr[] | null;
  readonly partial?: SkippablePartial | null;
}

/**
 * A task's rows: the plan's output batches, or (map with an exchange) one list per shuffle
 * partition, for exchange input `input` when it is not the task's own (a skipped partial aggregation).
 */
export type StageResult = ({ readonly batches: TransferBatch[] } | { readonly partitions: TransferBatch[][]; readonly input?: number }) & { readonly progress?: ProgressReport };

export async function runStageTask(task: StageTask, rebuildUdf: UdfRebuilder): Promise<{ result: StageResult; transfer: ArrayBuffer[] }> {
  const { plan, keys, cellKeys, partial } = decodeTree<MapBody>(task.body, rebuildUdf);
  const s = task.settings;
  const progress = new ProgressTally();
  // Only map tasks carry a stage run.
  const builds = buildsOfRun(s.stageRun);
  const ctx: ExecContext = { fctx: s.fctx, batchSize: s.batchSize, memoryLimitBytes: s.memoryLimitBytes, shufflePartitions: s.shufflePartitions, progress, ...(builds ? { stageBuilds: builds } : {}) };
  const op = planPhysical(plan, s.planner);
  const run = async (): Promise<{ result: StageResult; transfer: ArrayBuffer[] }> => {
    if (task.kind === "reduce" || keys === null) {
      const out: RecordBatch[] = [];
      for await (const b of op.execute(ctx)) if (b.numRows > 0) out.push(b);
      const enc = encodeBatches(out);
      return { result: { batches: enc.batches }, transfer: enc.transfer };
    }
    if (partial) return partialOrRows(op, keys, partial, task.partitions, ctx, s);
    return partitioned(op.output, op.execute(ctx), keys, cellKeys ?? null, task.partitions, s.fctx);
  };
  const { result, transfer } = await run();
  return { result: { ...result, progress: progress.report() }, transfer };
}

/**
 * A map task that may aggregate partially (adaptive-partial.ts): its rows are read whole, a
 * sample of them aggregated, and when the sample has few groups per row, all of them are
 * aggregated and the partials sent; else the rows themselves go to exchange input 1.
 */
async function partialOrRows(op: PhysicalOp, keys: readonly Expr[], partial: SkippablePartial, partitions: number, ctx: ExecContext, s: TaskSettings): Promise<{ result: StageResult; transfer: ArrayBuffer[] }> {
  const rows: RecordBatch[] = [];
  for await (const b of op.execute(ctx)) if (b.numRows > 0) rows.push(b);
  // The partial aggregation over some of the rows, in place of its MAP_ROWS relation.
  const aggregateOver = (batches: readonly RecordBatch[]): PhysicalOp =>
    planPhysical(transformUp(partial.plan, (n) => (n.kind === "LocalRelation" && n.description === MAP_ROWS ? Plan.localRelation(op.output, batches) : n)), s.planner);
  const sample: RecordBatch[] = [];
  let sampled = 0;
  for (const b of rows) {
    if (sampled >= partial.sampleRows) break;
    sample.push(b);
    sampled += b.numRows;
  }
  let groups = 0;
  for await (const b of aggregateOver(sample).execute(ctx)) groups += b.numRows;
  if (groups > partial.maxGroupsPerRow * sampled) {
    const { result, transfer } = await partitioned(op.output, rows, keys, null, partitions, s.fctx);
    return { result: { ...result, input: 1 }, transfer };
  }
  const agg = aggregateOver(rows);
  return partitioned(agg.output, agg.execute(ctx), partial.keys, null, partitions, s.fctx);
}

/**
 * Rows cut into `n` shuffle partitions by the hash of `keys` (with `cellKeys`, into n x n cells,
 * cell = p(cellKeys) * n + p(keys)), one batch per partition, encoded for transfer. The input is
 * held whole (its partitions go out together anyway) and cut once: a gather per cell, not one per
 * cell and input batch then a concatenation (Nexmark q11: 16 cells x 30 batches of a task).
 */
async function partitioned(output: readonly AttributeRef[], batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>, keys: readonly Expr[], cellKeys: readonly Expr[] | null, n: number, fctx: ExecFunctionContext): Promise<{ result: StageResult; transfer: ArrayBuffer[] }> {
  const keyOf = keyProjection(output, keys, fctx);
  // The grid's two hashes are often of the same keys (a window partitioned as it is grouped).
  const sameKeys = cellKeys !== null && cellKeys.length === keys.length && cellKeys.every((k, i) => semanticEquals(k, keys[i]!));
  const cellKeyOf = cellKeys && !sameKeys ? keyProjection(output, cellKeys, fctx) : null;
  const cells = cellKeys ? n * n : n;
  const held: RecordBatch[] = [], idsOf: Int32Array[] = [];
  for await (const b of batches) {
    if (b.numRows === 0) continue;
    const ids = partitionIds(keyOf(b).columns, b.numRows, n);
    if (cellKeyOf) {
      const kps = partitionIds(cellKeyOf(b).columns, b.numRows, n);
      for (let i = 0; i < b.numRows; i++) ids[i] = kps[i]! * n + ids[i]!;
    } else if (sameKeys) for (let i = 0; i < b.numRows; i++) ids[i] = ids[i]! * (n + 1);
    held.push(b);
    idsOf.push(ids);
  }
  const schema = schemaOf(output);
  const all = held.length === 0 ? emptyBatch(schema) : concatBatches(schema, held);
  const ids = idsOf.length === 1 ? idsOf[0]! : new Int32Array(all.numRows);
  if (idsOf.length > 1) {
    let at = 0;
    for (const part of idsOf) {
      ids.set(part, at);
      at += part.length;
    }
  }
  const rows = rowsByPartition(ids, all.numRows, cells);
  const transfer: ArrayBuffer[] = [];
  // The gathered batches are fresh, so their buffers move.
  const partitions = rows.map((r) => {
    if (r.length === 0) return [];
    const enc = encodeBatches([takeBatch(all, r)], { owned: true });
    transfer.push(...enc.transfer);
    return enc.batches;
  });
  return { result: { partitions }, transfer };
}

function keyProjection(input: readonly AttributeRef[], keys: readonly Expr[], fctx: ExecFunctionContext): (b: RecordBatch) => RecordBatch {
  const keySchema = structType(keys.map((k, i) => structField(`_k${i}`, exprType(k), true)));
  return compileProjection(input, null, keys, keySchema, fctx);
}
