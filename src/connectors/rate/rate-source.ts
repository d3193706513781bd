import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { makeVector } from "../../batch/vector.js";
import { BatchLog } from "../../checkpoint/batch-log.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { Clock } from "../../streaming/clock.js";
import type { Offset, Source, SourceContext, StreamingSourceProvider } from "../../streaming/source.js";
import { type StreamSourceRequest, numberOption, optionOf, registerStreamSource } from "../../streaming/stream-source-registry.js";
import { LongType, TimestampType, structField, structType } from "../../types/data-type.js";

/** `timestamp TIMESTAMP, value BIGINT`, both non-null: the schema of the rate sources. */
export const RATE_SCHEMA = structType([structField("timestamp", TimestampType, false), structField("value", LongType, false)]);

/** Rows with values [from, to) and their timestamps (ms), as one batch. */
function rateBatch(from: number, to: number, timestampMs: (value: number) => number): RecordBatch {
  const n = Math.max(0, to - from);
  const ts = new Float64Array(n), vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    vs[i] = from + i;
    ts[i] = timestampMs(from + i) * 1000;
  }
  return makeBatch(RATE_SCHEMA, [makeVector(TimestampType, n, ts, null), makeVector(LongType, n, vs, null)], n);
}

/**
 * The rate source's row count after `seconds` whole seconds (Spark's rate-source semantics): with
 * a ramp-up of `rampUpSeconds`, the speed grows linearly from 0 — second k (1 ≤ k ≤ R) produces
 * about k·rowsPerSecond/(R+1) rows — and from second R+1 on it is rowsPerSecond. The count is a
 * pure function of elapsed seconds, so a batch's range of seconds always gives the same values.
 * Example (rowsPerSecond 10, rampUpTime 4s): 0, 2, 6, 12, 20, 30, 40, ... after 0, 1, 2, ... s.
 */
export function rateValueAtSecond(seconds: number, rowsPerSecond: number, rampUpSeconds: number): number {
  if (seconds <= 0) return 0;
  const r = rampUpSeconds;
  if (seconds <= r) return Math.floor((rowsPerSecond * seconds * (seconds + 1)) / (2 * (r + 1)));
  return rateValueAtSecond(r, rowsPerSecond, r) + (seconds - r) * rowsPerSecond;
}

/**
 * `format("rate")`: `rowsPerSecond` rows per second of processing time (Spark's rate source),
 * optionally after `rampUpTime` (e.g. `5s`, `1m`; whole seconds) during which the speed grows
 * linearly from 0 (see rateValueAtSecond). Offsets are whole seconds since the stream's start
 * time, which is kept in `sources/<i>/0`, so a restarted query (or a re-run batch) regenerates
 * the same rows: second s holds values [valueAt(s-1), valueAt(s)) with timestamps spread evenly
 * over that second. numPartitions is accepted (one partition runs).
 */
export class RateStreamSource implements Source {
  readonly schema = RATE_SCHEMA;
  readonly description: string;
  private readonly startTimeMs: number;

  constructor(
    private readonly rowsPerSecond: number,
    numPartitions: number | null,
    private readonly clock: Clock,
    metadataPath: string,
    private readonly rampUpSeconds = 0,
  ) {
    this.description = `RateStreamV2[rowsPerSecond=${rowsPerSecond}, rampUpTimeSeconds=${rampUpSeconds}, numPartitions=${numPartitions ?? "default"}]`;
    const log = new BatchLog<{ startTimeMs: number }>(metadataPath);
    const existing = log.get(0);
    if (existing) this.startTimeMs = existing.startTimeMs;
    else {
      this.startTimeMs = clock.getTimeMillis();
      log.add(0, { startTimeMs: this.startTimeMs });
    }
  }

  initialOffset(): Offset {
    return 0;
  }
  latestOffset(): Offset {
    return Math.max(0, Math.floor((this.clock.getTimeMillis() - this.startTimeMs) / 1000));
  }
  private valueAt(second: number): number {
    return rateValueAtSecond(second, this.rowsPerSecond, this.rampUpSeconds);
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    for (let s = Number(start) + 1; s <= Number(end); s++) {
      const from = this.valueAt(s - 1), to = this.valueAt(s);
      if (to <= from) continue;
      const secondStart = this.startTimeMs + (s - 1) * 1000;
      out.push(rateBatch(from, to, (v) => secondStart + Math.floor(((v - from) * 1000) / (to - from))));
    }
    return out;
  }
  commit(): void {}
  stop(): void {}
}

