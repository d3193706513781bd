import type { RecordBatch } from "../../batch/record-batch.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import type { StateStoreConf, StateStoreId, StateStoreMetrics } from "../../state/state-store.js";
import { type PartitionRunResult, type StatefulPartitionJob, jobStoreNames } from "../stateful/stateful-partition-job.js";
import { decodeBatches, encodeBatches } from "./batch-transfer.js";
import { NotShippableError, encodeTree } from "./plan-codec.js";
import { SluiceError } from "../../errors/errors.js";
import type { StatefulTask, StatefulTaskResult } from "./stateful-task.js";
import type { WorkerPool } from "./worker-pool.js";
import type { StateCommits } from "../stateful/state-partitions.js";

/**
 * Whether a failure on the workers means the operator cannot run there, though it can here: a
 * plan that cannot travel, a function that uses variables around it (functions travel as source
 * text), or source text that does not evaluate there (a class whose `extends` names one).
 * No partition committed (runs fail before commits), so the batch can run again here.
 */
export function cannotRunOnWorkers(e: unknown): boolean {
  if (e instanceof NotShippableError) return true;
  for (let c: unknown = e; c instanceof Error; c = c.cause) if (c instanceof SluiceError && (c.errorClass === "UDF_NOT_SELF_CONTAINED" || c.errorClass === "UDF_NOT_SHIPPABLE")) return true;
  return false;
}

/**
 * Whether a query's stateful partitions run on the worker threads: from the first batch with at
 * least `sluice.executor.minRowsPerTask` input rows on, and then for the rest of the run, so that
 * each partition's store stays loaded in the worker that owns it (small streams never move: a
 * thread hop costs more than their batches). Held by the query across batches.
 */
export class StatefulWorkers {
  private moved = false;
  constructor(
    readonly pool: WorkerPool,
    private readonly minRows: number,
  ) {}
  private stay = false;
  use(rows: number): boolean {
    if (!this.moved && !this.stay && rows >= this.minRows) this.moved = true;
    return this.moved && !this.stay;
  }
  /**
   * An operator cannot run on the workers (see cannotRunOnWorkers): the batch runs again on this
   * thread, and so does the rest of the run, with a warning naming why.
   */
  stayHere(why: unknown): void {
    this.stay = true;
    process.emitWarning(`Stateful operators of this query run on the calling thread, not the worker threads: ${why instanceof Error ? why.message : String(why)}`, { code: "SLUICE_STATE_NOT_PARALLEL" });
  }
  get used(): boolean {
    return this.moved;
  }
}

/** Counts of partition runs on worker threads (tests assert that partitions really ran there). */
export const statefulWorkerRuns = { partitions: 0 };

/**
 * The worker thread that owns state partition `p`: always the same one for a pool, so a
 * partition's store stays loaded in one thread between batches.
 */
export const ownerOf = (partitionId: number, pool: WorkerPool): number => partitionId % pool.size;

/** Where a batch's stores live and how its operators run (a subset of the incremental context). */
export interface WorkerJobContext {
  readonly checkpointDir: string;
  readonly batchId: number;
  readonly stores: { readonly conf: StateStoreConf };
  readonly fctx: ExecFunctionContext;
  /** Whether the stores do their maintenance after this batch's commit. */
  readonly maintainState: boolean;
  /** Commits wait for the batch's offsets to be durable (see StateCommits). */
  readonly stateCommits: StateCommits;
}

/**
 * Runs one batch of a stateful operator with each partition on the worker that owns it:
 * `inputs[p]` holds partition p's rows of each of the operator's inputs. Every partition runs (in
 * parallel, one per worker at a time), then, only if all succeeded, every partition commits its
 * stores; otherwise the ones that ran are aborted and the first failure is thrown. Throws
 * NotShippableError (before anything runs) if the job cannot travel. Returns each partition's
 * result and its stores' figures (in jobStoreNames order).
 */
export async function runJobOnWorkers(
  pool: WorkerPool,
  job: StatefulPartitionJob,
  inputs: readonly (readonly (readonly RecordBatch[])[])[],
  ctx: WorkerJobContext,
): Promise<{ results: PartitionRunResult[]; metrics: StateStoreMetrics[][] }> {
  const { encoded } = encodeTree(job);
  const names = jobStoreNames(job);
  const storesOf = (partitionId: number): StateStoreId[] =>
    names.map((storeName) => ({ checkpointLocation: ctx.checkpointDir, operatorId: job.operatorId, partitionId, ...(storeName === undefined ? {} : { storeName }) }));
  const ran = await Promise.allSettled(
    inputs.map((rows, p) => {
      // Copies, not moves: the rows may share buffers with data a source keeps for replay.
      const encoded2 = rows.map((r) => encodeBatches(r));
      const task: StatefulTask = { kind: "stateful-run", job: encoded, stores: storesOf(p), version: ctx.batchId, conf: ctx.stores.conf, inputs: encoded2.map((e) => e.batches), fctx: ctx.fctx };
      return pool.runOn(ownerOf(p, pool), task, encoded2.flatMap((e) => e.transfer));
    }),
  );
  const failed = ran.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    const aborts: Promise<StatefulTaskResult>[] = [];
    ran.forEach((r, p) => {
      if (r.status === "fulfilled") aborts.push(pool.runOn(ownerOf(p, pool), { kind: "stateful-abort", stores: storesOf(p) }));
    });
    await Promise.allSettled(aborts);
    throw failed.reason;
  }
  statefulWorkerRuns.partitions += inputs.length;
  const results = ran.map((r) => {
    const x = (r as PromiseFulfilledResult<StatefulTaskResult>).value;
    if (x.kind !== "ran") throw new Error("internal error: a stateful run returned no rows");
    return { output: decodeBatches(x.output), late: x.late.map((l) => decodeBatches(l)), droppedByWatermark: x.droppedByWatermark, ...(x.nextTimeoutMs === undefined ? {} : { nextTimeoutMs: x.nextTimeoutMs }) };
  });
  // Committed here, not deferred with the other operators' commits: the workers hold the stores.
  await ctx.stateCommits.offsetsDurable;
  const committed = await Promise.all(inputs.map((_, p) => pool.runOn(ownerOf(p, pool), { kind: "stateful-commit", stores: storesOf(p), maintain: ctx.maintainState })));
  const metrics = committed.map((c) => {
    if (c.kind !== "committed") throw new Error("internal error: a stateful commit returned no metrics");
    return [...c.metrics];
  });
  return { results, metrics };
}
