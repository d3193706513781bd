import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import type { ReusableArrays } from "../../batch/reusable-arrays.js";
import { type Vector, makeVector } from "../../batch/vector.js";
import { StringType, TimestampType, structField, structType } from "../../types/data-type.js";

/*
 * The Yahoo streaming benchmark's data (Chintapalli et al., 2016), generated deterministically:
 *
 * - 100 campaigns with 10 ads each (1,000 ads); ids are UUID-shaped strings.
 * - An ad event has seven string fields: user_id and page_id (each from a pool of 100 ids),
 *   ad_id (one of the 1,000 ads), ad_type (banner, modal, sponsored-search, mail, mobile),
 *   event_type (view, click, purchase), event_time (epoch milliseconds as text) and ip_address.
 * - Event i is at firstEventTime + floor(i * 1000 / eventsPerSecond) ms; every field is a
 *   function of (seed, i).
 *
 * The query: keep views, project (ad_id, event_time), map ad_id to its campaign, count events
 * per campaign in 10-second tumbling event-time windows.
 *
 * Two forms of the same events: columnar batches (the binary path: the six text fields as
 * interned strings, event_time as TIMESTAMP) and JSON lines (the JSON path: all seven fields
 * as strings, exactly as the original benchmark's Kafka messages).
 */

export const AD_TYPES: readonly string[] = ["banner", "modal", "sponsored-search", "mail", "mobile"];
export const EVENT_TYPES: readonly string[] = ["view", "click", "purchase"];
export const NUM_CAMPAIGNS = 100;
export const ADS_PER_CAMPAIGN = 10;

export interface YahooConfig {
  readonly eventsNum: number;
  readonly eventsPerSecond: number;
  readonly firstEventTimeMs: number;
  readonly seed: number;
  readonly batchSize: number;
}

export const DEFAULT_YAHOO_CONFIG: YahooConfig = Object.freeze({ eventsNum: 100_000, eventsPerSecond: 100_000, firstEventTimeMs: Date.UTC(2024, 0, 1), seed: 0, batchSize: 8192 });

/** `user_id, page_id, ad_id, ad_type, event_type STRING, event_time TIMESTAMP, ip_address STRING` (binary path). */
export const AD_EVENT_SCHEMA = structType([
  structField("user_id", StringType, false),
  structField("page_id", StringType, false),
  structField("ad_id", StringType, false),
  structField("ad_type", StringType, false),
  structField("event_type", StringType, false),
  structField("event_time", TimestampType, false),
  structField("ip_address", StringType, false),
]);

/** The JSON path's schema: the seven fields as strings. */
export const AD_EVENT_JSON_DDL = "user_id STRING, page_id STRING, ad_id STRING, ad_type STRING, event_type STRING, event_time STRING, ip_address STRING";

export const CAMPAIGN_SCHEMA = structType([structField("ad_id", StringType, false), structField("campaign_id", StringType, false)]);

// Randomness: mulberry32, reseeded for every event. Its state only steps by a constant, so an
// event's draws are pure functions of its seed state: the hot loop keeps the state in a local
// (a module variable costs a memory store per draw and keeps V8 from inlining the draws). The
// Nexmark generator has its own copy on purpose: imported from one shared module, STEP and the
// draw were module bindings V8 did not fold into this loop (10 M events' codes 160 -> 200 ms).
const STEP = 0x6d2b79f5;

