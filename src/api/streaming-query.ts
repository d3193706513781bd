import type { LogicalPlan } from "../plan/logical-plan.js";
import type { MicroBatchExecution } from "../streaming/micro-batch-execution.js";
import type { StreamingQueryProgress, StreamingQueryStatus } from "../streaming/progress.js";
import type { Sink } from "../streaming/sink.js";
import type { StreamingQueryException } from "../streaming/streaming-query-exception.js";
import { explainString } from "./explain.js";
import type { Session } from "./session.js";

/**
 * A running streaming query (Spark's StreamingQuery), returned by `writeStream.start()`.
 *
 * @example
 * const q = await input.toDF().writeStream.format("memory").queryName("out").start();
 * input.addData([{ word: "a" }]);
 * await q.processAllAvailable();
 * q.lastProgress?.numInputRows; // 1
 * await q.stop();
 */
export class StreamingQuery {
  constructor(
    private readonly session: Session,
    /** The engine running this query (internal). */
    readonly execution: MicroBatchExecution,
  ) {}

  /** Stable across restarts from the same checkpoint. */
  get id(): string {
    return this.execution.id;
  }
  /** New for every start. */
  get runId(): string {
    return this.execution.runId;
  }
  get name(): string | null {
    return this.execution.name;
  }
  get isActive(): boolean {
    return this.execution.isActive;
  }
  get status(): StreamingQueryStatus {
    return this.execution.status;
  }
  get lastProgress(): StreamingQueryProgress | null {
    return this.execution.lastProgress;
  }
  get recentProgress(): StreamingQueryProgress[] {
    return this.execution.recentProgress;
  }
  /** The sink this query writes to (internal; tests read memory sinks through it). */
  get sink(): Sink {
    return this.execution.sink;
  }
  /** The id of the last committed batch, -1 before any. */
  get lastCommittedBatchId(): number {
    return this.execution.lastCommittedBatchId;
  }

  /** Resolves true when the query ends (false after `timeoutMs`); rejects with the failure. */
  awaitTermination(timeoutMs?: number): Promise<boolean> {
    return this.execution.awaitTermination(timeoutMs);
  }

  /**
   * Resolves once all data available when called (and the batches it causes) is committed; rejects
   * if the query failed. With a processing-time trigger and a ManualClock, advance the clock.
   */
  processAllAvailable(): Promise<void> {
    return this.execution.processAllAvailable();
  }

  /** Stops the query (a running batch finishes first); resolves when it has stopped. */
  stop(): Promise<void> {
    return this.execution.stop();
  }

  /** The failure that terminated the query, or null. */
  exception(): StreamingQueryException | null {
    return this.execution.exception;
  }

  /** The plan of the streaming query (sources shown as streaming relations). */
  explainString(extended = false): string {
    return explainString(this.session, this.execution.plan as LogicalPlan, extended ? "extended" : "simple");
  }
  explain(extended = false): void {
    process.stdout.write(this.explainString(extended) + "\n");
  }

  toString(): string {
    return `StreamingQuery ${this.execution.describe()}`;
  }
}
