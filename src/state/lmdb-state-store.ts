import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { open, type Database, type RootDatabase, type Transaction } from "lmdb";
import { MemoryStateStoreProvider } from "./memory-state-store.js";
import { readStateFileChecksum, StateFileWriter, stateFileName, type StateRecord } from "./state-file.js";
import { listStateFiles, planCleanup, snapshotDue, type StateFileRef } from "./state-file-plan.js";
import { prefixUpperBound, type StateKey } from "./state-key.js";
import { checkVersion, planFiles, readListedFile, removeStateFiles, requireLoadPlan } from "./state-loader.js";
import { StoreDeltaLog } from "./store-delta-log.js";
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
import { decodeValue, encodeValue } from "./state-value-codec.js";

/**
 * The LMDB state store provider: state larger than memory (Spark's RocksDBStateStoreProvider, in
 * spirit), on lmdb-js (memory-mapped B+tree, synchronous gets of ~1-2 µs).
 *
 * Design. LMDB has no versions, so the **checkpoint files are the truth** and the LMDB
 * environment is a materialized cache of one version:
 * - Files: exactly the memory provider's changelogs and `<version>.snapshot` (state-file.ts,
 *   state-changelog.ts), so a checkpoint restores with either provider, and a partition can move to a machine that has
 *   no LMDB environment for it.
 * - Live environment: one per store, at `state/<op>/<part>/_lmdb/` (or under
 *   `sluice.sql.streaming.stateStore.lmdb.localDir`), holding the entries of one committed
 *   version plus a stamp (version, checksum of the file that produced it) in a `meta` database,
 *   written in the same LMDB transaction as the entries.
 * - A writable store buffers the batch's puts and removes in a JS Map overlay (reads look in the
 *   overlay, then LMDB); commit() appends the delta of N+1 to the changelog (the durable commit point),
 *   then applies the overlay and the new stamp in one LMDB transaction. abort() drops the overlay.
 * - getStore(N): the live version when the stamp says N and the stamp's checksum matches the
 *   file in the checkpoint; roll forward by replaying deltas when the stamp is older and the
 *   deltas exist (this is also the recovery from a crash between the delta and the LMDB commit);
 *   otherwise rebuild: clear, load the newest snapshot <= N, replay deltas. Files are verified
 *   before the first byte is applied; a rebuild that fails half-way leaves an invalid stamp, so
 *   the next open rebuilds again.
 * - maintenance() streams a snapshot from an LMDB read snapshot and deletes old files, as the
 *   memory provider does. Read stores of the live version use an LMDB read transaction; other
 *   versions load from the files into memory.
 *
 * Limits: LMDB keys are at most 1978 bytes; keys are stored with a one-byte prefix (LMDB refuses
 * empty keys), so an encoded key may be 1977 bytes.
 */
export class LmdbStateStoreProvider implements StateStoreProvider {
  readonly providerName = "lmdb";
  readonly dir: string;
  readonly envDir: string;
  private env: RootDatabase | undefined;
  private data: Database<Buffer, Buffer> | undefined;
  private meta: Database<string, string> | undefined;
  private writer: LmdbStateStore<unknown> | undefined;
  private lastSnapshotBytes = 0;
  private closed = false;
  private verified = false;
  private readonly deltas: StoreDeltaLog;
  /** The version and checksum of the last delta or snapshot this provider wrote or applied, as in its stamp. */
  private known: { version: number; checksum: string } | undefined;
  /** Bumped at each commit and rebuild; read stores of the live version check it. */
  generation = 0;

  constructor(
    readonly id: StateStoreId,
    readonly conf: StateStoreConf,
  ) {
    this.dir = stateStoreDir(id);
    this.envDir = conf.lmdbLocalDir
      ? path.join(conf.lmdbLocalDir, createHash("sha256").update(path.resolve(this.dir)).digest("hex").slice(0, 16))
      : path.join(this.dir, "_lmdb");
    this.deltas = new StoreDeltaLog(this.dir, conf.fsync !== false);
  }

  private describe(): string {
    return describeStoreId(this.id);
  }

  /** @internal */
  get db(): Database<Buffer, Buffer> {
    this.openEnv();
    return this.data!;
  }

