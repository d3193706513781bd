import { EMPTY_EVENT_TIME_STATS, type EventTimeStats, mergeEventTimeStats } from "../streaming/watermark-tracker.js";
import type { ExecProgress } from "./physical-op.js";

/** What an ExecProgress was told, as plain data (a worker task's, sent back with its result). */
export interface ProgressReport {
  /** Rows read, as [streaming source index or -1 for other scans, rows]. */
  readonly rowsRead: readonly (readonly [number, number])[];
  /** Event times micro-batch watermark nodes saw, as [slot, stats]. */
  readonly eventTimes: readonly (readonly [number, EventTimeStats])[];
}

/**
 * An ExecProgress that tallies what operators report: rows read per streaming source (a
 * micro-batch's numInputRows: Source.batchScan), event times per watermark node (EventTimeWatermark
 * with measureAs); rows and files also go on to `outer` (a progress bar). A micro-batch keeps
 * one; so does each worker task, whose tally travels back with its result and is replayed into
 * the calling thread's progress.
 */
export class ProgressTally implements ExecProgress {
  private readonly rows = new Map<number, number>();
  private readonly times = new Map<number, EventTimeStats>();

  constructor(private readonly outer?: ExecProgress) {}

  rowsRead(n: number, streamSource?: number): void {
    const k = streamSource ?? -1;
    this.rows.set(k, (this.rows.get(k) ?? 0) + n);
    this.outer?.rowsRead(n, streamSource);
  }

  fileRead(path: string): void {
    this.outer?.fileRead?.(path);
  }

  eventTimesSeen(slot: number, stats: EventTimeStats): void {
    this.times.set(slot, mergeEventTimeStats(this.times.get(slot) ?? EMPTY_EVENT_TIME_STATS, stats));
  }

  /** The rows the scans of streaming source `i` read. */
  rowsOf(i: number): number {
    return this.rows.get(i) ?? 0;
  }

  /** The event times watermark node `slot` saw (none yet: empty). */
  eventTimesOf(slot: number): EventTimeStats {
    return this.times.get(slot) ?? EMPTY_EVENT_TIME_STATS;
  }

  report(): ProgressReport {
    return { rowsRead: [...this.rows], eventTimes: [...this.times] };
  }
}

/** Tells `into` what a report holds, as if its operators had run here. */
export function replayProgress(report: ProgressReport, into: ExecProgress): void {
  for (const [source, n] of report.rowsRead) into.rowsRead(n, source < 0 ? undefined : source);
  for (const [slot, stats] of report.eventTimes) into.eventTimesSeen?.(slot, stats);
}
