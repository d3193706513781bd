/**
 * Nexmark's daily statistics (q15, q16, q17) as hand-written JavaScript over the generator's
 * columns: the practical limit for this language, reading the same events as Sluice (the
 * generator's batches of `cfg.batchSize` events) and building the columns the query returns.
 *
 * Groups get dense indexes and their aggregates live in typed arrays indexed by group. The
 * distinct counts of q15/q16 keep, per group and counted column, a Map from id to a bit mask of
 * the price ranks the id was seen with (bit 0: seen at all), so a bid costs one Map lookup per
 * distinct column and a first sighting bumps the group's counters. Map keys are ids alone (per
 * group, per day), small integers: a key combining group and id would exceed V8's small-integer
 * range and make every lookup box a heap number (q16: over twice as slow).
 */
import type { NexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import type { Digest } from "./digest.js";
import { bidBatches, fit } from "./hand-loops.js";


/** A query's output columns by name, one entry per result row. */
export type DailyColumns = Record<string, Float64Array | string[]>;

const DAY_US = 86_400_000_000, MINUTE_US = 60_000_000;
const RANK_NAMES = ["total", "rank1", "rank2", "rank3"] as const;

/** 1 for price < 10,000, 2 below 1,000,000, else 3. */
const rankOf = (price: number): number => (price < 10000 ? 1 : price < 1000000 ? 2 : 3);

/** 'yyyy-MM-dd' of a UTC day number. */
const dayText = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** 'HH:mm' (UTC) of a timestamp in microseconds. */
function minuteText(us: number): string {
  const m = Math.floor((us - Math.floor(us / DAY_US) * DAY_US) / MINUTE_US);
  const h = Math.floor(m / 60), mm = m % 60;
  return `${h < 10 ? "0" : ""}${h}:${mm < 10 ? "0" : ""}${mm}`;
}

// Per group, STRIDE counters: bids, bidders, auctions (BIDS, BIDDERS, AUCTIONS), each as total then rank 1..3.
const STRIDE = 12, BIDS = 0, BIDDERS = 4, AUCTIONS = 8;

/**
 * Counts `id` as distinct in a group's counters at `base` (total) and `base + rank`, when
 * `masks` (the group's ids so far) has not seen it before, or not in this rank.
 */
function countDistinct(masks: Map<number, number>, id: number, rank: number, stats: Float64Array, base: number): void {
  const m = masks.get(id), bit = 1 << rank;
  if (m === undefined) {
    masks.set(id, 1 | bit);
    stats[base]++;
    stats[base + rank]++;
  } else if ((m & bit) === 0) {
    masks.set(id, m | bit);
    stats[base + rank]++;
  }
}

/** The 12 count columns of q15/q16 (total_bids .. rank3_auctions) from the strided counters of `groups` groups. */
function countColumns(stats: Float64Array, groups: number): DailyColumns {
  const out: DailyColumns = {};
  for (const [what, base] of [["bids", BIDS], ["bidders", BIDDERS], ["auctions", AUCTIONS]] as const) {
    for (let r = 0; r < 4; r++) {
      const c = new Float64Array(groups);
      for (let g = 0; g < groups; g++) c[g] = stats[g * STRIDE + base + r]!;
      out[`${RANK_NAMES[r]!}_${what}`] = c;
    }
  }
  return out;
}

function sumOf(c: Float64Array): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i]!;
  return s;
}

/** q15: per UTC day, bids, distinct bidders and distinct auctions, in total and per price rank. Digest: rows and sum of total_bidders. */
export function handQ15(cfg: NexmarkConfig, events: number): Digest & { columns: DailyColumns } {
  const groupOfDay = new Map<number, number>(), days: number[] = [];
  const biddersOf: Map<number, number>[] = [], auctionsOf: Map<number, number>[] = [];
  let stats = new Float64Array(STRIDE * 4);
  let lastDay = NaN, g = -1, bidders = new Map<number, number>(), auctions = bidders;
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "dateTime"])) {
    const auction = c[0] as Float64Array, bidder = c[1] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const day = Math.floor(ts[i]! / DAY_US);
      if (day !== lastDay) {
        lastDay = day;
        let k = groupOfDay.get(day);
        if (k === undefined) {
          k = days.length;
          groupOfDay.set(day, k);
          days.push(day);
          biddersOf.push(new Map());
          auctionsOf.push(new Map());
          stats = fit(stats, (k + 1) * STRIDE - 1);
        }
        g = k;
        bidders = biddersOf[g]!;
        auctions = auctionsOf[g]!;
      }
      const rank = rankOf(price[i]!), base = g * STRIDE;
      stats[base + BIDS]++;
      stats[base + BIDS + rank]++;
      countDistinct(bidders, bidder[i]!, rank, stats, base + BIDDERS);
      countDistinct(auctions, auction[i]!, rank, stats, base + AUCTIONS);
    }
  }
  const columns: DailyColumns = { day: days.map(dayText), ...countColumns(stats, days.length) };
  return { rows: days.length, sum: sumOf(columns["total_bidders"] as Float64Array), columns };
}

