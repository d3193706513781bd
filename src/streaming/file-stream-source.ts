import * as fs from "node:fs";
import * as path from "node:path";
import { type RecordBatch, makeBatch } from "../batch/record-batch.js";
import { BatchLog } from "../checkpoint/batch-log.js";
import { isFileFormat } from "../connectors/file-format.js";
import type { FileInfo } from "../connectors/files/file-info.js";
import { globRoot, hasGlob } from "../connectors/files/glob.js";
import { listDataFiles, toLocalPath } from "../connectors/files/list-files.js";
import { type ResolvedFiles, resolveFileSource } from "../connectors/files/resolve-file-source.js";
import { scanFileSource } from "../connectors/files/scan-file-source.js";
import { FileFormatError, IllegalArgumentError } from "../errors/errors.js";
import { parseInterval } from "../types/interval.js";
import { type StructType, structType } from "../types/data-type.js";
import { checkpointFsync } from "./micro-batch-execution.js";
import { type MicroBatchScan, type Offset, ReadLimit, type Source, type SourceContext, type StreamingSourceProvider } from "./source.js";
import { type StreamSourceRequest, numberOption, optionOf, registerStreamSource } from "./stream-source-registry.js";

/** One file a batch of the source took: absolute path and modification time (ms). */
interface SeenFile {
  readonly path: string;
  readonly timestamp: number;
}

/** What happens to a source file once the batch that read it is committed. */
export type CleanSourceMode = "off" | "delete" | "archive";

