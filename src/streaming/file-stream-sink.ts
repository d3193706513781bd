import * as path from "node:path";
import type { RecordBatch } from "../batch/record-batch.js";
import { FileSinkLog } from "../checkpoint/file-sink-log.js";
import { toLocalPath } from "../connectors/files/list-files.js";
import { writeFileSource } from "../connectors/files/write-file-source.js";
import { getFileFormat } from "../connectors/file-format.js";
import type { StructType } from "../types/data-type.js";
import { crashPoint } from "./crash-hook.js";
import type { OutputMode, Sink } from "./sink.js";
import * as fs from "node:fs";

/**
 * Writes each batch as new files (json, csv, text, parquet; partitionBy directories) in the output
 * directory, then records them in `_sluice_metadata/N`. The entry is the commit: a batch id whose
 * entry exists is skipped (idempotent re-run), and readers of the directory (spark.read, a file
 * stream source) see only files named in entries, never those of a crashed attempt.
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
    fsync = true,
  ) {
    getFileFormat(format).checkWriteSchema(schema);
    this.dir = toLocalPath(outputPath);
    fs.mkdirSync(this.dir, { recursive: true });
    this.log = new FileSinkLog(this.dir);
    this.log.fsync = fsync;
    // The manifest directory exists before any data file does: a reader that finds data files
    // of a batch that crashed before its first entry must still read through the (empty)
    // manifest, not list the directory.
    fs.mkdirSync(this.log.dir, { recursive: true });
    this.description = `FileSink[file:${this.dir}]`;
  }

  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode: OutputMode): Promise<void> {
    if (this.log.get(batchId) !== undefined) return;
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
