import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { StateFileWriter, stateFileName } from "./state-file.js";
import { listStateFiles, planCleanup, snapshotDue } from "./state-file-plan.js";
import { StoreDeltaLog } from "./store-delta-log.js";
import { prefixUpperBound, type StateKey } from "./state-key.js";
import { checkVersion, loadVersionIntoMap, removeStateFiles } from "./state-loader.js";
import {
  describeStoreId,
  stateStoreDir,
  StateStoreError,
  type ReadStateStore,
  type StateEntry,
  type StateStore,
  type StateStoreConf,
  type StateStoreId,
  type StateStoreMetrics,
  type StateStoreProvider,
} from "./state-store.js";

/**
 * The in-memory state store provider (Spark's HDFSBackedStateStoreProvider, in spirit).
 *
 * Memory: one Map (encoded key -> value object) holding the latest version this provider has
 * loaded or committed. A writable store changes that Map in place and keeps a change log (arrays:
 * each change's key, the value before it and the value after it, appended without a lookup), so
 * a batch costs one Map write per update, not a copy of the state; abort() replays the log
 * backwards. commit() writes the delta of N+1 from the log in order (a put or a remove per change;
 * a key changed twice in a batch has two records, replayed in order) as a block of the store's
 * changelog (state-changelog.ts), durably, and only then moves the Map to N+1.
 * Opening a version other than the one in memory reloads it from files (latest snapshot <= N
 * plus deltas), so re-running batch N after a failure loads exactly N.
 *
 * Ordered scans use a sorted array of keys built on the first scan and kept up to date by
 * merging the keys added since (sorted) into it, so a batch's scans cost O(new keys log new keys
 * + n) rather than a full sort; removed keys are skipped and dropped at the next merge.
 *
 * Disk: a delta per commit, appended to `<first version>.changelog`, and `<version>.snapshot`
 * (every entry of the version) written by maintenance() once `minDeltasForSnapshot` deltas
 * follow the last snapshot; files no retained version (the last `minBatchesToRetain`) needs are
 * deleted. File formats: state-file.ts, state-changelog.ts.
 */
export class MemoryStateStoreProvider implements StateStoreProvider {
  readonly providerName = "memory";
  readonly dir: string;
  private map: Map<StateKey, unknown> = new Map();
  private mapVersion = -1;
  private readonly deltas: StoreDeltaLog;
  private index = new SortedKeyIndex();
  private writer: MemoryStateStore<unknown> | undefined;
  /** Bumped whenever the shared Map changes outside a read store's knowledge. */
  generation = 0;
  private lastSnapshotBytes = 0;
  private closed = false;

  constructor(
    readonly id: StateStoreId,
    readonly conf: StateStoreConf,
  ) {
    this.dir = stateStoreDir(id);
    this.deltas = new StoreDeltaLog(this.dir, conf.fsync !== false);
  }

  private describe(): string {
    return describeStoreId(this.id);
  }

  private ensureVersion(version: number): void {
    if (this.mapVersion === version) return;
    this.map = loadVersionIntoMap(this.dir, version, this.describe());
    this.mapVersion = version;
    this.index = new SortedKeyIndex();
    this.generation++;
  }

  getStore<V = unknown>(version: number): StateStore<V> {
    this.checkOpen();
    checkVersion(version, `getStore of ${this.describe()}`);
    // A writer left open belongs to a failed attempt: drop its changes.
    if (this.writer && !this.writer.isClosed) this.writer.abort();
    this.ensureVersion(version);
    this.generation++;
    const store = new MemoryStateStore<V>(this, version, this.map as Map<StateKey, V>, this.index, true);
    this.writer = store as MemoryStateStore<unknown>;
    return store;
  }

  getReadStore<V = unknown>(version: number): ReadStateStore<V> {
    this.checkOpen();
    checkVersion(version, `getReadStore of ${this.describe()}`);
    const writerOpen = this.writer !== undefined && !this.writer.isClosed;
    if (version === this.mapVersion && !writerOpen) return new MemoryStateStore<V>(this, version, this.map as Map<StateKey, V>, this.index, false);
    // Another version (or one a writer is changing): a private copy from the files.
    const map = loadVersionIntoMap(this.dir, version, this.describe()) as Map<StateKey, V>;
    return new MemoryStateStore<V>(this, version, map, new SortedKeyIndex(), false, true);
  }

