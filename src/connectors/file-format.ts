import { IllegalArgumentError } from "../errors/errors.js";
import type { RecordBatch } from "../batch/record-batch.js";
import type { StructType } from "../types/data-type.js";
import { csvFormat } from "./csv/csv-format.js";
import type { FileInfo } from "./files/file-info.js";
import { jsonFormat } from "./json/json-format.js";
import { parquetFormat } from "./parquet/parquet-format.js";
import type { SourceFilter } from "./source-filter.js";
import { textFormat } from "./text/text-format.js";

/** Counters a scan fills in, so tests and progress reports can see what was skipped. */
export interface ScanMetrics {
  filesRead: number;
  filesSkipped: number;
  rowGroupsRead: number;
  rowGroupsSkipped: number;
  /** Rows decoded from files (before any filter above the scan). */
  rowsDecoded: number;
}

export function newScanMetrics(): ScanMetrics {
  return { filesRead: 0, filesSkipped: 0, rowGroupsRead: 0, rowGroupsSkipped: 0, rowsDecoded: 0 };
}

export interface FileReadContext {
  readonly timeZone: string;
  /** Pushed conjuncts; a format may skip data that cannot match them (never required). */
  readonly filters: readonly SourceFilter[];
  readonly metrics?: ScanMetrics;
}

export interface FileWriteContext {
  readonly timeZone: string;
}

export type FileFormatName = "json" | "csv" | "text" | "parquet";

/**
 * One file format (Spark's FileFormat). Options are the raw user options; each format reads
 * them case-insensitively. Values in batches are internal values (types/data-type.ts).
 */
export interface FileFormat {
  readonly name: FileFormatName;
  /** Infers the data schema from the files (synchronous I/O, bounded sampling). */
  inferSchema(files: readonly FileInfo[], options: Readonly<Record<string, string>>, timeZone: string): StructType;
  /**
   * Reads one file as batches (about DEFAULT_BATCH_SIZE rows) having exactly `readSchema`'s
   * fields, a subset of `dataSchema` in that order (possibly empty: then only row counts).
   */
  readFile(
    file: FileInfo,
    dataSchema: StructType,
    readSchema: StructType,
    options: Readonly<Record<string, string>>,
    ctx: FileReadContext,
  ): AsyncIterable<RecordBatch>;
  /** Writes `batches` (all of `schema`) as one new file at `path`. */
  writeFile(
    path: string,
    schema: StructType,
    batches: AsyncIterable<RecordBatch>,
    options: Readonly<Record<string, string>>,
    ctx: FileWriteContext,
  ): Promise<void>;
  /** Checks before anything is written that this format can store `schema` (throws AnalysisError). */
  checkWriteSchema(schema: StructType): void;
  /** The file name suffix for the options, e.g. `.json`, `.csv.gz`, `.snappy.parquet`. */
  extension(options: Readonly<Record<string, string>>): string;
}

const FORMATS: Readonly<Record<FileFormatName, FileFormat>> = {
  json: jsonFormat,
  csv: csvFormat,
  text: textFormat,
  parquet: parquetFormat,
};

export const SUPPORTED_FILE_FORMATS: readonly FileFormatName[] = Object.keys(FORMATS) as FileFormatName[];

export function isFileFormat(name: string): boolean {
  return Object.hasOwn(FORMATS, name.toLowerCase());
}

/** The format named `name` (case-insensitive); IllegalArgumentError listing the formats otherwise. */
export function getFileFormat(name: string): FileFormat {
  const f = FORMATS[name.toLowerCase() as FileFormatName] as FileFormat | undefined;
  if (f === undefined || !Object.hasOwn(FORMATS, name.toLowerCase())) {
    throw new IllegalArgumentError(
      "UNSUPPORTED_DATA_SOURCE",
      `Unsupported file format '${name}'. Supported formats: ${SUPPORTED_FILE_FORMATS.join(", ")}.`,
    );
  }
  return f;
}
