/**
 * Nexmark's window and side-input queries (q7, q11, q12, q13) as hand-written JavaScript over the
 * generator's columns: the practical limit for this language, reading the same events as Sluice
 * (the generator's batches of `cfg.batchSize` events) and building the columns the query returns.
 * None of them relies on the events arriving in time order for its answer (q11 takes a fast path
 * when each bidder's bids do, which the generator's always do, and checks it).
 */
import type { NexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import type { Digest } from "./digest.js";
import { type Cols, bidBatches, fit } from "./hand-loops.js";


/** A query's output columns by name, one entry per result row (timestamps in microseconds). */
export type OutputColumns = Record<string, Float64Array | string[]>;

const WINDOW_US = 10_000_000, GAP_US = 10_000_000;

/** q7: (auction, price, bidder, dateTime, extra) of the bids priced at the maximum of a 10 s tumbling window ending 0-10 s after them. */
export function handQ7(cfg: NexmarkConfig, events: number): Digest & { columns: OutputColumns } {
  const slotOf = new Map<number, number>();
  let winMax = new Float64Array(64), winHead = new Int32Array(64), slots = 0;
  // One pass keeps, per window, its running maximum and the bids priced at it (a list via
  // `kNext`, dropped when the maximum rises), and every bid on a window boundary: the join's
  // BETWEEN pairs such a bid with the window before its own too.
  let kAuction = new Float64Array(256), kPrice = new Float64Array(256), kBidder = new Float64Array(256), kTs = new Float64Array(256), kNext = new Int32Array(256);
  const kExtra: string[] = [];
  let kept = 0;
  let boundary = new Int32Array(64), boundaries = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime", "extra"])) {
    const auction = c[0] as Float64Array, bidder = c[1] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array, extra = c[6] as string[];
    let lastW = NaN, slot = -1;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!, w = Math.floor(t / WINDOW_US);
      if (w !== lastW) {
        lastW = w;
        const s = slotOf.get(w);
        if (s === undefined) {
          slot = slots++;
          slotOf.set(w, slot);
          winMax = fit(winMax, slot);
          winHead = fit(winHead, slot);
          winMax[slot] = -Infinity;
          winHead[slot] = -1;
        } else slot = s;
      }
      const p = price[i]!;
      if (p > winMax[slot]!) {
        winMax[slot] = p;
        winHead[slot] = -1;
      }
      const atMax = p === winMax[slot], onBoundary = t === w * WINDOW_US;
      if (!atMax && !onBoundary) continue;
      const r = kept++;
      if (r >= kAuction.length) {
        kAuction = fit(kAuction, r);
        kPrice = fit(kPrice, r);
        kBidder = fit(kBidder, r);
        kTs = fit(kTs, r);
        kNext = fit(kNext, r);
      }
      kAuction[r] = auction[i]!;
      kPrice[r] = p;
      kBidder[r] = bidder[i]!;
      kTs[r] = t;
      kExtra[r] = extra[i]!;
      if (atMax) {
        kNext[r] = winHead[slot]!;
        winHead[slot] = r;
      }
      if (onBoundary) {
        boundary = fit(boundary, boundaries);
        boundary[boundaries++] = r;
      }
    }
  }
  // The result: each window's bids at its maximum, then boundary bids at the previous window's.
  const rowsOut: number[] = [];
  for (let s = 0; s < slots; s++) for (let r = winHead[s]!; r >= 0; r = kNext[r]!) rowsOut.push(r);
  for (let b = 0; b < boundaries; b++) {
    const r = boundary[b]!, prev = slotOf.get(Math.floor(kTs[r]! / WINDOW_US) - 1);
    if (prev !== undefined && kPrice[r] === winMax[prev]) rowsOut.push(r);
  }
  const rows = rowsOut.length;
  const oAuction = new Float64Array(rows), oPrice = new Float64Array(rows), oBidder = new Float64Array(rows), oTs = new Float64Array(rows), oExtra = new Array<string>(rows);
  let sum = 0;
  for (let k = 0; k < rows; k++) {
    const r = rowsOut[k]!;
    oAuction[k] = kAuction[r]!;
    oPrice[k] = kPrice[r]!;
    oBidder[k] = kBidder[r]!;
    oTs[k] = kTs[r]!;
    oExtra[k] = kExtra[r]!;
    sum += oPrice[k]!;
  }
  return { rows, sum, columns: { auction: oAuction, price: oPrice, bidder: oBidder, dateTime: oTs, extra: oExtra } };
}

