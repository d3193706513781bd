import type { ReusableArrays } from "../../batch/reusable-arrays.js";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, makeVector } from "../../batch/vector.js";
import { type StructField, type StructType, structType } from "../../types/data-type.js";
import { AUCTION_PROPORTION, type NexmarkConfig, type NexmarkTable, PERSON_PROPORTION, TOTAL_PROPORTION } from "./nexmark-config.js";
import { nexmarkSchema } from "./nexmark-schema.js";
import { priceAt } from "./price-curve.js";

/*
 * The Nexmark event generator, as the benchmark specifies it (the Beam/Flink generator's rules,
 * written afresh for columnar output):
 *
 * - Event n (from 0) is a person if n mod 50 = 0, an auction if it is 1..3, else a bid.
 * - Event time: firstEventTime + floor(n * (1e6 / rate) / 1000) milliseconds.
 * - Ids: the k-th person has id 1000 + k, the k-th auction id 1000 + k ("base 0" ids plus 1000).
 * - A bid's auction is, with probability 1 - 1/hotAuctionRatio, the latest "hot" auction (the last
 *   auction id rounded down to a multiple of 100), else uniform over the last 100 auctions plus
 *   10 not yet created. Its bidder likewise is hot (the last person id rounded down to a multiple
 *   of 100, plus 1) with probability 1 - 1/hotBiddersRatio, else uniform over the last 1000
 *   people plus 10 ahead. An auction's seller is hot with probability 1 - 1/hotSellersRatio.
 * - Prices are round(10^(6u) * 100) for uniform u (1 .. 100,000,000 cents, log-uniform);
 *   reserve = initialBid + another price; category 10..14; an auction expires after
 *   1 + uniform(2 * horizon) ms, the horizon being the event time 100 auctions ahead.
 * - 99 in 100 bids come from four hot channels (Google, Facebook, Baidu, Apple, each with one
 *   URL); the rest from "channel-N", N < 10000, whose URL has `&channel_id=<N bit-reversed>` 9
 *   times in 10. URLs are https://www.nexmark.com/<d1>/<d2>/<d3>/item.htm?query=1.
 * - Strings are random lower-case letters with a space 1 time in 13, of random length 3..max-1;
 *   `extra` pads each event to its average byte size (person 200, auction 500, bid 100) ± 20%.
 *
 * Randomness: every event has its own generator seeded by a hash of (seed, n), so each event
 * is a pure function of (seed, n): the person, auction and bid tables can be generated
 * separately, in any ranges, and always agree. Random strings are slices of a per-seed pool
 * of random text (cheap: no per-character work per event).
 *
 * CHANGING the hash, the draw order or the pool changes every generated event (and the
 * results of checkpointed streaming queries reading this source).
 */

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const HOT_SELLER_RATIO = 100;
const HOT_CHANNELS_RATIO = 100;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const CHANNELS_NUMBER = 10_000;
const MIN_STRING_LENGTH = 3;

export const HOT_CHANNELS: readonly string[] = ["Google", "Facebook", "Baidu", "Apple"];
export const US_STATES: readonly string[] = ["AZ", "CA", "ID", "OR", "WA", "WY"];
export const US_CITIES: readonly string[] = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
export const FIRST_NAMES: readonly string[] = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
export const LAST_NAMES: readonly string[] = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];

// ---------------------------------------------------------------------------------------------
// Event numbering

export type EventKind = 0 | 1 | 2;
export const PERSON: EventKind = 0, AUCTION: EventKind = 1, BID: EventKind = 2;

export function eventKind(n: number): EventKind {
  const r = n % TOTAL_PROPORTION;
  return r < PERSON_PROPORTION ? PERSON : r < PERSON_PROPORTION + AUCTION_PROPORTION ? AUCTION : BID;
}

/** Events of `kind` among events [0, n). */
export function countOfKind(kind: EventKind, n: number): number {
  const epochs = Math.floor(n / TOTAL_PROPORTION), rem = n % TOTAL_PROPORTION;
  if (kind === PERSON) return epochs * PERSON_PROPORTION + Math.min(rem, PERSON_PROPORTION);
  if (kind === AUCTION) return epochs * AUCTION_PROPORTION + Math.max(0, Math.min(rem, PERSON_PROPORTION + AUCTION_PROPORTION) - PERSON_PROPORTION);
  return n - countOfKind(PERSON, n) - countOfKind(AUCTION, n);
}

