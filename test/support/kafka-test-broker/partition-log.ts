import { Reader, crc32c, readRecordsBatch } from "@platformatic/kafka";

/** One stored record batch (magic v2): its bytes, with the base offset already assigned. */
export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** Per-record timestamps in ms (after LogAppendTime rewriting), indexed by offset delta. */
  readonly timestamps: readonly number[];
  readonly bytes: Buffer;
}

/** What a producer (idempotent) last wrote to a partition: enough to detect retries. */
interface ProducerState {
  epoch: number;
  nextSequence: number;
  /** The last few batches: firstSequence -> baseOffset, so a retried batch gets its first answer. */
  recent: { firstSequence: number; lastSequence: number; baseOffset: number }[];
}

export type AppendResult =
  | { readonly kind: "appended"; readonly baseOffset: number; readonly logAppendTimeMs: number }
  | { readonly kind: "error"; readonly code: number; readonly message: string };

/** Kafka error codes the test broker returns. */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_TOPIC_ID: 100,
} as const;

// Record batch v2 header layout (byte positions from the start of the batch).
const POS_LENGTH = 8;
const POS_MAGIC = 16;
const POS_CRC = 17;
const POS_ATTRIBUTES = 21;
const POS_MAX_TIMESTAMP = 35;
const POS_PRODUCER_ID = 43;
const POS_PRODUCER_EPOCH = 51;
const POS_BASE_SEQUENCE = 53;
const TIMESTAMP_TYPE_BIT = 1 << 3;

/** Splits COMPACT_RECORDS bytes into whole record batches. */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 12 <= records.length) {
    const len = records.readInt32BE(pos + POS_LENGTH);
    const end = pos + 12 + len;
    if (end > records.length) break;
    out.push(records.subarray(pos, end));
    pos = end;
  }
  return out;
}

/**
 * The log of one partition: record batches in offset order, a log start offset (moved by
 * DeleteRecords, as retention would) and a high watermark (the next offset; every append is
 * "replicated" at once). Idempotent producers are checked per (producer id, epoch, sequence)
 * as a real partition leader does: a retried batch returns its first offset, a gap is refused.
 */
