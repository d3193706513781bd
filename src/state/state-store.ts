import * as path from "node:path";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { StateKey } from "./state-key.js";

export type { StateKey } from "./state-key.js";
export { encodeKey, encodeKeyElement, decodeKey, decodeKeyElement, prefixUpperBound } from "./state-key.js";

/**
 * Which store: one per (stateful operator, partition), and optionally several named stores per
 * operator partition (a stream-stream join keeps four, as in Spark). Files live in
 * `<checkpoint>/state/<operatorId>/<partitionId>/` (default store) or
 * `<checkpoint>/state/<operatorId>/<partitionId>/<storeName>/`.
 */
export interface StateStoreId {
  readonly checkpointLocation: string;
  readonly operatorId: number;
  readonly partitionId: number;
  /** "default" (or absent) for an operator's single store. */
  readonly storeName?: string;
}

export const DEFAULT_STORE_NAME = "default";

/** The directory holding one store's changelogs and `<version>.snapshot` files. */
export function stateStoreDir(id: StateStoreId): string {
  const base = path.join(id.checkpointLocation, "state", String(id.operatorId), String(id.partitionId));
  return id.storeName === undefined || id.storeName === DEFAULT_STORE_NAME ? base : path.join(base, id.storeName);
}

/** The identity of a store across threads: its absolute checkpoint path, operator, partition and name. */
export function storeKey(id: StateStoreId): string {
  return JSON.stringify([path.resolve(id.checkpointLocation), id.operatorId, id.partitionId, id.storeName ?? DEFAULT_STORE_NAME]);
}

export function describeStoreId(id: StateStoreId): string {
  const name = id.storeName === undefined || id.storeName === DEFAULT_STORE_NAME ? "" : ` store ${id.storeName}`;
  return `operator ${id.operatorId} partition ${id.partitionId}${name}`;
}

/** One key and its value. */
export interface StateEntry<V = unknown> {
  readonly key: StateKey;
  readonly value: V;
}

/** What a store reports into a query's progress (`stateOperators[i]`). */
export interface StateStoreMetrics {
  /** Keys in the store's current version (uncommitted changes included). */
  numKeys: number;
  /** put() calls since the store was opened. */
  numRowsUpdated: number;
  /** remove() calls that removed an existing key. */
  numRowsRemoved: number;
  /** Estimated memory held by this store (the in-memory map, or the uncommitted overlay for LMDB). */
  memoryUsedBytes: number;
  /** Time of the last commit(), 0 before one. */
  commitTimeMs: number;
  /** Time spent inside put(). */
  allUpdatesTimeMs: number;
  /** Time spent inside remove(). */
  allRemovalsTimeMs: number;
  /** Provider-specific numbers, e.g. bytes written to the delta file, LMDB file size. */
  customMetrics: Record<string, number>;
}

/**
 * A read-only view of one version of one store.
 *
 * Keys are {@link StateKey}s from `encodeKey([...])`. Values are owned by the store once put:
 * callers must not mutate a value after `put`, nor a value returned by `get` or a scan (build a
 * new object instead). The in-memory provider hands out the very objects it holds.
 */
export interface ReadStateStore<V = unknown> {
  readonly id: StateStoreId;
  /** The version this store was opened at (the last committed batch id whose state it holds). */
  readonly version: number;
  get(key: StateKey): V | undefined;
  /** `get` of each key, in one call (what operators use per batch: one check, no per-key overhead). */
  getMany(keys: readonly StateKey[]): (V | undefined)[];
  /** Entries whose key starts with `prefix` (an `encodeKey` of a leading part of the tuple), in key byte order. */
  prefixScan(prefix: StateKey): IterableIterator<StateEntry<V>>;
  /**
   * Entries with `from <= key < to` in key byte order (which for keys of one shape is Spark's
   * ordering of the tuples); an absent bound is open. Keys added during a scan may or may not be
   * seen; removing the entry just returned (eviction) is safe.
   */
  rangeScan(from: StateKey | undefined, to: StateKey | undefined): IterableIterator<StateEntry<V>>;
  /** All entries, order unspecified. */
  iterator(): IterableIterator<StateEntry<V>>;
  metrics(): StateStoreMetrics;
  /** Releases the store without changing anything. */
  abort(): void;
}

/**
 * A writable store opened at version N; `commit()` makes version N+1.
 *
 * Contract (as Spark's StateStore): changes are visible to this store's reads at once and to
 * nobody else until commit; `commit()` returns N+1 only after version N+1 is durable (its delta
 * file written atomically — a crash at any point leaves version N loadable, and N+1 loadable
 * once commit returned); `abort()` drops every change; after commit or abort the store is closed
 * and further calls throw. One writable store per provider at a time.
 */
