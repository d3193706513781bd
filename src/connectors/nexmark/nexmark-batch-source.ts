import { ReusableArrays } from "../../batch/reusable-arrays.js";
import type { RecordBatch } from "../../batch/record-batch.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import type { BatchSourceProvider, ScanOptions, TimeSlice } from "../source-registry.js";
import { type NexmarkConfig, parseNexmarkConfig } from "./nexmark-config.js";
import { AUCTION, BID, type BidFilter, PERSON, countOfKind, eventTimeMs, firstEventAtOrAfter, generateNexmarkBatch } from "./nexmark-generator.js";
import type { SourceFilter } from "../source-filter.js";
import { nexmarkSchema } from "./nexmark-schema.js";
import { splitEventRange } from "../split-range.js";
import { IllegalArgumentError } from "../../errors/errors.js";

/** Events a batch read covers when `eventsNum` is not given. */
export const DEFAULT_BATCH_EVENTS = 100_000;

/**
 * `spark.read.format("nexmark").option("table", "bid" | "auction" | "person")`: one Nexmark
 * table over events [0, eventsNum) (options in nexmark-config.ts). The three tables read with
 * the same options come from the same event sequence, so they join as the benchmark intends:
 *
 * @example
 * const bids = spark.read.format("nexmark").option("table", "bid").option("eventsNum", 1_000_000).load();
 * const auctions = spark.read.format("nexmark").option("table", "auction").option("eventsNum", 1_000_000).load();
 * bids.join(auctions, col("auction").equalTo(col("id")));
 *
 * Column pruning reaches the generator: string columns nobody reads are never built.
 */
export const nexmarkBatchSource: BatchSourceProvider = {
  name: "nexmark",
  resolve(_paths, options, userSchema) {
    const cfg = parseNexmarkConfig(options, DEFAULT_BATCH_EVENTS);
    if (userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The nexmark source does not support a user-specified schema.");
    return { schema: nexmarkSchema(cfg.table), resolved: cfg };
  },
  runtimeFilters: true,
  scan(rel: DataSourceRelation, _timeZone: string, options: ScanOptions = {}): AsyncIterable<RecordBatch> {
    return scanNexmark(rel.resolved as NexmarkScan, rel.requiredColumns, options.reuseBuffers === true ? new ReusableArrays() : null, bidFilter(options.runtimeFilters ?? []));
  },
  split(rel, shares) {
    const cfg = rel.resolved as NexmarkScan;
    const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
    return splitEventRange(from, to, cfg.batchSize, shares).map((events): NexmarkScan => ({ ...cfg, events }));
  },
  splitByTime(rel, parts, column, windows) {
    if (column !== "dateTime") return null;
    const cfg = rel.resolved as NexmarkScan;
    const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
    const { durationMicros, slideMicros, startMicros } = windows;
    // A slice cut at a window start reads its last window's rows after its end: duration - slide.
    const reachMicros = durationMicros - slideMicros;
    const perMs = cfg.eventsPerSecond / 1000;
    const cuts = timeSliceCuts(from, to, parts, Math.ceil((reachMicros / 1000) * perMs), Math.ceil(ROUNDING_MS * perMs) + 1, cfg.batchSize);
    if (cuts === null) return null;
    const snap = (micros: number): number => startMicros + Math.round((micros - startMicros) / slideMicros) * slideMicros;
    const times = [-Infinity, ...cuts.slice(1, -1).map((n) => snap(eventTimeMs(cfg, n) * 1000)), Infinity];
    if (!times.every((t, k) => k === 0 || t > times[k - 1]!)) return null;
    const last = parts - 1;
    return times.slice(0, -1).map((fromMicros, k): TimeSlice => {
      const toMicros = times[k + 1]!;
      const lo = k === 0 ? from : Math.max(from, firstEventAtOrAfter(cfg, fromMicros / 1000 - ROUNDING_MS));
      const hi = k === last ? to : Math.min(to, firstEventAtOrAfter(cfg, (toMicros + reachMicros) / 1000 + ROUNDING_MS));
      return { resolved: { ...cfg, events: [lo, hi] } satisfies NexmarkScan, fromMicros, toMicros };
    });
  },
  estimatedRows(rel) {
    const cfg = rel.resolved as NexmarkScan;
    const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
    const kind = cfg.table === "person" ? PERSON : cfg.table === "auction" ? AUCTION : BID;
    return countOfKind(kind, to) - countOfKind(kind, from);
  },
};

/**
 * Milliseconds read on either side of a time slice beyond its rows' times: the bid, auction and
 * person generators round an event's time each in their own way, by under a millisecond.
 */
const ROUNDING_MS = 2;

/**
 * Where to cut events [from, to) into `parts` time slices so that each reads about as many
 * events: a slice also reads `horizon` events after its end (its last windows) and `slack` on
 * either side, so the first slices get fewer of their own. Null when those extra reads would
 * exceed a quarter of the events (windows long next to the input: a hash exchange does better).
 */
export function timeSliceCuts(from: number, to: number, parts: number, horizon: number, slack: number, batchSize: number): number[] | null {
  const n = to - from;
  const extra = (parts - 1) * (horizon + 2 * slack);
  if (parts < 2 || extra * 4 > n) return null;
  // Slice k reads its own events plus horizon + slack after (all but the last) and slack before (all but the first).
  const each = (n + extra) / parts;
  const cuts = [from];
  for (let k = 0; k < parts - 1; k++) {
    const own = each - (horizon + slack) - (k === 0 ? 0 : slack);
    cuts.push(Math.min(to, Math.max(cuts[k]!, from + Math.round((cuts[k]! - from + own) / batchSize) * batchSize)));
  }
  cuts.push(to);
  return cuts;
}

/** A scan of the events [events[0], events[1]) (all events when absent: a split of a parallel scan sets it). */
export type NexmarkScan = NexmarkConfig & { readonly events?: readonly [number, number] };

async function* scanNexmark(cfg: NexmarkScan, columns: readonly string[] | null, buffers: ReusableArrays | null, keep: BidFilter | null): AsyncGenerator<RecordBatch> {
  const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
  yield* nexmarkBatches(cfg, from, to, columns, buffers, cfg.table === "bid" ? keep : null);
}

/** The bids a runtime filter keeps (IN on a number column), or null to keep all. */
function bidFilter(filters: readonly SourceFilter[]): BidFilter | null {
  for (const f of filters) {
    const column = (["auction", "bidder", "price", "dateTime"] as const).find((c) => "column" in f && c.toLowerCase() === f.column.toLowerCase());
    if (column === undefined) continue;
    if (f.op === "in") return { column, values: new Set(f.values) };
  }
  return null;
}

/**
 * Batches of `cfg.table` over events [from, to), `cfg.batchSize` events at a time; with `buffers`,
 * each batch's number columns overwrite the last one's (ScanOptions.reuseBuffers).
 */
export function* nexmarkBatches(cfg: NexmarkConfig, from: number, to: number, columns: readonly string[] | null, buffers: ReusableArrays | null = null, keep: BidFilter | null = null): Generator<RecordBatch> {
  for (let s = from; s < to; s += cfg.batchSize) {
    const b = generateNexmarkBatch(cfg, cfg.table, s, Math.min(to, s + cfg.batchSize), columns, buffers, keep);
    if (b.numRows > 0) yield b;
  }
}
