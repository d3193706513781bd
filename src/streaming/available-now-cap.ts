import type { JsonValue } from "../checkpoint/offset-log.js";
import type { Offset } from "./source.js";

/**
 * Trigger.AvailableNow for a source without `prepareForTriggerAvailableNow`: the engine takes the
 * source's latestOffset(allAvailable) at start as the target, and caps each rate-limited end
 * offset at it, so the query reads exactly the data available at start, batch by batch within
 * the source's read limit.
 *
 * Offsets are compared position by position: numbers numerically, strings in natural order
 * (digit runs as numbers, so Redis entry IDs `1700000000000-9` < `1700000000000-10`), objects
 * key by key (a partition or stream each). A key the limited offset has and the target lacks
 * (a partition that appeared after start) keeps its start position (or is left out when it had
 * none: not read yet). Every position of the result is one the source itself produced.
 *
 * Returns null when the offsets cannot be compared so (arrays, booleans, mixed shapes); the
 * caller then reads to the target in one batch.
 */
export function capAtTarget(limited: Offset, target: Offset, start: Offset | undefined): Offset | null {
  if (typeof limited === "number" && typeof target === "number") return Math.min(limited, target);
  if (typeof limited === "string" && typeof target === "string") return compareNatural(limited, target) <= 0 ? limited : target;
  if (isRecord(limited) && isRecord(target)) {
    const from = isRecord(start) ? start : {};
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(limited)) {
      if (Object.hasOwn(target, k)) {
        const capped = capAtTarget(v, target[k]!, from[k]);
        if (capped === null) return null;
        out[k] = capped;
      } else if (Object.hasOwn(from, k)) {
        out[k] = from[k]!;
      }
    }
    return out;
  }
  return null;
}

function isRecord(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Natural order: runs of digits compare as numbers, everything else by code unit. */
export function compareNatural(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [], rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!, y = rb[i]!;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    let c: number;
    if (dx && dy) {
      const bx = BigInt(x), by = BigInt(y);
      c = bx < by ? -1 : bx > by ? 1 : 0;
    } else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return ra.length - rb.length;
}
