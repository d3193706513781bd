import * as path from "node:path";
import { BatchLog } from "./batch-log.js";

/** A `commits/N` entry: batch N reached its sink and state; the watermark the next batch uses. */
export interface CommitMetadata {
  readonly nextBatchWatermarkMs: number;
}

/** `<checkpoint>/commits`. */
export class CommitLog extends BatchLog<CommitMetadata> {
  constructor(checkpointDir: string) {
    super(path.join(checkpointDir, "commits"), 1);
  }
}
