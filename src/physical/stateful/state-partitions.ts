import { type RecordBatch, takeBatch } from "../../batch/record-batch.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { murmur3Bytes } from "../../expr/hash/murmur3.js";
import { HASH_SEED } from "../../expr/hash/spark-hash.js";
import { structField, structType } from "../../types/data-type.js";
import { compileProjection } from "../codegen/projection.js";
import { partitionIds, rowsByPartition } from "../parallel/hash-partitioner.js";
import type { StatefulOperatorMetrics } from "./streaming-aggregate-exec.js";
import type { StatePartitioning } from "./stateful-operators.js";
import { groupStateKeysOf } from "./flat-map-groups-with-state-exec.js";

/**
 * State partitions: a stateful operator keeps one state store per partition
 * (`state/<operatorId>/<partitionId>/`), and each input row goes to the partition of its key, as
 * Spark's stateful operators require their input clustered by key (HashPartitioning over
 * `sluice.sql.shuffle.partitions`). A key therefore lives in exactly one partition for the life
 * of the checkpoint, which is what lets partitions run independently (on worker threads, see
 * physical/parallel/) with the same results as one partition. An operator without keys (a global
 * aggregation, a join without an equality) has one partition.
 */

/** The state partition of each row of a batch. */
export type RowPartitioner = (b: RecordBatch, numPartitions: number) => Int32Array;

/** Partitions rows by Spark's `pmod(hash(keys...), n)` of key expressions over `input`. */
export function keyPartitioner(input: readonly AttributeRef[], keys: readonly Expr[], fctx: ExecFunctionContext): RowPartitioner {
  const keySchema = structType(keys.map((k, i) => structField(`_k${i}`, exprType(k), true)));
  const project = compileProjection(input, null, keys, keySchema, fctx);
  return (b, n) => partitionIds(project(b).columns, b.numRows, n);
}

const encoder = new TextEncoder();

/** Partitions by a string key computed per row (a user key function's canonical encoding). */
export function stringKeyPartitioner(keysOf: (b: RecordBatch) => readonly string[]): RowPartitioner {
  return (b, n) => {
    const keys = keysOf(b);
    const out = new Int32Array(b.numRows);
    for (let i = 0; i < b.numRows; i++) {
      const m = murmur3Bytes(encoder.encode(keys[i]!), HASH_SEED) % n;
      out[i] = m < 0 ? m + n : m;
    }
    return out;
  };
}

/** How the rows of a single-input operator's input (`input`) find their partition; null: one partition. */
export function rowPartitioner(partitioning: StatePartitioning, input: readonly AttributeRef[], fctx: ExecFunctionContext): RowPartitioner | null {
  if (partitioning === null) return null;
  switch (partitioning.kind) {
    case "keys": return keyPartitioner(input, partitioning.keys, fctx);
    case "userKey": {
      const node = partitioning.node;
      return stringKeyPartitioner((b) => groupStateKeysOf(node, b));
    }
    case "join": throw new Error("internal error: a join partitions each side by its own keys");
  }
}

/** The rows of each of `n` partitions (all rows in partition 0 when n is 1). */
export function splitByPartition(batches: readonly RecordBatch[], n: number, partitioner: RowPartitioner | null): RecordBatch[][] {
  if (n === 1 || partitioner === null) return [[...batches]];
  const out: RecordBatch[][] = Array.from({ length: n }, () => []);
  for (const b of batches) {
    if (b.numRows === 0) continue;
    const rows = rowsByPartition(partitioner(b, n), b.numRows, n);
    for (let p = 0; p < n; p++) {
      const r = rows[p]!;
      if (r.length === b.numRows) out[p]!.push(b);
      else if (r.length > 0) out[p]!.push(takeBatch(b, r));
    }
  }
  return out;
}

