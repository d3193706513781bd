import type { RecordBatch } from "../batch/record-batch.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { DataSourceRelation } from "../plan/logical-plan.js";
import type { StructType } from "../types/data-type.js";
import type { SourceFilter } from "./source-filter.js";
import { type TaskShares, cumulativeShares } from "./split-range.js";
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
   * Optional, for parallel execution: splits a scan into scans holding about `shares` of its
   * rows (fractions summing to 1, in order; fewer scans where it cannot cut so finely), each
   * described by a `resolved` value that survives structured clone (it travels to a worker
   * thread); the splits' rows, concatenated in order, are exactly the whole scan's rows.
   */
  split?(relation: DataSourceRelation, shares: TaskShares): readonly unknown[];
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
    split: (rel, shares) => splitFiles(format, rel.options, rel.resolved as ResolvedFiles, shares),
    estimatedRows: (rel) => estimateFileRows(format, rel.resolved as ResolvedFiles),
    scan: (rel, timeZone) => scanFileSource(format, rel.resolved as ResolvedFiles, rel.schema, rel.requiredColumns, rel.pushedFilters, rel.options, timeZone),
    write: (path, mode, partitionBy, options, schema, batches, timeZone) => writeFileSource(format, path, mode, partitionBy, options, schema, batches, timeZone),
  });
}

/**
 * Contiguous groups of about `shares` of the bytes, in file order (so in row order). Large files
 * of a line format (JSON lines, text; uncompressed, default line separators) are cut where the
 * shares end, each piece read as the lines that begin in it (files/text-file-io.ts,
 * readTextSplit); other files, and files smaller than the smallest share, go whole to one group.
 */
function splitFiles(format: string, options: Readonly<Record<string, string>>, r: ResolvedFiles, shares: TaskShares): ResolvedFiles[] {
  const total = r.files.reduce((s, f) => s + f.file.size, 0);
  const bounds = cumulativeShares(shares).slice(0, -1).map((e) => Math.round(total * e));
  const smallest = Math.max(1, Math.ceil(total * Math.min(...shares)));
  const o = new FileOptions(options);
  const byLines = (format === "json" && !o.bool("multiLine", false)) || (format === "text" && !o.bool("wholetext", false));
  const cuttable = (f: PartitionedFile): boolean => byLines && !o.has("lineSep") && !o.has("encoding") && !o.has("charset") && codecOfFile(f.file.path) === "none" && f.file.size > smallest;
  // Pieces with their end as a byte offset into the concatenated files.
  const pieces: { f: PartitionedFile; end: number }[] = [];
  let offset = 0;
  for (const f of r.files) {
    const inside = cuttable(f) ? bounds.filter((b) => b > offset && b < offset + f.file.size).map((b) => b - offset) : [];
    const cuts = [0, ...inside, f.file.size];
    for (let i = 1; i < cuts.length; i++) {
      const range: [number, number] = [cuts[i - 1]!, cuts[i]!];
      pieces.push({ f: cuts.length === 2 ? f : { ...f, file: { ...f.file, range } }, end: offset + range[1] });
    }
    offset += f.file.size;
  }
  const out: ResolvedFiles[] = [];
  let start = 0;
  for (let i = 0; i < pieces.length - 1 && out.length < bounds.length; i++) {
    if (pieces[i]!.end >= bounds[out.length]!) {
      out.push({ ...r, files: pieces.slice(start, i + 1).map((p) => p.f) });
      start = i + 1;
    }
  }
  out.push({ ...r, files: pieces.slice(start).map((p) => p.f) });
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
