import * as path from "node:path";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { StateStoreCoordinator } from "../../state/state-store-registry.js";
import { type StateStore, type StateStoreConf, type StateStoreId, type StateStoreMetrics, commitStore } from "../../state/state-store.js";
import { type StatefulPartitionJob, partitionRunner } from "../stateful/stateful-partition-job.js";
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
      /** The partition's stores, in the order the job's runner takes them (jobStoreNames). */
      readonly stores: readonly StateStoreId[];
      readonly version: number;
      readonly conf: StateStoreConf;
      /** The partition's rows of each input of the operator. */
      readonly inputs: readonly (readonly TransferBatch[])[];
      readonly fctx: ExecFunctionContext;
    }
  /** `maintain`: then write snapshots if due and delete files no retained version needs. */
  | { readonly kind: "stateful-commit"; readonly stores: readonly StateStoreId[]; readonly maintain: boolean }
  | { readonly kind: "stateful-abort"; readonly stores: readonly StateStoreId[] }
  | { readonly kind: "stateful-unload"; readonly checkpointLocation: string };

export type StatefulTaskResult =
  | { readonly kind: "ran"; readonly output: readonly TransferBatch[]; readonly late: readonly (readonly TransferBatch[])[]; readonly droppedByWatermark: number; readonly nextTimeoutMs?: number }
  | { readonly kind: "committed"; readonly metrics: readonly StateStoreMetrics[] }
  | { readonly kind: "done" };

export const isStatefulTask = (t: { readonly kind: string }): t is StatefulTask => t.kind.startsWith("stateful-");

interface OpenPartition {
  readonly stores: StateStore[];
  readonly coordinator: StateStoreCoordinator;
}

/** This thread's loaded stores, one coordinator per store settings, and the partitions a run left open for their commit (by first store). */
const coordinators = new Map<string, StateStoreCoordinator>();
const openPartitions = new Map<string, OpenPartition>();
const keyOf = (ids: readonly StateStoreId[]): string => StateStoreCoordinator.keyOf(ids[0]!);
const abortAll = (o: OpenPartition | undefined): void => {
  for (const st of o?.stores ?? []) if (!st.committed) st.abort();
};

export async function runStatefulTask(task: StatefulTask, rebuildUdf: UdfRebuilder): Promise<{ result: StatefulTaskResult; transfer: ArrayBuffer[] }> {
  switch (task.kind) {
    case "stateful-run": {
      const confKey = JSON.stringify(task.conf);
      let coordinator = coordinators.get(confKey);
      if (coordinator === undefined) coordinators.set(confKey, (coordinator = new StateStoreCoordinator(task.conf)));
      const k = keyOf(task.stores);
      // A run whose commit never came (the main thread failed in between) is dropped first.
      abortAll(openPartitions.get(k));
      openPartitions.delete(k);
      const open: OpenPartition = { stores: [], coordinator };
      try {
        for (const id of task.stores) open.stores.push(coordinator.getStore<never>(id, task.version));
        const run = partitionRunner(decodeTree(task.job, rebuildUdf), task.fctx);
        const r = run(task.inputs.map((i) => decodeBatches(i)), open.stores as StateStore<never>[]);
        openPartitions.set(k, open);
        // One encoding for every list: a late batch may share buffers with an output batch.
        const lists = [r.output, ...r.late];
        const enc = encodeBatches(lists.flat(), { owned: true });
        const out: TransferBatch[][] = [];
        let at = 0;
        for (const l of lists) {
          out.push(enc.batches.slice(at, at + l.length));
          at += l.length;
        }
        const ran: StatefulTaskResult = { kind: "ran", output: out[0]!, late: out.slice(1), droppedByWatermark: r.droppedByWatermark, ...(r.nextTimeoutMs === undefined ? {} : { nextTimeoutMs: r.nextTimeoutMs }) };
        return { result: ran, transfer: enc.transfer };
      } catch (e) {
        abortAll(open);
        throw e;
      }
    }
    case "stateful-commit": {
      const k = keyOf(task.stores);
      const open = openPartitions.get(k);
      if (open === undefined) throw new Error(`internal error: no open state store for operator ${task.stores[0]!.operatorId} partition ${task.stores[0]!.partitionId} in this worker thread`);
      openPartitions.delete(k);
      await Promise.all(open.stores.map(commitStore));
      const metrics = open.stores.map((st) => st.metrics());
      // Snapshots and cleanup here, off the main thread; the batch's files are durable already.
      if (task.maintain) for (const id of task.stores) open.coordinator.provider(id).maintenance();
      return { result: { kind: "committed", metrics }, transfer: [] };
    }
    case "stateful-abort": {
      const k = keyOf(task.stores);
      abortAll(openPartitions.get(k));
      openPartitions.delete(k);
      return { result: { kind: "done" }, transfer: [] };
    }
    case "stateful-unload": {
      const dir = path.resolve(task.checkpointLocation);
      for (const [k, o] of openPartitions) {
        if (StateStoreCoordinator.checkpointOfKey(k) === dir) {
          abortAll(o);
          openPartitions.delete(k);
        }
      }
      for (const c of coordinators.values()) await c.unloadCheckpoint(dir);
      return { result: { kind: "done" }, transfer: [] };
    }
  }
}
