import type { RecordBatch } from "../../batch/record-batch.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import type { StateStoreConf, StateStoreId, StateStoreMetrics } from "../../state/state-store.js";
import type { StatefulPartitionJob } from "../stateful/stateful-partition-job.js";
import type { StatefulRunResult } from "../stateful/streaming-aggregate-exec.js";
import { decodeBatches, encodeBatches } from "./batch-transfer.js";
import { encodeTree } from "./plan-codec.js";
import type { StatefulTaskResult } from "./stateful-task.js";
import type { WorkerPool } from "./worker-pool.js";

/** Counts of partition runs on worker threads (tests assert that partitions really ran there). */
export const statefulWorkerRuns = { partitions: 0 };

/**
 * The worker thread that owns state partition `p`: always the same one for a pool, so a
 * partition's store stays loaded in one thread between batches.
 */
export const ownerOf = (partitionId: number, pool: WorkerPool): number => partitionId % pool.size;

/**
 * Runs one batch of a stateful operator with each partition on the worker that owns it: every
 * partition runs (in parallel, one per worker at a time), then, only if all succeeded, every
 * partition commits; otherwise the ones that ran are aborted and the first failure is thrown.
 * Throws NotShippableError (before anything runs) if the job cannot travel.
 */
export async function runJobOnWorkers(
  pool: WorkerPool,
  job: StatefulPartitionJob,
  parts: readonly (readonly RecordBatch[])[],
  storeOf: (partitionId: number) => StateStoreId,
  version: number,
  conf: StateStoreConf,
  fctx: ExecFunctionContext,
  maintain: boolean,
): Promise<{ results: StatefulRunResult[]; metrics: StateStoreMetrics[] }> {
  const { encoded } = encodeTree(job);
  const ran = await Promise.allSettled(
    parts.map((rows, p) => {
      // Copies, not moves: the rows may share buffers with data a source keeps for replay.
      const enc = encodeBatches(rows);
      return pool.runOn(ownerOf(p, pool), { kind: "stateful-run", job: encoded, store: storeOf(p), version, conf, rows: enc.batches, fctx }, enc.transfer);
    }),
  );
  const failed = ran.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    const aborts: Promise<StatefulTaskResult>[] = [];
    ran.forEach((r, p) => {
      if (r.status === "fulfilled") aborts.push(pool.runOn(ownerOf(p, pool), { kind: "stateful-abort", store: storeOf(p) }));
    });
    await Promise.allSettled(aborts);
    throw failed.reason;
  }
  statefulWorkerRuns.partitions += parts.length;
  const results = ran.map((r) => {
    const x = (r as PromiseFulfilledResult<StatefulTaskResult>).value;
    if (x.kind !== "ran") throw new Error("internal error: a stateful run returned no rows");
    return { output: decodeBatches(x.output), late: decodeBatches(x.late), droppedByWatermark: x.droppedByWatermark };
  });
  const committed = await Promise.all(parts.map((_, p) => pool.runOn(ownerOf(p, pool), { kind: "stateful-commit", store: storeOf(p), maintain })));
  const metrics = committed.map((c) => {
    if (c.kind !== "committed") throw new Error("internal error: a stateful commit returned no metrics");
    return c.metrics;
  });
  return { results, metrics };
}
