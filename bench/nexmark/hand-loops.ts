/**
 * Nexmark queries as hand-written JavaScript over the generator's columns: the practical limit
 * for this language (q0, q1, q2, q5 here; the other queries in hand-loops-joins.ts, -windows.ts,
 * -rows.ts and -daily.ts), and plain row-at-a-time reference answers (q3, q7, q8) that tests
 * compare Sluice against. Each reads the same events as Sluice (the generator's batches of
 * `cfg.batchSize` events), so generation is part of every engine's time.
 */
import type { NexmarkConfig, NexmarkTable } from "../../src/connectors/nexmark/nexmark-config.js";
import { eventTimeMs, generateNexmarkColumns } from "../../src/connectors/nexmark/nexmark-generator.js";
import type { Digest } from "./digest.js";
import { partRange } from "../hand-threads.js";

/** A batch's columns as the generator gives them: in the table's schema order, null where not asked. */
export type Cols = ReadonlyArray<Float64Array | string[] | null>;

/** The rows of `table` among events [from, to), in the generator's batches (as Sluice's scans read them). */
export function* tableBatches(cfg: NexmarkConfig, table: NexmarkTable, from: number, to: number, columns: readonly string[] | null): Generator<{ n: number; c: Cols }> {
  for (let s = from; s < to; s += cfg.batchSize) {
    const g = generateNexmarkColumns(cfg, table, s, Math.min(to, s + cfg.batchSize), columns);
    yield { n: g.numRows, c: g.columns };
  }
}

/** The bids of events [from, to), in the generator's batches. */
export function bidBatches(cfg: NexmarkConfig, from: number, to: number, columns: readonly string[] | null): Generator<{ n: number; c: Cols }> {
  return tableBatches(cfg, "bid", from, to, columns);
}

/** `a`, or a copy at least twice as long when index `need` does not fit. */
export function fit<T extends Float64Array | Int32Array>(a: T, need: number): T {
  if (need < a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need + 1, a.length * 2));
  b.set(a);
  return b;
}

/** q0: every bid's (auction, bidder, price, dateTime, extra), kept as output columns. */
export function handQ0(cfg: NexmarkConfig, events: number): Digest {
  const out: Cols[] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime", "extra"])) {
    const price = c[2] as Float64Array;
    out.push([c[0]!, c[1]!, price, c[5]!, c[6]!]);
    for (let i = 0; i < n; i++) sum += price[i]!;
    rows += n;
  }
  return { rows, sum };
}

/** q1: q0 with price * 0.908. */
export function handQ1(cfg: NexmarkConfig, events: number): Digest {
  const out: Cols[] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime", "extra"])) {
    const price = c[2] as Float64Array, euro = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      euro[i] = price[i]! * 0.908;
      sum += euro[i]!;
    }
    out.push([c[0]!, c[1]!, euro, c[5]!, c[6]!]);
    rows += n;
  }
  return { rows, sum };
}

/** q2: (auction, price) where auction % 123 = 0. */
export function handQ2(cfg: NexmarkConfig, events: number): Digest {
  const out: Cols[] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "price"])) {
    const auction = c[0] as Float64Array, price = c[2] as Float64Array;
    const oa = new Float64Array(n), op = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (auction[i]! % 123 !== 0) continue;
      oa[k] = auction[i]!;
      op[k] = price[i]!;
      sum += price[i]!;
      k++;
    }
    out.push([oa.subarray(0, k), op.subarray(0, k)]);
    rows += k;
  }
  return { rows, sum };
}

const SLIDE_US = 2_000_000, SIZE_US = 10_000_000, PER_BID = SIZE_US / SLIDE_US;

/**
 * q5: bids per (auction, 10 s window sliding by 2 s), then per window the auctions whose count is
 * the window's maximum. Digest: rows and sum of num.
 */
export function handQ5(cfg: NexmarkConfig, events: number): Digest & { result: { auction: number; num: number; startUs: number }[] } {
  return finishQ5(cfg, countQ5(cfg, 0, events));
}

/**
 * q5's counts over the bids of events [from, to) for the windows starting in [ownedFromUs,
 * ownedToUs): a window is keyed by its index (start / 2 s, counted from just before the first
 * event so it stays small) times 2^24 plus the auction id, a number Map key that stays an exact
 * integer.
 */
