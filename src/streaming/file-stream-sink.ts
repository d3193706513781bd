import * as fs from "node:fs";
import * as path from "node:path";
import type { Session } from "../api/session.js";
import type { RecordBatch } from "../batch/record-batch.js";
import { DEFAULT_FILE_SINK_LOG_OPTIONS, FileSinkLog, type FileSinkLogOptions } from "../checkpoint/file-sink-log.js";
import { toLocalPath } from "../connectors/files/list-files.js";
import { writeFileSource } from "../connectors/files/write-file-source.js";
import { getFileFormat } from "../connectors/file-format.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { StructType } from "../types/data-type.js";
import { crashPoint } from "./crash-hook.js";
import type { OutputMode, Sink } from "./sink.js";

/** How a file sink writes its manifest: fsync, and compaction / cleanup (see FileSinkLog). */
export interface FileSinkSettings {
  readonly fsync: boolean;
  readonly log: FileSinkLogOptions;
}

const DURATION_MS: Record<string, number> = { "": 1, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The file sink's settings from the session (Spark's `spark.sql.streaming.fileSink.log.*`):
 * `sluice.sql.streaming.fileSink.log.compactInterval` (default 10 batches),
 * `.cleanupDelay` (default 10m; a number is milliseconds), `.deletion` (default true), and
 * `sluice.sql.streaming.checkpoint.fsync` (default true).
 */
export function fileSinkSettings(session: Session): FileSinkSettings {
  const conf = (k: string): string | undefined => session.conf.getOption(`sluice.sql.streaming.fileSink.log.${k}`);
  const bad = (k: string, v: string, what: string): never => {
    throw new IllegalArgumentError("INVALID_CONF_VALUE", `The value '${v}' of the config "sluice.sql.streaming.fileSink.log.${k}" is not ${what}.`);
  };
  const d = DEFAULT_FILE_SINK_LOG_OPTIONS;
  const ci = conf("compactInterval");
  const compactInterval = ci === undefined ? d.compactInterval : Number(ci);
  if (!Number.isSafeInteger(compactInterval) || compactInterval < 1) bad("compactInterval", ci!, "a positive integer");
  const cd = conf("cleanupDelay");
  let cleanupDelayMs = d.cleanupDelayMs;
  if (cd !== undefined) {
    const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(cd);
    const unit = m ? DURATION_MS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined) bad("cleanupDelay", cd, "a duration such as 10m, 30s or a number of milliseconds");
    cleanupDelayMs = Number(m![1]) * unit!;
  }
  const del = (conf("deletion") ?? String(d.deletion)).trim().toLowerCase();
  if (del !== "true" && del !== "false") bad("deletion", del, "true or false");
  const fsync = (session.conf.getOption("sluice.sql.streaming.checkpoint.fsync") ?? "true").toLowerCase() !== "false";
  return { fsync, log: { compactInterval, cleanupDelayMs, deletion: del === "true" } };
}

/**
 * Writes each batch as new files (json, csv, text, parquet; partitionBy directories) in the output
 * directory, then records them in the `_sluice_metadata` manifest (FileSinkLog: an entry per
 * batch, compacted every compactInterval batches). The entry is the commit: a batch id at or
 * below the manifest's latest is skipped (idempotent re-run), and readers of the directory
 * (spark.read, a file stream source) see only files named in the manifest, never those of a
 * crashed attempt.
 */
export class FileStreamSink implements Sink {
  readonly description: string;
  private readonly dir: string;
  private readonly log: FileSinkLog;

  constructor(
    private readonly format: string,
    outputPath: string,
    private readonly partitionBy: readonly string[],
    private readonly options: Readonly<Record<string, string>>,
    private readonly schema: StructType,
    private readonly timeZone: string,
    settings: FileSinkSettings | boolean = true,
  ) {
    getFileFormat(format).checkWriteSchema(schema);
    const s = typeof settings === "boolean" ? { fsync: settings, log: DEFAULT_FILE_SINK_LOG_OPTIONS } : settings;
    this.dir = toLocalPath(outputPath);
    fs.mkdirSync(this.dir, { recursive: true });
    this.log = new FileSinkLog(this.dir, s.log);
    this.log.fsync = s.fsync;
    // The manifest directory exists before any data file does: a reader that finds data files
    // of a batch that crashed before its first entry must still read through the (empty)
    // manifest, not list the directory.
    fs.mkdirSync(this.log.dir, { recursive: true });
    this.description = `FileSink[file:${this.dir}]`;
  }

  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode: OutputMode): Promise<void> {
    if (batchId <= this.log.lastCommittedBatchId()) return;
    const nonEmpty = batches.filter((b) => b.numRows > 0);
    let files: string[] = [];
    if (nonEmpty.length > 0) {
      async function* gen(): AsyncIterable<RecordBatch> {
        yield* nonEmpty;
      }
      files = (await writeFileSource(this.format, this.dir, "append", this.partitionBy, this.options, this.schema, gen(), this.timeZone)).files;
    }
    const entries = files.map((f) => {
      const st = fs.statSync(f);
      return { path: path.relative(this.dir, f), size: st.size, modificationTime: st.mtimeMs };
    });
    crashPoint("mid-sink-write", batchId);
    this.log.add(batchId, entries);
  }
}