/** q16: q15 per (channel, UTC day), plus the latest 'HH:mm' of the group's bids. Digest: rows and sum of total_bidders. */
export function handQ16(cfg: NexmarkConfig, events: number): Digest & { columns: DailyColumns } {
  const channelIndex = new Map<string, number>();
  // Per day, the group index of each channel index (-1: none yet), kept packed.
  const groupsOfDay = new Map<number, number[]>();
  const groupChannel: string[] = [], groupDay: number[] = [];
  const biddersOf: Map<number, number>[] = [], auctionsOf: Map<number, number>[] = [];
  let stats = new Float64Array(STRIDE * 64), maxTs = new Float64Array(64);
  let lastDay = NaN, dayGroups: number[] = [];
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "bidder", "price", "channel", "dateTime"])) {
    const auction = c[0] as Float64Array, bidder = c[1] as Float64Array, price = c[2] as Float64Array, channel = c[3] as string[], ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!, day = Math.floor(t / DAY_US);
      if (day !== lastDay) {
        lastDay = day;
        let gs = groupsOfDay.get(day);
        if (gs === undefined) groupsOfDay.set(day, (gs = []));
        dayGroups = gs;
      }
      const ch = channel[i]!;
      let chi = channelIndex.get(ch);
      if (chi === undefined) channelIndex.set(ch, (chi = channelIndex.size));
      while (dayGroups.length <= chi) dayGroups.push(-1);
      let g = dayGroups[chi]!;
      if (g < 0) {
        g = groupDay.length;
        dayGroups[chi] = g;
        groupDay.push(day);
        groupChannel.push(ch);
        biddersOf.push(new Map());
        auctionsOf.push(new Map());
        stats = fit(stats, (g + 1) * STRIDE - 1);
        maxTs = fit(maxTs, g);
        maxTs[g] = t;
      } else if (t > maxTs[g]!) maxTs[g] = t;
      const rank = rankOf(price[i]!), base = g * STRIDE;
      stats[base + BIDS]++;
      stats[base + BIDS + rank]++;
      countDistinct(biddersOf[g]!, bidder[i]!, rank, stats, base + BIDDERS);
      countDistinct(auctionsOf[g]!, auction[i]!, rank, stats, base + AUCTIONS);
    }
  }
  const groups = groupDay.length, texts = new Map<number, string>();
  const day: string[] = new Array<string>(groups), minute: string[] = new Array<string>(groups);
  for (let k = 0; k < groups; k++) {
    const d = groupDay[k]!;
    let s = texts.get(d);
    if (s === undefined) texts.set(d, (s = dayText(d)));
    day[k] = s;
    // Within one day 'HH:mm' orders as time does, so the group's max is its latest bid's.
    minute[k] = minuteText(maxTs[k]!);
  }
  const columns: DailyColumns = { channel: groupChannel, day, minute, ...countColumns(stats, groups) };
  return { rows: groups, sum: sumOf(columns["total_bidders"] as Float64Array), columns };
}

/** q17: per (auction, UTC day), bids in total and per price rank, and min/max/avg/sum of price. Digest: rows and sum of sum_price. */
export function handQ17(cfg: NexmarkConfig, events: number): Digest & { columns: DailyColumns } {
  // Per day, the group index of each auction.
  const groupsOfDay = new Map<number, Map<number, number>>();
  let cap = 1024, groups = 0, lastDay = NaN, dayGroups = new Map<number, number>();
  let auctionOf = new Float64Array(cap), dayOf = new Float64Array(cap), counts = new Float64Array(cap * 4);
  let min = new Float64Array(cap), max = new Float64Array(cap), sum = new Float64Array(cap);
  for (const { n, c } of bidBatches(cfg, 0, events, ["auction", "price", "dateTime"])) {
    const auction = c[0] as Float64Array, price = c[2] as Float64Array, ts = c[5] as Float64Array;
    for (let i = 0; i < n; i++) {
      const day = Math.floor(ts[i]! / DAY_US), a = auction[i]!, p = price[i]!;
      if (day !== lastDay) {
        lastDay = day;
        let gs = groupsOfDay.get(day);
        if (gs === undefined) groupsOfDay.set(day, (gs = new Map()));
        dayGroups = gs;
      }
      let g = dayGroups.get(a);
      if (g === undefined) {
        g = groups++;
        dayGroups.set(a, g);
        if (g === cap) {
          cap *= 2;
          auctionOf = fit(auctionOf, g);
          dayOf = fit(dayOf, g);
          counts = fit(counts, cap * 4 - 1);
          min = fit(min, g);
          max = fit(max, g);
          sum = fit(sum, g);
        }
        auctionOf[g] = a;
        dayOf[g] = day;
        min[g] = p;
        max[g] = p;
      } else {
        if (p < min[g]!) min[g] = p;
        if (p > max[g]!) max[g] = p;
      }
      sum[g] += p;
      counts[g * 4]++;
      counts[g * 4 + rankOf(p)]++;
    }
  }
  const day: string[] = new Array<string>(groups), avg = new Float64Array(groups);
  const byRank = [0, 1, 2, 3].map(() => new Float64Array(groups));
  let textDay = NaN, text = "", total = 0;
  for (let g = 0; g < groups; g++) {
    if (dayOf[g] !== textDay) {
      textDay = dayOf[g]!;
      text = dayText(textDay);
    }
    day[g] = text;
    for (let r = 0; r < 4; r++) byRank[r]![g] = counts[g * 4 + r]!;
    avg[g] = sum[g]! / counts[g * 4]!;
    total += sum[g]!;
  }
  const columns: DailyColumns = {
    auction: auctionOf.slice(0, groups), day, total_bids: byRank[0]!, rank1_bids: byRank[1]!, rank2_bids: byRank[2]!, rank3_bids: byRank[3]!,
    min_price: min.slice(0, groups), max_price: max.slice(0, groups), avg_price: avg, sum_price: sum.slice(0, groups),
  };
  return { rows: groups, sum: total, columns };
}
