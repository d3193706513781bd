import type { Offset } from "./source.js";

/** Per-source figures of one trigger. */
export interface SourceProgress {
  readonly description: string;
  readonly startOffset: Offset;
  readonly endOffset: Offset;
  readonly latestOffset: Offset;
  readonly numInputRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
}

export interface SinkProgress {
  readonly description: string;
  readonly numOutputRows: number;
}

/** Rows, memory and timings of a stateful operator in one batch (Spark's StateOperatorProgress). */
export interface StateOperatorProgress {
  readonly operatorName: string;
  /** Keys in the operator's state after the batch. */
  readonly numRowsTotal: number;
  /** State rows written by the batch. */
  readonly numRowsUpdated: number;
  /** State rows removed by the batch (evicted or emitted-and-removed). */
  readonly numRowsRemoved: number;
  /** Input groups dropped because their event time was behind the watermark. */
  readonly numRowsDroppedByWatermark: number;
  readonly memoryUsedBytes: number;
  readonly commitTimeMs: number;
  readonly allUpdatesTimeMs: number;
  readonly allRemovalsTimeMs: number;
  readonly numShufflePartitions: number;
  readonly numStateStoreInstances: number;
  readonly customMetrics: Readonly<Record<string, number>>;
}

export interface ProgressFields {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  /** ISO-8601 time the trigger started. */
  readonly timestamp: string;
  readonly batchId: number;
  readonly batchDuration: number;
  readonly numInputRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  readonly durationMs: Readonly<Record<string, number>>;
  readonly eventTime: Readonly<Record<string, string>>;
  readonly stateOperators: readonly StateOperatorProgress[];
  readonly sources: readonly SourceProgress[];
  readonly sink: SinkProgress;
  /** With `writeStream.lateRowsTo(...)`: that sink and how many late rows it got this batch. */
  readonly lateRowsSink?: SinkProgress;
}

/**
 * One trigger's report, with Spark's field names (StreamingQueryProgress). `json` and
 * `prettyJson` render it as Spark does: NaN and infinite rates are left out.
 */
export class StreamingQueryProgress implements ProgressFields {
  readonly id!: string;
  readonly runId!: string;
  readonly name!: string | null;
  readonly timestamp!: string;
  readonly batchId!: number;
  readonly batchDuration!: number;
  readonly numInputRows!: number;
  readonly inputRowsPerSecond!: number;
  readonly processedRowsPerSecond!: number;
  readonly durationMs!: Readonly<Record<string, number>>;
  readonly eventTime!: Readonly<Record<string, string>>;
  readonly stateOperators!: readonly StateOperatorProgress[];
  readonly sources!: readonly SourceProgress[];
  readonly sink!: SinkProgress;
  readonly lateRowsSink?: SinkProgress;

  constructor(fields: ProgressFields) {
    Object.assign(this, fields);
    Object.freeze(this);
  }

  private plain(): unknown {
    return JSON.parse(JSON.stringify(this, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? undefined : v))) as unknown;
  }
  get json(): string {
    return JSON.stringify(this.plain());
  }
  get prettyJson(): string {
    return JSON.stringify(this.plain(), null, 2);
  }
  toString(): string {
    return this.prettyJson;
  }
}

/** `{message, isDataAvailable, isTriggerActive}` as Spark's StreamingQueryStatus. */
export interface StreamingQueryStatus {
  readonly message: string;
  readonly isDataAvailable: boolean;
  readonly isTriggerActive: boolean;
}

/** Rows per second, NaN when the interval is unknown or zero (Spark leaves such rates out). */
export function rate(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : Number.NaN;
}