  latestVersion(): number {
    let max = 0;
    for (const f of listStateFiles(this.dir).files) if (f.version > max) max = f.version;
    return max;
  }

  /** @internal called by a committing store */
  commitFrom(store: MemoryStateStore<unknown>, undo: UndoLog): { bytes: number; records: number } {
    const w = this.writeDelta(store, undo);
    try {
      return this.published(store, w.finish());
    } catch (e) {
      w.discard();
      throw e;
    }
  }

  /** @internal {@link commitFrom} whose fsyncs run off the thread (several partitions at once). */
  async commitFromAsync(store: MemoryStateStore<unknown>, undo: UndoLog): Promise<{ bytes: number; records: number }> {
    const w = this.writeDelta(store, undo);
    try {
      return this.published(store, await w.finishAsync());
    } catch (e) {
      w.discard();
      throw e;
    }
  }

  /** Writes the delta of N+1 from the batch's changes, not yet durable. */
  private writeDelta(store: MemoryStateStore<unknown>, undo: UndoLog): StateFileWriter {
    const w = this.deltas.writer(store.version + 1);
    try {
      const { keys, news } = undo;
      for (let i = 0; i < keys.length; i++) {
        const v = news[i];
        if (v === ABSENT) w.remove(keys[i]!);
        else w.put(keys[i]!, v);
      }
    } catch (e) {
      w.discard();
      throw e;
    }
    return w;
  }

  /** The delta of N+1 is durable: the Map is version N+1 now. */
  private published<R>(store: MemoryStateStore<unknown>, r: R): R {
    this.mapVersion = store.version + 1;
    this.generation++;
    return r;
  }

  maintenance(): void {
    this.checkOpen();
    const listing = listStateFiles(this.dir);
    const { files } = listing;
    let latest = 0;
    for (const f of files) if (f.version > latest) latest = f.version;
    if (this.mapVersion === latest && snapshotDue(files, latest, this.conf.minDeltasForSnapshot)) {
      this.writeSnapshot(latest);
      files.push({ version: latest, kind: "snapshot" });
      this.deltas.rollOver();
    }
    removeStateFiles(this.dir, listing, planCleanup(files, latest, this.conf.minBatchesToRetain));
  }

  /** Snapshot of the committed version in memory; with a writer open, its uncommitted changes are read through its undo log. */
  private writeSnapshot(version: number): void {
    const w = StateFileWriter.toFile(path.join(this.dir, stateFileName(version, "snapshot")), "snapshot", this.conf.fsync !== false);
    try {
      const undo = this.writer && !this.writer.isClosed ? this.writer.undoRef.firstChanges() : undefined;
      for (const [k, v] of this.map) {
        if (undo?.has(k)) {
          const old = undo.get(k);
          if (old !== ABSENT) w.put(k, old);
        } else w.put(k, v);
      }
      if (undo) for (const [k, old] of undo) if (old !== ABSENT && !this.map.has(k)) w.put(k, old);
      this.lastSnapshotBytes = w.finish().bytes;
    } catch (e) {
      w.discard();
      throw e;
    }
  }

  /** @internal */
  get snapshotBytes(): number {
    return this.lastSnapshotBytes;
  }

  async close(): Promise<void> {
    if (this.writer && !this.writer.isClosed) this.writer.abort();
    this.deltas.rollOver();
    this.map = new Map();
    this.mapVersion = -1;
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new StateStoreError("STATE_STORE_PROVIDER_CLOSED", `The state store provider of ${this.describe()} is closed.`);
  }
}

const ABSENT: unique symbol = Symbol("absent");