/**
 * The state commits of one micro-batch. They start once the batch's offsets are durable
 * (`offsets/N` guards the checkpoint: a query that finds another one wrote it must not touch the
 * state files), write on libuv's pool while the batch computes the rest and its sink runs, and
 * the batch awaits them all before `commits/N`. So results reach the sink without waiting for the
 * state files' fsync; a crash between the sink and those files is a crash before `commits/N`:
 * batch N re-runs from state version N, as after any crash before the commit log, and the sink
 * sees the batch again (idempotent sinks keep it once, as Spark's contract has it).
 */
export class StateCommits {
  private readonly commits: Promise<unknown>[] = [];
  constructor(readonly offsetsDurable: Promise<void>) {}

  /** Runs `commit` once the offsets are durable. */
  add(commit: () => Promise<void>): void {
    const p = this.offsetsDurable.then(commit);
    // Awaited by all() or settled(); not an unhandled rejection meanwhile.
    p.catch(() => undefined);
    this.commits.push(p);
  }

  /** Whether any store has a commit to wait for. */
  get pending(): boolean {
    return this.commits.length > 0;
  }

  /** Waits for every commit; throws the first failure. */
  all(): Promise<void> {
    return allEndedOrFirstFailure(this.commits);
  }

  /** Waits for every commit to end, failed or not (a failing batch leaves nothing writing behind it). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.commits);
  }
}

/** Waits for every promise to end (none is left running), then throws the first failure, if any. */
async function allEndedOrFirstFailure(ps: readonly Promise<unknown>[]): Promise<void> {
  const done = await Promise.allSettled(ps);
  const failed = done.find((c): c is PromiseRejectedResult => c.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

/**
 * Runs one batch of an operator over its partitions: opens each partition's stores, runs it, and
 * commits every partition only once all of them ran (the commits in parallel: their fsyncs
 * overlap), so a failure in one partition's run leaves every store at the batch's starting
 * version (all are aborted). A crash or a failed commit between two commits is safe: the batch
 * re-runs from version N in every partition, overwriting the N+1 files already written. The
 * commits go to `commits`: the stores' figures (commit times) are complete once it is done.
 */
export function runPartitions<S, R>(n: number, open: (partitionId: number) => S, run: (partitionId: number, stores: S) => R, commit: (stores: S) => Promise<void>, abort: (stores: S) => void, commits: StateCommits): { results: R[]; stores: S[] } {
  const stores: S[] = [];
  const results: R[] = [];
  try {
    for (let p = 0; p < n; p++) {
      const s = open(p);
      stores.push(s);
      results.push(run(p, s));
    }
  } catch (e) {
    for (const s of stores) abort(s);
    throw e;
  }
  // A failed commit rolls its own store back; the others may have committed (see above).
  commits.add(() => allEndedOrFirstFailure(stores.map(commit)));
  return { results, stores };
}

/** One operator's progress over its partitions: counts and times add up; `numShufflePartitions` is the partition count. */
export function combineOperatorMetrics(parts: readonly StatefulOperatorMetrics[]): StatefulOperatorMetrics {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const sum = (f: (m: StatefulOperatorMetrics) => number): number => parts.reduce((a, m) => a + f(m), 0);
  const customMetrics: Record<string, number> = {};
  for (const m of parts) for (const [k, v] of Object.entries(m.customMetrics)) customMetrics[k] = (customMetrics[k] ?? 0) + v;
  return {
    operatorName: first.operatorName,
    numRowsTotal: sum((m) => m.numRowsTotal),
    numRowsUpdated: sum((m) => m.numRowsUpdated),
    numRowsRemoved: sum((m) => m.numRowsRemoved),
    numRowsDroppedByWatermark: sum((m) => m.numRowsDroppedByWatermark),
    memoryUsedBytes: sum((m) => m.memoryUsedBytes),
    commitTimeMs: sum((m) => m.commitTimeMs),
    allUpdatesTimeMs: sum((m) => m.allUpdatesTimeMs),
    allRemovalsTimeMs: sum((m) => m.allRemovalsTimeMs),
    numShufflePartitions: parts.length,
    numStateStoreInstances: sum((m) => m.numStateStoreInstances),
    customMetrics,
  };
}
