import * as path from "node:path";
import { BatchLog } from "./batch-log.js";

/** A source offset: any JSON value the source can read back (see streaming/source.ts). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** Settings a checkpoint fixes for its whole life: changing them would change results or state layout. */
export const CHECKPOINT_FIXED_CONFS: readonly string[] = [
  "sluice.sql.shuffle.partitions",
  // How several watermarks combine: changing it would move the watermark of a running query.
  "sluice.sql.streaming.multipleWatermarkPolicy",
  // Where state lives: another provider could not read the state files.
  "sluice.sql.streaming.stateStore.providerClass",
];

/** What batch N runs with, besides its data: the watermark, its timestamp and the fixed settings. */
export interface OffsetSeqMetadata {
  readonly batchWatermarkMs: number;
  readonly batchTimestampMs: number;
  readonly conf: Readonly<Record<string, string>>;
}

/**
 * An `offsets/N` entry: the end offset of each source (in the order the query's sources are
 * numbered, null for a source that has produced nothing yet) plus the batch metadata. Written
 * before batch N runs: it is the write-ahead log that makes a re-run read the same data.
 */
export interface OffsetSeq {
  readonly offsets: readonly JsonValue[];
  readonly metadata: OffsetSeqMetadata;
}

/** `<checkpoint>/offsets`. */
export class OffsetLog extends BatchLog<OffsetSeq> {
  constructor(checkpointDir: string) {
    super(path.join(checkpointDir, "offsets"), 1);
  }
}
