import type { RecordBatch } from "../batch/record-batch.js";
import type { JsonValue } from "../checkpoint/offset-log.js";
import type { Session } from "../api/session.js";
import type { StructType } from "../types/data-type.js";
import type { Clock } from "./clock.js";

/** A position in a source's data: any JSON value the source can read back after a restart. */
export type Offset = JsonValue;

/**
 * How much data one batch may take from a source (Spark's ReadLimit). A source states its own
 * limit in `defaultReadLimit()` (from options such as maxFilesPerTrigger and maxBytesPerTrigger);
 * the engine passes that limit to `latestOffset` on a normal trigger and `allAvailable` for
 * Trigger.Once. A source reads the limit by its parts (`ReadLimit.maxOf`, `ReadLimit.minRowsOf`),
 * never by object identity, so limits compose:
 * - `allAvailable`: no limit;
 * - `maxRows` / `maxFiles` / `maxBytes`: at most that many rows, files or bytes (a file source
 *   takes at least one file even when it is larger than maxBytes, as Spark does);
 * - `minRows`: wait for at least `min` new rows, unless `maxTriggerDelayMs` has passed since the
 *   last batch (Kafka's minOffsetsPerTrigger with maxTriggerDelay);
 * - `composite`: every part applies (e.g. maxFiles and maxBytes: whichever is reached first).
 */
export type ReadLimit =
  | { readonly kind: "allAvailable" }
  | { readonly kind: "maxRows"; readonly max: number }
  | { readonly kind: "maxFiles"; readonly max: number }
  | { readonly kind: "maxBytes"; readonly max: number }
  | { readonly kind: "minRows"; readonly min: number; readonly maxTriggerDelayMs: number }
  | { readonly kind: "composite"; readonly limits: readonly ReadLimit[] };

/** The kinds of ReadLimit that carry a maximum. */
export type MaxReadLimitKind = "maxRows" | "maxFiles" | "maxBytes";

/** The single limits a limit is made of (none for allAvailable). */
function partsOf(limit: ReadLimit): ReadLimit[] {
  if (limit.kind === "allAvailable") return [];
  if (limit.kind === "composite") return limit.limits.flatMap(partsOf);
  return [limit];
}

export const ReadLimit = {
  allAvailable: (): ReadLimit => ({ kind: "allAvailable" }),
  maxRows: (max: number): ReadLimit => ({ kind: "maxRows", max }),
  maxFiles: (max: number): ReadLimit => ({ kind: "maxFiles", max }),
  maxBytes: (max: number): ReadLimit => ({ kind: "maxBytes", max }),
  minRows: (min: number, maxTriggerDelayMs: number): ReadLimit => ({ kind: "minRows", min, maxTriggerDelayMs }),
  /** All of `limits` at once (flattened; allAvailable parts dropped; one part stays itself). */
  composite: (...limits: readonly ReadLimit[]): ReadLimit => {
    const parts = limits.flatMap(partsOf);
    if (parts.length === 0) return { kind: "allAvailable" };
    return parts.length === 1 ? parts[0]! : { kind: "composite", limits: parts };
  },
  /** The single limits `limit` is made of (empty for allAvailable). */
  parts: (limit: ReadLimit): readonly ReadLimit[] => partsOf(limit),
  /** The tightest maximum of that kind in `limit`, or null when it sets none. */
  maxOf: (limit: ReadLimit, kind: MaxReadLimitKind): number | null => {
    let out: number | null = null;
    for (const p of partsOf(limit)) if (p.kind === kind) out = out === null ? p.max : Math.min(out, p.max);
    return out;
  },
  /** The minRows part of `limit`, or null. */
  minRowsOf: (limit: ReadLimit): { readonly min: number; readonly maxTriggerDelayMs: number } | null => {
    for (const p of partsOf(limit)) if (p.kind === "minRows") return p;
    return null;
  },
  /** Whether `limit` lets a batch take everything available. */
  isAllAvailable: (limit: ReadLimit): boolean => partsOf(limit).length === 0,
  /**
   * The limit without its minRows part: what Trigger.AvailableNow uses, since it must not wait
   * for more data (as in Spark).
   */
  withoutMinRows: (limit: ReadLimit): ReadLimit => ReadLimit.composite(...partsOf(limit).filter((p) => p.kind !== "minRows")),
};

