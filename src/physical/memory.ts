import type { RecordBatch } from "../batch/record-batch.js";

/** A rough size of a batch in bytes, for memory limits (typed arrays exactly, strings by length). */
export function estimateBatchBytes(b: RecordBatch): number {
  let bytes = 0;
  for (const c of b.columns) {
    if (Array.isArray(c.values)) {
      for (let i = 0; i < c.length; i++) {
        const v = c.values[i];
        bytes += typeof v === "string" ? 16 + 2 * v.length : 16;
      }
    } else bytes += c.values.byteLength;
    if (c.nulls) bytes += c.nulls.byteLength;
  }
  return bytes;
}
