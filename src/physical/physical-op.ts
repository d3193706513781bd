import type { RecordBatch } from "../batch/record-batch.js";
import type { AttributeRef } from "../expr/expression.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import type { WorkerPool } from "./parallel/worker-pool.js";
import type { SourceFilter } from "../connectors/source-filter.js";
import type { EventTimeStats } from "../streaming/watermark-tracker.js";
import { type StructType, structField, structType } from "../types/data-type.js";

/** What operators need at run time. */
export interface ExecContext {
  readonly fctx: ExecFunctionContext;
  /** Rows per batch produced by sources and operators that rebuild batches. */
  readonly batchSize: number;
  /** Bytes an operator (sort, aggregation) may hold before spilling to disk. */
  readonly memoryLimitBytes: number;
  /** Directory for spill files (default os.tmpdir(), asked when a sort first spills: it reads the environment, a cost per micro-batch). */
  readonly spillDir?: string;
  /** `sluice.sql.shuffle.partitions`. */
  readonly shufflePartitions: number;
  /** The session's executor threads (`sluice.executor.threads` > 1); parallel stages run on them. */
  readonly workers?: WorkerPool;
  /** Told about input read, for progress bars; absent when nobody is watching. */
  readonly progress?: ExecProgress;
  /**
   * In a map task of a parallel stage: the build sides of hash joins that every task of the stage
   * reads whole (a table scanned again in each), as read by an earlier task of the same stage run
   * on this worker thread, by copiedBuildKey (join-exec.ts).
   */
  readonly stageBuilds?: Map<string, Promise<RecordBatch>>;
}

/** Input progress of one query execution: sources report rows and files as they read them. */
export interface ExecProgress {
  /** `n` rows read; by the scan of a micro-batch of streaming source `streamSource` when given. */
  rowsRead(n: number, streamSource?: number): void;
  fileRead?(path: string): void;
  /** The event times a micro-batch's watermark node `slot` saw (EventTimeWatermark.measureAs), maybe in several parts. */
  eventTimesSeen?(slot: number, stats: EventTimeStats): void;
}

/** How the consumer of an operator's batches reads them (PhysicalOp.execute). */
export interface ExecOptions {
  /**
   * The consumer is done with each batch before it asks for the next and keeps none of its
   * columns (it copies what it needs: a fused aggregation loop, a hash join's streamed side): the
   * operator may write its next batch into the same typed arrays (ReusableArrays). Operators that
   * pass input columns through pass the option on to their child.
   */
  readonly reuseBuffers?: boolean;
  /** For a source scan only (DataSourceScanExec): ScanOptions.runtimeFilters, from the hash join it streams into. */
  readonly runtimeFilters?: readonly SourceFilter[];
}

/**
 * A physical operator: produces its output as a stream of columnar batches. Operators are
 * built by physical/planner.ts from an optimized logical plan and run once per `execute`.
 */
export interface PhysicalOp {
  /** Operator name for EXPLAIN, e.g. `HashAggregate`. */
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  /** One line of EXPLAIN detail after the name, e.g. `(keys=[a#1], functions=[count(1)])`. */
  describe(): string;
  execute(ctx: ExecContext, options?: ExecOptions): AsyncIterable<RecordBatch>;
}

export function schemaOf(output: readonly AttributeRef[]): StructType {
  return structType(output.map((a) => structField(a.name, a.dataType, a.nullable)));
}

/** Drains an operator into a list of batches. */
export async function collectBatches(op: PhysicalOp, ctx: ExecContext): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of op.execute(ctx)) if (b.numRows > 0) out.push(b);
  return out;
}