/** The file stream options checked when the stream is defined (load) and again at start. */
export interface FileStreamOptions {
  readonly maxFiles: number | null;
  readonly maxBytes: number | null;
  readonly latestFirst: boolean;
  readonly fileNameOnly: boolean;
  readonly maxFileAgeMs: number;
  readonly cleanSource: CleanSourceMode;
  /** Absolute; set iff cleanSource is archive. */
  readonly archiveDir: string | null;
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

function booleanOption(options: Readonly<Record<string, string>>, key: string): boolean {
  const v = (optionOf(options, key) ?? "false").trim().toLowerCase();
  if (v !== "true" && v !== "false") throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${v}' for option '${key}': must be true or false.`);
  return v === "true";
}

/** Parses and checks the options of a file stream source (Spark's FileStreamOptions). */
export function parseFileStreamOptions(paths: readonly string[], options: Readonly<Record<string, string>>): FileStreamOptions {
  const mf = optionOf(options, "maxFilesPerTrigger");
  const maxFiles = mf === undefined ? null : numberOption(options, "maxFilesPerTrigger", 0, (n) => Number.isInteger(n) && n > 0);
  const mb = optionOf(options, "maxBytesPerTrigger");
  let maxBytes: number | null = null;
  if (mb !== undefined) {
    const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(mb);
    const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
    const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${mb}' for option 'maxBytesPerTrigger': must be a positive number of bytes (e.g. 1048576 or 1m).`);
    maxBytes = n;
  }
  const age = optionOf(options, "maxFileAge") ?? "7 days";
  const i = parseInterval(/^\d+$/.test(age) ? `${age} milliseconds` : age.replace(/^(\d+)d$/, "$1 days").replace(/^(\d+)h$/, "$1 hours").replace(/^(\d+)m$/, "$1 minutes").replace(/^(\d+)s$/, "$1 seconds"), "maxFileAge");
  const rawMode = (optionOf(options, "cleanSource") ?? "off").trim().toLowerCase();
  if (rawMode !== "off" && rawMode !== "delete" && rawMode !== "archive") {
    throw new IllegalArgumentError("INVALID_OPTION", `Invalid mode for clean source option '${optionOf(options, "cleanSource")}'. Option 'cleanSource' must be one of: archive, delete, off.`);
  }
  const cleanSource: CleanSourceMode = rawMode;
  let archiveDir: string | null = null;
  if (cleanSource === "archive") {
    const a = optionOf(options, "sourceArchiveDir");
    if (a === undefined || a.trim() === "") throw new IllegalArgumentError("INVALID_OPTION", "Archive mode must be used with the 'sourceArchiveDir' option (cleanSource = archive).");
    archiveDir = toLocalPath(a);
    for (const p of paths) {
      const root = hasGlob(p) ? globRoot(toLocalPath(p)) : toLocalPath(p);
      if (isWithin(archiveDir, root)) {
        throw new IllegalArgumentError("INVALID_OPTION", `The option 'sourceArchiveDir' (${archiveDir}) must not be inside the source path ${root}: archived files would be read again.`);
      }
    }
  }
  return {
    maxFiles,
    maxBytes,
    latestFirst: booleanOption(options, "latestFirst"),
    fileNameOnly: booleanOption(options, "fileNameOnly"),
    maxFileAgeMs: i.months * 30 * 86_400_000 + i.days * 86_400_000 + i.micros / 1000,
    cleanSource,
    archiveDir,
  };
}

/** Whether `p` is `dir` or below it. */
function isWithin(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Streams the files that appear in a directory (or glob), oldest first (Spark's FileStreamSource).
 * Offsets are `{ logOffset: N }`: entry N of the seen-files log (`sources/<i>/N`) lists the files
 * of the N-th group taken, so a range of offsets always reads the same files, also after a
 * restart. Options (Spark's):
 * - maxFilesPerTrigger, maxBytesPerTrigger: a batch takes files (in order) while their total size
 *   stays within maxBytesPerTrigger, always at least one file; with both set, both limits apply.
 *   Trigger.Once ignores them; Trigger.AvailableNow honours them (several batches).
 * - latestFirst: newest files first.
 * - maxFileAge (default 7 days, relative to the newest file seen; ignored when latestFirst and
 *   maxFilesPerTrigger are both set).
 * - fileNameOnly: a file is "seen" by its name alone, so `a/x.json` and `b/x.json` are the same
 *   file and only the first one (in the batch order) is read.
 * - cleanSource = off | delete | archive (with sourceArchiveDir, which must not be inside the
 *   source path): once the batch that read a file is committed (commits/N written), the file is
 *   deleted, or moved to `<sourceArchiveDir>/<its absolute path>` (Spark's layout: /a/b/x.json goes
 *   to <archive>/a/b/x.json). Best effort: a file that cannot be cleaned is left in place and the
 *   query goes on. Files of a batch that is re-run after a crash are never cleaned before it.
 * - `k=v` partition directories under the source directory become columns when the schema names
 *   them (the user schema fixes their types; with schema inference they are discovered at load).
 * Plus the format's read options. Files must appear atomically (write elsewhere, then rename):
 * names starting with `.` or `_` are never read.
 */
export class FileStreamSource implements Source {
  readonly description: string;
  private readonly log: BatchLog<SeenFile[]>;
  private readonly seen = new Map<string, number>();
  private latestLogOffset = -1;
  private newestTimestamp = Number.NEGATIVE_INFINITY;
  private availableNow: Set<string> | null = null;
  private watchers: fs.FSWatcher[] = [];
  private readonly opts: FileStreamOptions;
  /** Log offsets up to this one have had their files cleaned (cleanSource). */
  private cleanedThrough = -1;
  /** The last batch resolved (batchScan), by its offsets. */
  private lastScan: { readonly key: string; readonly scan: MicroBatchScan | null } | null = null;

  constructor(
    private readonly format: string,
    private readonly paths: readonly string[],
    private readonly options: Readonly<Record<string, string>>,
    readonly schema: StructType,
    private readonly timeZone: string,
    metadataPath: string,
    fsync = true,
  ) {
    this.description = `FileStreamSource[${paths.map((p) => "file:" + toLocalPath(p)).join(", ")}]`;
    this.log = new BatchLog<SeenFile[]>(metadataPath);
    this.log.fsync = fsync;
    this.opts = parseFileStreamOptions(paths, options);
    for (const id of this.log.batchIds()) {
      for (const f of this.log.get(id) ?? []) this.markSeen(f);
      this.latestLogOffset = id;
    }
  }

  /** The key a file is "seen" under: its path, or its name alone with fileNameOnly. */
  private seenKey(p: string): string {
    return this.opts.fileNameOnly ? path.basename(p) : p;
  }

  private markSeen(f: SeenFile): void {
    this.seen.set(this.seenKey(f.path), f.timestamp);
    if (f.timestamp > this.newestTimestamp) this.newestTimestamp = f.timestamp;
  }

  initialOffset(): Offset {
    return { logOffset: -1 };
  }

  /** maxFilesPerTrigger and maxBytesPerTrigger, composed (both apply when both are set). */
  defaultReadLimit(): ReadLimit {
    return ReadLimit.composite(
      ...(this.opts.maxFiles !== null ? [ReadLimit.maxFiles(this.opts.maxFiles)] : []),
      ...(this.opts.maxBytes !== null ? [ReadLimit.maxBytes(this.opts.maxBytes)] : []),
    );
  }

  private listUnseen(): FileInfo[] {
    let files: readonly FileInfo[];
    try {
      files = listDataFiles(this.paths, this.options).files;
    } catch (e) {
      if (e instanceof FileFormatError && e.errorClass === "PATH_NOT_FOUND") return [];
      throw e;
    }
    const newest = Math.max(this.newestTimestamp, ...files.map((f) => f.modificationTime));
    const ageApplies = !(this.opts.latestFirst && this.opts.maxFiles !== null);
    return files.filter((f) => {
      if (this.seen.has(this.seenKey(f.path))) return false;
      if (this.availableNow !== null && !this.availableNow.has(f.path)) return false;
      if (ageApplies && f.modificationTime < newest - this.opts.maxFileAgeMs) return false;
      return true;
    });
  }

  latestOffset(start: Offset, limit: ReadLimit): Offset {
    const startLog = logOffsetOf(start);
    // A group already logged but not yet planned (the process stopped in between): offer it first.
    if (startLog < this.latestLogOffset) return { logOffset: this.latestLogOffset };
    const sorted = this.listUnseen().sort((a, b) => (this.opts.latestFirst ? b.modificationTime - a.modificationTime : a.modificationTime - b.modificationTime) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // fileNameOnly: of several new files with one name, only the first (in batch order) is read.
    const names = new Set<string>();
    const unseen = !this.opts.fileNameOnly ? sorted : sorted.filter((f) => {
      const name = this.seenKey(f.path);
      if (names.has(name)) return false;
      names.add(name);
      return true;
    });
    const maxFiles = ReadLimit.maxOf(limit, "maxFiles");
    let take = maxFiles !== null ? unseen.slice(0, maxFiles) : unseen;
    const maxBytes = ReadLimit.maxOf(limit, "maxBytes");
    if (maxBytes !== null) {
      // Spark's takeFilesUntilMax: files while the total stays within the limit, at least one.
      let total = 0, n = 0;
      while (n < take.length && (n === 0 || total + take[n]!.size <= maxBytes)) total += take[n++]!.size;
      take = take.slice(0, n);
    }
    if (take.length === 0) return { logOffset: this.latestLogOffset };
    const entry = take.map((f) => ({ path: f.path, timestamp: f.modificationTime }));
    this.latestLogOffset++;
    this.log.put(this.latestLogOffset, entry);
    entry.forEach((f) => this.markSeen(f));
    return { logOffset: this.latestLogOffset };
  }

  async getBatch(start: Offset, end: Offset, columns?: readonly string[]): Promise<RecordBatch[]> {
    const scan = this.batchScan(start, end);
    if (scan === null) return [];
    // Only the columns the query reads are parsed. The scan yields data columns then partition
    // columns; the stream's schema may order them otherwise.
    const reads = (name: string): boolean => columns === undefined || columns.some((c) => c.toLowerCase() === name.toLowerCase());
    const streamFields = this.schema.fields.filter((f) => reads(f.name));
    const scanFields = scan.schema.fields.filter((f) => reads(f.name));
    const pick = streamFields.map((f) => scanFields.findIndex((g) => g.name.toLowerCase() === f.name.toLowerCase()));
    const schema = columns === undefined ? this.schema : structType(streamFields);
    const out: RecordBatch[] = [];
    for await (const b of scanFileSource(this.format, scan.resolved as ResolvedFiles, scan.schema, columns === undefined ? null : scanFields.map((f) => f.name), [], scan.options, this.timeZone)) {
      out.push(makeBatch(schema, pick.map((i) => b.columns[i]!), b.numRows));
    }
    return out;
  }

  /** The files of the log entries in (start, end], resolved as `spark.read` would resolve them. */
  batchScan(start: Offset, end: Offset): MicroBatchScan | null {
    // The engine asks for the scan and, for a batch too small to split, then for its rows.
    const key = JSON.stringify([start, end]);
    if (this.lastScan?.key !== key) this.lastScan = { key, scan: this.resolveBatch(start, end) };
    return this.lastScan.scan;
  }

  private resolveBatch(start: Offset, end: Offset): MicroBatchScan | null {
    const from = logOffsetOf(start) + 1, to = logOffsetOf(end);
    const files: string[] = [];
    for (let id = from; id <= to; id++) {
      const entry = this.log.get(id);
      if (entry === undefined) throw new FileFormatError("FILE_STREAM_LOG_MISSING", `The seen-files log entry ${id} of ${this.description} is missing from ${this.log.dir}; the checkpoint is damaged.`);
      files.push(...entry.map((f) => f.path));
    }
    if (files.length === 0) return null;
    const opts: Record<string, string> = { ...this.options };
    const base = this.paths.length === 1 ? toLocalPath(this.paths[0]!) : null;
    if (base !== null && optionOf(opts, "basePath") === undefined && isDirectory(base)) opts["basePath"] = base;
    const resolved = resolveFileSource(this.format, files, opts, this.schema, this.timeZone);
    return { format: this.format, paths: files, options: opts, schema: resolved.schema, resolved: resolved.resolved };
  }

  prepareForTriggerAvailableNow(): void {
    this.availableNow = null;
    this.availableNow = new Set(this.listUnseen().map((f) => f.path));
  }

  /**
   * Everything up to `end` is committed: with cleanSource, delete or archive the files of the
   * log entries up to it (also those of earlier runs, after a restart; missing files are skipped).
   */
  commit(end: Offset): void {
    if (this.opts.cleanSource === "off") return;
    const to = logOffsetOf(end);
    for (let id = this.cleanedThrough + 1; id <= to; id++) {
      for (const f of this.log.get(id) ?? []) this.cleanFile(f.path);
    }
    this.cleanedThrough = Math.max(this.cleanedThrough, to);
  }

  private cleanFile(file: string): void {
    try {
      if (!fs.existsSync(file)) return;
      if (this.opts.cleanSource === "delete") {
        fs.rmSync(file, { force: true });
        return;
      }
      const dest = path.join(this.opts.archiveDir!, path.resolve(file));
      if (fs.existsSync(dest)) return; // never overwrite an archived file; leave the source in place
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      try {
        fs.renameSync(file, dest);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
        fs.copyFileSync(file, dest, fs.constants.COPYFILE_EXCL);
        fs.rmSync(file, { force: true });
      }
    } catch {
      // Best effort, as in Spark: a file that cannot be cleaned stays; the query goes on.
    }
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /**
   * Wakes an idle query when a watched directory changes (inotify and the like), so a new file
   * is picked up at once instead of at the next poll; polling stays the fallback (globs,
   * sub-directories, file systems without change events).
   */
  onDataAvailable(listener: () => void): () => void {
    for (const p of this.paths) {
      const dir = toLocalPath(p);
      if (!isDirectory(dir)) continue;
      try {
        const w = fs.watch(dir, { persistent: false }, () => listener());
        w.on("error", () => w.close());
        this.watchers.push(w);
      } catch {
        // no change events here: polling finds the files
      }
    }
    return () => this.stop();
  }
}

function logOffsetOf(o: Offset): number {
  if (typeof o === "object" && o !== null && !Array.isArray(o) && typeof (o as { logOffset?: unknown }).logOffset === "number") return (o as { logOffset: number }).logOffset;
  throw new IllegalArgumentError("INVALID_OFFSET", `Not a file stream source offset: ${JSON.stringify(o)}.`);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

for (const format of ["json", "csv", "text", "parquet"]) {
  registerStreamSource({
    name: format,
    resolve(req: StreamSourceRequest): StreamingSourceProvider {
      if (!isFileFormat(format)) throw new IllegalArgumentError("UNSUPPORTED_DATA_SOURCE", `Unsupported format ${format}.`);
      if (req.paths.length === 0) throw new IllegalArgumentError("PATH_NOT_SPECIFIED", `spark.readStream.${format}() needs a path.`);
      parseFileStreamOptions(req.paths, req.options);
      const tz = req.session.timeZone;
      let schema: StructType;
      if (req.userSchema !== null) schema = resolveFileSource(format, [], req.options, req.userSchema, tz).schema;
      else if (format === "text" || req.session.conf.getBoolean("sluice.sql.streaming.schemaInference")) schema = resolveFileSource(format, req.paths, req.options, null, tz).schema;
      else {
        throw new IllegalArgumentError(
          "STREAMING_SCHEMA_REQUIRED",
          "Schema must be specified when creating a streaming source DataFrame. If some files already exist in the directory, then depending on the file format you may be able to create a static DataFrame on that directory with 'spark.read.load(directory)' and infer schema from it, or set sluice.sql.streaming.schemaInference to true.",
        );
      }
      const paths = [...req.paths];
      const options = { ...req.options };
      return {
        kind: "StreamingSourceProvider",
        name: `FileSource[${paths.join(", ")}]`,
        schema,
        createSource: (ctx: SourceContext) => new FileStreamSource(format, paths, options, schema, tz, ctx.metadataPath, checkpointFsync(ctx.session)),
      };
    },
  });
}