/**
 * A streaming source: an append-only, replayable sequence of rows addressed by offsets.
 *
 * Contract (what the trigger loop relies on for exactly-once results):
 * - `initialOffset()` is the position before any data; batch 0 reads (initialOffset, end].
 * - `latestOffset(start, limit)` returns the end of the next batch that starts after `start`,
 *   taking no more than `limit` allows; returning `start` means "no new data". It may be
 *   called again with the same start (the answer may grow) and must not lose data.
 * - `getBatch(start, end, columns)` returns the rows in (start, end] — the same rows for the same
 *   range every time, also after a restart of the process, until `commit(end)` has been called
 *   for a later offset. Rows come as batches of exactly `schema`, or of only the `columns` named
 *   (when given: the columns the query reads, in schema order), which saves building the others.
 * - `open()` (optional) runs once per query run, before any other call but `initialOffset`:
 *   connect and check what the source needs (server reachable, credentials). A rejection fails
 *   `start()` and the query; the error should name the server (host:port) and the option to fix.
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
  /** Connects and checks the source before the first batch (see the contract above). */
  open?(): Promise<void>;
  latestOffset(startOffset: Offset, readLimit: ReadLimit): Offset | Promise<Offset>;
  getBatch(start: Offset, end: Offset, columns?: readonly string[]): Promise<RecordBatch[]>;
  /**
   * Optional: the rows of (start, end] as a batch scan (the files a file source's batch took)
   * that the engine plans like `spark.read` over them, so a large batch's scan, filters and
   * projections run split across the worker threads instead of as rows read on this thread.
   * The same rows `getBatch` would return, under the same contract. Null: use `getBatch`.
   */
  batchScan?(start: Offset, end: Offset): MicroBatchScan | null;
  commit(end: Offset): void | Promise<void>;
  stop(): void | Promise<void>;
  /** The limit a normal trigger uses (from options such as maxFilesPerTrigger); all data by default. */
  defaultReadLimit?(): ReadLimit;
  /**
   * Trigger.AvailableNow: fix "all data available now" (e.g. the files listed at this moment), so
   * later latestOffset calls never go past it; batches then follow the source's read limit.
   * Sources without it are read up to their latestOffset(allAvailable) taken at start, still
   * batch by batch within their read limit: the engine caps each rate-limited end offset at that
   * target position by position (see streaming/available-now-cap.ts; offsets that are a number,
   * an ordered string such as a Redis entry ID, or objects of those per partition). A source
   * whose offsets cannot be compared so is read to the target in one batch (Spark's behaviour).
   */
  prepareForTriggerAvailableNow?(): void | Promise<void>;
  /**
   * Lets the engine wake an idle query as soon as new data arrives instead of polling (optional;
   * lowers latency). Returns a function that removes the listener.
   */
  onDataAvailable?(listener: () => void): () => void;
}

/**
 * A micro-batch as a batch source's scan (Source.batchScan): what a DataSourceRelation of that
 * batch source holds. `schema` is the scan's (data columns, then partition columns); its fields
 * are the stream's, by name, perhaps in another order.
 */
export interface MicroBatchScan {
  readonly format: string;
  readonly paths: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  readonly schema: StructType;
  readonly resolved: unknown;
}

/**
 * What a stream's micro-batch hands the engine: its rows, or a scan of them (Source.batchScan)
 * by the query's source `sourceIndex`, of the `columns` the query reads (all when absent).
 */
export type MicroBatchInput = readonly RecordBatch[] | { readonly scan: MicroBatchScan; readonly sourceIndex: number; readonly columns?: readonly string[] };

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
