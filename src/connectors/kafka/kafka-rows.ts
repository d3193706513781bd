import type { RecordsBatch } from "@platformatic/kafka";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, makeVector } from "../../batch/vector.js";
import {
  BinaryType,
  IntegerType,
  LongType,
  StringType,
  type StructType,
  TimestampType,
  arrayType,
  structField,
  structType,
} from "../../types/data-type.js";

/** Spark's Kafka source schema. `headers` only with includeHeaders=true. */
export const KAFKA_HEADER_TYPE = structType([structField("key", StringType, false), structField("value", BinaryType, true)]);

export const KAFKA_SCHEMA = structType([
  structField("key", BinaryType, true),
  structField("value", BinaryType, true),
  structField("topic", StringType, true),
  structField("partition", IntegerType, true),
  structField("offset", LongType, true),
  structField("timestamp", TimestampType, true),
  structField("timestampType", IntegerType, true),
]);

export const KAFKA_SCHEMA_WITH_HEADERS = structType([...KAFKA_SCHEMA.fields, structField("headers", arrayType(KAFKA_HEADER_TYPE, false), true)]);

export function kafkaSchema(includeHeaders: boolean): StructType {
  return includeHeaders ? KAFKA_SCHEMA_WITH_HEADERS : KAFKA_SCHEMA;
}

const IS_CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;
const decoder = new TextDecoder();

/**
 * Record batches of one partition → one columnar batch of the records with offsets in
 * [from, until): control records (transaction markers) are skipped; key and value stay the
 * client's Buffers (views, no copy); timestamps become microseconds; a LogAppendTime batch gives
 * every record the batch's MaxTimestamp (timestampType 1), as Kafka's consumers do.
 */
export function recordsToBatch(topic: string, partition: number, from: number, until: number, batches: readonly RecordsBatch[], includeHeaders: boolean): RecordBatch {
  let n = 0;
  for (const b of batches) {
    if ((b.attributes & IS_CONTROL) !== 0) continue;
    const base = Number(b.firstOffset);
    for (const r of b.records) {
      const o = base + r.offsetDelta;
      if (o >= from && o < until) n++;
    }
  }
  const keys = new Array<unknown>(n);
  const values = new Array<unknown>(n);
  const offsets = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const tsTypes = new Int32Array(n);
  const headers = includeHeaders ? new Array<unknown>(n) : null;
  let keyNulls: Uint8Array | null = null, valueNulls: Uint8Array | null = null;
  let i = 0;
  for (const b of batches) {
    if ((b.attributes & IS_CONTROL) !== 0) continue;
    const base = Number(b.firstOffset);
    const logAppend = (b.attributes & LOG_APPEND_TIME) !== 0;
    const first = Number(b.firstTimestamp);
    const batchTs = Number(b.maxTimestamp) * 1000;
    for (const r of b.records) {
      const o = base + r.offsetDelta;
      if (o < from || o >= until) continue;
      if (r.key === null) (keyNulls ??= new Uint8Array(n))[i] = 1;
      keys[i] = r.key;
      if (r.value === null) (valueNulls ??= new Uint8Array(n))[i] = 1;
      values[i] = r.value;
      offsets[i] = o;
      timestamps[i] = logAppend ? batchTs : (first + Number(r.timestampDelta)) * 1000;
      tsTypes[i] = logAppend ? 1 : 0;
      if (headers !== null) headers[i] = r.headers.map(([hk, hv]) => [hk === null ? "" : decoder.decode(hk), hv]);
      i++;
    }
  }
  const topics = new Array<unknown>(n).fill(topic);
  const partitions = new Int32Array(n).fill(partition);
  const schema = kafkaSchema(includeHeaders);
  const cols: Vector[] = [
    makeVector(BinaryType, n, keys, keyNulls),
    makeVector(BinaryType, n, values, valueNulls),
    makeVector(StringType, n, topics, null),
    makeVector(IntegerType, n, partitions, null),
    makeVector(LongType, n, offsets, null),
    makeVector(TimestampType, n, timestamps, null),
    makeVector(IntegerType, n, tsTypes, null),
  ];
  if (headers !== null) cols.push(makeVector(schema.fields[7]!.dataType, n, headers, null));
  return makeBatch(schema, cols, n);
}