  private openEnv(): void {
    if (this.env) return;
    if (this.closed) throw new StateStoreError("STATE_STORE_PROVIDER_CLOSED", `The state store provider of ${this.describe()} is closed.`);
    fs.mkdirSync(this.envDir, { recursive: true });
    this.env = open({ path: this.envDir, maxDbs: 4 });
    this.data = this.env.openDB<Buffer, Buffer>({ name: "state", keyEncoding: "binary", encoding: "binary" });
    this.meta = this.env.openDB<string, string>({ name: "meta", encoding: "string" });
  }

  private readStamp(): { version: number; checksum: string } {
    this.openEnv();
    const raw = this.meta!.get("stamp");
    if (raw === undefined) return this.data!.getCount() === 0 ? { version: 0, checksum: "" } : { version: -1, checksum: "" };
    try {
      const s = JSON.parse(raw) as { version: number; checksum: string };
      return typeof s.version === "number" ? s : { version: -1, checksum: "" };
    } catch {
      return { version: -1, checksum: "" };
    }
  }

  private stampMatchesFiles(stamp: { version: number; checksum: string }): boolean {
    if (stamp.version < 0) return false;
    if (stamp.version === 0) return true;
    // What this provider wrote or applied itself needs no reading back.
    if (this.known && this.known.version === stamp.version && this.known.checksum === stamp.checksum) return true;
    const ref = listStateFiles(this.dir).files.find((f) => f.version === stamp.version && f.kind === "delta");
    if (ref?.changelog !== undefined) {
      try {
        if (readListedFile(this.dir, ref).checksum === stamp.checksum) return true;
      } catch {
        // a damaged block does not match; the files are checked again when loaded
      }
    } else if (readStateFileChecksum(path.join(this.dir, stateFileName(stamp.version, "delta"))) === stamp.checksum) return true;
    return readStateFileChecksum(path.join(this.dir, stateFileName(stamp.version, "snapshot"))) === stamp.checksum;
  }

  /** The live version as committed, or -1 when unknown (used by tests and metrics). */
  liveVersion(): number {
    return this.readStamp().version;
  }

  /**
   * Once per provider, before serving the live version without reading the files: checks that
   * the checkpoint could load it (files present, checksums good), so a damaged checkpoint is
   * reported now rather than when a partition moves or the environment is lost.
   */
  private verifyCheckpoint(version: number): void {
    if (this.verified) return;
    const { files } = listStateFiles(this.dir);
    const plan = requireLoadPlan(this.dir, files, version, this.describe());
    for (const ref of planFiles(files, plan)) readListedFile(this.dir, ref);
    this.verified = true;
  }

  /** Makes the live environment hold exactly `version`. */
  private bringTo(version: number): void {
    const stamp = this.readStamp();
    const matches = this.stampMatchesFiles(stamp);
    if (matches && stamp.version === version) {
      this.verifyCheckpoint(version);
      return;
    }
    const { files } = listStateFiles(this.dir);
    if (matches && stamp.version < version) {
      this.verifyCheckpoint(stamp.version);
      const deltas = new Map<number, StateFileRef>();
      for (const f of files) if (f.kind === "delta") deltas.set(f.version, f);
      let ok = true;
      for (let v = stamp.version + 1; v <= version; v++) if (!deltas.has(v)) ok = false;
      if (ok) {
        for (let v = stamp.version + 1; v <= version; v++) this.applyFile(deltas.get(v)!, false);
        this.generation++;
        return;
      }
    }
    this.rebuild(files, version);
    this.verified = true;
    this.generation++;
  }

  private rebuild(files: readonly StateFileRef[], version: number): void {
    const plan = requireLoadPlan(this.dir, files, version, this.describe());
    const data = this.data!, meta = this.meta!;
    this.env!.transactionSync(() => {
      data.clearSync();
      meta.putSync("stamp", JSON.stringify({ version: -1, checksum: "" }));
    });
    if (version === 0) {
      meta.putSync("stamp", JSON.stringify({ version: 0, checksum: "" }));
      return;
    }
    for (const ref of planFiles(files, plan)) this.applyFile(ref, ref.kind === "snapshot");
  }