/** Base-0 id of the last person created at or before event n. */
export function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** Base-0 id of the last auction created at or before event n (-1 before the first). */
export function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) offset = AUCTION_PROPORTION - 1;
  else offset -= PERSON_PROPORTION;
  return epoch * AUCTION_PROPORTION + offset;
}

/** Event time of event n, in epoch milliseconds. */
export function eventTimeMs(cfg: NexmarkConfig, n: number): number {
  return cfg.firstEventTimeMs + Math.floor((n * (1e6 / cfg.eventsPerSecond)) / 1000);
}

/** The first event whose time (eventTimeMs) is at or after `timeMs`. */
export function firstEventAtOrAfter(cfg: NexmarkConfig, timeMs: number): number {
  let n = Math.max(0, Math.floor(((timeMs - cfg.firstEventTimeMs) * cfg.eventsPerSecond) / 1000));
  while (n > 0 && eventTimeMs(cfg, n - 1) >= timeMs) n--;
  while (eventTimeMs(cfg, n) < timeMs) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Randomness: one small generator (mulberry32) whose state is reseeded for every event. Its state
// only steps by a constant (STEP), so a draw is a pure function of the state it steps to: the bid
// passes, the hot loops, keep each event's state in a local (a module variable costs a memory
// store per draw and keeps V8 from inlining the draws: auctions and times of 2 M events ~73 -> ~60 ms).
// The other tables draw in sequence through `rs`. Yahoo's generator keeps its own copy of STEP and
// the draw on purpose (imported across modules they were not folded into its hot loop).

const STEP = 0x6d2b79f5;

let rs = 0;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The seed's part of every event's seed (eventState), computed once per batch. */
function seedMix(seed: number): number {
  return Math.imul(seed | 0, 0x9e3779b1) + Math.imul(Math.floor(seed / 4294967296) | 0, 0x61c88647);
}

/** The generator state of event (or table entry) n of `stream`; `mix` is seedMix(seed). */
function eventState(mix: number, n: number, stream: number): number {
  const lo = n >>> 0, hi = Math.floor(n / 4294967296) | 0;
  return fmix32(fmix32(lo ^ Math.imul(stream, 0x27d4eb2f)) + Math.imul(hi, 0x165667b1) + mix);
}

/** Seeds `rs` for event (or table entry) n of `stream`. */
function seedRandom(mix: number, n: number, stream: number): void {
  rs = eventState(mix, n, stream);
}

/** The draw at state `s` (a state stepped by STEP): uniform in [0, 1) with 32 bits of resolution. */
function uniformAt(s: number): number {
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The draw at stepped state `s` as an integer in [0, bound). */
function intAt(s: number, bound: number): number {
  return Math.floor(uniformAt(s) * bound);
}

/** The next draw of `rs`: uniform in [0, 1). */
function rnd(): number {
  rs = (rs + STEP) | 0;
  return uniformAt(rs);
}

/** Uniform integer in [0, bound). */
function rint(bound: number): number {
  return Math.floor(rnd() * bound);
}

// ---------------------------------------------------------------------------------------------
// Per-seed tables: the text pool, channel names and URLs.

const POOL_SIZE = 1 << 20;

interface SeedTables {
  readonly pool: string;
  readonly hotUrls: readonly string[];
  readonly channelNames: readonly string[];
  readonly channelUrls: readonly string[];
  readonly cardGroups: readonly string[];
  readonly names: readonly string[];
}

const tablesBySeed = new Map<number, SeedTables>();

function tablesFor(seed: number): SeedTables {
  let t = tablesBySeed.get(seed);
  if (t) return t;
  const saved = rs;
  seedRandom(seedMix(seed), 0, 1);
  const codes = new Uint8Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) codes[i] = rint(13) === 0 ? 32 : 97 + rint(26);
  const pool = Buffer.from(codes.buffer, codes.byteOffset, codes.length).toString("latin1");
  const word = (): string => {
    const len = MIN_STRING_LENGTH + rint(5 - MIN_STRING_LENGTH + 1);
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(97 + rint(26));
    return s;
  };
  const baseUrl = (): string => flat(`https://www.nexmark.com/${word()}/${word()}/${word()}/item.htm?query=1`);
  seedRandom(seedMix(seed), 0, 2);
  const hotUrls = HOT_CHANNELS.map(() => baseUrl());
  const channelNames: string[] = [], channelUrls: string[] = [];
  for (let c = 0; c < CHANNELS_NUMBER; c++) {
    seedRandom(seedMix(seed), c, 3);
    channelNames.push(`channel-${c}`);
    const url = baseUrl();
    channelUrls.push(rint(10) === 9 ? url : flat(`${url}&channel_id=${reverseBits32(c)}`));
  }
  const cardGroups = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, "0"));
  const names: string[] = [];
  for (const f of FIRST_NAMES) for (const l of LAST_NAMES) names.push(flat(`${f} ${l}`));
  rs = saved;
  t = { pool, hotUrls, channelNames, channelUrls, cardGroups, names };
  tablesBySeed.set(seed, t);
  return t;
}

