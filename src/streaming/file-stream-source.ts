import * as fs from "node:fs";
import { type RecordBatch, makeBatch } from "../batch/record-batch.js";
import { BatchLog } from "../checkpoint/batch-log.js";
import { isFileFormat } from "../connectors/file-format.js";
import type { FileInfo } from "../connectors/files/file-info.js";
import { listDataFiles, toLocalPath } from "../connectors/files/list-files.js";
import { resolveFileSource } from "../connectors/files/resolve-file-source.js";
import { scanFileSource } from "../connectors/files/scan-file-source.js";
import { FileFormatError, IllegalArgumentError } from "../errors/errors.js";
import { parseInterval } from "../types/interval.js";
import type { StructType } from "../types/data-type.js";
import { checkpointFsync } from "./micro-batch-execution.js";
import { type Offset, ReadLimit, type Source, type SourceContext, type StreamingSourceProvider } from "./source.js";
import { type StreamSourceRequest, numberOption, optionOf, registerStreamSource } from "./stream-source-registry.js";

/** One file a batch of the source took: absolute path and modification time (ms). */
interface SeenFile {
  readonly path: string;
  readonly timestamp: number;
}

/**
 * Streams the files that appear in a directory (or glob), oldest first (Spark's FileStreamSource).
 * Offsets are `{ logOffset: N }`: entry N of the seen-files log (`sources/<i>/N`) lists the files
 * of the N-th group taken, so a range of offsets always reads the same files, also after a
 * restart. Options: maxFilesPerTrigger, latestFirst, maxFileAge (default 7 days, relative to the
 * newest file seen; ignored when latestFirst and maxFilesPerTrigger are both set), plus the
 * format's read options. Files must appear atomically (write elsewhere, then rename): names
 * starting with `.` or `_` are never read.
 */
export class FileStreamSource implements Source {
  readonly description: string;
  private readonly log: BatchLog<SeenFile[]>;
  private readonly seen = new Map<string, number>();
  private latestLogOffset = -1;
  private newestTimestamp = Number.NEGATIVE_INFINITY;
  private availableNow: Set<string> | null = null;
  private watchers: fs.FSWatcher[] = [];
  private readonly maxFiles: number | null;
  private readonly latestFirst: boolean;
  private readonly maxFileAgeMs: number;

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
    const mf = optionOf(options, "maxFilesPerTrigger");
    this.maxFiles = mf === undefined ? null : numberOption(options, "maxFilesPerTrigger", 0, (n) => Number.isInteger(n) && n > 0);
    this.latestFirst = (optionOf(options, "latestFirst") ?? "false").toLowerCase() === "true";
    const age = optionOf(options, "maxFileAge") ?? "7 days";
    const i = parseInterval(/^\d+$/.test(age) ? `${age} milliseconds` : age.replace(/^(\d+)d$/, "$1 days").replace(/^(\d+)h$/, "$1 hours").replace(/^(\d+)m$/, "$1 minutes").replace(/^(\d+)s$/, "$1 seconds"), "maxFileAge");
    this.maxFileAgeMs = i.months * 30 * 86_400_000 + i.days * 86_400_000 + i.micros / 1000;
    for (const id of this.log.batchIds()) {
      for (const f of this.log.get(id) ?? []) this.markSeen(f);
      this.latestLogOffset = id;
    }
  }

  private markSeen(f: SeenFile): void {
    this.seen.set(f.path, f.timestamp);
    if (f.timestamp > this.newestTimestamp) this.newestTimestamp = f.timestamp;
  }

  initialOffset(): Offset {
    return { logOffset: -1 };
  }

  defaultReadLimit(): ReadLimit {
    return this.maxFiles === null ? ReadLimit.allAvailable() : ReadLimit.maxFiles(this.maxFiles);
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
    const ageApplies = !(this.latestFirst && this.maxFiles !== null);
    return files.filter((f) => {
      if (this.seen.has(f.path)) return false;
      if (this.availableNow !== null && !this.availableNow.has(f.path)) return false;
      if (ageApplies && f.modificationTime < newest - this.maxFileAgeMs) return false;
      return true;
    });
  }

  latestOffset(start: Offset, limit: ReadLimit): Offset {
    const startLog = logOffsetOf(start);
    // A group already logged but not yet planned (the process stopped in between): offer it first.
    if (startLog < this.latestLogOffset) return { logOffset: this.latestLogOffset };
    const unseen = this.listUnseen().sort((a, b) => (this.latestFirst ? b.modificationTime - a.modificationTime : a.modificationTime - b.modificationTime) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const take = limit.kind === "maxFiles" ? unseen.slice(0, limit.max) : unseen;
    if (take.length === 0) return { logOffset: this.latestLogOffset };
    const entry = take.map((f) => ({ path: f.path, timestamp: f.modificationTime }));
    this.latestLogOffset++;
    this.log.put(this.latestLogOffset, entry);
    entry.forEach((f) => this.markSeen(f));
    return { logOffset: this.latestLogOffset };
  }

  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    const from = logOffsetOf(start) + 1, to = logOffsetOf(end);
    const files: string[] = [];
    for (let id = from; id <= to; id++) {
      const entry = this.log.get(id);
      if (entry === undefined) throw new FileFormatError("FILE_STREAM_LOG_MISSING", `The seen-files log entry ${id} of ${this.description} is missing from ${this.log.dir}; the checkpoint is damaged.`);
      files.push(...entry.map((f) => f.path));
    }
    if (files.length === 0) return [];
    const opts: Record<string, string> = { ...this.options };
    const base = this.paths.length === 1 ? toLocalPath(this.paths[0]!) : null;
    if (base !== null && optionOf(opts, "basePath") === undefined && isDirectory(base)) opts["basePath"] = base;
    const resolved = resolveFileSource(this.format, files, opts, this.schema, this.timeZone);
    // The scan yields data columns then partition columns; the stream's schema may order them otherwise.
    const pick = this.schema.fields.map((f) => resolved.schema.fields.findIndex((g) => g.name.toLowerCase() === f.name.toLowerCase()));
    const out: RecordBatch[] = [];
    for await (const b of scanFileSource(this.format, resolved.resolved, resolved.schema, null, [], opts, this.timeZone)) {
      out.push(makeBatch(this.schema, pick.map((i) => b.columns[i]!), b.numRows));
    }
    return out;
  }

  prepareForTriggerAvailableNow(): void {
    this.availableNow = null;
    this.availableNow = new Set(this.listUnseen().map((f) => f.path));
  }

  commit(): void {}

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
