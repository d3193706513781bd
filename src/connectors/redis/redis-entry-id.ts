/**
 * Redis stream entry IDs (`<ms>-<seq>`, two unsigned 64-bit integers) as offsets. IDs stay
 * strings everywhere (they are what the checkpoint stores and what XRANGE takes); comparisons
 * parse both halves as bigints so nothing is rounded past 2^53.
 */

/** The position before every entry of a stream: reading after it reads the whole stream. */
export const BEFORE_FIRST_ID = "0-0";

const ID_RE = /^(\d{1,20})-(\d{1,20})$/;
const U64_MAX = (1n << 64n) - 1n;

/** Whether `text` is a complete entry ID `<ms>-<seq>` within the unsigned 64-bit range. */
export function isEntryId(text: string): boolean {
  const m = ID_RE.exec(text);
  return m !== null && BigInt(m[1]!) <= U64_MAX && BigInt(m[2]!) <= U64_MAX;
}

function parts(id: string): [bigint, bigint] {
  const m = ID_RE.exec(id);
  if (m === null) throw new Error(`Not a Redis stream entry ID: '${id}'`);
  return [BigInt(m[1]!), BigInt(m[2]!)];
}

/** Negative, zero or positive as entry ID `a` is before, equal to or after `b`. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/** The later of two IDs. */
export function maxId(a: string, b: string): string {
  return compareIds(a, b) >= 0 ? a : b;
}