/**
 * `s` as one flat string. A string built by concatenation is a tree of its pieces in V8 (cons
 * strings), and every garbage collection of a thread that generated events marks the tables piece
 * by piece: the channel URLs' 80 thousand pieces were two thirds of a worker's heap objects.
 */
function flat(s: string): string {
  return Buffer.from(s, "latin1").toString("latin1");
}

/** The 32 bits of c in reverse order, as an unsigned number. */
export function reverseBits32(c: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (c & 1);
    c >>>= 1;
  }
  return r >>> 0;
}

/** Length of a random string of at most maxLength - 1 characters (at least 3). */
function strLen(maxLength: number): number {
  return MIN_STRING_LENGTH + rint(maxLength - MIN_STRING_LENGTH);
}

/** Length of the padding that brings an event of `current` bytes to about `average`. */
function extraLen(current: number, average: number): number {
  if (current > average) return 0;
  const desired = average - current, delta = Math.round(desired * 0.2);
  return desired - delta + rint(2 * delta + 1);
}

// ---------------------------------------------------------------------------------------------
// Columnar generation

/** Which columns to build (others are still drawn, so values never depend on the selection). */
function wantedColumns(schema: StructType, columns: readonly string[] | null): boolean[] {
  const lower = new Set<string>();
  for (const c of columns ?? []) lower.add(c.toLowerCase());
  const want: boolean[] = [];
  for (const f of schema.fields) want.push(columns === null || lower.has(f.name.toLowerCase()));
  return want;
}

/** The generated columns of one table for events [from, to): an array per field (null if not wanted). */
export interface NexmarkColumns {
  readonly table: NexmarkTable;
  readonly numRows: number;
  readonly columns: ReadonlyArray<Float64Array | string[] | null>;
}

/**
 * Bids to keep: those whose number column `column` (auction, bidder, price or dateTime, wanted)
 * holds one of `values`. The others are dropped before their strings are drawn.
 */
export interface BidFilter {
  readonly column: "auction" | "bidder" | "price" | "dateTime";
  readonly values: ReadonlySet<unknown>;
}

/**
 * Generates the rows of `cfg.table` among events [from, to) straight into columns: typed arrays
 * for ids, prices and times (microseconds), arrays for strings. `columns` names the fields to
 * build (null: all); `keep`, for bids, which rows to keep.
 */
export function generateNexmarkColumns(cfg: NexmarkConfig, table: NexmarkTable, from: number, to: number, columns: readonly string[] | null = null, buffers: ReusableArrays | null = null, keep: BidFilter | null = null): NexmarkColumns {
  if (!warmedUp) warmUp(cfg);
  const schema = nexmarkSchema(table);
  const want = wantedColumns(schema, columns);
  const kind = table === "person" ? PERSON : table === "auction" ? AUCTION : BID;
  const rows = Math.max(0, countOfKind(kind, to) - countOfKind(kind, from));
  const t = tablesFor(cfg.seed);
  if (table === "bid") return { table, ...genBids(cfg, t, from, to, rows, want, buffers, keep) };
  if (table === "auction") return { table, numRows: rows, columns: genAuctions(cfg, t, from, to, rows, want, buffers) };
  return { table, numRows: rows, columns: genPeople(cfg, t, from, to, rows, want, buffers) };
}

