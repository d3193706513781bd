import type { RecordBatch } from "../batch/record-batch.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { DataSourceRelation } from "../plan/logical-plan.js";
import type { StructType } from "../types/data-type.js";
import type { SourceFilter } from "./source-filter.js";
import { resolveFileSource, type ResolvedFiles } from "./files/resolve-file-source.js";
import { scanFileSource } from "./files/scan-file-source.js";
import { FileOptions } from "./files/file-options.js";
import { codecOfFile } from "./files/compression.js";
import type { PartitionedFile } from "./files/partition-discovery.js";
import { type SaveMode, type WriteResult, writeFileSource } from "./files/write-file-source.js";
import { generatorBatchSources } from "./nexmark/generator-sources.js";
import { postgresBatchSource } from "./postgres/postgres-connector.js";
import { smartMeterBatchSource } from "./smart-meter/smart-meter-source.js";
import { stateBatchSources } from "./state/index.js";

export type { SaveMode, WriteResult };

/**
 * A batch data source: `spark.read.format(name)` resolves it (synchronously: schema and
 * whatever the scan needs) and the engine scans it; `df.write.format(name)` writes to it.
 * Each connector folder registers its provider here.
 */
export interface BatchSourceProvider {
  readonly name: string;
  resolve(paths: readonly string[], options: Readonly<Record<string, string>>, userSchema: StructType | null, timeZone: string): { schema: StructType; resolved: unknown };
  scan(relation: DataSourceRelation, timeZone: string, options?: ScanOptions): AsyncIterable<RecordBatch>;
  /**
   * Optional, for parallel execution: splits a scan into at most `parts` scans, each described
   * by a `resolved` value that survives structured clone (it travels to a worker thread); the
   * splits' rows, concatenated in order, are exactly the whole scan's rows.
   */
  split?(relation: DataSourceRelation, parts: number): readonly unknown[];
  /**
   * Optional, for stages whose tasks own event-time windows (window-owned-stage.ts): when the
   * timestamp `column` never decreases in the scan's row order, the scan as `parts` slices of
   * event time. Slice k owns the window starts in [fromMicros, toMicros) (the first from
   * -Infinity, the last to +Infinity, each `toMicros` the next slice's `fromMicros` and one of
   * `windows`' starts) and its scan (`resolved`, as in `split`) reads at least every row whose
   * time is in [fromMicros, toMicros - slide + duration): the rows of the windows it owns.
   * Null when the scan is not in the order of `column`.
   */
  splitByTime?(relation: DataSourceRelation, parts: number, column: string, windows: SlicedWindows): readonly TimeSlice[] | null;
  /** Whether the scan uses ScanOptions.runtimeFilters to skip rows (a hash join then sends them: HashJoinExec). */
  readonly runtimeFilters?: boolean;
  /** Optional: about how many rows a scan produces (decides whether splitting pays). */
  estimatedRows?(relation: DataSourceRelation): number | null;
  write?(path: string, mode: SaveMode, partitionBy: readonly string[], options: Readonly<Record<string, string>>, schema: StructType, batches: AsyncIterable<RecordBatch>, timeZone: string): Promise<WriteResult>;
}

/** How a scan's batches will be read (BatchSourceProvider.scan); a source may ignore any of it. */
export interface ScanOptions {
  /**
   * The consumer reads each batch before it asks for the next and keeps none of its columns (a
   * fused aggregation copies what it needs into its tables): the source may write the next
   * batch into the same typed arrays (ReusableArrays).
   */
  readonly reuseBuffers?: boolean;
  /**
   * Filters known only when the query runs (as Spark's runtime filters): an inner hash join's
   * build-side keys for the column the scan streams into it. The source may skip rows failing
   * them; every row it keeps is still joined, so ignoring them is always correct.
   */
  readonly runtimeFilters?: readonly SourceFilter[];
}

/**
 * The windows of a time-sliced stage (BatchSourceProvider.splitByTime): they start at
 * startMicros + k * slideMicros and last at most durationMicros.
 */
export interface SlicedWindows {
  readonly durationMicros: number;
  readonly slideMicros: number;
  readonly startMicros: number;
}

/** A slice of a scan by event time (BatchSourceProvider.splitByTime). */
export interface TimeSlice {
  readonly resolved: unknown;
  readonly fromMicros: number;
  readonly toMicros: number;
}

