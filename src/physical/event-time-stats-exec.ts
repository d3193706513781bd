import type { RecordBatch } from "../batch/record-batch.js";
import type { AttributeRef, Expr } from "../expr/expression.js";
import { EMPTY_EVENT_TIME_STATS, type EventTimeStats, eventTimeStatsOf, mergeEventTimeStats } from "../streaming/watermark-tracker.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "./physical-op.js";

/**
 * A micro-batch's watermark node (EventTimeWatermark with `measureAs`): passes its child's rows
 * on unchanged and reports the event times it saw once they are all read, as Spark's
 * EventTimeWatermarkExec does with an accumulator. It measures where its child runs (a worker's
 * task reports its part with the task's result), so the query above it need not stop here.
 */
export class EventTimeStatsExec implements PhysicalOp {
  readonly name = "EventTimeWatermark";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  /** The event-time column's index in the child's rows, or -1 when it is not a column (nothing to measure). */
  private readonly column: number;

  constructor(readonly child: PhysicalOp, readonly eventTime: Expr, readonly slot: number) {
    this.output = child.output;
    this.children = [child];
    this.column = eventTime.kind === "AttributeRef" ? child.output.findIndex((a) => a.id === eventTime.id) : -1;
  }

  describe(): string {
    return `${this.column >= 0 ? this.output[this.column]!.name : "?"}, measured as watermark ${this.slot}`;
  }

  async *execute(ctx: ExecContext, options?: ExecOptions): AsyncIterable<RecordBatch> {
    let seen: EventTimeStats = EMPTY_EVENT_TIME_STATS;
    try {
      for await (const b of this.child.execute(ctx, options)) {
        if (this.column >= 0 && b.numRows > 0) seen = mergeEventTimeStats(seen, eventTimeStatsOf([b], this.column));
        yield b;
      }
    } finally {
      ctx.progress?.eventTimesSeen?.(this.slot, seen);
    }
  }
}