/** A writable store's changes in order: key, previous value and new value (ABSENT: none / removed). */
class UndoLog {
  keys: StateKey[] = [];
  olds: unknown[] = [];
  news: unknown[] = [];
  push(key: StateKey, old: unknown, value: unknown): void {
    this.keys.push(key);
    this.olds.push(old);
    this.news.push(value);
  }
  /** Each changed key with its value before the batch's first change of it. */
  firstChanges(): Map<StateKey, unknown> {
    // Backwards, so the first change's value is the one left (one Map write per change).
    const m = new Map<StateKey, unknown>();
    const { keys, olds } = this;
    for (let i = keys.length - 1; i >= 0; i--) m.set(keys[i]!, olds[i]);
    return m;
  }
  clear(): void {
    this.keys = [];
    this.olds = [];
    this.news = [];
  }
}

class MemoryStateStore<V> implements StateStore<V> {
  private readonly undo = new UndoLog();
  private closed = false;
  committed = false;
  private readonly gen: number;
  private numRowsUpdated = 0;
  private numRowsRemoved = 0;
  private updatesMs = 0;
  private removalsMs = 0;
  private commitMs = 0;
  private deltaBytes = 0;

  constructor(
    private readonly provider: MemoryStateStoreProvider,
    readonly version: number,
    private readonly map: Map<StateKey, V>,
    private readonly index: SortedKeyIndex,
    private readonly writable: boolean,
    private readonly privateCopy = false,
  ) {
    this.gen = provider.generation;
  }

  get id(): StateStoreId {
    return this.provider.id;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** @internal */
  get mapRef(): Map<StateKey, unknown> {
    return this.map;
  }
  /** @internal */
  get undoRef(): UndoLog {
    return this.undo;
  }

  private check(): void {
    if (this.closed) throw new StateStoreError("STATE_STORE_CLOSED", `The state store of ${describeStoreId(this.id)} at version ${this.version} was already ${this.committed ? "committed" : "aborted"}.`);
    if (!this.writable && !this.privateCopy && this.gen !== this.provider.generation) {
      throw new StateStoreError("STATE_STORE_READ_STALE", `The read store of ${describeStoreId(this.id)} at version ${this.version} is stale: a writable store was opened or committed since. Open a new read store.`);
    }
  }

  private checkWritable(): void {
    this.check();
    if (!this.writable) throw new StateStoreError("STATE_STORE_READ_ONLY", `The state store of ${describeStoreId(this.id)} at version ${this.version} is read-only.`);
  }

  get(key: StateKey): V | undefined {
    this.check();
    return this.map.get(key);
  }

  put(key: StateKey, value: V): void {
    const t0 = performance.now();
    this.checkWritable();
    this.putOne(key, value);
    this.numRowsUpdated++;
    this.updatesMs += performance.now() - t0;
  }

  private putOne(key: StateKey, value: V): void {
    if (value === undefined) throw new StateStoreError("STATE_STORE_NULL_VALUE", `Cannot put undefined into the state store of ${describeStoreId(this.id)}; use remove().`);
    const m = this.map;
    const old = m.get(key);
    if (old === undefined) this.index.added(key);
    this.undo.push(key, old === undefined ? ABSENT : old, value);
    m.set(key, value);
  }

  /** putOne when the caller knows the key's current value (from getMany, unchanged since). */
  private putKnown(key: StateKey, value: V, old: V | undefined): void {
    if (value === undefined) throw new StateStoreError("STATE_STORE_NULL_VALUE", `Cannot put undefined into the state store of ${describeStoreId(this.id)}; use remove().`);
    if (old === undefined) this.index.added(key);
    this.undo.push(key, old === undefined ? ABSENT : old, value);
    this.map.set(key, value);
  }

  remove(key: StateKey): void {
    const t0 = performance.now();
    this.checkWritable();
    if (this.removeOne(key)) this.numRowsRemoved++;
    this.removalsMs += performance.now() - t0;
  }

  private removeOne(key: StateKey): boolean {
    const m = this.map;
    const old = m.get(key);
    if (old === undefined) return false;
    this.undo.push(key, old, ABSENT);
    m.delete(key);
    this.index.removed();
    return true;
  }

  getMany(keys: readonly StateKey[]): (V | undefined)[] {
    this.check();
    const m = this.map;
    const out = new Array<V | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = m.get(keys[i]!);
    return out;
  }

  putMany(keys: readonly StateKey[], values: readonly V[], previous?: readonly (V | undefined)[]): void {
    const t0 = performance.now();
    this.checkWritable();
    if (previous === undefined) for (let i = 0; i < keys.length; i++) this.putOne(keys[i]!, values[i]!);
    else for (let i = 0; i < keys.length; i++) this.putKnown(keys[i]!, values[i]!, previous[i]);
    this.numRowsUpdated += keys.length;
    this.updatesMs += performance.now() - t0;
  }

  removeMany(keys: readonly StateKey[]): void {
    const t0 = performance.now();
    this.checkWritable();
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (this.removeOne(keys[i]!)) n++;
    this.numRowsRemoved += n;
    this.removalsMs += performance.now() - t0;
  }

  commit(): number {
    this.checkWritable();
    const t0 = performance.now();
    try {
      this.deltaBytes = this.provider.commitFrom(this as MemoryStateStore<unknown>, this.undo).bytes;
    } catch (e) {
      this.failedCommit();
      throw e;
    }
    return this.committedAt(t0);
  }

  async commitAsync(): Promise<number> {
    this.checkWritable();
    const t0 = performance.now();
    // Closed while the file goes to disk: no change and no abort() can slip in.
    this.closed = true;
    try {
      this.deltaBytes = (await this.provider.commitFromAsync(this as MemoryStateStore<unknown>, this.undo)).bytes;
    } catch (e) {
      this.failedCommit();
      throw e;
    }
    return this.committedAt(t0);
  }

  private failedCommit(): void {
    this.rollback();
    this.closed = true;
  }

  private committedAt(t0: number): number {
    this.undo.clear();
    this.committed = true;
    this.closed = true;
    this.commitMs = performance.now() - t0;
    return this.version + 1;
  }

  abort(): void {
    if (this.closed) return;
    if (this.writable) this.rollback();
    this.closed = true;
  }

  private rollback(): void {
    const { keys, olds } = this.undo;
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!, old = olds[i];
      if (old === ABSENT) this.map.delete(k);
      else {
        this.map.set(k, old as V);
        this.index.added(k); // a merge may have dropped it while it was removed
      }
    }
    this.undo.clear();
  }

