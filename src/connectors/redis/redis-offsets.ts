import { StreamingError } from "../../errors/errors.js";
import type { Offset } from "../../streaming/source.js";
import { BEFORE_FIRST_ID, compareIds, isEntryId } from "./redis-entry-id.js";

/**
 * The Redis source's offset: per stream, the ID of the last entry a batch covers (a batch reads
 * the IDs after its start offset up to and including its end offset). A stream missing from
 * the map is still at its initial position (see RedisStreamSource). Keys are sorted so equal
 * positions always serialize to equal JSON text (offsets are compared by their text).
 *
 * Pure decisions about offsets live here (rate-limit split, data-loss check); I/O is elsewhere.
 */
export type StreamOffsets = Readonly<Record<string, string>>;

/** Reads an offset the engine hands back (written by this source); refuses anything else. */
export function toStreamOffsets(o: Offset): StreamOffsets {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new StreamingError("REDIS_OFFSET_INVALID", `Not a Redis source offset: ${JSON.stringify(o)} (expected a JSON object of entry IDs per stream).`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== "string" || !isEntryId(v)) throw new StreamingError("REDIS_OFFSET_INVALID", `Not a Redis source offset: stream '${k}' has position ${JSON.stringify(v)} (expected an entry ID '<ms>-<seq>').`);
    out[k] = v;
  }
  return out;
}

/** The same positions with keys sorted: the form written to the checkpoint. */
export function canonicalOffsets(m: Readonly<Record<string, string>>): StreamOffsets {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

/**
 * How many entries each stream contributes to a rate-limited batch: all of them when the
 * backlogs fit in `limit`, otherwise shares in proportion to the backlogs (floors, then the
 * largest remainders), at least one entry for every stream with a backlog (as Spark's Kafka
 * source does, so a small stream is never starved; taken from the largest shares, so the total
 * exceeds `limit` only when more streams than `limit` have a backlog), never more than a
 * stream's backlog.
 *
 * @example
 * splitByBacklog(100, [300, 100]) // [75, 25]
 * splitByBacklog(10, [3, 4])      // [3, 4]
 */
export function splitByBacklog(limit: number, backlogs: readonly number[]): number[] {
  const total = backlogs.reduce((s, b) => s + b, 0);
  if (total <= limit) return [...backlogs];
  const exact = backlogs.map((b) => (b * limit) / total);
  const take = exact.map((x, i) => Math.min(backlogs[i]!, Math.max(backlogs[i]! > 0 ? 1 : 0, Math.floor(x))));
  let left = limit - take.reduce((s, t) => s + t, 0);
  // The "at least one" rule may overshoot: give back from the largest shares.
  while (left < 0) {
    let big = -1;
    take.forEach((t, i) => {
      if (t > 1 && (big < 0 || t > take[big]!)) big = i;
    });
    if (big < 0) break;
    take[big]!--;
    left++;
  }
  const order = exact.map((x, i) => ({ i, rem: x - Math.floor(x) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  while (left > 0) {
    let gave = false;
    for (const { i } of order) {
      if (left === 0) break;
      if (take[i]! < backlogs[i]!) {
        take[i]!++;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return take;
}

/** What getBatch observed of one stream before reading (exclusive start, planned end, first entry now). */
export interface TrimObservation {
  readonly stream: string;
  readonly from: string;
  readonly to: string;
  /** The ID of the stream's first entry now, or null when the stream is empty or gone. */
  readonly firstId: string | null;
}

/** Entries the query had not read yet that are no longer in the stream. */
export interface DataLoss {
  readonly stream: string;
  readonly after: string;
  /** The first entry still present (null: none left of the range). */
  readonly firstAvailable: string | null;
  readonly plannedEnd: string;
}

/**
 * Data loss: the stream was trimmed (or deleted) past the position the query had reached, so
 * entries after `from` are gone. Detected as "the first entry now is after `from`" (or no
 * entry is left although the batch planned some). Entries are only ever appended with growing
 * IDs and trimmed from the front, so nothing is lost while the first entry is at or before
 * `from`. `from` must be a position the query read up to (the engine's committed offset):
 * an initial position given by the user need not be an entry and is not checked.
 *
 * Conservative in one case: when the stream was trimmed exactly up to and including the entry
 * at `from` and not beyond, this reports a loss although nothing unread was removed (Redis
 * does not tell whether an entry between `from` and the first entry ever existed).
 */
export function detectDataLoss(o: TrimObservation): DataLoss | null {
  if (o.from === BEFORE_FIRST_ID) return null;
  if (o.firstId === null) return compareIds(o.to, o.from) > 0 ? { stream: o.stream, after: o.from, firstAvailable: null, plannedEnd: o.to } : null;
  if (compareIds(o.firstId, o.from) > 0) return { stream: o.stream, after: o.from, firstAvailable: o.firstId, plannedEnd: o.to };
  return null;
}

export function describeDataLoss(l: DataLoss): string {
  const gone = l.firstAvailable === null ? `no entries are left up to ${l.plannedEnd} (the stream was emptied or deleted)` : `the first entry now is ${l.firstAvailable}, so entries after ${l.after} and before ${l.firstAvailable} may have been trimmed`;
  return `Some data may have been lost: stream '${l.stream}' was trimmed past the query's position ${l.after}; ${gone}.`;
}
