import { type ReadStateStore, type StateEntry, type StateKey, decodeKeyElement, encodeKeyElement, prefixUpperBound } from "../../state/state-store.js";

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
  if (v === null || v === undefined) return false;
  const t = kind === "window" ? (v as readonly unknown[])[1] : v;
  return typeof t === "number" ? t <= wm : typeof t === "bigint" ? t <= BigInt(Math.floor(wm)) : false;
}
