import * as path from "node:path";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { StateStoreCoordinator } from "../../state/state-store-registry.js";
import { type StateStore, type StateStoreConf, type StateStoreId, type StateStoreMetrics, commitStore } from "../../state/state-store.js";
import { type StatefulPartitionJob, statefulJobRunner } from "../stateful/stateful-partition-job.js";
import { type TransferBatch, decodeBatches, encodeBatches } from "./batch-transfer.js";
import { type Encoded, type UdfRebuilder, decodeTree } from "./plan-codec.js";

/**
 * A task for the worker thread that owns a state partition (WorkerPool.runOn). One batch of an
 * operator is two round trips per partition: `run` opens the partition's store at the batch's
 * version, runs the operator over the partition's rows and keeps the store open; once every
 * partition ran, `commit` (or, if any failed, `abort`) ends it. So no partition commits a batch
 * that another partition failed. The worker keeps its stores loaded between batches; `unload`
 * drops those of a stopped query.
 */
export type StatefulTask =
  | {
      readonly kind: "stateful-run";
      readonly job: Encoded<StatefulPartitionJob>;
      readonly store: StateStoreId;
      readonly version: number;
      readonly conf: StateStoreConf;
      readonly rows: readonly TransferBatch[];
      readonly fctx: ExecFunctionContext;
    }
  /** `maintain`: then write a snapshot if due and delete files no retained version needs. */
  | { readonly kind: "stateful-commit"; readonly store: StateStoreId; readonly maintain: boolean }
  | { readonly kind: "stateful-abort"; readonly store: StateStoreId }
  | { readonly kind: "stateful-unload"; readonly checkpointLocation: string };

export type StatefulTaskResult =
  | { readonly kind: "ran"; readonly output: readonly TransferBatch[]; readonly late: readonly TransferBatch[]; readonly droppedByWatermark: number }
  | { readonly kind: "committed"; readonly metrics: StateStoreMetrics }
  | { readonly kind: "done" };

export const isStatefulTask = (t: { readonly kind: string }): t is StatefulTask => t.kind.startsWith("stateful-");

/** This thread's loaded stores, one coordinator per store settings, and the stores a run left open for its commit. */
const coordinators = new Map<string, StateStoreCoordinator>();
const openStores = new Map<string, { store: StateStore; coordinator: StateStoreCoordinator }>();
const keyOf = (id: StateStoreId): string => StateStoreCoordinator.keyOf(id);

export async function runStatefulTask(task: StatefulTask, rebuildUdf: UdfRebuilder): Promise<{ result: StatefulTaskResult; transfer: ArrayBuffer[] }> {
  switch (task.kind) {
    case "stateful-run": {
      const confKey = JSON.stringify(task.conf);
      let coordinator = coordinators.get(confKey);
      if (coordinator === undefined) coordinators.set(confKey, (coordinator = new StateStoreCoordinator(task.conf)));
      const k = keyOf(task.store);
      // A run whose commit never came (the main thread failed in between) is dropped first.
      openStores.get(k)?.store.abort();
      openStores.delete(k);
      const store = coordinator.getStore<never>(task.store, task.version);
      try {
        const run = statefulJobRunner(decodeTree(task.job, rebuildUdf), task.fctx);
        const r = run(decodeBatches(task.rows), store);
        openStores.set(k, { store, coordinator });
        // One encoding for both lists: a late batch may share buffers with an output batch.
        const enc = encodeBatches([...r.output, ...r.late], { owned: true });
        return { result: { kind: "ran", output: enc.batches.slice(0, r.output.length), late: enc.batches.slice(r.output.length), droppedByWatermark: r.droppedByWatermark }, transfer: enc.transfer };
      } catch (e) {
        store.abort();
        throw e;
      }
    }
    case "stateful-commit": {
      const open = takeOpen(task.store);
      await commitStore(open.store);
      const metrics = open.store.metrics();
      // Snapshots and cleanup here, off the main thread; the batch's files are durable already.
      if (task.maintain) open.coordinator.provider(task.store).maintenance();
      return { result: { kind: "committed", metrics }, transfer: [] };
    }
    case "stateful-abort": {
      const k = keyOf(task.store);
      openStores.get(k)?.store.abort();
      openStores.delete(k);
      return { result: { kind: "done" }, transfer: [] };
    }
    case "stateful-unload": {
      const dir = path.resolve(task.checkpointLocation);
      for (const [k, o] of openStores) {
        if ((JSON.parse(k) as unknown[])[0] === dir) {
          o.store.abort();
          openStores.delete(k);
        }
      }
      for (const c of coordinators.values()) await c.unloadCheckpoint(dir);
      return { result: { kind: "done" }, transfer: [] };
    }
  }
}

function takeOpen(id: StateStoreId): { store: StateStore; coordinator: StateStoreCoordinator } {
  const k = keyOf(id);
  const open = openStores.get(k);
  if (open === undefined) throw new Error(`internal error: no open state store for operator ${id.operatorId} partition ${id.partitionId} in this worker thread`);
  openStores.delete(k);
  return open;
}
