import type { RecordBatch } from "../batch/record-batch.js";
import { valueAt } from "../batch/vector.js";
import type { StructType } from "../types/data-type.js";
import { toExternal } from "../types/values.js";

/** Batches → plain row objects, values converted to what users see (Date for timestamps, ...). */
export function batchesToRows(schema: StructType, batches: readonly RecordBatch[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const fields = schema.fields;
  for (const b of batches) {
    for (let i = 0; i < b.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < fields.length; c++) row[fields[c]!.name] = toExternal(valueAt(b.columns[c]!, i), fields[c]!.dataType);
      rows.push(row);
    }
  }
  return rows;
}
