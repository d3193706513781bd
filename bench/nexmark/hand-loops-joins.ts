/**
 * Nexmark's join queries (q3, q4, q8, q9, q20) as hand-written JavaScript over the generator's
 * columns: the practical limit for this language, reading the same events as Sluice (the
 * generator's batches of `cfg.batchSize` events over [0, events), only the columns a query needs)
 * and building the columns the query returns, from which the digest is computed.
 *
 * Each join keeps one side whole (the smaller, filtered one), its rows in concatenated columns
 * and a Map from its key (person or auction id: a key of its table, and a small integer) to the
 * row, then streams the other side's batches through the Map. Every table is read to its end, as
 * a batch query reads it: nothing assumes a side arrives in time order.
 */
import type { NexmarkConfig, NexmarkTable } from "../../src/connectors/nexmark/nexmark-config.js";
import type { Digest } from "./digest.js";
import { type Cols, tableBatches } from "./hand-loops.js";

type Column = Float64Array | string[];

const WINDOW_US = 10_000_000;

/** Rows `idx[0..k)` of `src`. */
function gatherF64(src: Float64Array, idx: Int32Array, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) out[j] = src[idx[j]!]!;
  return out;
}

function gatherStr(src: readonly string[], idx: Int32Array, k: number): string[] {
  const out = new Array<string>(k);
  for (let j = 0; j < k; j++) out[j] = src[idx[j]!]!;
  return out;
}

const gather = (src: Column, idx: Int32Array, k: number): Column => (src instanceof Float64Array ? gatherF64(src, idx, k) : gatherStr(src, idx, k));

/**
 * The join side kept whole: `columns` of `table` over events [0, events), the rows `keep` accepts
 * (all when null) concatenated, in schema order (null where not asked).
 */
function readSide(cfg: NexmarkConfig, table: NexmarkTable, events: number, columns: readonly string[], keep: ((c: Cols, i: number) => boolean) | null): { rows: number; c: Array<Column | null> } {
  const parts: { k: number; c: Array<Column | null> }[] = [];
  let rows = 0;
  for (const { n, c } of tableBatches(cfg, table, 0, events, columns)) {
    let k = n, part: Array<Column | null> = c.slice();
    if (keep) {
      const idx = new Int32Array(n);
      k = 0;
      for (let i = 0; i < n; i++) if (keep(c, i)) idx[k++] = i;
      part = c.map((x) => (x === null ? null : gather(x, idx, k)));
    }
    parts.push({ k, c: part });
    rows += k;
  }
  const out: Array<Column | null> = [];
  const width = parts[0]?.c.length ?? 0;
  for (let j = 0; j < width; j++) {
    if (parts[0]!.c[j] === null) out.push(null);
    else if (parts[0]!.c[j] instanceof Float64Array) {
      const a = new Float64Array(rows);
      let at = 0;
      for (const p of parts) {
        a.set((p.c[j] as Float64Array).subarray(0, p.k), at);
        at += p.k;
      }
      out.push(a);
    } else {
      const a: string[] = [];
      for (const p of parts) {
        const s = p.c[j] as string[];
        for (let i = 0; i < p.k; i++) a.push(s[i]!);
      }
      out.push(a);
    }
  }
  return { rows, c: out };
}

/** id -> row index over the ids of a kept side. */
function indexById(ids: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) m.set(ids[i]!, i);
  return m;
}

const isLocal = (c: Cols, i: number): boolean => {
  const s = (c[5] as string[])[i];
  return s === "OR" || s === "ID" || s === "CA";
};