/** Output columns of q11: one entry per session. */
class Sessions {
  bidder = new Float64Array(1024);
  count = new Float64Array(1024);
  start = new Float64Array(1024);
  end = new Float64Array(1024);
  rows = 0;
  sum = 0;

  add(bidder: number, count: number, start: number, last: number): void {
    const r = this.rows++;
    if (r >= this.bidder.length) {
      this.bidder = fit(this.bidder, r);
      this.count = fit(this.count, r);
      this.start = fit(this.start, r);
      this.end = fit(this.end, r);
    }
    this.bidder[r] = bidder;
    this.count[r] = count;
    this.start[r] = start;
    this.end[r] = last + GAP_US;
    this.sum += count;
  }

  result(): Digest & { columns: OutputColumns } {
    const n = this.rows;
    return { rows: n, sum: this.sum, columns: { bidder: this.bidder.subarray(0, n), bid_count: this.count.subarray(0, n), starttime: this.start.subarray(0, n), endtime: this.end.subarray(0, n) } };
  }
}

/** q11: (bidder, bid_count, starttime, endtime = last bid + 10 s) of each bidder's sessions, a new one after a gap of more than 10 s. */
export function handQ11(cfg: NexmarkConfig, events: number): Digest & { columns: OutputColumns } {
  const slotOf = new Map<number, number>();
  let ids = new Float64Array(1024), first = new Float64Array(1024), last = new Float64Array(1024), count = new Float64Array(1024), slots = 0;
  const out = new Sessions();
  // Each bidder's open session (by dense index) closes at a bid more than 10 s after its last:
  // exact while each bidder's bids come in time order, as the generator's do; a bid earlier than
  // its bidder's last sends the query to handQ11AnyOrder instead.
  for (const { n, c } of bidBatches(cfg, 0, events, ["bidder", "dateTime"])) {
    const bidder = c[1] as Float64Array, ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const b = bidder[i]!, t = ts[i]!;
      const s = slotOf.get(b);
      if (s === undefined) {
        const k = slots++;
        slotOf.set(b, k);
        if (k >= ids.length) {
          ids = fit(ids, k);
          first = fit(first, k);
          last = fit(last, k);
          count = fit(count, k);
        }
        ids[k] = b;
        first[k] = t;
        last[k] = t;
        count[k] = 1;
      } else if (t < last[s]!) {
        return handQ11AnyOrder(cfg, events);
      } else if (t - last[s]! > GAP_US) {
        out.add(b, count[s]!, first[s]!, last[s]!);
        first[s] = t;
        last[s] = t;
        count[s] = 1;
      } else {
        last[s] = t;
        count[s]!++;
      }
    }
  }
  for (let k = 0; k < slots; k++) out.add(ids[k]!, count[k]!, first[k]!, last[k]!);
  return out.result();
}

