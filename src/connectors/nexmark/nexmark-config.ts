import { IllegalArgumentError } from "../../errors/errors.js";

/**
 * The Nexmark generator's settings (`spark.read.format("nexmark")` /
 * `spark.readStream.format("nexmark")` options, case-insensitive):
 *
 * | option               | default                  | meaning                                                   |
 * |----------------------|--------------------------|-----------------------------------------------------------|
 * | table                | bid                      | which stream: person, auction or bid                      |
 * | eventsNum            | 100000 (batch), none (stream) | events of all three kinds; the tables share them     |
 * | eventsPerSecond/rate | 10000                    | event-time rate: event n is at firstEventTime + n/rate s  |
 * | firstEventTime       | 2024-01-01T00:00:00Z     | event time of event 0 (ISO text or epoch milliseconds)    |
 * | seed                 | 0                        | same seed, same events                                    |
 * | maxEventsPerTrigger  | 1000000 (stream)         | events (of all kinds) one micro-batch may cover           |
 * | realTime             | false (stream)           | true: event n becomes available at start + n/rate seconds |
 * | batchSize            | 8192                     | events per generated batch (rows are ~46/50 of that)      |
 * | hotAuctionRatio, hotBiddersRatio, hotSellersRatio | 2, 4, 4 | 1 in ratio picks a random id, the rest a hot one |
 * | numInFlightAuctions, numActivePeople | 100, 1000 |                                                      |
 * | avgPersonByteSize, avgAuctionByteSize, avgBidByteSize | 200, 500, 100 | sizes the `extra` field pads to |
 *
 * Events are numbered from 0; event n is a person when n mod 50 is 0, an auction when it is
 * 1..3, a bid otherwise (the 1 : 3 : 46 proportions). Every field of event n is a function of
 * (seed, n) alone, so the three tables are consistent with each other (bids refer to auctions
 * and people of the same event sequence) and any range of events can be regenerated.
 */
export interface NexmarkConfig {
  readonly table: NexmarkTable;
  readonly eventsNum: number | null;
  readonly eventsPerSecond: number;
  readonly firstEventTimeMs: number;
  readonly seed: number;
  readonly maxEventsPerTrigger: number;
  readonly realTime: boolean;
  readonly batchSize: number;
  readonly hotAuctionRatio: number;
  readonly hotBiddersRatio: number;
  readonly hotSellersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

export type NexmarkTable = "person" | "auction" | "bid";

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const DEFAULT_FIRST_EVENT_TIME_MS = Date.UTC(2024, 0, 1);

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  table: "bid",
  eventsNum: null,
  eventsPerSecond: 10_000,
  firstEventTimeMs: DEFAULT_FIRST_EVENT_TIME_MS,
  seed: 0,
  maxEventsPerTrigger: 1_000_000,
  realTime: false,
  batchSize: 8192,
  hotAuctionRatio: 2,
  hotBiddersRatio: 4,
  hotSellersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
});

function lookup(options: Readonly<Record<string, string>>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const k = key.toLowerCase();
    for (const [n, v] of Object.entries(options)) if (n.toLowerCase() === k) return v;
  }
  return undefined;
}

function invalid(key: string, v: string, what: string): never {
  throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${v}' for the nexmark option '${key}': expected ${what}.`);
}

function intOpt(options: Readonly<Record<string, string>>, keys: string[], dflt: number, min: number): number {
  const v = lookup(options, ...keys);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) invalid(keys[0]!, v, `an integer >= ${min}`);
  return n;
}

/** Parses the reader options; `defaultEvents` is used when eventsNum is absent (null: unbounded). */
export function parseNexmarkConfig(options: Readonly<Record<string, string>>, defaultEvents: number | null): NexmarkConfig {
  const d = DEFAULT_NEXMARK_CONFIG;
  const tableText = (lookup(options, "table") ?? d.table).toLowerCase();
  if (tableText !== "person" && tableText !== "auction" && tableText !== "bid") invalid("table", tableText, "person, auction or bid");
  const rateText = lookup(options, "eventsPerSecond", "rate");
  const rate = rateText === undefined ? d.eventsPerSecond : Number(rateText);
  if (!(rate > 0) || !Number.isFinite(rate)) invalid("eventsPerSecond", String(rateText), "a positive number");
  const ftText = lookup(options, "firstEventTime");
  let firstEventTimeMs = d.firstEventTimeMs;
  if (ftText !== undefined) {
    firstEventTimeMs = /^-?\d+$/.test(ftText.trim()) ? Number(ftText) : Date.parse(ftText);
    if (!Number.isSafeInteger(firstEventTimeMs)) invalid("firstEventTime", ftText, "epoch milliseconds or an ISO-8601 timestamp");
  }
  const rt = (lookup(options, "realTime") ?? "false").toLowerCase();
  if (rt !== "true" && rt !== "false") invalid("realTime", rt, "true or false");
  const eventsText = lookup(options, "eventsNum", "numEvents");
  return Object.freeze({
    table: tableText,
    eventsNum: eventsText === undefined ? defaultEvents : intOpt(options, ["eventsNum", "numEvents"], 0, 0),
    eventsPerSecond: rate,
    firstEventTimeMs,
    seed: intOpt(options, ["seed"], d.seed, 0),
    maxEventsPerTrigger: intOpt(options, ["maxEventsPerTrigger"], d.maxEventsPerTrigger, 1),
    realTime: rt === "true",
    batchSize: intOpt(options, ["batchSize"], d.batchSize, 1),
    hotAuctionRatio: intOpt(options, ["hotAuctionRatio"], d.hotAuctionRatio, 1),
    hotBiddersRatio: intOpt(options, ["hotBiddersRatio"], d.hotBiddersRatio, 1),
    hotSellersRatio: intOpt(options, ["hotSellersRatio"], d.hotSellersRatio, 1),
    numInFlightAuctions: intOpt(options, ["numInFlightAuctions"], d.numInFlightAuctions, 1),
    numActivePeople: intOpt(options, ["numActivePeople"], d.numActivePeople, 1),
    avgPersonByteSize: intOpt(options, ["avgPersonByteSize"], d.avgPersonByteSize, 0),
    avgAuctionByteSize: intOpt(options, ["avgAuctionByteSize"], d.avgAuctionByteSize, 0),
    avgBidByteSize: intOpt(options, ["avgBidByteSize"], d.avgBidByteSize, 0),
  });
}

/** A config from plain settings (tests, benchmarks). */
export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  return Object.freeze({ ...DEFAULT_NEXMARK_CONFIG, ...overrides });
}