  /** Verifies one file, applies its records and sets the stamp to its version (in chunks of transactions for large files). */
  private applyFile(ref: StateFileRef, fresh: boolean): void {
    const { version } = ref;
    const { records, checksum } = readListedFile(this.dir, ref);
    this.known = { version, checksum };
    const data = this.data!, meta = this.meta!;
    const CHUNK = 100_000;
    const writeChunk = (rs: StateRecord[], last: boolean): void => {
      this.env!.transactionSync(() => {
        for (const r of rs) {
          const k = lmdbKey(r.key, this.describe());
          if (r.op === "put") data.putSync(k, r.buf.subarray(r.start, r.end), fresh ? { append: false } : {});
          else data.removeSync(k);
        }
        meta.putSync("stamp", JSON.stringify(last ? { version, checksum } : { version: -1, checksum: "" }));
      });
    };
    if (records.length === 0) writeChunk([], true);
    for (let i = 0; i < records.length; i += CHUNK) writeChunk(records.slice(i, i + CHUNK), i + CHUNK >= records.length);
  }

  getStore<V = unknown>(version: number): StateStore<V> {
    checkVersion(version, `getStore of ${this.describe()}`);
    this.openEnv();
    if (this.writer && !this.writer.isClosed) this.writer.abort();
    this.bringTo(version);
    const store = new LmdbStateStore<V>(this, version, true);
    this.writer = store as LmdbStateStore<unknown>;
    return store;
  }

  getReadStore<V = unknown>(version: number): ReadStateStore<V> {
    checkVersion(version, `getReadStore of ${this.describe()}`);
    this.openEnv();
    const stamp = this.readStamp();
    if (stamp.version === version && this.stampMatchesFiles(stamp)) {
      this.verifyCheckpoint(version);
      return new LmdbStateStore<V>(this, version, false, this.env!.useReadTransaction());
    }
    // Another version: load it from the files into memory (same file format).
    const mem = new MemoryStateStoreProvider(this.id, this.conf);
    return mem.getReadStore<V>(version);
  }

  latestVersion(): number {
    let max = 0;
    for (const f of listStateFiles(this.dir).files) if (f.version > max) max = f.version;
    return max;
  }

  /** @internal */
  commitFrom(store: LmdbStateStore<unknown>, overlay: Map<StateKey, unknown>): { bytes: number } {
    const newVersion = store.version + 1;
    const w = this.deltas.writer(newVersion);
    const keys: Buffer[] = [];
    const values: (Buffer | undefined)[] = [];
    let result: { checksum: string; bytes: number };
    try {
      for (const [k, v] of overlay) {
        keys.push(lmdbKey(k, this.describe()));
        if (v === TOMBSTONE) {
          w.remove(k);
          values.push(undefined);
        } else {
          const buf = encodeValue(v);
          w.putEncoded(k, buf);
          values.push(buf);
        }
      }
      result = w.finish();
    } catch (e) {
      w.discard();
      throw e;
    }
    // The delta is durable: version N+1 exists. Now move the live environment to it.
    const data = this.data!, meta = this.meta!;
    this.env!.transactionSync(() => {
      for (let i = 0; i < keys.length; i++) {
        const v = values[i];
        if (v === undefined) data.removeSync(keys[i]!);
        else data.putSync(keys[i]!, v);
      }
      meta.putSync("stamp", JSON.stringify({ version: newVersion, checksum: result.checksum }));
    });
    this.known = { version: newVersion, checksum: result.checksum };
    this.generation++;
    return result;
  }

  maintenance(): void {
    this.openEnv();
    const listing = listStateFiles(this.dir);
    const { files } = listing;
    let latest = 0;
    for (const f of files) if (f.version > latest) latest = f.version;
    const stamp = this.readStamp();
    if (stamp.version === latest && snapshotDue(files, latest, this.conf.minDeltasForSnapshot) && this.stampMatchesFiles(stamp)) {
      this.writeSnapshot(latest);
      files.push({ version: latest, kind: "snapshot" });
      this.deltas.rollOver();
    }
    removeStateFiles(this.dir, listing, planCleanup(files, latest, this.conf.minBatchesToRetain));
  }