/** The generator state of event (or table entry) n of `stream`. */
function eventState(seed: number, n: number, stream: number): number {
  let h = (n >>> 0) ^ Math.imul(Math.floor(n / 4294967296) | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The draw of stepped state `s`: an integer in [0, bound). */
function drawInt(s: number, bound: number): number {
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
}

// The id pools' sequential draws (not hot).
let rs = 0;
function rint(bound: number): number {
  rs = (rs + STEP) | 0;
  return drawInt(rs, bound);
}

/**
 * A UUID-shaped id, interned (which also makes it one flat string). Built by concatenation it is
 * a rope, and rows' ids are looked up in Maps (grouping, joins): a hash collision between two
 * ropes is compared in V8's runtime (Yahoo's query spent ~6% there); interned ids compare by identity.
 */
function uuid(): string {
  const hex = (len: number): string => {
    let s = "";
    for (let i = 0; i < len; i++) s += "0123456789abcdef"[rint(16)]!;
    return s;
  };
  return interned(`${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[rint(4)]!}${hex(3)}-${hex(12)}`);
}

/** V8 interns property names: the key of a one-property object is the interned copy of `s`. */
function interned(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

export interface YahooIds {
  readonly users: readonly string[];
  readonly pages: readonly string[];
  /** ads[c * 10 + j] is the j-th ad of campaign c. */
  readonly ads: readonly string[];
  readonly campaigns: readonly string[];
}

const idsBySeed = new Map<number, YahooIds>();

export function yahooIds(seed: number): YahooIds {
  let ids = idsBySeed.get(seed);
  if (ids) return ids;
  rs = eventState(seed, 0, 7);
  const users = Array.from({ length: 100 }, uuid), pages = Array.from({ length: 100 }, uuid);
  const campaigns = Array.from({ length: NUM_CAMPAIGNS }, uuid);
  const ads = Array.from({ length: NUM_CAMPAIGNS * ADS_PER_CAMPAIGN }, uuid);
  ids = { users, pages, ads, campaigns };
  idsBySeed.set(seed, ids);
  return ids;
}

export const IP_ADDRESS = "1.2.3.4";

/** generateAdEventBatch's codes, kept for the next batch of this thread. */
let codeScratch: AdEventColumns | null = null;

/** One event's draws, in the order every form of the generator takes them. */
export interface AdEventColumns {
  readonly numRows: number;
  readonly user: Int32Array;
  readonly page: Int32Array;
  readonly ad: Int32Array;
  readonly adType: Int32Array;
  readonly eventType: Int32Array;
  /** Epoch milliseconds. */
  readonly timeMs: Float64Array;
}

/**
 * Events [from, to) as dictionary codes (indexes into yahooIds / AD_TYPES / EVENT_TYPES). With
 * `reuse` (long enough), written into its arrays, which then hold more than `numRows` values.
 */
export function generateAdEventCodes(cfg: YahooConfig, from: number, to: number, reuse: AdEventColumns | null = null): AdEventColumns {
  const n = Math.max(0, to - from);
  const r = reuse !== null && reuse.user.length >= n ? reuse : null;
  const user = r?.user ?? new Int32Array(n), page = r?.page ?? new Int32Array(n), ad = r?.ad ?? new Int32Array(n);
  const adType = r?.adType ?? new Int32Array(n), eventType = r?.eventType ?? new Int32Array(n), timeMs = r?.timeMs ?? new Float64Array(n);
  const msPerEvent = 1000 / cfg.eventsPerSecond, first = cfg.firstEventTimeMs, seed = cfg.seed;
  const ads = NUM_CAMPAIGNS * ADS_PER_CAMPAIGN, adTypes = AD_TYPES.length, eventTypes = EVENT_TYPES.length;
  for (let k = 0; k < n; k++) {
    const i = from + k;
    // Draw j of an event is that of its state stepped j + 1 times.
    const s = eventState(seed, i, 0);
    user[k] = drawInt((s + STEP) | 0, 100);
    page[k] = drawInt((s + 2 * STEP) | 0, 100);
    ad[k] = drawInt((s + 3 * STEP) | 0, ads);
    adType[k] = drawInt((s + 4 * STEP) | 0, adTypes);
    eventType[k] = drawInt((s + 5 * STEP) | 0, eventTypes);
    timeMs[k] = first + Math.floor(i * msPerEvent);
  }
  return { numRows: n, user, page, ad, adType, eventType, timeMs };
}

/**
 * Events [from, to) as a columnar batch of AD_EVENT_SCHEMA (strings shared with the id pools), or
 * of the `columns` named (lower case, kept in schema order): a scan builds only the columns the
 * query reads. Every event's draws are taken either way, so the values do not depend on `columns`.
 * With `buffers`, each column overwrites the last batch's.
 */
export function generateAdEventBatch(cfg: YahooConfig, from: number, to: number, columns: readonly string[] | null = null, buffers: ReusableArrays | null = null): RecordBatch {
  // The codes live only while the batch is built: one set per thread, reused by every batch (the
  // typed arrays a batch drops are what makes V8 collect garbage on helper threads, which a busy
  // second worker then waits for).
  const c = (codeScratch = generateAdEventCodes(cfg, from, to, codeScratch));
  const ids = yahooIds(cfg.seed);
  const n = c.numRows;
  // A string column refills the last batch's array too when the reader allows: fresh, the arrays
  // were 16 bytes of young-generation garbage per event for a query reading two string columns.
  const strings = (slot: number, codes: Int32Array, pool: readonly string[]): string[] => {
    const out = buffers === null ? new Array<string>(n) : (buffers.values(slot, n) as string[]);
    for (let k = 0; k < n; k++) out[k] = pool[codes[k]!]!;
    return out;
  };
  const build: Record<string, () => Vector> = {
    user_id: () => makeVector(StringType, n, strings(0, c.user, ids.users), null),
    page_id: () => makeVector(StringType, n, strings(1, c.page, ids.pages), null),
    ad_id: () => makeVector(StringType, n, strings(2, c.ad, ids.ads), null),
    ad_type: () => makeVector(StringType, n, strings(3, c.adType, AD_TYPES), null),
    event_type: () => makeVector(StringType, n, strings(4, c.eventType, EVENT_TYPES), null),
    event_time: () => {
      // Refilled batch after batch when the scan's reader allows it (ScanOptions.reuseBuffers).
      const ts = buffers === null ? new Float64Array(n) : buffers.float64(0, n);
      for (let k = 0; k < n; k++) ts[k] = c.timeMs[k]! * 1000;
      return makeVector(TimestampType, n, ts, null);
    },
    ip_address: () => makeVector(StringType, n, (buffers === null ? new Array<string>(n) : (buffers.values(6, n) as string[])).fill(IP_ADDRESS), null),
  };
  const fields = AD_EVENT_SCHEMA.fields.filter((f) => columns === null || columns.includes(f.name));
  return makeBatch(structType(fields), fields.map((f) => build[f.name]!()), n);
}

/** Events [from, to) as JSON lines (UTF-8), the original benchmark's message format. */
export function generateAdEventJson(cfg: YahooConfig, from: number, to: number): Buffer {
  const c = generateAdEventCodes(cfg, from, to);
  const ids = yahooIds(cfg.seed);
  const parts: string[] = [];
  let chunk = "";
  for (let k = 0; k < c.numRows; k++) {
    chunk += `{"user_id":"${ids.users[c.user[k]!]!}","page_id":"${ids.pages[c.page[k]!]!}","ad_id":"${ids.ads[c.ad[k]!]!}","ad_type":"${AD_TYPES[c.adType[k]!]!}","event_type":"${EVENT_TYPES[c.eventType[k]!]!}","event_time":"${c.timeMs[k]!}","ip_address":"${IP_ADDRESS}"}\n`;
    if ((k & 4095) === 4095) {
      parts.push(chunk);
      chunk = "";
    }
  }
  parts.push(chunk);
  return Buffer.concat(parts.map((p) => Buffer.from(p, "utf8")));
}

const campaignsBySeed = new Map<number, RecordBatch>();

/**
 * The 1,000-row ad → campaign table: one batch per seed, the same vectors every scan (a stream
 * joined with it hashes it once, see join-probe.ts).
 */
export function campaignBatch(seed: number): RecordBatch {
  let b = campaignsBySeed.get(seed);
  if (b !== undefined) return b;
  const ids = yahooIds(seed);
  const campaign = ids.ads.map((_, a) => ids.campaigns[Math.floor(a / ADS_PER_CAMPAIGN)]!);
  b = makeBatch(CAMPAIGN_SCHEMA, [makeVector(StringType, ids.ads.length, [...ids.ads], null), makeVector(StringType, ids.ads.length, campaign, null)], ids.ads.length);
  campaignsBySeed.set(seed, b);
  return b;
}