export function countQ5(cfg: NexmarkConfig, from: number, to: number, ownedFromUs = -Infinity, ownedToUs = Infinity): Map<number, number> {
  const counts = new Map<number, number>();
  const base = q5Base(cfg);
  const wFrom = Math.ceil(ownedFromUs / SLIDE_US) - base, wTo = Math.ceil(ownedToUs / SLIDE_US) - base;
  for (const { n, c } of bidBatches(cfg, from, to, ["auction", "dateTime"])) {
    const auction = c[0] as Float64Array, ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const last = Math.floor(ts[i]! / SLIDE_US) - base;
      const a = auction[i]!;
      for (let w = Math.max(last - PER_BID + 1, wFrom), end = Math.min(last + 1, wTo); w < end; w++) {
        const key = w * Q5_SHIFT + a;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/**
 * q5 on part `part` of `parts` threads, as a person would split it by hand: each part owns the
 * windows starting in its slice of event time (cut where its share of events begins), reads its
 * events plus those of the next 11 s (its last windows' bids) and 1 s before (slack for rounding),
 * and answers for its windows alone; the parts' digests add up to handQ5's.
 */
export function handQ5Part(cfg: NexmarkConfig, events: number, part: number, parts: number): Digest {
  const cut = (k: number): number => partRange(events, cfg.batchSize, k, parts)[0];
  const boundaryUs = (k: number): number => (k === 0 ? -Infinity : k === parts ? Infinity : eventTimeMs(cfg, cut(k)) * 1000);
  const perSecond = Math.ceil(cfg.eventsPerSecond);
  const from = part === 0 ? 0 : Math.max(0, cut(part) - perSecond);
  const to = part === parts - 1 ? events : Math.min(events, cut(part + 1) + perSecond * (SIZE_US / 1e6 + 1));
  const { rows, sum } = finishQ5(cfg, countQ5(cfg, from, to, boundaryUs(part), boundaryUs(part + 1)));
  return { rows, sum };
}

const Q5_SHIFT = 16777216;
const q5Base = (cfg: NexmarkConfig): number => Math.floor((cfg.firstEventTimeMs * 1000) / SLIDE_US) - PER_BID;

/** q5's answer from the counts of every bid (countQ5). */
export function finishQ5(cfg: NexmarkConfig, counts: ReadonlyMap<number, number>): Digest & { result: { auction: number; num: number; startUs: number }[] } {
  const base = q5Base(cfg);
  const max = new Map<number, number>();
  for (const [key, n] of counts) {
    const w = Math.floor(key / Q5_SHIFT);
    if (n > (max.get(w) ?? 0)) max.set(w, n);
  }
  const result: { auction: number; num: number; startUs: number }[] = [];
  let sum = 0;
  for (const [key, n] of counts) {
    const w = Math.floor(key / Q5_SHIFT);
    if (n >= max.get(w)!) {
      result.push({ auction: key - w * Q5_SHIFT, num: n, startUs: (w + base) * SLIDE_US });
      sum += n;
    }
  }
  return { rows: result.length, sum, result };
}

// ---------------------------------------------------------------------------------------------
// Plain reference answers over row objects (for tests on small inputs).

export interface PersonRow { id: number; name: string; city: string; state: string; dateTimeUs: number }
export interface AuctionRow { id: number; seller: number; category: number; dateTimeUs: number; expiresUs: number }
export interface BidRow { auction: number; bidder: number; price: number; dateTimeUs: number }

export function peopleRows(cfg: NexmarkConfig, events: number): PersonRow[] {
  const g = generateNexmarkColumns(cfg, "person", 0, events);
  const [id, name, , , city, state, dt] = g.columns as [Float64Array, string[], string[], string[], string[], string[], Float64Array];
  return Array.from({ length: g.numRows }, (_, i) => ({ id: id[i]!, name: name[i]!, city: city[i]!, state: state[i]!, dateTimeUs: dt[i]! }));
}

export function auctionRows(cfg: NexmarkConfig, events: number): AuctionRow[] {
  const g = generateNexmarkColumns(cfg, "auction", 0, events);
  const c = g.columns as Array<Float64Array>;
  return Array.from({ length: g.numRows }, (_, i) => ({ id: c[0]![i]!, seller: c[7]![i]!, category: c[8]![i]!, dateTimeUs: c[5]![i]!, expiresUs: c[6]![i]! }));
}

export function bidRows(cfg: NexmarkConfig, events: number): BidRow[] {
  const g = generateNexmarkColumns(cfg, "bid", 0, events);
  const c = g.columns as Array<Float64Array>;
  return Array.from({ length: g.numRows }, (_, i) => ({ auction: c[0]![i]!, bidder: c[1]![i]!, price: c[2]![i]!, dateTimeUs: c[5]![i]! }));
}

/** q3: (name, city, state, auction id) for category-10 auctions of sellers in OR, ID, CA. */
export function referenceQ3(people: readonly PersonRow[], auctions: readonly AuctionRow[]): string[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const out: string[] = [];
  for (const a of auctions) {
    const p = byId.get(a.seller);
    if (a.category === 10 && p && (p.state === "OR" || p.state === "ID" || p.state === "CA")) out.push(`${p.name}|${p.city}|${p.state}|${a.id}`);
  }
  return out.sort();
}

/** q7: bids whose price is the maximum of a 10 s tumbling window ending within 10 s after them. */
export function referenceQ7(bids: readonly BidRow[]): string[] {
  const maxByWindow = new Map<number, number>();
  for (const b of bids) {
    const w = Math.floor(b.dateTimeUs / SIZE_US);
    maxByWindow.set(w, Math.max(maxByWindow.get(w) ?? -Infinity, b.price));
  }
  const out: string[] = [];
  for (const b of bids) {
    for (const [w, max] of maxByWindow) {
      const end = (w + 1) * SIZE_US;
      if (b.price === max && b.dateTimeUs >= end - SIZE_US && b.dateTimeUs <= end) out.push(`${b.auction}|${b.price}|${b.bidder}|${b.dateTimeUs}`);
    }
  }
  return out.sort();
}

/** q8: people who opened an auction in the 10 s tumbling window they were created in. */
export function referenceQ8(people: readonly PersonRow[], auctions: readonly AuctionRow[]): string[] {
  const sellers = new Set(auctions.map((a) => `${a.seller}|${Math.floor(a.dateTimeUs / SIZE_US)}`));
  const out = new Set<string>();
  for (const p of people) {
    const w = Math.floor(p.dateTimeUs / SIZE_US);
    if (sellers.has(`${p.id}|${w}`)) out.add(`${p.id}|${p.name}|${w * SIZE_US}`);
  }
  return [...out].sort();
}