/** Whether this thread's generators have run with every column wanted (see warmUp). */
let warmedUp = false;

/**
 * Runs each generator once over a few events with every column wanted, before the first real
 * call on this thread: a column store that never ran before V8 optimized the function (a caller
 * wanting fewer columns came first) has no type feedback, and a later caller wanting that column
 * would deoptimize the function on every call (hundreds of times in a q5 run) instead of once.
 */
function warmUp(cfg: NexmarkConfig): void {
  warmedUp = true;
  for (const table of ["person", "auction", "bid"] as const) generateNexmarkColumns(cfg, table, 0, TOTAL_PROPORTION);
}

/** The same as a RecordBatch holding the wanted columns in schema order. */
export function generateNexmarkBatch(cfg: NexmarkConfig, table: NexmarkTable, from: number, to: number, columns: readonly string[] | null = null, buffers: ReusableArrays | null = null, keep: BidFilter | null = null): RecordBatch {
  const g = generateNexmarkColumns(cfg, table, from, to, columns, buffers, keep);
  const schema = nexmarkSchema(table);
  // Loops, not arrows made per batch (their optimized code dies with them; see expr-tree.ts).
  const fields: StructField[] = [];
  const vectors: Vector[] = [];
  for (let i = 0; i < schema.fields.length; i++) {
    const c = g.columns[i];
    if (!c) continue;
    fields.push(schema.fields[i]!);
    vectors.push(makeVector(schema.fields[i]!.dataType, g.numRows, c, null));
  }
  return makeBatch(columns === null ? schema : structType(fields), vectors, g.numRows);
}

/** Column `slot`'s array: fresh, or from `buffers` when the scan's consumer lets it be refilled (ScanOptions.reuseBuffers). */
const f64 = (want: boolean, n: number, buffers: ReusableArrays | null, slot: number): Float64Array | null => (!want ? null : buffers === null ? new Float64Array(n) : buffers.float64(slot, n));
const strs = (want: boolean, n: number): string[] | null => (want ? new Array<string>(n) : null);

/** A person among the active ones (and a few ahead) at event n, by the uniform draw `u`. */
function nextBase0PersonId(cfg: NexmarkConfig, n: number, u: number): number {
  const numPeople = lastBase0PersonId(n) + 1;
  const active = Math.min(numPeople, cfg.numActivePeople);
  return numPeople - active + Math.floor(u * (active + PERSON_ID_LEAD));
}

/**
 * Bids in passes, one per draw step (auction, bidder, price, channel and url, extra), each
 * resuming every event's generator where the last left it (`states`): one loop drawing
 * everything was too large for V8 to inline its helpers into (all columns: 270 -> 180 ms per 2 M
 * events). An event's draws come in that order from its own seed: the steps after the last
 * wanted column are skipped, and a price not wanted is only drawn.
 */
function genBids(cfg: NexmarkConfig, t: SeedTables, from: number, to: number, rows: number, want: readonly boolean[], buffers: ReusableArrays | null, keep: BidFilter | null): { numRows: number; columns: Array<Float64Array | string[] | null> } {
  let auction = f64(want[0]!, rows, buffers, 0), bidder = f64(want[1]!, rows, buffers, 1), price = f64(want[2]!, rows, buffers, 2);
  let dateTime = f64(want[5]!, rows, buffers, 5);
  const lastDraw = want[6] ? 4 : want[3] || want[4] ? 3 : want[2] ? 2 : want[1] ? 1 : want[0] ? 0 : -1;
  if (dateTime) {
    const delayMs = 1e6 / cfg.eventsPerSecond / 1000, first = cfg.firstEventTimeMs;
    for (let n = from, k = 0; n < to; n++) if (isBid(n)) dateTime[k++] = (first + Math.floor(n * delayMs)) * 1000;
  }
  const states = drawStates(rows);
  if (lastDraw >= 0) drawAuctions(cfg, from, to, states, auction);
  if (lastDraw >= 1) drawBidders(cfg, from, to, states, bidder);
  if (lastDraw >= 2) drawPrices(states, rows, price);
  if (keep !== null) {
    const kept = keepBids(keep, rows, states, [auction, bidder, price, dateTime]);
    if (kept < rows) {
      rows = kept;
      auction = auction?.subarray(0, rows) ?? null;
      bidder = bidder?.subarray(0, rows) ?? null;
      price = price?.subarray(0, rows) ?? null;
      dateTime = dateTime?.subarray(0, rows) ?? null;
    }
  }
  const channel = strs(want[3]!, rows), url = strs(want[4]!, rows), extra = strs(want[6]!, rows);
  if (lastDraw >= 3) drawChannels(t, states, rows, channel, url);
  if (lastDraw >= 4) drawExtras(t, cfg.avgBidByteSize, states, rows, extra);
  return { numRows: rows, columns: [auction, bidder, price, channel, url, dateTime, extra] };
}