const providers = new Map<string, BatchSourceProvider>();

export function registerBatchSource(p: BatchSourceProvider): void {
  providers.set(p.name.toLowerCase(), p);
}

export function batchSource(name: string): BatchSourceProvider {
  const p = providers.get(name.toLowerCase());
  if (!p) {
    throw new IllegalArgumentError("DATA_SOURCE_NOT_FOUND", `[DATA_SOURCE_NOT_FOUND] Failed to find the data source: ${name}. Available: ${[...providers.keys()].sort().join(", ")}.`);
  }
  return p;
}

export function hasBatchSource(name: string): boolean {
  return providers.has(name.toLowerCase());
}

export function scanDataSource(rel: DataSourceRelation, timeZone: string, options: ScanOptions = {}): AsyncIterable<RecordBatch> {
  return batchSource(rel.format).scan(rel, timeZone, options);
}

for (const format of ["json", "csv", "text", "parquet"]) {
  registerBatchSource({
    name: format,
    resolve: (paths, options, userSchema, timeZone) => resolveFileSource(format, paths, options, userSchema, timeZone),
    split: (rel, parts) => splitFiles(format, rel.options, rel.resolved as ResolvedFiles, parts),
    estimatedRows: (rel) => estimateFileRows(format, rel.resolved as ResolvedFiles),
    scan: (rel, timeZone) => scanFileSource(format, rel.resolved as ResolvedFiles, rel.schema, rel.requiredColumns, rel.pushedFilters, rel.options, timeZone),
    write: (path, mode, partitionBy, options, schema, batches, timeZone) => writeFileSource(format, path, mode, partitionBy, options, schema, batches, timeZone),
  });
}

/**
 * Contiguous groups of about equal bytes, in file order (so in row order). Large files of a
 * line format (JSON lines, text; uncompressed, default line separators) are first cut into byte
 * ranges, each read as the lines that begin in it (files/text-file-io.ts, readTextSplit).
 */
function splitFiles(format: string, options: Readonly<Record<string, string>>, r: ResolvedFiles, parts: number): ResolvedFiles[] {
  const total = r.files.reduce((s, f) => s + f.file.size, 0);
  const target = Math.max(1, Math.ceil(total / parts));
  const o = new FileOptions(options);
  const byLines = (format === "json" && !o.bool("multiLine", false)) || (format === "text" && !o.bool("wholetext", false));
  const cuttable = (f: PartitionedFile): boolean => byLines && !o.has("lineSep") && !o.has("encoding") && !o.has("charset") && codecOfFile(f.file.path) === "none" && f.file.size > target;
  const pieces: PartitionedFile[] = r.files.flatMap((f) => {
    if (!cuttable(f)) return [f];
    const n = Math.ceil(f.file.size / target);
    return Array.from({ length: n }, (_, i): PartitionedFile => ({ ...f, file: { ...f.file, range: [Math.floor((f.file.size * i) / n), Math.floor((f.file.size * (i + 1)) / n)] } }));
  });
  const sizeOf = (f: PartitionedFile): number => (f.file.range ? f.file.range[1] - f.file.range[0] : f.file.size);
  const out: ResolvedFiles[] = [];
  let start = 0, acc = 0;
  for (let i = 0; i < pieces.length; i++) {
    acc += sizeOf(pieces[i]!);
    const boundary = (total * (out.length + 1)) / parts;
    if (acc >= boundary && out.length < parts - 1 && i + 1 < pieces.length) {
      out.push({ ...r, files: pieces.slice(start, i + 1) });
      start = i + 1;
    }
  }
  out.push({ ...r, files: pieces.slice(start) });
  return out;
}

/** Rows of a file scan, guessed from bytes: columnar Parquet packs rows tighter than text formats. */
function estimateFileRows(format: string, r: ResolvedFiles): number {
  const bytes = r.files.reduce((s, f) => s + f.file.size, 0);
  return Math.round(bytes / (format === "parquet" ? 10 : 60));
}

registerBatchSource(postgresBatchSource);

for (const p of generatorBatchSources) registerBatchSource(p);
registerBatchSource(smartMeterBatchSource);

for (const p of stateBatchSources) registerBatchSource(p);