export interface StateStore<V = unknown> extends ReadStateStore<V> {
  put(key: StateKey, value: V): void;
  remove(key: StateKey): void;
  /**
   * `put(keys[i], values[i])` for each i, in one call (update metrics and timing once per call).
   * `previous`, when given, is what `getMany(keys)` returned in this batch with no change to
   * those keys since; a provider may use it to skip its own lookups.
   */
  putMany(keys: readonly StateKey[], values: readonly V[], previous?: readonly (V | undefined)[]): void;
  /** `remove` of each key, in one call. */
  removeMany(keys: readonly StateKey[]): void;
  commit(): number;
  /**
   * commit() with its fsyncs off the calling thread, where the provider can (the in-memory one):
   * the stores of an operator's partitions then reach the disk in parallel. Same contract; use
   * {@link commitStore} to take it when present.
   */
  commitAsync?(): Promise<number>;
  /** Whether commit() has succeeded. */
  readonly committed: boolean;
}

/** Commits a store, off the thread where its provider can. */
export async function commitStore(store: StateStore<unknown>): Promise<number> {
  return store.commitAsync ? store.commitAsync() : store.commit();
}

/**
 * Opens versions of one store (one operator partition) and keeps its files.
 *
 * `getStore(N)` loads exactly version N: from memory when N is the version it holds, otherwise
 * from the latest snapshot <= N plus the deltas after it. Version 0 is the empty state before
 * the first batch. A version that is not in the checkpoint, or a file that fails its checksum,
 * throws {@link StateStoreCorruptError} naming the file — never an empty store.
 */
export interface StateStoreProvider {
  readonly id: StateStoreId;
  readonly providerName: string;
  getStore<V = unknown>(version: number): StateStore<V>;
  getReadStore<V = unknown>(version: number): ReadStateStore<V>;
  /** The newest committed version found in the checkpoint (0 when there is none). */
  latestVersion(): number;
  /** Writes a snapshot when due and deletes files no retained version needs. Synchronous; call between batches. */
  maintenance(): void;
  close(): Promise<void>;
}

/** Settings the providers read (`sluice.sql.streaming.stateStore.*`, `sluice.sql.streaming.minBatchesToRetain`). */
export interface StateStoreConf {
  /** "memory" (default) or "lmdb"; Spark's class names are accepted as aliases. */
  readonly providerClass: string;
  /** Write a snapshot once this many deltas follow the last one (Spark's default 10). */
  readonly minDeltasForSnapshot: number;
  /** Keep enough files to load the last this-many versions (Spark's default 100). */
  readonly minBatchesToRetain: number;
  /** LMDB provider: where the live environments live (default: next to the files in the checkpoint). */
  readonly lmdbLocalDir?: string;
  /** Whether state files are fsync'ed (`sluice.sql.streaming.checkpoint.fsync`, default true), as the checkpoint's logs are. */
  readonly fsync?: boolean;
}

export const STATE_STORE_CONF_KEYS = {
  providerClass: "sluice.sql.streaming.stateStore.providerClass",
  minDeltasForSnapshot: "sluice.sql.streaming.stateStore.minDeltasForSnapshot",
  minBatchesToRetain: "sluice.sql.streaming.minBatchesToRetain",
  lmdbLocalDir: "sluice.sql.streaming.stateStore.lmdb.localDir",
  fsync: "sluice.sql.streaming.checkpoint.fsync",
} as const;

export const DEFAULT_STATE_STORE_CONF: StateStoreConf = Object.freeze({ providerClass: "memory", minDeltasForSnapshot: 10, minBatchesToRetain: 100 });

/** Reads the state store settings through a lookup such as `(k) => spark.conf.getOption(k)`. */
export function stateStoreConfFrom(get: (key: string) => string | undefined): StateStoreConf {
  const int = (key: string, def: number, min: number): number => {
    const raw = get(key);
    if (raw === undefined || raw === "") return def;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new IllegalArgumentError("INVALID_CONF_VALUE", `The value '${raw}' of the config "${key}" must be an integer >= ${min}.`);
    return n;
  };
  const local = get(STATE_STORE_CONF_KEYS.lmdbLocalDir);
  return {
    providerClass: get(STATE_STORE_CONF_KEYS.providerClass) ?? DEFAULT_STATE_STORE_CONF.providerClass,
    minDeltasForSnapshot: int(STATE_STORE_CONF_KEYS.minDeltasForSnapshot, DEFAULT_STATE_STORE_CONF.minDeltasForSnapshot, 1),
    minBatchesToRetain: int(STATE_STORE_CONF_KEYS.minBatchesToRetain, DEFAULT_STATE_STORE_CONF.minBatchesToRetain, 1),
    ...(local ? { lmdbLocalDir: local } : {}),
    ...((get(STATE_STORE_CONF_KEYS.fsync) ?? "true").toLowerCase() === "false" ? { fsync: false } : {}),
  };
}

/**
 * A state file that is missing, truncated, fails its checksum or does not parse. `file` names it;
 * `errorClass` follows Spark's CANNOT_LOAD_STATE_STORE sub-classes.
 */
export class StateStoreCorruptError extends CheckpointError {
  constructor(
    errorClass: string,
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(errorClass, message, options);
  }
}

/** Misuse of a store: a call after commit/abort, a second writer, a version that cannot be opened. */
export class StateStoreError extends CheckpointError {}