export class PartitionLog {
  batches: StoredBatch[] = [];
  logStartOffset = 0;
  highWatermark = 0;
  private readonly producers = new Map<bigint, ProducerState>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly logAppendTime: boolean) {}

  /** Appends one producer batch (bytes as sent); assigns offsets. */
  append(raw: Buffer, nowMs: number): AppendResult {
    if (raw.length < 61 || raw.readInt8(POS_MAGIC) !== 2) return { kind: "error", code: ErrorCode.CORRUPT_MESSAGE, message: "only record batch v2 is supported" };
    const crc = raw.readUInt32BE(POS_CRC);
    if (crc32c(raw.subarray(POS_ATTRIBUTES)) !== crc) return { kind: "error", code: ErrorCode.CORRUPT_MESSAGE, message: "CRC mismatch" };
    const bytes = Buffer.from(raw); // own copy: the request buffer is reused
    const parsed = readRecordsBatch(Reader.from(bytes));
    const count = parsed.records.length;
    if (count === 0) return { kind: "error", code: ErrorCode.CORRUPT_MESSAGE, message: "empty batch" };
    const producerId = parsed.producerId;
    let state: ProducerState | undefined;
    if (producerId >= 0n) {
      state = this.producers.get(producerId);
      const epoch = parsed.producerEpoch;
      const first = parsed.firstSequence, last = first + count - 1;
      if (state && epoch < state.epoch) return { kind: "error", code: ErrorCode.INVALID_PRODUCER_EPOCH, message: `epoch ${epoch} < ${state.epoch}` };
      if (state && epoch === state.epoch) {
        const dup = state.recent.find((r) => r.firstSequence === first && r.lastSequence === last);
        if (dup) return { kind: "appended", baseOffset: dup.baseOffset, logAppendTimeMs: -1 };
        if (first !== state.nextSequence) {
          return { kind: "error", code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `expected sequence ${state.nextSequence}, got ${first}` };
        }
      } else if (first !== 0) {
        return { kind: "error", code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `a new producer epoch must start at sequence 0, got ${first}` };
      }
      if (!state || epoch !== state.epoch) {
        state = { epoch, nextSequence: 0, recent: [] };
        this.producers.set(producerId, state);
      }
    }
    const baseOffset = this.highWatermark;
    bytes.writeBigInt64BE(BigInt(baseOffset), 0);
    let timestamps = parsed.records.map((r) => Number(parsed.firstTimestamp + r.timestampDelta));
    if (this.logAppendTime) {
      // The broker stamps the batch: timestamp type bit set, MaxTimestamp = append time, new CRC.
      bytes.writeInt16BE(bytes.readInt16BE(POS_ATTRIBUTES) | TIMESTAMP_TYPE_BIT, POS_ATTRIBUTES);
      bytes.writeBigInt64BE(BigInt(nowMs), POS_MAX_TIMESTAMP);
      bytes.writeUInt32BE(crc32c(bytes.subarray(POS_ATTRIBUTES)), POS_CRC);
      timestamps = timestamps.map(() => nowMs);
    }
    this.batches.push({ baseOffset, lastOffset: baseOffset + count - 1, timestamps, bytes });
    this.highWatermark = baseOffset + count;
    if (state) {
      state.nextSequence = parsed.firstSequence + count;
      state.recent.push({ firstSequence: parsed.firstSequence, lastSequence: parsed.firstSequence + count - 1, baseOffset });
      if (state.recent.length > 5) state.recent.shift();
    }
    for (const w of [...this.waiters]) w();
    return { kind: "appended", baseOffset, logAppendTimeMs: this.logAppendTime ? nowMs : -1 };
  }

  /** Whole batches holding offsets from `offset` on, at most `maxBytes` (but at least one batch). */
  read(offset: number, maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (const b of this.batches) {
      if (b.lastOffset < offset) continue;
      if (out.length > 0 && size + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      size += b.bytes.length;
    }
    return out;
  }

  /** DeleteRecords: everything before `offset` is gone (as after retention). */
  deleteBefore(offset: number): void {
    this.logStartOffset = Math.max(this.logStartOffset, offset);
    this.batches = this.batches.filter((b) => b.lastOffset >= this.logStartOffset);
  }

  /** ListOffsets by timestamp: the first offset whose timestamp is >= `ts`, or null. */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const b of this.batches) {
      for (let i = 0; i < b.timestamps.length; i++) {
        const offset = b.baseOffset + i;
        if (offset >= this.logStartOffset && b.timestamps[i]! >= ts) return { offset, timestamp: b.timestamps[i]! };
      }
    }
    return null;
  }

  /** ListOffsets -3 (max timestamp): the offset holding the largest timestamp. */
  maxTimestamp(): { offset: number; timestamp: number } | null {
    let best: { offset: number; timestamp: number } | null = null;
    for (const b of this.batches) {
      for (let i = 0; i < b.timestamps.length; i++) {
        const offset = b.baseOffset + i;
        if (offset >= this.logStartOffset && (best === null || b.timestamps[i]! > best.timestamp)) best = { offset, timestamp: b.timestamps[i]! };
      }
    }
    return best;
  }

  /** Resolves on the next append or after `ms`. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

/** Producer ids are signed 64-bit: read the raw header fields of a batch (for tests). */
export function batchProducer(bytes: Buffer): { producerId: bigint; epoch: number; baseSequence: number } {
  return { producerId: bytes.readBigInt64BE(POS_PRODUCER_ID), epoch: bytes.readInt16BE(POS_PRODUCER_EPOCH), baseSequence: bytes.readInt32BE(POS_BASE_SEQUENCE) };
}