  private writeSnapshot(version: number): void {
    const w = StateFileWriter.toFile(path.join(this.dir, stateFileName(version, "snapshot")), "snapshot", this.conf.fsync !== false);
    try {
      for (const { key, value } of this.data!.getRange({ snapshot: true })) w.putEncoded(key.toString("latin1", 1, key.length), value);
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

  /** @internal bytes of the LMDB data file */
  envFileBytes(): number {
    try {
      return fs.statSync(path.join(this.envDir, "data.mdb")).size;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.writer && !this.writer.isClosed) this.writer.abort();
    this.deltas.rollOver();
    this.closed = true;
    const env = this.env;
    this.env = undefined;
    if (env) await env.close();
  }
}

const TOMBSTONE: unique symbol = Symbol("removed");
const MAX_KEY = 1977;
const KEY_MIN = Buffer.from([1]);
const KEY_END = Buffer.from([2]);

function lmdbKey(k: StateKey, store: string): Buffer {
  if (k.length > MAX_KEY) throw new StateStoreError("STATE_KEY_TOO_LARGE", `A state key of ${k.length} bytes is too large for the lmdb state store of ${store} (at most ${MAX_KEY} bytes); use the memory provider or a smaller key.`);
  const b = Buffer.allocUnsafe(k.length + 1);
  b[0] = 1;
  b.write(k, 1, "latin1");
  return b;
}

const SCRATCH_KEY = Buffer.allocUnsafe(MAX_KEY + 1);
SCRATCH_KEY[0] = 1;

/** A key's LMDB bytes in a shared buffer, for lookups (lmdb-js copies the key): valid until the next call. */
function scratchKey(k: StateKey): Buffer {
  const n = SCRATCH_KEY.write(k, 1, "latin1");
  return SCRATCH_KEY.subarray(0, n + 1);
}

class LmdbStateStore<V> implements StateStore<V> {
  private readonly overlay = new Map<StateKey, V | typeof TOMBSTONE>();
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
    private readonly provider: LmdbStateStoreProvider,
    readonly version: number,
    private readonly writable: boolean,
    private readonly txn?: Transaction,
  ) {
    this.gen = provider.generation;
  }

  get id(): StateStoreId {
    return this.provider.id;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  private check(): void {
    if (this.closed) throw new StateStoreError("STATE_STORE_CLOSED", `The state store of ${describeStoreId(this.id)} at version ${this.version} was already ${this.committed ? "committed" : "aborted"}.`);
    if (this.writable && this.gen !== this.provider.generation) throw new StateStoreError("STATE_STORE_READ_STALE", `The state store of ${describeStoreId(this.id)} at version ${this.version} is stale: the live environment moved to another version.`);
  }

  private checkWritable(): void {
    this.check();
    if (!this.writable) throw new StateStoreError("STATE_STORE_READ_ONLY", `The state store of ${describeStoreId(this.id)} at version ${this.version} is read-only.`);
  }

  private dbGet(key: StateKey): V | undefined {
    const k = key.length <= MAX_KEY ? scratchKey(key) : lmdbKey(key, describeStoreId(this.id));
    const buf = this.txn ? (this.provider.db.get(k, { transaction: this.txn }) as Buffer | undefined) : this.provider.db.getBinaryFast(k);
    return buf === undefined ? undefined : (decodeValue(buf) as V);
  }

  get(key: StateKey): V | undefined {
    this.check();
    const o = this.overlay.get(key);
    if (o !== undefined) return o === TOMBSTONE ? undefined : o;
    return this.dbGet(key);
  }

  put(key: StateKey, value: V): void {
    const t0 = performance.now();
    this.checkWritable();
    if (value === undefined) throw new StateStoreError("STATE_STORE_NULL_VALUE", `Cannot put undefined into the state store of ${describeStoreId(this.id)}; use remove().`);
    if (key.length > MAX_KEY) lmdbKey(key, describeStoreId(this.id));
    this.overlay.set(key, value);
    this.numRowsUpdated++;
    this.updatesMs += performance.now() - t0;
  }

  remove(key: StateKey): void {
    const t0 = performance.now();
    this.checkWritable();
    const o = this.overlay.get(key);
    const exists = o !== undefined ? o !== TOMBSTONE : this.provider.db.doesExist(lmdbKey(key, describeStoreId(this.id)));
    if (!exists) return;
    this.overlay.set(key, TOMBSTONE);
    this.numRowsRemoved++;
    this.removalsMs += performance.now() - t0;
  }

  getMany(keys: readonly StateKey[]): (V | undefined)[] {
    this.check();
    const out = new Array<V | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const o = this.overlay.get(key);
      out[i] = o !== undefined ? (o === TOMBSTONE ? undefined : o) : this.dbGet(key);
    }
    return out;
  }

  putMany(keys: readonly StateKey[], values: readonly V[], _previous?: readonly (V | undefined)[]): void {
    const t0 = performance.now();
    this.checkWritable();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!, value = values[i];
      if (value === undefined) throw new StateStoreError("STATE_STORE_NULL_VALUE", `Cannot put undefined into the state store of ${describeStoreId(this.id)}; use remove().`);
      if (key.length > MAX_KEY) lmdbKey(key, describeStoreId(this.id));
      this.overlay.set(key, value);
    }
    this.numRowsUpdated += keys.length;
    this.updatesMs += performance.now() - t0;
  }

