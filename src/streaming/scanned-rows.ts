import type { ExecProgress } from "../physical/physical-op.js";

/**
 * A micro-batch's ExecProgress: counts the rows the batch scans of its sources read
 * (Source.batchScan; on worker threads too, reported when their tasks return), per source, for
 * the batch's numInputRows, and passes every report on to `outer` (a progress bar).
 */
export class ScannedRows implements ExecProgress {
  private readonly bySource = new Map<number, number>();

  constructor(private readonly outer?: ExecProgress) {}

  rowsRead(n: number, streamSource?: number): void {
    if (streamSource !== undefined) this.bySource.set(streamSource, (this.bySource.get(streamSource) ?? 0) + n);
    this.outer?.rowsRead(n, streamSource);
  }

  fileRead(path: string): void {
    this.outer?.fileRead?.(path);
  }

  /** The rows the scans of source `i` read. */
  of(i: number): number {
    return this.bySource.get(i) ?? 0;
  }
}
