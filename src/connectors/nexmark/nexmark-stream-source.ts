import type { RecordBatch } from "../../batch/record-batch.js";
import { BatchLog } from "../../checkpoint/batch-log.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { Clock } from "../../streaming/clock.js";
import { type MicroBatchScan, type Offset, ReadLimit, type Source, type StreamingSourceProvider } from "../../streaming/source.js";
import { registerStreamSource } from "../../streaming/stream-source-registry.js";
import type { StructType } from "../../types/data-type.js";
import { type NexmarkConfig, parseNexmarkConfig } from "./nexmark-config.js";
import { type NexmarkScan, nexmarkBatches } from "./nexmark-batch-source.js";
import { nexmarkSchema } from "./nexmark-schema.js";
import "../yahoo/yahoo-source.js";

/**
 * `spark.readStream.format("nexmark").option("table", "bid")`: a Nexmark table as a stream.
 *
 * Offsets are event numbers (events of all three kinds generated so far; -1 never appears: the
 * initial offset is 0), so batch N covers events (start, end] of the shared sequence and is
 * regenerated identically after a restart (events are functions of seed and number).
 * A batch covers at most `maxEventsPerTrigger` events and never passes `eventsNum` (when given;
 * without it the stream is unbounded). With `realTime=true`, event n becomes available only when
 * the query's clock reaches start + n / eventsPerSecond (the start time is kept in
 * `sources/<i>/0`), so the stream arrives at the configured rate; otherwise as fast as the
 * query takes it.
 *
 * @example
 * const bids = spark.readStream.format("nexmark").option("table", "bid").option("eventsNum", 1_000_000).load();
 * await bids.select("auction", "price").writeStream.format("memory").queryName("q0").start();
 */
export class NexmarkStreamSource implements Source {
  readonly schema: StructType;
  readonly description: string;
  private readonly startTimeMs: number;

  constructor(
    private readonly cfg: NexmarkConfig,
    private readonly clock: Clock,
    metadataPath: string,
  ) {
    this.schema = nexmarkSchema(cfg.table);
    this.description = `NexmarkSource[table=${cfg.table}, eventsPerSecond=${cfg.eventsPerSecond}, seed=${cfg.seed}${cfg.eventsNum === null ? "" : `, eventsNum=${cfg.eventsNum}`}]`;
    if (cfg.realTime) {
      const log = new BatchLog<{ startTimeMs: number }>(metadataPath);
      const existing = log.get(0);
      if (existing) this.startTimeMs = existing.startTimeMs;
      else {
        this.startTimeMs = clock.getTimeMillis();
        log.add(0, { startTimeMs: this.startTimeMs });
      }
    } else this.startTimeMs = 0;
  }

  initialOffset(): Offset {
    return 0;
  }
  defaultReadLimit(): ReadLimit {
    return ReadLimit.maxRows(this.cfg.maxEventsPerTrigger);
  }
  latestOffset(start: Offset, limit: ReadLimit): Offset {
    let available = this.cfg.eventsNum ?? Number.MAX_SAFE_INTEGER;
    if (this.cfg.realTime) {
      const elapsed = Math.max(0, this.clock.getTimeMillis() - this.startTimeMs);
      available = Math.min(available, Math.floor((elapsed * this.cfg.eventsPerSecond) / 1000));
    }
    const s = Number(start);
    if (limit.kind === "maxRows") available = Math.min(available, s + limit.max);
    else if (this.cfg.eventsNum === null && !this.cfg.realTime) available = Math.min(available, s + this.cfg.maxEventsPerTrigger);
    return Math.max(s, available);
  }
  async getBatch(start: Offset, end: Offset, columns?: readonly string[]): Promise<RecordBatch[]> {
    return [...nexmarkBatches(this.cfg, Number(start), Number(end), columns ?? null)];
  }
  /** The batch as a scan of the batch source over its events: split across the workers when large. */
  batchScan(start: Offset, end: Offset): MicroBatchScan {
    const resolved: NexmarkScan = { ...this.cfg, events: [Number(start), Number(end)] };
    return { format: "nexmark", paths: [], options: {}, schema: this.schema, resolved };
  }
  commit(): void {}
  stop(): void {}
}

registerStreamSource({
  name: "nexmark",
  resolve(req) {
    if (req.userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The nexmark source does not support a user-specified schema.");
    const cfg = parseNexmarkConfig(req.options, null);
    const provider: StreamingSourceProvider = {
      kind: "StreamingSourceProvider",
      name: `nexmark[table=${cfg.table}]`,
      schema: nexmarkSchema(cfg.table),
      createSource: (ctx) => new NexmarkStreamSource(cfg, ctx.clock, ctx.metadataPath),
    };
    return provider;
  },
});
