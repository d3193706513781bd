import { type StateStoreId, storeKey } from "./state-store.js";

/**
 * Per store, a time no entry's event time is below, as of a version (watermark-scan.ts skips
 * reading a store through while the watermark stays under it). Valid only for the provider that
 * loaded the store in this thread: creating a provider for a store forgets its floor (another
 * query run on the same checkpoint, a store that moved between threads).
 */
const floors = new Map<string, { readonly version: number; readonly micros: number }>();
/** A bound on what stopped queries leave behind (a floor is an optimization: forgetting one costs a read through). */
const MAX_FLOORS = 10_000;

/** The floor recorded for `id` at `version`, or undefined. */
export function eventTimeFloor(id: StateStoreId, version: number): number | undefined {
  const f = floors.get(storeKey(id));
  return f !== undefined && f.version === version ? f.micros : undefined;
}

export function recordEventTimeFloor(id: StateStoreId, version: number, micros: number): void {
  if (floors.size >= MAX_FLOORS) floors.clear();
  floors.set(storeKey(id), { version, micros });
}

export function forgetEventTimeFloor(id: StateStoreId): void {
  floors.delete(storeKey(id));
}
