import type { RecordBatch } from "../../batch/record-batch.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import type { BatchSourceProvider } from "../source-registry.js";
import { type NexmarkConfig, parseNexmarkConfig } from "./nexmark-config.js";
import { AUCTION, BID, PERSON, countOfKind, generateNexmarkBatch } from "./nexmark-generator.js";
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
  scan(rel: DataSourceRelation): AsyncIterable<RecordBatch> {
    return scanNexmark(rel.resolved as NexmarkScan, rel.requiredColumns);
  },
  split(rel, parts) {
    const cfg = rel.resolved as NexmarkScan;
    const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
    return splitEventRange(from, to, cfg.batchSize, parts).map((events): NexmarkScan => ({ ...cfg, events }));
  },
  estimatedRows(rel) {
    const cfg = rel.resolved as NexmarkScan;
    const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
    const kind = cfg.table === "person" ? PERSON : cfg.table === "auction" ? AUCTION : BID;
    return countOfKind(kind, to) - countOfKind(kind, from);
  },
};

/** A scan of the events [events[0], events[1]) (all events when absent: a split of a parallel scan sets it). */
type NexmarkScan = NexmarkConfig & { readonly events?: readonly [number, number] };

async function* scanNexmark(cfg: NexmarkScan, columns: readonly string[] | null): AsyncGenerator<RecordBatch> {
  const [from, to] = cfg.events ?? [0, cfg.eventsNum ?? DEFAULT_BATCH_EVENTS];
  yield* nexmarkBatches(cfg, from, to, columns);
}

/** Batches of `cfg.table` over events [from, to), `cfg.batchSize` events at a time. */
export function* nexmarkBatches(cfg: NexmarkConfig, from: number, to: number, columns: readonly string[] | null): Generator<RecordBatch> {
  for (let s = from; s < to; s += cfg.batchSize) {
    const b = generateNexmarkBatch(cfg, cfg.table, s, Math.min(to, s + cfg.batchSize), columns);
    if (b.numRows > 0) yield b;
  }
}