/** q3: (name, city, state, auction id) of category-10 auctions whose seller lives in OR, ID or CA. Digest: sum of id. */
export function handQ3(cfg: NexmarkConfig, events: number): Digest {
  const p = readSide(cfg, "person", events, ["id", "name", "city", "state"], isLocal);
  const byId = indexById(p.c[0] as Float64Array);
  const name = p.c[1] as string[], city = p.c[4] as string[], state = p.c[5] as string[];
  const out: Column[][] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of tableBatches(cfg, "auction", 0, events, ["id", "seller", "category"])) {
    const id = c[0] as Float64Array, seller = c[7] as Float64Array, category = c[8] as Float64Array;
    const on: string[] = [], oc: string[] = [], os: string[] = [], oid = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (category[i] !== 10) continue;
      const r = byId.get(seller[i]!);
      if (r === undefined) continue;
      on.push(name[r]!);
      oc.push(city[r]!);
      os.push(state[r]!);
      oid[k++] = id[i]!;
      sum += id[i]!;
    }
    out.push([on, oc, os, oid.subarray(0, k)]);
    rows += k;
  }
  return { rows, sum };
}

/** q4: per category, the average over its auctions of their highest bid within [dateTime, expires]; `result` has the averages the digest (sum of category) does not check. */
export function handQ4(cfg: NexmarkConfig, events: number): Digest & { result: { category: number; avgFinal: number }[] } {
  const a = readSide(cfg, "auction", events, ["id", "dateTime", "expires", "category"], null);
  const byId = indexById(a.c[0] as Float64Array);
  const start = a.c[5] as Float64Array, end = a.c[6] as Float64Array, category = a.c[8] as Float64Array;
  const best = new Float64Array(a.rows).fill(-Infinity);
  for (const { n, c } of tableBatches(cfg, "bid", 0, events, ["auction", "price", "dateTime"])) {
    const auction = c[0] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const r = byId.get(auction[i]!);
      if (r === undefined) continue;
      const t = ts[i]!;
      if (t >= start[r]! && t <= end[r]! && price[i]! > best[r]!) best[r] = price[i]!;
    }
  }
  const slot = new Map<number, number>(), sums: number[] = [], counts: number[] = [], cats: number[] = [];
  for (let r = 0; r < a.rows; r++) {
    if (best[r] === -Infinity) continue;
    let s = slot.get(category[r]!);
    if (s === undefined) {
      s = cats.length;
      slot.set(category[r]!, s);
      cats.push(category[r]!);
      sums.push(0);
      counts.push(0);
    }
    sums[s]! += best[r]!;
    counts[s]!++;
  }
  const oCategory = Float64Array.from(cats), oAvg = Float64Array.from(sums, (x, s) => x / counts[s]!);
  let sum = 0;
  for (let s = 0; s < oCategory.length; s++) sum += oCategory[s]!;
  return { rows: oCategory.length, sum, result: Array.from(oCategory, (category, s) => ({ category, avgFinal: oAvg[s]! })) };
}

/** q8: (id, name, window start) of people who opened an auction in the 10 s tumbling window they were created in. Digest: sum of id. */
export function handQ8(cfg: NexmarkConfig, events: number): Digest {
  const p = readSide(cfg, "person", events, ["id", "name", "dateTime"], null);
  const ids = p.c[0] as Float64Array, name = p.c[1] as string[], created = p.c[6] as Float64Array;
  const byId = indexById(ids);
  // A person's window by id: each id is one row of the person table, so one window per seller to match.
  const window = new Float64Array(p.rows), matched = new Uint8Array(p.rows);
  for (let r = 0; r < p.rows; r++) window[r] = Math.floor(created[r]! / WINDOW_US);
  for (const { n, c } of tableBatches(cfg, "auction", 0, events, ["dateTime", "seller"])) {
    const ts = c[5] as Float64Array, seller = c[7] as Float64Array;
    for (let i = 0; i < n; i++) {
      const r = byId.get(seller[i]!);
      if (r !== undefined && Math.floor(ts[i]! / WINDOW_US) === window[r]) matched[r] = 1;
    }
  }
  const idx = new Int32Array(p.rows);
  let k = 0, sum = 0;
  for (let r = 0; r < p.rows; r++) if (matched[r]) idx[k++] = r;
  const oId = gatherF64(ids, idx, k), oName = gatherStr(name, idx, k), oStart = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    oStart[j] = window[idx[j]!]! * WINDOW_US;
    sum += oId[j]!;
  }
  void oName;
  return { rows: k, sum };
}

