/**
 * Nexmark q14, q18, q19, q21, q22 as hand-written JavaScript over the generator's columns: the
 * practical limit for this language, as in hand-loops.ts. Each reads the same events as Sluice
 * (the generator's batches of `cfg.batchSize` events, only the columns the query needs), builds
 * the columns the query returns, and digests them as digestBatches does (row count, sum of the
 * query's checkColumn). `out` holds the output columns (per generated batch for the row-at-a-time
 * queries, one set for q18 and q19), so tests can look at the values too.
 */
import type { NexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import type { Digest } from "./digest.js";
import { type Cols, bidBatches } from "./hand-loops.js";

export type Column = Float64Array | Int32Array | ReadonlyArray<string | null>;

/** A hand loop's digest and output columns (in the query's column order). */
export interface HandRows extends Digest {
  out: Column[][];
}


// The generator returns every column of the bid schema in schema order, null where not asked for.
const AUCTION = 0, BIDDER = 1, PRICE = 2, CHANNEL = 3, URL = 4, DATETIME = 5, EXTRA = 6;

function grow(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

const HOUR_US = 3_600_000_000;

/** q14: bids whose euro price (0.908 * price) is in (1,000,000, 50,000,000), with euro price, time-of-day class and count of 'c' in extra. */
export function handQ14(cfg: NexmarkConfig, events: number): HandRows {
  const out: Column[][] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime", "extra"])) {
    const auction = c[AUCTION] as Float64Array, bidder = c[BIDDER] as Float64Array, price = c[PRICE] as Float64Array;
    const ts = c[DATETIME] as Float64Array, extra = c[EXTRA] as string[];
    const oa = new Float64Array(n), ob = new Float64Array(n), op = new Float64Array(n), ot = new Float64Array(n), oc = new Int32Array(n);
    const type: string[] = [], ox: string[] = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      // 0.908 * price is a decimal in Spark: compare price * 908 (an exact integer) with the bounds * 1000.
      const milli = price[i]! * 908;
      if (milli <= 1_000_000_000 || milli >= 50_000_000_000) continue;
      const t = ts[i]!, x = extra[i]!;
      let h = Math.floor(t / HOUR_US) % 24;
      if (h < 0) h += 24;
      let cs = 0;
      // indexOf scans faster than a loop over charCodeAt (about 2.5 times here).
      for (let p = x.indexOf("c"); p >= 0; p = x.indexOf("c", p + 1)) cs++;
      oa[k] = auction[i]!;
      ob[k] = bidder[i]!;
      op[k] = milli / 1000;
      type.push(h >= 8 && h <= 18 ? "dayTime" : h <= 6 || h >= 20 ? "nightTime" : "otherTime");
      ot[k] = t;
      ox.push(x);
      oc[k] = cs;
      sum += cs;
      k++;
    }
    out.push([oa.subarray(0, k), ob.subarray(0, k), op.subarray(0, k), type, ot.subarray(0, k), ox, oc.subarray(0, k)]);
    rows += k;
  }
  return { rows, sum, out };
}

