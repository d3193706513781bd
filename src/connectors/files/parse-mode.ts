import { FileFormatError } from "../../errors/errors.js";
import { type StructType } from "../../types/data-type.js";
import type { FileOptions } from "./file-options.js";

/** How a reader treats a record it cannot parse (Spark's `mode` option). */
export type ParseMode = "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";

export function parseMode(o: FileOptions): ParseMode {
  const m = o.choice("mode", ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"] as const, "PERMISSIVE");
  return m;
}

/** The corrupt-record column name option (`columnNameOfCorruptRecord`, default `_corrupt_record`). */
export function corruptColumnName(o: FileOptions): string {
  return o.string("columnNameOfCorruptRecord", "_corrupt_record");
}

/** Index in `schema` of a string column named `name` (exact name), or -1. */
export function corruptColumnIndex(schema: StructType, name: string): number {
  return schema.fields.findIndex((f) => f.name === name && f.dataType.kind === "string");
}

/** The FAILFAST error: names the file, the 1-based line and the record text. */
export function malformedRecordError(file: string, line: number, record: string, reason?: string): FileFormatError {
  const shown = record.length > 200 ? record.slice(0, 200) + "..." : record;
  return new FileFormatError(
    "MALFORMED_RECORD_IN_PARSING",
    `[MALFORMED_RECORD_IN_PARSING] Malformed records are detected in record parsing at file:${file} line ${line}: ${shown}` +
      (reason ? ` (${reason})` : "") +
      `. Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.`,
  );
}