  *prefixScan(prefix: StateKey): IterableIterator<StateEntry<V>> {
    yield* this.rangeScan(prefix === "" ? undefined : prefix, prefixUpperBound(prefix));
  }

  *rangeScan(from: StateKey | undefined, to: StateKey | undefined): IterableIterator<StateEntry<V>> {
    this.check();
    const { sorted: a, pending: b } = this.index.runs(this.map);
    const m = this.map;
    // Two sorted runs (the compacted keys and the keys added since), merged on the fly; lengths
    // are fixed at the start so keys added during the scan (appended to the run) are not seen.
    const na = a.length, nb = b.length;
    let i = from === undefined ? 0 : lowerBound(a, from, na);
    let j = from === undefined ? 0 : lowerBound(b, from, nb);
    let last: StateKey | undefined;
    while (i < na || j < nb) {
      let k: StateKey;
      if (j >= nb || (i < na && a[i]! <= b[j]!)) k = a[i++]!;
      else k = b[j++]!;
      if (to !== undefined && k >= to) break;
      if (k === last) continue;
      last = k;
      const v = m.get(k);
      if (v !== undefined) yield { key: k, value: v };
    }
  }

  *iterator(): IterableIterator<StateEntry<V>> {
    this.check();
    for (const [key, value] of this.map) yield { key, value };
  }

