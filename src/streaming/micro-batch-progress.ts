import type { ExecProgress } from "../physical/physical-op.js";
import { EMPTY_EVENT_TIME_STATS, type EventTimeStats, mergeEventTimeStats } from "./watermark-tracker.js";

/**
 * A micro-batch's ExecProgress (on worker threads too: their tasks report with their results).
 * It counts the rows the batch scans of its sources read (Source.batchScan), per source, for the
 * batch's numInputRows; keeps the event times its watermark nodes saw (EventTimeWatermark with
 * measureAs), per node; and passes rows and files on to `outer` (a progress bar).
 */
export class MicroBatchProgress implements ExecProgress {
  private readonly bySource = new Map<number, number>();
  private readonly eventTimes = new Map<number, EventTimeStats>();

  constructor(private readonly outer?: ExecProgress) {}

  rowsRead(n: number, streamSource?: number): void {
    if (streamSource !== undefined) this.bySource.set(streamSource, (this.bySource.get(streamSource) ?? 0) + n);
    this.outer?.rowsRead(n, streamSource);
  }

  fileRead(path: string): void {
    this.outer?.fileRead?.(path);
  }

  eventTimesSeen(slot: number, stats: EventTimeStats): void {
    this.eventTimes.set(slot, mergeEventTimeStats(this.eventTimes.get(slot) ?? EMPTY_EVENT_TIME_STATS, stats));
  }

  /** The rows the scans of source `i` read. */
  rowsOf(i: number): number {
    return this.bySource.get(i) ?? 0;
  }

  /** The event times watermark node `slot` saw (none yet: empty). */
  eventTimesOf(slot: number): EventTimeStats {
    return this.eventTimes.get(slot) ?? EMPTY_EVENT_TIME_STATS;
  }
}
