import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { structType } from "../../types/data-type.js";
import { BatchLog } from "../../checkpoint/batch-log.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import type { Clock } from "../../streaming/clock.js";
import { type Offset, ReadLimit, type Source, type StreamingSourceProvider } from "../../streaming/source.js";
import { registerStreamSource } from "../../streaming/stream-source-registry.js";
import type { BatchSourceProvider } from "../source-registry.js";
import { type SmartMeterConfig, TICK_MS, parseSmartMeterConfig, totalTicks } from "./smart-meter-config.js";
import { MAX_DELAY_TICKS, READINGS_SCHEMA, TRUTH_SCHEMA, readingsBetween, truthBatch } from "./smart-meter-generator.js";

/** The last arrival tick (exclusive) of a bounded stream: late readings of the last ticks included. */
function endTick(cfg: SmartMeterConfig): number | null {
  const t = totalTicks(cfg);
  return t === null ? null : t + MAX_DELAY_TICKS;
}

/**
 * `spark.read.format("smart-meter")`: all readings of `days` days (`home INT, ts TIMESTAMP,
 * watts DOUBLE`), or with `option("table", "truth")` the embedded appliance cycles (home,
 * appliance, start, end, energy_kwh, peak_w, inefficient, reason). Options: smart-meter-config.ts.
 *
 * @example
 * const readings = spark.read.format("smart-meter").option("homes", 100).option("days", 2).load();
 * const truth = spark.read.format("smart-meter").option("homes", 100).option("days", 2).option("table", "truth").load();
 */
export const smartMeterBatchSource: BatchSourceProvider = {
  name: "smart-meter",
  resolve(_paths, options, userSchema) {
    if (userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The smart-meter source does not support a user-specified schema.");
    const cfg = parseSmartMeterConfig(options, false);
    return { schema: cfg.table === "truth" ? TRUTH_SCHEMA : READINGS_SCHEMA, resolved: cfg };
  },
  scan(rel: DataSourceRelation): AsyncIterable<RecordBatch> {
    return scanSmartMeter(rel.resolved as SmartMeterConfig, rel.requiredColumns);
  },
};

async function* scanSmartMeter(cfg: SmartMeterConfig, required: readonly string[] | null): AsyncGenerator<RecordBatch> {
  // Column pruning may ask for fewer columns (requiredColumns, in schema order).
  const req = required?.map((n) => n.toLowerCase()) ?? null;
  const prune = (b: RecordBatch): RecordBatch => {
    if (req === null) return b;
    const idx = b.schema.fields.map((f, i) => (req.includes(f.name.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
    return makeBatch(structType(idx.map((i) => b.schema.fields[i]!)), idx.map((i) => b.columns[i]!), b.numRows);
  };
  if (cfg.table === "truth") {
    yield prune(truthBatch(cfg));
    return;
  }
  const end = endTick(cfg)!;
  for (let s = 0; s < end; s += cfg.maxTicksPerTrigger) for (const b of readingsBetween(cfg, s, Math.min(end, s + cfg.maxTicksPerTrigger))) yield prune(b);
}

/**
 * `spark.readStream.format("smart-meter")`: the readings as a stream. Offsets are arrival ticks
 * (10-second steps of meter time since startTime): batch (a, b] holds the readings that arrive in
 * ticks [a, b), regenerated identically after a restart. A micro-batch covers at most
 * `maxTicksPerTrigger` ticks of all homes. Without `rate` the data is all available at once
 * (bounded by `days`); with `rate` it arrives in real time, sped up `rate` times.
 */
export class SmartMeterStreamSource implements Source {
  readonly schema = READINGS_SCHEMA;
  readonly description: string;
  private readonly startTimeMs: number;
  private availableNowEnd: number | null = null;

  constructor(
    private readonly cfg: SmartMeterConfig,
    private readonly clock: Clock,
    metadataPath: string,
  ) {
    this.description = `SmartMeterSource[homes=${cfg.homes}, days=${cfg.days ?? "unbounded"}, seed=${cfg.seed}${cfg.rate === null ? "" : `, rate=${cfg.rate}`}]`;
    if (cfg.rate !== null) {
      const log = new BatchLog<{ startTimeMs: number }>(metadataPath);
      const existing = log.get(0);
      if (existing) this.startTimeMs = existing.startTimeMs;
      else {
        this.startTimeMs = clock.getTimeMillis();
        log.add(0, { startTimeMs: this.startTimeMs });
      }
    } else this.startTimeMs = 0;
  }

  private available(): number {
    let end = endTick(this.cfg) ?? Number.MAX_SAFE_INTEGER;
    if (this.cfg.rate !== null) end = Math.min(end, Math.floor(((this.clock.getTimeMillis() - this.startTimeMs) * this.cfg.rate) / TICK_MS));
    return Math.max(0, end);
  }

  initialOffset(): Offset {
    return 0;
  }
  defaultReadLimit(): ReadLimit {
    return ReadLimit.maxRows(this.cfg.maxTicksPerTrigger);
  }
  prepareForTriggerAvailableNow(): void {
    this.availableNowEnd = this.available();
  }
  latestOffset(start: Offset, limit: ReadLimit): Offset {
    const s = Number(start);
    let end = this.availableNowEnd ?? this.available();
    if (limit.kind === "maxRows") end = Math.min(end, s + limit.max);
    return Math.max(s, end);
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    return Promise.resolve(readingsBetween(this.cfg, Number(start), Number(end)));
  }
  commit(): void {}
  stop(): void {}
}

registerStreamSource({
  name: "smart-meter",
  resolve(req) {
    if (req.userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The smart-meter source does not support a user-specified schema.");
    const cfg = parseSmartMeterConfig(req.options, true);
    if (cfg.table !== "readings") throw new IllegalArgumentError("INVALID_OPTION", "The smart-meter stream has only the readings table; read the truth with spark.read.");
    const provider: StreamingSourceProvider = {
      kind: "StreamingSourceProvider",
      name: `smart-meter[homes=${cfg.homes}]`,
      schema: READINGS_SCHEMA,
      createSource: (ctx) => new SmartMeterStreamSource(cfg, ctx.clock, ctx.metadataPath),
    };
    return provider;
  },
});