  removeMany(keys: readonly StateKey[]): void {
    for (const k of keys) this.remove(k);
  }

  commit(): number {
    this.checkWritable();
    const t0 = performance.now();
    try {
      this.deltaBytes = this.provider.commitFrom(this as LmdbStateStore<unknown>, this.overlay as Map<StateKey, unknown>).bytes;
    } finally {
      this.closed = true;
    }
    this.committed = true;
    this.overlay.clear();
    this.commitMs = performance.now() - t0;
    return this.version + 1;
  }

  abort(): void {
    if (this.closed) return;
    this.overlay.clear();
    this.closed = true;
    this.txn?.done();
  }

  *prefixScan(prefix: StateKey): IterableIterator<StateEntry<V>> {
    yield* this.rangeScan(prefix === "" ? undefined : prefix, prefixUpperBound(prefix));
  }

  *rangeScan(from: StateKey | undefined, to: StateKey | undefined): IterableIterator<StateEntry<V>> {
    this.check();
    // Overlay puts in range, sorted; DB entries that the overlay shadows are skipped.
    const mine: StateKey[] = [];
    for (const [k, v] of this.overlay) if (v !== TOMBSTONE && (from === undefined || k >= from) && (to === undefined || k < to)) mine.push(k);
    mine.sort();
    const store = describeStoreId(this.id);
    const range = this.provider.db.getRange({
      start: from === undefined ? KEY_MIN : lmdbKey(from, store),
      end: to === undefined ? KEY_END : lmdbKey(to, store),
      ...(this.txn ? { transaction: this.txn } : { snapshot: true }),
    });
    let j = 0;
    for (const { key, value } of range) {
      const k = key.toString("latin1", 1, key.length);
      while (j < mine.length && mine[j]! < k) {
        const m = mine[j++]!;
        const v = this.overlay.get(m);
        if (v !== undefined && v !== TOMBSTONE) yield { key: m, value: v };
      }
      if (this.overlay.has(k)) continue;
      yield { key: k, value: decodeValue(value) as V };
    }
    while (j < mine.length) {
      const m = mine[j++]!;
      const v = this.overlay.get(m);
      if (v !== undefined && v !== TOMBSTONE) yield { key: m, value: v };
    }
  }

  iterator(): IterableIterator<StateEntry<V>> {
    return this.rangeScan(undefined, undefined);
  }

  metrics(): StateStoreMetrics {
    const db = this.provider.db;
    let numKeys = db.getCount();
    let overlayBytes = 0;
    if (!this.closed) {
      for (const [k, v] of this.overlay) {
        const inDb = db.doesExist(lmdbKey(k, describeStoreId(this.id)));
        if (v === TOMBSTONE) { if (inDb) numKeys--; } else if (!inDb) numKeys++;
        overlayBytes += 64 + k.length;
      }
    }
    return {
      numKeys,
      numRowsUpdated: this.numRowsUpdated,
      numRowsRemoved: this.numRowsRemoved,
      memoryUsedBytes: overlayBytes,
      commitTimeMs: this.commitMs,
      allUpdatesTimeMs: this.updatesMs,
      allRemovalsTimeMs: this.removalsMs,
      customMetrics: { deltaFileBytes: this.deltaBytes, lastSnapshotFileBytes: this.provider.snapshotBytes, lmdbFileBytes: this.provider.envFileBytes(), changedKeys: this.overlay.size },
    };
  }
}
