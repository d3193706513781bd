import { IllegalArgumentError } from "../../errors/errors.js";
import { optionOf } from "../../streaming/stream-source-registry.js";

/**
 * Options of `format("smart-meter")` (case-insensitive), for `spark.read` and `spark.readStream`:
 *
 * | option              | default              | meaning                                                         |
 * |---------------------|----------------------|-----------------------------------------------------------------|
 * | table               | readings             | `readings` (home, ts, watts) or `truth` (the embedded cycles)   |
 * | homes               | 2000                 | number of homes (ids 0 .. homes-1)                              |
 * | days                | 1                    | days of readings; 0 = unbounded (streams only)                  |
 * | startTime           | 2026-01-05T00:00:00Z | time of the first 10-second tick (ISO text or epoch ms)          |
 * | seed                | 42                   | same seed, same readings                                        |
 * | rate                | none                 | follow mode: meter time runs `rate` times faster than the clock |
 * | maxTicksPerTrigger  | 360                  | 10-second ticks (of all homes) one micro-batch covers (1 hour)  |
 * | batchRows           | 65536                | rows per generated columnar batch                               |
 *
 * Without `rate` a stream delivers everything as fast as the query takes it (availableNow reads
 * all `days`); with `rate`, tick n becomes available when the query's clock reaches
 * start + n·10 s / rate (the start is kept in `sources/<i>/0`).
 */
export interface SmartMeterConfig {
  readonly table: "readings" | "truth";
  readonly homes: number;
  /** Days of data; null: unbounded. */
  readonly days: number | null;
  readonly startTimeMs: number;
  readonly seed: number;
  /** Follow mode speed-up (meter seconds per clock second), or null: as fast as possible. */
  readonly rate: number | null;
  readonly maxTicksPerTrigger: number;
  readonly batchRows: number;
}

export const TICK_MS = 10_000;
export const TICKS_PER_MINUTE = 6;
export const TICKS_PER_DAY = 8640;
export const DEFAULT_START_TIME_MS = Date.UTC(2026, 0, 5);

export const DEFAULT_SMART_METER_CONFIG: SmartMeterConfig = Object.freeze({
  table: "readings",
  homes: 2000,
  days: 1,
  startTimeMs: DEFAULT_START_TIME_MS,
  seed: 42,
  rate: null,
  maxTicksPerTrigger: 360,
  batchRows: 65_536,
});

function invalid(key: string, v: string, what: string): never {
  throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${v}' for the smart-meter option '${key}': expected ${what}.`);
}

export function parseSmartMeterConfig(options: Readonly<Record<string, string>>, streaming: boolean): SmartMeterConfig {
  const d = DEFAULT_SMART_METER_CONFIG;
  const int = (key: string, dflt: number, min: number): number => {
    const v = optionOf(options, key);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) invalid(key, v, `an integer >= ${min}`);
    return n;
  };
  const table = (optionOf(options, "table") ?? d.table).toLowerCase();
  if (table !== "readings" && table !== "truth") invalid("table", table, "readings or truth");
  const daysText = optionOf(options, "days");
  let days: number | null = d.days;
  if (daysText !== undefined) {
    const n = Number(daysText);
    if (!(n >= 0) || !Number.isFinite(n)) invalid("days", daysText, "a number of days >= 0");
    days = n === 0 ? null : n;
  }
  if (days === null && (!streaming || table === "truth")) invalid("days", String(daysText), "a positive number of days (batch reads and the truth table are bounded)");
  const st = optionOf(options, "startTime");
  let startTimeMs = d.startTimeMs;
  if (st !== undefined) {
    startTimeMs = /^-?\d+$/.test(st.trim()) ? Number(st) : Date.parse(st);
    if (!Number.isSafeInteger(startTimeMs)) invalid("startTime", st, "epoch milliseconds or an ISO-8601 timestamp");
    startTimeMs = Math.floor(startTimeMs / TICK_MS) * TICK_MS;
  }
  const rateText = optionOf(options, "rate");
  let rate: number | null = null;
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (!(rate > 0) || !Number.isFinite(rate)) invalid("rate", rateText, "a positive number (meter seconds per second)");
  }
  return Object.freeze({
    table,
    homes: int("homes", d.homes, 1),
    days,
    startTimeMs,
    seed: int("seed", d.seed, 0),
    rate,
    maxTicksPerTrigger: int("maxTicksPerTrigger", d.maxTicksPerTrigger, 1),
    batchRows: int("batchRows", d.batchRows, 1),
  });
}

export function smartMeterConfig(overrides: Partial<SmartMeterConfig> = {}): SmartMeterConfig {
  return Object.freeze({ ...DEFAULT_SMART_METER_CONFIG, ...overrides });
}

/** Ticks of data (null: unbounded). */
export function totalTicks(cfg: SmartMeterConfig): number | null {
  return cfg.days === null ? null : Math.round(cfg.days * TICKS_PER_DAY);
}