/** Moves the bids `keep` keeps (their drawn columns and generator states) to the front; returns how many. */
function keepBids(keep: BidFilter, rows: number, states: Int32Array, drawn: readonly (Float64Array | null)[]): number {
  const tested = drawn[["auction", "bidder", "price", "dateTime"].indexOf(keep.column)];
  if (tested === null || tested === undefined) return rows;
  const values = keep.values;
  let m = 0;
  for (let k = 0; k < rows; k++) {
    if (!values.has(tested[k])) continue;
    states[m] = states[k]!;
    for (const c of drawn) if (c !== null) c[m] = c[k]!;
    m++;
  }
  return m;
}

const isBid = (n: number): boolean => n % TOTAL_PROPORTION >= PERSON_PROPORTION + AUCTION_PROPORTION;

// A thread's scratch array for genBids: each bid's generator state between passes.
let scratchStates = new Int32Array(0);

function drawStates(rows: number): Int32Array {
  if (scratchStates.length < rows) scratchStates = new Int32Array(rows);
  return scratchStates;
}

// Each pass resumes an event's state from `states` and steps it once per draw (STEP), in locals;
// the passes that need each bid's event number walk the events again (an integer loop counter).
// The auction pass, the one every query of bids runs, draws among the auctions in flight in line
// and takes a bid's last auction (lastBase0AuctionId) from its epoch, without a division per event
// or helpers left to V8's inlining budget (in worker threads genBids inlines this pass, and its
// helpers stayed calls).
function drawAuctions(cfg: NexmarkConfig, from: number, to: number, states: Int32Array, auction: Float64Array | null): void {
  const mix = seedMix(cfg.seed), hot = cfg.hotAuctionRatio, inFlight = cfg.numInFlightAuctions;
  for (let n = from, k = 0; n < to; n++) {
    const epoch = Math.floor(n / TOTAL_PROPORTION);
    if (n - epoch * TOTAL_PROPORTION < PERSON_PROPORTION + AUCTION_PROPORTION) continue;
    const last = epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
    let s = (eventState(mix, n, 0) + STEP) | 0, a: number;
    if (intAt(s, hot) > 0) a = Math.floor(last / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
    else {
      s = (s + STEP) | 0;
      const min = Math.max(last - inFlight, 0);
      a = min + intAt(s, last - min + 1 + AUCTION_ID_LEAD);
    }
    if (auction) auction[k] = a + FIRST_AUCTION_ID;
    states[k++] = s;
  }
}

function drawBidders(cfg: NexmarkConfig, from: number, to: number, states: Int32Array, bidder: Float64Array | null): void {
  const hot = cfg.hotBiddersRatio;
  for (let n = from, k = 0; n < to; n++) {
    if (!isBid(n)) continue;
    let s = (states[k]! + STEP) | 0, b: number;
    if (intAt(s, hot) > 0) b = Math.floor(lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
    else {
      s = (s + STEP) | 0;
      b = nextBase0PersonId(cfg, n, uniformAt(s));
    }
    if (bidder) bidder[k] = b + FIRST_PERSON_ID;
    states[k++] = s;
  }
}

function drawPrices(states: Int32Array, rows: number, price: Float64Array | null): void {
  for (let k = 0; k < rows; k++) {
    const s = (states[k]! + STEP) | 0;
    if (price) price[k] = priceAt(uniformAt(s) * 6);
    states[k] = s;
  }
}

function drawChannels(t: SeedTables, states: Int32Array, rows: number, channel: string[] | null, url: string[] | null): void {
  const { hotUrls, channelNames, channelUrls } = t;
  for (let k = 0; k < rows; k++) {
    let s = (states[k]! + STEP) | 0;
    const hot = intAt(s, HOT_CHANNELS_RATIO) > 0;
    s = (s + STEP) | 0;
    let ch: string, u: string;
    if (hot) {
      const h = intAt(s, HOT_CHANNELS.length);
      ch = HOT_CHANNELS[h]!;
      u = hotUrls[h]!;
    } else {
      const c = intAt(s, CHANNELS_NUMBER);
      ch = channelNames[c]!;
      u = channelUrls[c]!;
    }
    if (channel) channel[k] = ch;
    if (url) url[k] = u;
    states[k] = s;
  }
}

function drawExtras(t: SeedTables, avg: number, states: Int32Array, rows: number, extra: string[] | null): void {
  const pool = t.pool, poolMax = POOL_SIZE - Math.max(avg, 1) - 1;
  for (let k = 0; k < rows; k++) {
    rs = states[k]!;
    const len = extraLen(32, avg), off = rint(poolMax);
    if (extra) extra[k] = pool.substring(off, off + len);
  }
}

/**
 * Auctions, drawing only what the wanted columns need: draw k of an event is at its state plus k
 * steps, so the others are skipped (Nexmark q4 wants ids, times, expiries and categories: 3 of
 * the 12-13 draws, and no prices). An auction's draws, in order: 1 name length, 2 its offset,
 * 3 description length, 4 its offset, 5 initial bid, 6 reserve over it, 7 length of the auction,
 * 8 hot seller or not, (9 the seller, when not hot), then the category, the extra padding's
 * length (when the event is under the average size) and its offset.
 */
function genAuctions(cfg: NexmarkConfig, t: SeedTables, from: number, to: number, rows: number, want: readonly boolean[], buffers: ReusableArrays | null): Array<Float64Array | string[] | null> {
  const id = f64(want[0]!, rows, buffers, 0), itemName = strs(want[1]!, rows), description = strs(want[2]!, rows), initialBid = f64(want[3]!, rows, buffers, 3), reserve = f64(want[4]!, rows, buffers, 4);
  const dateTime = f64(want[5]!, rows, buffers, 5), expires = f64(want[6]!, rows, buffers, 6), seller = f64(want[7]!, rows, buffers, 7), category = f64(want[8]!, rows, buffers, 8), extra = strs(want[9]!, rows);
  const { pool } = t;
  const mix = seedMix(cfg.seed), avg = cfg.avgAuctionByteSize;
  const poolMax = POOL_SIZE - Math.max(avg, 100) - 1;
  const eventsAhead = Math.floor((cfg.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
  const lengths = itemName !== null || description !== null || extra !== null, prices = initialBid !== null || reserve !== null;
  const afterSeller = seller !== null || category !== null || extra !== null;
  let k = 0;
  // Auctions are events PERSON_PROPORTION .. PERSON_PROPORTION + AUCTION_PROPORTION - 1 of each epoch.
  const firstEpoch = Math.floor(from / TOTAL_PROPORTION) * TOTAL_PROPORTION;
  for (let e = firstEpoch; e < to; e += TOTAL_PROPORTION) {
    for (let n = Math.max(from, e + PERSON_PROPORTION), end = Math.min(to, e + PERSON_PROPORTION + AUCTION_PROPORTION); n < end; n++) {
      const s0 = eventState(mix, n, 0);
      const ts = eventTimeMs(cfg, n);
      let nameLen = 0, descLen = 0;
      if (lengths) {
        nameLen = MIN_STRING_LENGTH + intAt((s0 + STEP) | 0, 20 - MIN_STRING_LENGTH);
        descLen = MIN_STRING_LENGTH + intAt((s0 + 3 * STEP) | 0, 100 - MIN_STRING_LENGTH);
        if (itemName) {
          const off = intAt((s0 + 2 * STEP) | 0, poolMax);
          itemName[k] = pool.substring(off, off + nameLen);
        }
        if (description) {
          const off = intAt((s0 + 4 * STEP) | 0, poolMax);
          description[k] = pool.substring(off, off + descLen);
        }
      }
      if (prices) {
        const ib = priceAt(uniformAt((s0 + 5 * STEP) | 0) * 6);
        if (initialBid) initialBid[k] = ib;
        if (reserve) reserve[k] = ib + priceAt(uniformAt((s0 + 6 * STEP) | 0) * 6);
      }
      if (id) id[k] = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
      if (dateTime) dateTime[k] = ts * 1000;
      if (expires) {
        const horizon = eventTimeMs(cfg, n + eventsAhead) - ts;
        expires[k] = (ts + 1 + intAt((s0 + 7 * STEP) | 0, Math.max(horizon * 2, 1))) * 1000;
      }
      if (afterSeller) {
        const hotSeller = intAt((s0 + 8 * STEP) | 0, cfg.hotSellersRatio) > 0;
        let draw = hotSeller ? 9 : 10;
        if (seller) seller[k] = (hotSeller ? Math.floor(lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO : nextBase0PersonId(cfg, n, uniformAt((s0 + 9 * STEP) | 0))) + FIRST_PERSON_ID;
        if (category) category[k] = FIRST_CATEGORY_ID + intAt((s0 + Math.imul(draw, STEP)) | 0, NUM_CATEGORIES);
        if (extra) {
          draw++;
          const current = 8 + nameLen + descLen + 8 + 8 + 8 + 8 + 8;
          let len = 0;
          if (current <= avg) {
            const desired = avg - current, delta = Math.round(desired * 0.2);
            len = desired - delta + intAt((s0 + Math.imul(draw++, STEP)) | 0, 2 * delta + 1);
          }
          const off = intAt((s0 + Math.imul(draw, STEP)) | 0, poolMax);
          extra[k] = pool.substring(off, off + len);
        }
      }
      k++;
    }
  }
  return [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra];
}

function genPeople(cfg: NexmarkConfig, t: SeedTables, from: number, to: number, rows: number, want: readonly boolean[], buffers: ReusableArrays | null): Array<Float64Array | string[] | null> {
  const id = f64(want[0]!, rows, buffers, 0), name = strs(want[1]!, rows), email = strs(want[2]!, rows), card = strs(want[3]!, rows);
  const city = strs(want[4]!, rows), state = strs(want[5]!, rows), dateTime = f64(want[6]!, rows, buffers, 6), extra = strs(want[7]!, rows);
  const { pool, names, cardGroups } = t;
  const mix = seedMix(cfg.seed), avg = cfg.avgPersonByteSize;
  const poolMax = POOL_SIZE - Math.max(avg, 10) - 1;
  let k = 0;
  for (let n = from; n < to; n++) {
    if (n % TOTAL_PROPORTION >= PERSON_PROPORTION) continue;
    seedRandom(mix, n, 0);
    const nm = names[rint(names.length)]!;
    const userLen = strLen(7), userOff = rint(poolMax), hostLen = strLen(5), hostOff = rint(poolMax);
    const c1 = rint(10000), c2 = rint(10000), c3 = rint(10000), c4 = rint(10000);
    const ci = US_CITIES[rint(US_CITIES.length)]!, st = US_STATES[rint(US_STATES.length)]!;
    if (id) id[k] = lastBase0PersonId(n) + FIRST_PERSON_ID;
    if (name) name[k] = nm;
    if (email) email[k] = `${pool.substring(userOff, userOff + userLen)}@${pool.substring(hostOff, hostOff + hostLen)}.com`;
    if (card) card[k] = `${cardGroups[c1]!} ${cardGroups[c2]!} ${cardGroups[c3]!} ${cardGroups[c4]!}`;
    if (city) city[k] = ci;
    if (state) state[k] = st;
    if (dateTime) dateTime[k] = eventTimeMs(cfg, n) * 1000;
    const size = 8 + nm.length + userLen + hostLen + 5 + 19 + ci.length + st.length + 8;
    const len = extraLen(size, avg), off = rint(poolMax);
    if (extra) extra[k] = pool.substring(off, off + len);
    k++;
  }
  return [id, name, email, card, city, state, dateTime, extra];
}