const AUCTION_COLUMNS = ["id", "itemName", "description", "initialBid", "reserve", "dateTime", "expires", "seller", "category", "extra"];
const BID_COLUMNS = ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"];

/** q9: every auction's columns with its winning bid (highest within [dateTime, expires], earliest on ties). Digest: sum of price. */
export function handQ9(cfg: NexmarkConfig, events: number): Digest {
  const a = readSide(cfg, "auction", events, AUCTION_COLUMNS, null);
  const ids = a.c[0] as Float64Array, start = a.c[5] as Float64Array, end = a.c[6] as Float64Array;
  const byId = indexById(ids);
  const bestPrice = new Float64Array(a.rows).fill(-Infinity), bestTime = new Float64Array(a.rows), bestBidder = new Float64Array(a.rows);
  const bestExtra = new Array<string>(a.rows).fill("");
  for (const { n, c } of tableBatches(cfg, "bid", 0, events, ["auction", "bidder", "price", "dateTime", "extra"])) {
    const auction = c[0] as Float64Array, bidder = c[1] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array, extra = c[6] as string[];
    for (let i = 0; i < n; i++) {
      const r = byId.get(auction[i]!);
      if (r === undefined) continue;
      const t = ts[i]!, p = price[i]!;
      if (t < start[r]! || t > end[r]!) continue;
      // A tie in price and time (possible: several bids share a millisecond) keeps the first read;
      // the digest (rows, sum of price) is the same whichever of them wins.
      if (p > bestPrice[r]! || (p === bestPrice[r] && t < bestTime[r]!)) {
        bestPrice[r] = p;
        bestTime[r] = t;
        bestBidder[r] = bidder[i]!;
        bestExtra[r] = extra[i]!;
      }
    }
  }
  const idx = new Int32Array(a.rows);
  let k = 0;
  for (let r = 0; r < a.rows; r++) if (bestPrice[r] !== -Infinity) idx[k++] = r;
  const out: Column[] = a.c.map((x) => gather(x!, idx, k));
  const oPrice = gatherF64(bestPrice, idx, k);
  out.push(out[0]!, gatherF64(bestBidder, idx, k), oPrice, gatherF64(bestTime, idx, k), gatherStr(bestExtra, idx, k));
  let sum = 0;
  for (let j = 0; j < k; j++) sum += oPrice[j]!;
  return { rows: k, sum };
}

/** q20: every bid on a category-10 auction, with all its columns and the auction's (but id). Digest: sum of price. */
export function handQ20(cfg: NexmarkConfig, events: number): Digest {
  const a = readSide(cfg, "auction", events, AUCTION_COLUMNS, (c, i) => (c[8] as Float64Array)[i] === 10);
  const byId = indexById(a.c[0] as Float64Array);
  const auctionCols = a.c.slice(1) as Column[];
  const out: Column[][] = [];
  let rows = 0, sum = 0, bi = new Int32Array(0), ai = new Int32Array(0);
  for (const { n, c } of tableBatches(cfg, "bid", 0, events, BID_COLUMNS)) {
    const auction = c[0] as Float64Array, price = c[2] as Float64Array;
    if (bi.length < n) {
      bi = new Int32Array(n);
      ai = new Int32Array(n);
    }
    let k = 0;
    for (let i = 0; i < n; i++) {
      const r = byId.get(auction[i]!);
      if (r === undefined) continue;
      bi[k] = i;
      ai[k++] = r;
      sum += price[i]!;
    }
    const cols: Column[] = [];
    for (const x of c) cols.push(gather(x!, bi, k));
    for (const x of auctionCols) cols.push(gather(x, ai, k));
    out.push(cols);
    rows += k;
  }
  return { rows, sum };
}