/**
 * `format("rate-micro-batch")`: exactly `rowsPerBatch` rows per micro-batch, whatever the time;
 * batch b has values [b·n, (b+1)·n) and timestamp startTimestamp + b·advanceMillisPerBatch
 * (Spark's rate-micro-batch source). Offsets are batch numbers (-1 before the first).
 */
export class RatePerMicroBatchSource implements Source {
  readonly schema = RATE_SCHEMA;
  readonly description: string;

  constructor(
    private readonly rowsPerBatch: number,
    private readonly startTimestamp: number,
    private readonly advanceMillisPerBatch: number,
  ) {
    this.description = `RatePerMicroBatchStream[rowsPerBatch=${rowsPerBatch}, startTimestamp=${startTimestamp}, advanceMillisPerBatch=${advanceMillisPerBatch}]`;
  }

  initialOffset(): Offset {
    return -1;
  }
  latestOffset(start: Offset): Offset {
    return Number(start) + 1;
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    for (let b = Number(start) + 1; b <= Number(end); b++) {
      const ts = this.startTimestamp + b * this.advanceMillisPerBatch;
      out.push(rateBatch(b * this.rowsPerBatch, (b + 1) * this.rowsPerBatch, () => ts));
    }
    return out.filter((b) => b.numRows > 0);
  }
  commit(): void {}
  stop(): void {}
}

const TIME_UNITS_SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hour: 3600, hours: 3600, d: 86_400, day: 86_400, days: 86_400 };

/**
 * `rampUpTime`: a duration such as `5s`, `2m`, `1h`, `500ms` or a plain number of seconds (Spark's
 * time strings), truncated to whole seconds; 0 when absent.
 */
export function rampUpSeconds(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? (m[2] === "" ? 1 : TIME_UNITS_SECONDS[m[2]!.toLowerCase()]) : undefined;
  if (!m || unit === undefined) {
    throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${value}' for option 'rampUpTime' of the rate source: must be a non-negative duration such as 5s, 2m, 1h or a number of seconds.`);
  }
  const seconds = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(seconds)) throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${value}' for option 'rampUpTime' of the rate source: too large.`);
  return seconds;
}

const positiveInt = (n: number): boolean => Number.isInteger(n) && n > 0;
const nonNegativeInt = (n: number): boolean => Number.isInteger(n) && n >= 0;

function rateProvider(name: string, make: (ctx: SourceContext) => Source): StreamingSourceProvider {
  return { kind: "StreamingSourceProvider", name, schema: RATE_SCHEMA, createSource: make };
}

function noSchema(req: StreamSourceRequest, format: string): void {
  if (req.userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", `The ${format} source does not support a user-specified schema.`);
}

registerStreamSource({
  name: "rate",
  resolve(req) {
    noSchema(req, "rate");
    const rps = numberOption(req.options, "rowsPerSecond", 1, positiveInt);
    const np = req.options["numPartitions"] === undefined ? null : numberOption(req.options, "numPartitions", 1, positiveInt);
    const ramp = rampUpSeconds(optionOf(req.options, "rampUpTime"));
    return rateProvider(`rate[rowsPerSecond=${rps}, rampUpTime=${ramp}s]`, (ctx) => new RateStreamSource(rps, np, ctx.clock, ctx.metadataPath, ramp));
  },
});

registerStreamSource({
  name: "rate-micro-batch",
  resolve(req) {
    noSchema(req, "rate-micro-batch");
    if (req.options["rowsPerBatch"] === undefined) throw new IllegalArgumentError("INVALID_OPTION", "The rate-micro-batch source needs the option rowsPerBatch (a positive integer).");
    const rows = numberOption(req.options, "rowsPerBatch", 1, positiveInt);
    numberOption(req.options, "numPartitions", 1, positiveInt);
    const start = numberOption(req.options, "startTimestamp", 0, nonNegativeInt);
    const adv = numberOption(req.options, "advanceMillisPerBatch", 1000, nonNegativeInt);
    return rateProvider(`rate-micro-batch[rowsPerBatch=${rows}]`, () => new RatePerMicroBatchSource(rows, start, adv));
  },
});