/** q18: the latest bid (by dateTime) of every (bidder, auction); all bid columns. */
export function handQ18(cfg: NexmarkConfig, events: number): HandRows {
  // Slot of each (bidder, auction), by bidder then auction: two maps with small-integer keys are
  // faster than one keyed by bidder * 2^k + auction, a number too large to be a V8 small integer.
  const byBidder = new Map<number, Map<number, number>>();
  let cap = 1024, rows = 0;
  let oa: Float64Array = new Float64Array(cap), ob: Float64Array = new Float64Array(cap), op: Float64Array = new Float64Array(cap), ot: Float64Array = new Float64Array(cap);
  const och: string[] = [], ourl: string[] = [], ox: string[] = [];
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"])) {
    const auction = c[AUCTION] as Float64Array, bidder = c[BIDDER] as Float64Array, price = c[PRICE] as Float64Array;
    const channel = c[CHANNEL] as string[], url = c[URL] as string[], ts = c[DATETIME] as Float64Array, extra = c[EXTRA] as string[];
    for (let i = 0; i < n; i++) {
      const a = auction[i]!, b = bidder[i]!;
      let slotOf = byBidder.get(b);
      if (slotOf === undefined) byBidder.set(b, (slotOf = new Map()));
      const s = slotOf.get(a);
      if (s === undefined) {
        if (rows === cap) {
          cap *= 2;
          oa = grow(oa, cap);
          ob = grow(ob, cap);
          op = grow(op, cap);
          ot = grow(ot, cap);
        }
        slotOf.set(a, rows);
        oa[rows] = a;
        ob[rows] = b;
        op[rows] = price[i]!;
        ot[rows] = ts[i]!;
        och.push(channel[i]!);
        ourl.push(url[i]!);
        ox.push(extra[i]!);
        rows++;
      } else if (ts[i]! > ot[s]!) {
        op[s] = price[i]!;
        ot[s] = ts[i]!;
        och[s] = channel[i]!;
        ourl[s] = url[i]!;
        ox[s] = extra[i]!;
      }
    }
  }
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += oa[r]!;
  return { rows, sum, out: [[oa.subarray(0, rows), ob.subarray(0, rows), op.subarray(0, rows), och, ourl, ot.subarray(0, rows), ox]] };
}

const TOP = 10;

/** q19: the 10 highest-priced bids of every auction (fewer where it has fewer); all bid columns and rank_number. */
export function handQ19(cfg: NexmarkConfig, events: number): HandRows {
  // Every auction owns TOP slots of (price, row), kept sorted by price descending: a bid below a
  // full auction's 10th price is skipped, else it is inserted and the lower slots shift down.
  // A row is (batch index * batchSize + index in the batch); the batches are kept, and the
  // winners' columns gathered from them at the end.
  const groupOf = new Map<number, number>();
  let groups = 0, cap = 256;
  let ga: Float64Array = new Float64Array(cap), sp: Float64Array = new Float64Array(cap * TOP), sr: Float64Array = new Float64Array(cap * TOP);
  let count = new Int32Array(cap);
  const kept: Cols[] = [];
  const per = cfg.batchSize;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"])) {
    const auction = c[AUCTION] as Float64Array, price = c[PRICE] as Float64Array;
    const first = kept.length * per;
    kept.push(c);
    for (let i = 0; i < n; i++) {
      const a = auction[i]!, p = price[i]!;
      let g = groupOf.get(a);
      if (g === undefined) {
        if (groups === cap) {
          cap *= 2;
          ga = grow(ga, cap);
          sp = grow(sp, cap * TOP);
          sr = grow(sr, cap * TOP);
          const c2 = new Int32Array(cap);
          c2.set(count);
          count = c2;
        }
        g = groups++;
        groupOf.set(a, g);
        ga[g] = a;
      }
      const o = g * TOP, k = count[g]!;
      if (k === TOP && p <= sp[o + TOP - 1]!) continue;
      let j = k < TOP ? k : TOP - 1;
      for (; j > 0 && sp[o + j - 1]! < p; j--) {
        sp[o + j] = sp[o + j - 1]!;
        sr[o + j] = sr[o + j - 1]!;
      }
      sp[o + j] = p;
      sr[o + j] = first + i;
      if (k < TOP) count[g] = k + 1;
    }
  }
  let rows = 0;
  for (let g = 0; g < groups; g++) rows += count[g]!;
  const oa = new Float64Array(rows), ob = new Float64Array(rows), op = new Float64Array(rows), ot = new Float64Array(rows), rank = new Int32Array(rows);
  const och = new Array<string>(rows), ourl = new Array<string>(rows), ox = new Array<string>(rows);
  let r = 0, sum = 0;
  for (let g = 0; g < groups; g++) {
    for (let j = 0, o = g * TOP, k = count[g]!; j < k; j++, r++) {
      const row = sr[o + j]!, b = Math.floor(row / per), i = row - b * per, c = kept[b]!;
      oa[r] = ga[g]!;
      ob[r] = (c[BIDDER] as Float64Array)[i]!;
      op[r] = sp[o + j]!;
      ot[r] = (c[DATETIME] as Float64Array)[i]!;
      rank[r] = j + 1;
      och[r] = (c[CHANNEL] as string[])[i]!;
      ourl[r] = (c[URL] as string[])[i]!;
      ox[r] = (c[EXTRA] as string[])[i]!;
      sum += op[r]!;
    }
  }
  return { rows, sum, out: [[oa, ob, op, och, ourl, ot, ox, rank]] };
}

