import { forgetEventTimeFloor } from "./event-time-floor.js";
import * as path from "node:path";
import { IllegalArgumentError } from "../errors/errors.js";
import { LmdbStateStoreProvider } from "./lmdb-state-store.js";
import { MemoryStateStoreProvider } from "./memory-state-store.js";
import { type StateStore, type StateStoreConf, type StateStoreId, type StateStoreProvider, storeKey } from "./state-store.js";

export type StateStoreProviderFactory = (id: StateStoreId, conf: StateStoreConf) => StateStoreProvider;

/**
 * `sluice.sql.streaming.stateStore.providerClass` values. Spark's class names are aliases so a
 * Spark user's setting does what they mean: HDFSBacked -> memory, RocksDB (on-disk) -> lmdb.
 */
const PROVIDERS: Record<string, StateStoreProviderFactory> = {
  memory: (id, conf) => new MemoryStateStoreProvider(id, conf),
  lmdb: (id, conf) => new LmdbStateStoreProvider(id, conf),
};
const ALIASES: Record<string, string> = {
  memory: "memory",
  hdfs: "memory",
  hdfsbackedstatestoreprovider: "memory",
  memorystatestoreprovider: "memory",
  lmdb: "lmdb",
  lmdbstatestoreprovider: "lmdb",
  rocksdb: "lmdb",
  rocksdbstatestoreprovider: "lmdb",
};

/** The canonical provider name ("memory" | "lmdb") for a providerClass setting; throws for unknown names. */
export function resolveStateStoreProvider(providerClass: string): string {
  const simple = providerClass.trim().split(".").pop()!.toLowerCase();
  const name = ALIASES[simple];
  if (name === undefined) {
    throw new IllegalArgumentError(
      "INVALID_CONF_VALUE",
      `Unknown state store provider "${providerClass}" for sluice.sql.streaming.stateStore.providerClass; use "memory" (default) or "lmdb" (Spark's HDFSBackedStateStoreProvider and RocksDBStateStoreProvider names map to these).`,
    );
  }
  return name;
}

export function createStateStoreProvider(id: StateStoreId, conf: StateStoreConf): StateStoreProvider {
  // What this thread knew of the store's entries was about another provider's copy.
  forgetEventTimeFloor(id);
  return PROVIDERS[resolveStateStoreProvider(conf.providerClass)]!(id, conf);
}

/**
 * Keeps one loaded provider per store for the life of a query (Spark's StateStore object plus
 * StateStoreCoordinator, in one process): batch N+1 finds version N in memory (or in the live LMDB
 * environment) instead of reloading. When partitions move between threads or processes, the
 * owner of a store is whoever has it loaded here; `unload` gives it up.
 */
export class StateStoreCoordinator {
  private readonly providers = new Map<string, StateStoreProvider>();

  constructor(readonly conf: StateStoreConf) {}

  /** The identity of a store across threads (storeKey). */
  static keyOf(id: StateStoreId): string {
    return storeKey(id);
  }

  /** The absolute checkpoint path a {@link keyOf} key names. */
  static checkpointOfKey(key: string): string {
    return (JSON.parse(key) as string[])[0]!;
  }

  provider(id: StateStoreId): StateStoreProvider {
    const k = StateStoreCoordinator.keyOf(id);
    let p = this.providers.get(k);
    if (!p) {
      p = createStateStoreProvider(id, this.conf);
      this.providers.set(k, p);
    }
    return p;
  }

  /** The writable store of `id` at `version`: batch b opens version b (what batch b-1 committed) and commits version b+1. */
  getStore<V = unknown>(id: StateStoreId, version: number): StateStore<V> {
    return this.provider(id).getStore<V>(version);
  }

  isLoaded(id: StateStoreId): boolean {
    return this.providers.has(StateStoreCoordinator.keyOf(id));
  }

  /** Snapshots and cleanup for every loaded store; call between batches. */
  maintenance(): void {
    for (const p of this.providers.values()) p.maintenance();
  }

  async unload(id: StateStoreId): Promise<void> {
    const k = StateStoreCoordinator.keyOf(id);
    const p = this.providers.get(k);
    this.providers.delete(k);
    await p?.close();
  }

  /** Drops the loaded stores of one checkpoint (a query that stopped). */
  async unloadCheckpoint(checkpointLocation: string): Promise<void> {
    const dir = path.resolve(checkpointLocation);
    const gone: StateStoreProvider[] = [];
    for (const [k, p] of this.providers) {
      if (StateStoreCoordinator.checkpointOfKey(k) === dir) {
        gone.push(p);
        this.providers.delete(k);
      }
    }
    await Promise.all(gone.map((p) => p.close()));
  }

  async close(): Promise<void> {
    const all = [...this.providers.values()];
    this.providers.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