  metrics(): StateStoreMetrics {
    return {
      numKeys: this.map.size,
      numRowsUpdated: this.numRowsUpdated,
      numRowsRemoved: this.numRowsRemoved,
      memoryUsedBytes: estimateMapBytes(this.map),
      commitTimeMs: this.commitMs,
      allUpdatesTimeMs: this.updatesMs,
      allRemovalsTimeMs: this.removalsMs,
      customMetrics: { deltaFileBytes: this.deltaBytes, lastSnapshotFileBytes: this.provider.snapshotBytes, changedKeys: this.undo.keys.length },
    };
  }
}

/**
 * Sorted keys of a Map, maintained incrementally: a compacted sorted run plus the keys added
 * since (sorted lazily, at the next scan), merged on the fly by scans. The runs are compacted
 * into one when the added keys outgrow a quarter of the compacted run or many keys were removed,
 * so a batch's scans cost O(added log added + scanned) amortized, not a merge of the whole state.
 * Runs may hold keys no longer in the map and (the added run) duplicates: scans skip both.
 * Sorting or compacting builds new arrays, so a scan in progress keeps the runs it started with.
 */
class SortedKeyIndex {
  private sorted: StateKey[] | undefined;
  private pending: StateKey[] = [];
  private pendingSorted = true;
  private removedSince = 0;

  added(k: StateKey): void {
    if (this.sorted) {
      this.pending.push(k);
      this.pendingSorted = false;
    }
  }
  removed(): void {
    if (this.sorted) this.removedSince++;
  }

  runs(map: Map<StateKey, unknown>): { sorted: StateKey[]; pending: StateKey[] } {
    if (this.sorted === undefined) {
      this.sorted = [...map.keys()].sort();
      this.pending = [];
      this.pendingSorted = true;
      this.removedSince = 0;
    } else if (this.pending.length > Math.max(1024, this.sorted.length / 4) || this.removedSince > this.sorted.length / 4 + 1024) {
      this.sorted = mergeLive(this.sorted, this.pendingSorted ? this.pending : this.pending.slice().sort(), map);
      this.pending = [];
      this.pendingSorted = true;
      this.removedSince = 0;
    } else if (!this.pendingSorted) {
      this.pending = this.pending.slice().sort();
      this.pendingSorted = true;
    }
    return { sorted: this.sorted, pending: this.pending };
  }
}

/** Merges two sorted key arrays into a new one, dropping duplicates and keys no longer in `map`. */
function mergeLive(a: StateKey[], b: StateKey[], map: Map<StateKey, unknown>): StateKey[] {
  const out: StateKey[] = [];
  let i = 0, j = 0, last: StateKey | undefined;
  while (i < a.length || j < b.length) {
    let k: StateKey;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) k = a[i++]!;
    else k = b[j++]!;
    if (k === last) continue;
    last = k;
    if (map.has(k)) out.push(k);
  }
  return out;
}

function lowerBound(keys: StateKey[], k: StateKey, n = keys.length): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Estimated heap bytes of a Map: per-entry overhead plus key bytes plus sampled value sizes. */
export function estimateMapBytes(map: Map<StateKey, unknown>): number {
  const n = map.size;
  if (n === 0) return 0;
  const SAMPLE = 64;
  let sampled = 0, bytes = 0;
  for (const [k, v] of map) {
    bytes += 16 + k.length + estimateValueBytes(v);
    if (++sampled >= SAMPLE) break;
  }
  // ~ 3 words per Map entry in V8's ordered hash table plus load-factor slack.
  return Math.round(n * (bytes / sampled + 40));
}

function estimateValueBytes(v: unknown, depth = 0): number {
  switch (typeof v) {
    case "number": return 8;
    case "boolean": return 4;
    case "string": return 16 + v.length;
    case "bigint": return 24;
    case "object": {
      if (v === null) return 4;
      if (depth > 4) return 64;
      if (v instanceof Uint8Array) return 96 + v.byteLength;
      if (Array.isArray(v)) {
        let s = 32;
        for (const x of v) s += 8 + estimateValueBytes(x, depth + 1);
        return s;
      }
      if (v instanceof Map) return 64 + v.size * 48;
      let s = 32;
      for (const x of Object.values(v)) s += 8 + estimateValueBytes(x, depth + 1);
      return s;
    }
    default: return 8;
  }
}
