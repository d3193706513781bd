import type { RecordBatch } from "../batch/record-batch.js";
import type { JsonValue } from "../checkpoint/offset-log.js";
import type { Session } from "../api/session.js";
import type { StructType } from "../types/data-type.js";
import type { Clock } from "./clock.js";

/** A position in a source's data: any JSON value the source can read back after a restart. */
export type Offset = JsonValue;

/**
 * How much data one batch may take from a source (Spark's ReadLimit). The engine passes the
 * source's own default (from options such as maxFilesPerTrigger) or `allAvailable` (Trigger.Once).
 */
export type ReadLimit =
  | { readonly kind: "allAvailable" }
  | { readonly kind: "maxRows"; readonly max: number }
  | { readonly kind: "maxFiles"; readonly max: number };

export const ReadLimit = {
  allAvailable: (): ReadLimit => ({ kind: "allAvailable" }),
  maxRows: (max: number): ReadLimit => ({ kind: "maxRows", max }),
  maxFiles: (max: number): ReadLimit => ({ kind: "maxFiles", max }),
};

/**
 * A streaming source: an append-only, replayable sequence of rows addressed by offsets.
 *
 * Contract (what the trigger loop relies on for exactly-once results):
 * - `initialOffset()` is the position before any data; batch 0 reads (initialOffset, end].
 * - `latestOffset(start, limit)` returns the end of the next batch that starts after `start`,
 *   taking no more than `limit` allows; returning `start` means "no new data". It may be
 *   called again with the same start (the answer may grow) and must not lose data.
 * - `getBatch(start, end)` returns the rows in (start, end] — the same rows for the same range
 *   every time, also after a restart of the process, until `commit(end)` has been called for
 *   a later offset. Rows come as batches of exactly `schema`.
 * - `commit(end)`: everything up to `end` is processed and committed; the source may forget it.
 * - `stop()`: release resources (files, sockets, timers).
 * - Offsets are JSON values, compared by their JSON text; the engine writes them to `offsets/N`.
 *
 * A source that cannot replay (a socket) must say so in its documentation: after a crash, the
 * data of a planned but uncommitted batch is gone.
 */
export interface Source {
  readonly schema: StructType;
  /** For progress reports, e.g. `MemoryStream[word#1]`, `FileStreamSource[file:/data]`. */
  readonly description: string;
  initialOffset(): Offset;
  latestOffset(startOffset: Offset, readLimit: ReadLimit): Offset | Promise<Offset>;
  getBatch(start: Offset, end: Offset): Promise<RecordBatch[]>;
  commit(end: Offset): void | Promise<void>;
  stop(): void | Promise<void>;
  /** The limit a normal trigger uses (from options such as maxFilesPerTrigger); all data by default. */
  defaultReadLimit?(): ReadLimit;
  /**
   * Trigger.AvailableNow: fix "all data available now" (e.g. the files listed at this moment), so
   * later latestOffset calls never go past it. Sources without it are read up to their
   * latestOffset(allAvailable) taken at start.
   */
  prepareForTriggerAvailableNow?(): void | Promise<void>;
  /**
   * Lets the engine wake an idle query as soon as new data arrives instead of polling (optional;
   * lowers latency). Returns a function that removes the listener.
   */
  onDataAvailable?(listener: () => void): () => void;
}

/** What a streaming source gets when a query starts. */
export interface SourceContext {
  readonly session: Session;
  /** `<checkpoint>/sources/<i>`: where the source keeps its own logs (seen files, start time). */
  readonly metadataPath: string;
  readonly clock: Clock;
}

/**
 * What a streaming DataFrame's relation holds (`DataSourceRelation.resolved` with
 * `isStreaming: true`): the recipe for a Source, instantiated once per query run.
 */
export interface StreamingSourceProvider {
  readonly kind: "StreamingSourceProvider";
  readonly name: string;
  readonly schema: StructType;
  createSource(ctx: SourceContext): Source;
}

export function isStreamingSourceProvider(x: unknown): x is StreamingSourceProvider {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "StreamingSourceProvider";
}

/** Offsets are compared by their JSON text. */
export function sameOffset(a: Offset | undefined, b: Offset | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