/** regexp_extract(url, '(&|^)channel_id=([^&]*)', 2): the value of the first channel_id parameter at the start or after '&', else ''. */
function channelIdOf(url: string): string {
  let start: number;
  if (url.startsWith("channel_id=")) start = 11;
  else {
    const at = url.indexOf("&channel_id=");
    if (at < 0) return "";
    start = at + 12;
  }
  const end = url.indexOf("&", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/** The id of a hot channel ('0'..'3' for apple, google, facebook, baidu, case-insensitive), else null. */
function hotChannelId(channel: string): string | null {
  switch (channel.toLowerCase()) {
    case "apple": return "0";
    case "google": return "1";
    case "facebook": return "2";
    case "baidu": return "3";
    default: return null;
  }
}

/** q21: bids of a hot channel or with a non-empty channel_id in the URL, with that channel id. */
export function handQ21(cfg: NexmarkConfig, events: number): HandRows {
  const out: Column[][] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "channel", "url"])) {
    const auction = c[AUCTION] as Float64Array, bidder = c[BIDDER] as Float64Array, price = c[PRICE] as Float64Array;
    const channel = c[CHANNEL] as string[], url = c[URL] as string[];
    const oa = new Float64Array(n), ob = new Float64Array(n), op = new Float64Array(n);
    const och: string[] = [], oid: string[] = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      // A hot channel passes the filter whatever its URL and takes its fixed id: its URL is not parsed.
      const ch = channel[i]!;
      const id = hotChannelId(ch) ?? channelIdOf(url[i]!);
      if (id === "") continue;
      oa[k] = auction[i]!;
      ob[k] = bidder[i]!;
      op[k] = price[i]!;
      och.push(ch);
      oid.push(id);
      sum += price[i]!;
      k++;
    }
    out.push([oa.subarray(0, k), ob.subarray(0, k), op.subarray(0, k), och, oid]);
    rows += k;
  }
  return { rows, sum, out };
}

/** q22: every bid with the pieces 3, 4 and 5 (from 0) of its URL split at '/' (null where there are fewer pieces). */
export function handQ22(cfg: NexmarkConfig, events: number): HandRows {
  const out: Column[][] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "channel", "url"])) {
    const price = c[PRICE] as Float64Array, url = c[URL] as string[];
    const d1 = new Array<string | null>(n), d2 = new Array<string | null>(n), d3 = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const u = url[i]!;
      // Piece j runs from after the j-th '/' to the next '/' (or the end).
      const s1 = u.indexOf("/"), s2 = s1 < 0 ? -1 : u.indexOf("/", s1 + 1), s3 = s2 < 0 ? -1 : u.indexOf("/", s2 + 1);
      const s4 = s3 < 0 ? -1 : u.indexOf("/", s3 + 1), s5 = s4 < 0 ? -1 : u.indexOf("/", s4 + 1), s6 = s5 < 0 ? -1 : u.indexOf("/", s5 + 1);
      d1[i] = s3 < 0 ? null : u.slice(s3 + 1, s4 < 0 ? u.length : s4);
      d2[i] = s4 < 0 ? null : u.slice(s4 + 1, s5 < 0 ? u.length : s5);
      d3[i] = s5 < 0 ? null : u.slice(s5 + 1, s6 < 0 ? u.length : s6);
      sum += price[i]!;
    }
    out.push([c[AUCTION]!, c[BIDDER]!, price, c[CHANNEL]!, d1, d2, d3]);
    rows += n;
  }
  return { rows, sum, out };
}
