import { type ReadStateStore, type StateEntry, type StateKey, decodeKeyElement, encodeKeyElement, prefixUpperBound } from "../../state/state-store.js";
import { eventTimeFloor, recordEventTimeFloor } from "../../state/event-time-floor.js";

/** Where the event time sits in a state key: its position among the key's elements, and whether it is a `window` struct (its end counts) or a timestamp. */
export interface KeyEventTime {
  readonly index: number;
  readonly kind: "window" | "time";
}

/**
 * The entries of a store whose key's event time is behind the watermark (`<= watermarkMicros`;
 * for a window, its end), which append mode emits and every mode evicts. Only the event-time
 * element of each key is decoded. When the event time is the key's first element, keys sort by
 * it (a window by its start, and a window ends after it starts), so the scan stops at the
 * watermark instead of reading the whole store.
 *
 * The entries are returned in key order (unless `ordered` is false: eviction only), collected
 * first, so callers may remove them at once.
 */
export function entriesBehindWatermark<V>(store: ReadStateStore<V>, et: KeyEventTime, watermarkMicros: number, ordered = true): StateEntry<V>[] {
  const out: StateEntry<V>[] = [];
  const bound = scanBound(et, watermarkMicros);
  if (bound !== undefined) {
    for (const e of store.rangeScan(undefined, bound)) if (isBehind(decodeKeyElement(e.key, et.index), et.kind, watermarkMicros)) out.push(e);
    return out;
  }
  // Every key must be read: in the store's own order (no sorted index to keep), then the few found sorted.
  for (const e of store.iterator()) if (isBehind(decodeKeyElement(e.key, et.index), et.kind, watermarkMicros)) out.push(e);
  return ordered ? out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : out;
}

/** The exclusive upper bound of a scan that can hold keys behind the watermark (undefined: the whole store). */
function scanBound(et: KeyEventTime, wm: number): StateKey | undefined {
  if (et.index !== 0 || Number.isNaN(wm)) return undefined;
  // A window (array tag 0x30, then its start): late windows start before the watermark. A
  // timestamp: late keys start with an encoding <= the watermark's.
  return et.kind === "window" ? "\x30" + encodeKeyElement(wm) : prefixUpperBound(encodeKeyElement(wm));
}

function isBehind(v: unknown, kind: "window" | "time", wm: number): boolean {
  const t = eventMicros(v, kind);
  return t !== null && timeBehind(t, wm);
}

function timeBehind(t: number | bigint, wm: number): boolean {
  return typeof t === "number" ? t <= wm : t <= BigInt(Math.floor(wm));
}

/**
 * {@link entriesBehindWatermark} for a store that is to be committed as version `store.version + 1`
 * with the entries it holds now, after this batch's puts; `putMicros` is the least event time of
 * the keys this batch put (Infinity for none). Returns the entries behind the watermark, and
 * records the floor of what remains for the next batch.
 */
export function entriesBehindWatermarkTracked<V>(store: ReadStateStore<V>, et: KeyEventTime, watermarkMicros: number, putMicros: number, ordered = true): StateEntry<V>[] {
  if (et.index === 0 || Number.isNaN(watermarkMicros)) return entriesBehindWatermark(store, et, watermarkMicros, ordered);
  // Spark reads every key each batch to find those behind; a count per key and window would read
  // its whole state per micro-batch. While the watermark stays under what the store's entries
  // are known to be at or above, none is behind.
  const known = eventTimeFloor(store.id, store.version);
  if (known !== undefined && watermarkMicros < known) {
    recordEventTimeFloor(store.id, store.version + 1, Math.min(known, putMicros));
    return [];
  }
  const out: StateEntry<V>[] = [];
  let floor = Infinity;
  for (const e of store.iterator()) {
    const t = eventMicros(decodeKeyElement(e.key, et.index), et.kind);
    if (t === null) continue;
    if (timeBehind(t, watermarkMicros)) out.push(e);
    else floor = Math.min(floor, typeof t === "bigint" ? -Infinity : t);
  }
  recordEventTimeFloor(store.id, store.version + 1, floor);
  return ordered ? out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : out;
}

/** A key element's event time in micros (a window's end), or null when it has none. */
export function eventMicros(v: unknown, kind: "window" | "time"): number | bigint | null {
  if (v === null || v === undefined) return null;
  const t = kind === "window" ? (v as readonly unknown[])[1] : v;
  return typeof t === "number" || typeof t === "bigint" ? t : null;
}
