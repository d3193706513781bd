import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { makeVector } from "../../batch/vector.js";
import { BatchLog } from "../../checkpoint/batch-log.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { Clock } from "../../streaming/clock.js";
import type { Offset, Source, SourceContext, StreamingSourceProvider } from "../../streaming/source.js";
import { type StreamSourceRequest, numberOption, registerStreamSource } from "../../streaming/stream-source-registry.js";
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
 * `format("rate")`: `rowsPerSecond` rows per second of processing time (Spark's rate source).
 * Offsets are whole seconds since the stream's start time, which is kept in `sources/<i>/0` so a
 * restarted query regenerates the same rows: second s holds values [s·r, (s+1)·r) with
 * timestamps spread evenly over that second. numPartitions is accepted (one partition runs).
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
  ) {
    this.description = `RateStreamV2[rowsPerSecond=${rowsPerSecond}, rampUpTimeSeconds=0, numPartitions=${numPartitions ?? "default"}]`;
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
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const r = this.rowsPerSecond;
    const b = rateBatch(Number(start) * r, Number(end) * r, (v) => this.startTimeMs + Math.floor((v * 1000) / r));
    return b.numRows > 0 ? [b] : [];
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
    return rateProvider(`rate[rowsPerSecond=${rps}]`, (ctx) => new RateStreamSource(rps, np, ctx.clock, ctx.metadataPath));
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