/** q11 for bids in any order: every bid's (bidder, time) grouped by bidder, each bidder's times sorted, then the sessions. */
export function handQ11AnyOrder(cfg: NexmarkConfig, events: number): Digest & { columns: OutputColumns } {
  const slotOf = new Map<number, number>();
  let ids = new Float64Array(1024), slots = 0;
  let of = new Int32Array(1 << 16), times = new Float64Array(1 << 16), bids = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["bidder", "dateTime"])) {
    const bidder = c[1] as Float64Array, ts = c[5] as Float64Array;
    of = fit(of, bids + n);
    times = fit(times, bids + n);
    for (let i = 0; i < n; i++) {
      const b = bidder[i]!;
      let s = slotOf.get(b);
      if (s === undefined) {
        s = slots++;
        slotOf.set(b, s);
        ids = fit(ids, s);
        ids[s] = b;
      }
      of[bids] = s;
      times[bids++] = ts[i]!;
    }
  }
  // Counting sort of the times by bidder, then each bidder's run sorted by time.
  const startOf = new Int32Array(slots + 1);
  for (let i = 0; i < bids; i++) startOf[of[i]! + 1]!++;
  for (let s = 0; s < slots; s++) startOf[s + 1]! += startOf[s]!;
  const at = startOf.slice(0, slots), sorted = new Float64Array(bids);
  for (let i = 0; i < bids; i++) sorted[at[of[i]!]!++] = times[i]!;
  const out = new Sessions();
  for (let s = 0; s < slots; s++) {
    const from = startOf[s]!, to = startOf[s + 1]!;
    sorted.subarray(from, to).sort();
    let start = sorted[from]!, prev = start, count = 1;
    for (let i = from + 1; i < to; i++) {
      const t = sorted[i]!;
      if (t - prev > GAP_US) {
        out.add(ids[s]!, count, start, prev);
        start = t;
        count = 0;
      }
      prev = t;
      count++;
    }
    out.add(ids[s]!, count, start, prev);
  }
  return out.result();
}

/** q12: (bidder, bid_count, starttime, endtime) per bidder in the one 10 s processing-time window of the query's start (current_timestamp() is one value per batch query). */
export function handQ12(cfg: NexmarkConfig, events: number): Digest & { columns: OutputColumns } {
  const nowUs = Date.now() * 1000, startUs = Math.floor(nowUs / WINDOW_US) * WINDOW_US;
  const slotOf = new Map<number, number>();
  let ids = new Float64Array(1024), counts = new Float64Array(1024), slots = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["bidder"])) {
    const bidder = c[1] as Float64Array;
    for (let i = 0; i < n; i++) {
      const b = bidder[i]!, s = slotOf.get(b);
      if (s !== undefined) counts[s]!++;
      else {
        const k = slots++;
        slotOf.set(b, k);
        if (k >= ids.length) {
          ids = fit(ids, k);
          counts = fit(counts, k);
        }
        ids[k] = b;
        counts[k] = 1;
      }
    }
  }
  const columns = { bidder: ids.slice(0, slots), bid_count: counts.slice(0, slots), starttime: new Float64Array(slots).fill(startUs), endtime: new Float64Array(slots).fill(startUs + WINDOW_US) };
  let sum = 0;
  for (let k = 0; k < slots; k++) sum += columns.bid_count[k]!;
  return { rows: slots, sum, columns };
}

/** q13: every bid's (auction, bidder, price, dateTime) with the side input's value for auction % 10000 (the key as text). */
export function handQ13(cfg: NexmarkConfig, events: number): Digest {
  const side = Array.from({ length: 10000 }, (_, k) => String(k));
  const out: Cols[] = [];
  let rows = 0, sum = 0;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime"])) {
    const auction = c[0] as Float64Array, bidder = c[1] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array;
    const value = new Array<string>(n);
    let k = 0, missed = false;
    for (let i = 0; i < n; i++) {
      const v = side[auction[i]! % 10000];
      if (v === undefined) {
        missed = true;
        continue;
      }
      value[k++] = v;
      sum += price[i]!;
    }
    if (!missed) out.push([auction, bidder, price, ts, value]);
    else {
      // A key outside 0..9999 (a negative auction id) has no match: keep the matched rows only.
      const keep = (a: Float64Array): Float64Array => a.filter((_, i) => side[auction[i]! % 10000] !== undefined);
      out.push([keep(auction), keep(bidder), keep(price), keep(ts), value.slice(0, k)]);
    }
    rows += k;
  }
  return { rows, sum };
}
