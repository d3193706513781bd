import { tmpdir } from "node:os";
import { type RecordBatch, concatBatches, takeBatch } from "../../batch/record-batch.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import type { LogicalPlan } from "../../plan/logical-plan.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import type { ExecContext } from "../physical-op.js";
import { type PlannerOptions, planPhysical } from "../planner.js";
import { type TransferBatch, encodeBatches } from "./batch-transfer.js";
import { partitionIds, rowsByPartition } from "./hash-partitioner.js";
import { type Encoded, type UdfRebuilder, decodeTree } from "./plan-codec.js";

/** What a task needs of the query's execution context (all of it survives structured clone). */
export interface TaskSettings {
  readonly fctx: ExecFunctionContext;
  readonly batchSize: number;
  readonly memoryLimitBytes: number;
  readonly shufflePartitions: number;
  readonly planner: PlannerOptions;
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
}

/** A task's rows: the plan's output batches, or (map with an exchange) one list per shuffle partition. */
export type StageResult = { readonly batches: TransferBatch[] } | { readonly partitions: TransferBatch[][] };

export async function runStageTask(task: StageTask, rebuildUdf: UdfRebuilder): Promise<{ result: StageResult; transfer: ArrayBuffer[] }> {
  const { plan, keys, cellKeys } = decodeTree<MapBody>(task.body, rebuildUdf);
  const s = task.settings;
  const ctx: ExecContext = { fctx: s.fctx, batchSize: s.batchSize, memoryLimitBytes: s.memoryLimitBytes, spillDir: tmpdir(), shufflePartitions: s.shufflePartitions };
  const op = planPhysical(plan, s.planner);
  if (task.kind === "reduce" || keys === null) {
    const out: RecordBatch[] = [];
    for await (const b of op.execute(ctx)) if (b.numRows > 0) out.push(b);
    const enc = encodeBatches(out);
    return { result: { batches: enc.batches }, transfer: enc.transfer };
  }
  const n = task.partitions;
  const keyOf = keyProjection(op.output, keys, s.fctx);
  const cellKeyOf = cellKeys ? keyProjection(op.output, cellKeys, s.fctx) : null;
  const cells = cellKeyOf ? n * n : n;
  const pieces: RecordBatch[][] = Array.from({ length: cells }, () => []);
  let ids = new Int32Array(0), kps = new Int32Array(0);
  for await (const b of op.execute(ctx)) {
    if (b.numRows === 0) continue;
    if (ids.length < b.numRows) ids = new Int32Array(b.numRows);
    partitionIds(keyOf(b).columns, b.numRows, n, ids);
    if (cellKeyOf) {
      if (kps.length < b.numRows) kps = new Int32Array(b.numRows);
      partitionIds(cellKeyOf(b).columns, b.numRows, n, kps);
      for (let i = 0; i < b.numRows; i++) ids[i] = kps[i]! * n + ids[i]!;
    }
    const rows = rowsByPartition(ids, b.numRows, cells);
    for (let p = 0; p < cells; p++) if (rows[p]!.length > 0) pieces[p]!.push(takeBatch(b, rows[p]!));
  }
  // One batch per partition: the reduce side gets few large batches; these are fresh, so they move.
  const merged = pieces.map((ps) => (ps.length === 0 ? [] : [concatBatches(ps[0]!.schema, ps)]));
  const transfer: ArrayBuffer[] = [];
  const partitions = merged.map((bs) => {
    const enc = encodeBatches(bs, { owned: true });
    transfer.push(...enc.transfer);
    return enc.batches;
  });
  return { result: { partitions }, transfer };
}

function keyProjection(input: readonly AttributeRef[], keys: readonly Expr[], fctx: ExecFunctionContext): (b: RecordBatch) => RecordBatch {
  const keySchema = structType(keys.map((k, i) => structField(`_k${i}`, exprType(k), true)));
  return compileProjection(input, null, keys, keySchema, fctx);
}
